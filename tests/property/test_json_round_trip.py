"""Versioned JSON round-trips random models without loss (provenance included)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from tests.strategies import schemas

from dbdesign.model import Schema, from_dict, to_dict


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas())
def test_random_models_round_trip_through_json(model: Schema) -> None:
    back = from_dict(json.loads(json.dumps(to_dict(model))))
    assert back == model
    assert to_dict(back) == to_dict(model)
