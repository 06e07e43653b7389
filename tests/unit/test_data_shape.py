"""What the proof's data assumes when the spec does not say (design/data_shape.py): which
enum values are common, which times run ahead of today, how long a history is."""

from __future__ import annotations

import pytest

from dbdesign.datagen.hints import reaches_ahead
from dbdesign.design.data_shape import assumed_weights, history
from dbdesign.readers.spec import Entity


def test_outcomes_are_common_failures_rare_the_rest_on_the_way() -> None:
    w = assumed_weights(("pending", "paid", "shipped", "delivered", "cancelled"))
    assert w == {"pending": 2, "paid": 20, "shipped": 2, "delivered": 20, "cancelled": 1}


def test_transitions_say_which_states_are_outcomes() -> None:
    # paid moves on (to shipped): on the way, although the word is an outcome's
    moves = {"pending": ("paid", "cancelled"), "paid": ("shipped",), "shipped": ("delivered",)}
    w = assumed_weights(("pending", "paid", "shipped", "delivered", "cancelled"), moves)
    assert w == {"pending": 2, "paid": 2, "shipped": 2, "delivered": 20, "cancelled": 1}


def test_levels_lean_to_the_middle() -> None:
    w = assumed_weights(("low", "medium", "high", "urgent"))
    assert w["medium"] > w["low"] > w["high"] > w["urgent"]


def test_values_that_say_nothing_are_drawn_evenly() -> None:
    assert assumed_weights(("red", "green", "blue")) == {}
    assert assumed_weights(("email", "sms", "push")) == {}


@pytest.mark.parametrize(
    ("name", "ahead"),
    [
        ("starts_at", True),
        ("ends_at", True),
        ("due_date", True),
        ("expires_at", True),
        ("scheduled_at", True),
        ("nextRenewalOn", True),
        ("created_at", False),
        ("shipped_at", False),
        ("sent_at", False),
        ("ended_at", False),
        ("last_login_at", False),
        ("occurs_on", None),
        ("day", None),
    ],
)
def test_which_times_run_ahead_of_today(name: str, ahead: bool | None) -> None:
    assert reaches_ahead(name) is ahead


def test_history_from_retention_else_volume_else_three_years() -> None:
    assert history(Entity.model_validate({"retention_days": 90}))[0] == 90
    grown = {"volume": {"rows": 2_000_000, "growth_per_year": 1_000_000}}
    assert history(Entity.model_validate(grown))[0] == 730
    young = {"volume": {"rows": 10, "growth_per_year": 1_000_000}}
    assert history(Entity.model_validate(young))[0] == 30  # at least a month
    assert history(Entity.model_validate({}))[0] == 3 * 365
