"""Access patterns beyond = and ranges in the spec: in, after, before, is_null, not_null,
keyset, group_by with aggregates. Errors at their YAML path; the query and index each gets."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.readers import spec as S
from tests.paths import ROOT

HELPDESK = (ROOT / "examples" / "helpdesk.yaml").read_text()


def _error(old: str, new: str) -> S.SpecError:
    assert old in HELPDESK, old
    with pytest.raises(S.SpecError) as e:
        S.loads(HELPDESK.replace(old, new, 1))
    return e.value


@pytest.mark.parametrize(
    "old,new,path,phrase",
    [
        ("    in: [status]\n", "    in: [state]\n", "access_patterns[0].in[0]", "no field 'state'"),
        (
            "    keyset: true\n    rate_per_second: 60",
            "    keyset: true\n    rate_per_second: 60\n    select: [id]\n    group_by: [status]",
            "access_patterns[3].keyset",
            "keyset pagination pages rows",
        ),
        (
            "    sort: [-opened_at]\n    limit: 20\n    keyset: true",
            "    sort: [-opened_at, status]\n    limit: 20\n    keyset: true",
            "access_patterns[3].keyset",
            "one direction",
        ),
        (
            "    sort: [sent_at]\n    limit: 50\n    keyset: true",
            "    sort: [sent_at]\n    keyset: true",
            "access_patterns[4].keyset",
            "needs sort: and limit:",
        ),
        (
            "    aggregates: [{fn: count}]\n    rate_per_second: 30",
            "    aggregates: [{fn: sum, field: subject}]\n    rate_per_second: 30",
            "access_patterns[5].aggregates[0].field",
            "sum needs a number field",
        ),
        (
            "    aggregates: [{fn: count}]\n    rate_per_second: 30",
            "    aggregates: [{fn: avg}]\n    rate_per_second: 30",
            "access_patterns[5].aggregates[0].field",
            "avg needs a field",
        ),
        (
            "    is_null: [first_response_at]\n",
            "    is_null: [first_response_at]\n    not_null: [first_response_at]\n",
            "access_patterns[2].not_null",
            "both is_null and not_null",
        ),
        (
            "    group_by: [channel]\n",
            "    group_by: [channel]\n    sort: [-sum]\n",
            "access_patterns[7].sort[0]",
            "no field 'sum'",
        ),
    ],
)
def test_errors_at_their_yaml_path(old: str, new: str, path: str, phrase: str) -> None:
    e = _error(old, new)
    assert path in str(e) and phrase in str(e), str(e)


def _sql(dialect: str) -> dict[str, tuple[str, str | None, bool, bool]]:
    d = design(S.loads(HELPDESK), dialect)
    return {pp.pattern.name: (pp.sql, pp.index, pp.ordered, pp.covering) for pp in d.patterns}


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_each_kind_of_pattern_gets_its_query_and_index(dialect: str) -> None:
    got = _sql(dialect)
    sql, index, ordered, _ = got["agent_queue"]
    in_list = "status = ANY($2)" if dialect == "postgres" else "status IN (?"
    assert in_list in sql and index == "idx_tickets_assignee_id_status_sla_due_at"
    assert not ordered  # rows of several statuses are merged: a sort before LIMIT
    sql, index, ordered, _ = got["unassigned_queue"]
    assert "assignee_id IS NULL" in sql and "status = 'new'" in sql
    # the queue's index holds (assignee_id, status) as equalities: it serves this one too
    assert index == "idx_tickets_assignee_id_status_sla_due_at" and ordered
    sql, index, ordered, _ = got["customer_tickets"]
    keyset = {
        "postgres": "(opened_at, id) < ($2, $3)",
        "sqlite": "(opened_at, id) < (?2, ?3)",
        "mysql": "(opened_at < ?) OR (opened_at = ? AND id < ?)",  # a row comparison: no range
    }[dialect]
    assert keyset in sql and "ORDER BY opened_at DESC, id DESC" in sql
    assert index == "idx_tickets_requester_id_opened_at_id" and ordered
    sql, index, ordered, covering = got["channel_volume"]
    assert "GROUP BY channel" in sql and "count(*) AS count" in sql
    assert index == "idx_tickets_opened_at" and not ordered  # the range leads
    assert covering == (dialect != "sqlite")  # INCLUDE (channel) / (opened_at, channel)
    sql, index, _, _ = got["sla_at_risk"]
    assert "sla_due_at < " in sql and "first_response_at IS NULL" in sql
    sql, index, _, _ = got["recently_solved"]
    assert "solved_at >= " in sql and "solved_at < " not in sql
