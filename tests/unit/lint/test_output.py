"""Output formats: text grouping, JSON, SARIF 2.1.0 (structure per the OASIS schema), GitHub."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from dbdesign.lint import Finding, Severity, all_rules
from dbdesign.lint.output import github, render, sarif, text
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

# The parts of the SARIF 2.1.0 JSON schema (docs.oasis-open.org/sarif/sarif/v2.1.0,
# sarif-schema-2.1.0.json) that cover every property dbdesign writes; the schema file itself
# is not shipped by any PyPI package, so its rules for these properties are restated here.
_MESSAGE = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {
                                                            "enum": [
                                                                "none",
                                                                "note",
                                                                "warning",
                                                                "error",
                                                            ]
                                                        }
                                                    },
                                                },
                                                "properties": {"type": "object"},
                                            },
                                            "additionalProperties": False,
                                        },
                                    },
                                },
                                "additionalProperties": False,
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "additionalProperties": False,
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "logicalLocations": {"type": "array"},
                                            "physicalLocation": {
                                                "type": "object",
                                                "additionalProperties": False,
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "additionalProperties": False,
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                            "startColumn": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_is_valid_2_1_0() -> None:
    rules = list(all_rules().values())
    log = sarif([F1, F2], rules)
    jsonschema.validate(log, SARIF_SUBSET)
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
