"""Business rules of an entity in the spec: conditional uniqueness (``unique``), ranges that
must not overlap (``no_overlap``), checks across columns (``checks``), state moves
(``transitions``) and the children of a parent summing to a value (``sums``), with the errors a
rule can have, each at its YAML path.

::

    loan:
      unique:
        - {columns: [copy], where: "returned_at is null", name: one_active_loan}
    booking:
      no_overlap:
        - {range: [starts_at, ends_at], per: [room], where: "status <> 'cancelled'"}
      checks:
        - ends_at > starts_at
        - {check: "discount <= price", description: A discount never exceeds the price.}
    journal_line:
      sums:
        - {field: amount, per: entry, equals: 0, name: balanced_entry}

Conditions and checks are written in the portable expression syntax of
:mod:`dbdesign.readers.expression`. A rule names fields as access patterns do: attributes,
relationship names (``room``, the reference ``room_id``), ``id`` and the audit fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dbdesign.readers import expression as X

RulePath = tuple[str | int, ...]

_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(pattern=_NAME_PATTERN, max_length=40)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class UniqueRule(_Model):
    """Fields no two rows share, among the rows where ``where`` holds (all rows without it)."""

    columns: tuple[str, ...] = Field(
        min_length=1, description="The fields that together are unique (attributes, references)."
    )
    where: str | None = Field(
        None,
        description="The condition of the rows the key applies to, e.g. 'returned_at is null' "
        "(one active loan per copy); rows where it is false or unknown may repeat the key.",
    )
    name: Name | None = Field(None, description="Names the rule's index (default: its fields).")
    description: str | None = None


class NoOverlapRule(_Model):
    """Ranges ``[start, end)`` that must not overlap among rows with the same ``per`` values."""

    range: tuple[str, str] = Field(
        description="[start, end] fields (timestamps, dates or numbers); the range includes its "
        "start and excludes its end, so one booking may end when the next begins; a NULL end "
        "is open-ended."
    )
    per: tuple[str, ...] = Field(
        (), description="The fields whose rows' ranges must not overlap (e.g. [room]); empty: all."
    )
    where: str | None = Field(
        None,
        description="The condition of the rows the rule applies to, e.g. "
        "\"status <> 'cancelled'\" (a cancelled booking frees its room).",
    )
    name: Name | None = Field(None, description="Names the rule's constraint.")
    description: str | None = None


class CheckRule(_Model):
    """A condition every row meets, with a name and a description for DESIGN.md."""

    check: str = Field(description="The condition, e.g. 'ends_at > starts_at'.")
    name: Name | None = Field(None, description="Names the CHECK constraint.")
    description: str | None = None


class TransitionRule(_Model):
    """The moves a field's value may make on UPDATE: from each state, the states it may
    become; every other change of the field is refused (setting it to itself is no move)."""

    field: str = Field(description="The field whose value moves (an enum or a text field).")
    allowed: dict[str, tuple[str, ...]] = Field(
        min_length=1,
        description="From each state, the states it may move to, e.g. {open: [in_progress, "
        "closed], in_progress: [done, open], done: [closed]}; a state not listed may not move.",
    )
    name: Name | None = Field(None, description="Names the rule's trigger.")
    description: str | None = None

    def states(self) -> tuple[str, ...]:
        """Every state the rule names, in order of first mention."""
        names = [s for frm, tos in self.allowed.items() for s in (frm, *tos)]
        return tuple(dict.fromkeys(names))


class AtMostRule(_Model):
    """At most ``count`` children per parent, among the children where ``where`` holds."""

    count: Annotated[int, Field(gt=0, le=100000)] = Field(
        description="The most children one parent may have."
    )
    where: str | None = Field(
        None,
        description="The condition of the children counted, e.g. 'returned_at is null' (at most "
        "5 active loans per member); all children without it.",
    )
    name: Name | None = Field(None, description="Names the rule's triggers.")
    description: str | None = None


class SumRule(_Model):
    """The rows of one parent (the children, e.g. an entry's lines) sum ``field`` to
    ``equals``: checked when a transaction commits, so that a parent's rows are written one
    at a time and balance together. A parent with no such rows is not checked."""

    field: str = Field(
        description="The number field summed (integer, decimal or money; required: a NULL "
        "would count as nothing)."
    )
    per: str = Field(
        description="The reference to the parent whose rows are summed together (a "
        "relationship's name on this entity, e.g. entry)."
    )
    equals: int | float = Field(
        0, description="What the rows of each parent sum to (0: debits and credits balance)."
    )
    where: str | None = Field(
        None,
        description="The condition of the rows summed (all rows without it); it may not read "
        "the summed field itself.",
    )
    name: Name | None = Field(None, description="Names the rule's trigger.")
    description: str | None = None


def at_most_of(a: int | AtMostRule) -> AtMostRule:
    """``at_most: 5`` as the mapping form."""
    return a if isinstance(a, AtMostRule) else AtMostRule(count=a)


def check_of(c: str | CheckRule) -> CheckRule:
    """A check written as a plain string, as the mapping form."""
    return c if isinstance(c, CheckRule) else CheckRule(check=c)


# Semantic types -> what the rules' expressions compare them as.
KIND_OF_TYPE: dict[str, str] = {
    **dict.fromkeys(("integer", "decimal", "money"), "number"),
    **dict.fromkeys(
        (
            "identifier",
            "text",
            "long_text",
            "email",
            "url",
            "phone",
            "country_code",
            "isbn",
            "ean",
            "iban",
            "currency_code",
            "ip_address",
            "password_hash",
        ),
        "text",
    ),
    **{k: k for k in ("timestamp", "date", "time", "duration", "boolean", "uuid", "enum")},
    "json": "other",
    "vector": "other",
}
RANGE_KINDS = ("timestamp", "date", "number")


def rule_errors(
    base: RulePath,
    unique: tuple[UniqueRule, ...],
    no_overlap: tuple[NoOverlapRule, ...],
    checks: tuple[str | CheckRule, ...],
    kinds: Mapping[str, X.FieldKind],
    transitions: tuple[TransitionRule, ...] = (),
    sums: tuple[SumRule, ...] = (),
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[tuple[RulePath, str]]:
    """The errors of one entity's rules (``base`` is the entity's path), given the kinds of its
    fields (:func:`dbdesign.readers.spec.field_kinds`) and its attributes (their ``type`` and
    ``required``, which a sum reads)."""
    names: dict[str, RulePath] = {}
    for i, u in enumerate(unique):
        path = (*base, "unique", i)
        yield from _fields(path, "columns", u.columns, kinds)
        if u.where is not None:
            yield from _expression((*path, "where"), u.where, kinds)
        yield from _unique_name(path, u.name, names)
    for i, o in enumerate(no_overlap):
        path = (*base, "no_overlap", i)
        yield from _range(path, o, kinds)
        yield from _fields(path, "per", o.per, kinds)
        if o.where is not None:
            yield from _expression((*path, "where"), o.where, kinds)
        yield from _unique_name(path, o.name, names)
    for i, c in enumerate(checks):
        path = (*base, "checks", i)
        rule = check_of(c)
        at = (*path, "check") if isinstance(c, CheckRule) else path
        yield from _expression(at, rule.check, kinds)
        yield from _unique_name(path, rule.name, names)
    for i, tr in enumerate(transitions):
        path = (*base, "transitions", i)
        yield from _transition(path, tr, kinds)
        yield from _unique_name(path, tr.name, names)
    for i, sr in enumerate(sums):
        path = (*base, "sums", i)
        yield from _sum(path, sr, kinds, attributes or {})
        yield from _unique_name(path, sr.name, names)


def at_most_errors(
    path: RulePath, a: int | AtMostRule, kinds: Mapping[str, X.FieldKind]
) -> Iterator[tuple[RulePath, str]]:
    """The errors of a relationship's ``at_most`` (``path``), over the child's fields."""
    if isinstance(a, AtMostRule) and a.where is not None:
        yield from _expression((*path, "where"), a.where, kinds)


def _transition(
    path: RulePath, tr: TransitionRule, kinds: Mapping[str, X.FieldKind]
) -> Iterator[tuple[RulePath, str]]:
    if tr.field not in kinds:
        yield (*path, "field"), f"no field {tr.field!r}{_close(tr.field, kinds)}"
        return
    k = kinds[tr.field]
    if k.kind not in ("enum", "text"):
        yield (*path, "field"), f"{tr.field} is {k.kind}: transitions move an enum or text field"
        return
    known = set(k.values or ()) if k.kind == "enum" else None
    for frm, tos in tr.allowed.items():
        if known is not None and frm not in known:
            yield (*path, "allowed", frm), f"{frm!r} is not a value of {tr.field}"
        for j, to in enumerate(tos):
            if known is not None and to not in known:
                yield (*path, "allowed", frm, j), f"{to!r} is not a value of {tr.field}"
            elif to == frm:
                yield (*path, "allowed", frm, j), f"{to!r} moving to itself is no move"


def _sum(
    path: RulePath, sr: SumRule, kinds: Mapping[str, X.FieldKind], attributes: Mapping[str, Any]
) -> Iterator[tuple[RulePath, str]]:
    """A sum: a required number attribute, summed per a reference, to a finite value."""
    a = attributes.get(sr.field)
    if sr.field not in kinds:
        yield (*path, "field"), f"no field {sr.field!r}{_close(sr.field, kinds)}"
    elif a is None or kinds[sr.field].kind != "number":
        what = kinds[sr.field].kind if a is not None else "not an attribute"
        yield (
            (*path, "field"),
            f"{sr.field} is {what}: a sum adds a number attribute (integer, decimal or money)",
        )
    elif not a.required:
        yield (
            (*path, "field"),
            f"{sr.field} is not required: a sum adds a required field (make it required: true; "
            "a NULL would count as nothing)",
        )
    elif not math.isfinite(sr.equals):
        yield (*path, "equals"), f"a sum equals a finite number, not {sr.equals!r}"
    elif a.type == "integer" and sr.equals != int(sr.equals):
        yield (*path, "equals"), f"{sr.field} is an integer: its rows cannot sum to {sr.equals}"
    if sr.per not in kinds:
        yield (*path, "per"), f"no field {sr.per!r}{_close(sr.per, kinds)}"
    elif kinds[sr.per].kind != "reference" or sr.per == "id":
        yield (
            (*path, "per"),
            f"{sr.per} is no reference: per names the parent the rows belong to (a "
            "relationship's name on this entity)",
        )
    if sr.where is not None:
        errors = list(_expression((*path, "where"), sr.where, kinds))
        yield from errors
        if not errors and sr.field in X.fields(X.parse(sr.where)):
            yield (
                (*path, "where"),
                f"the condition reads {sr.field}, the field summed: the rows summed cannot "
                "depend on their own amounts",
            )


def _fields(
    path: RulePath, key: str, given: tuple[str, ...], kinds: Mapping[str, X.FieldKind]
) -> Iterator[tuple[RulePath, str]]:
    for j, f in enumerate(given):
        if f not in kinds:
            yield (*path, key, j), f"no field {f!r}{_close(f, kinds)}"
        elif kinds[f].kind == "other":
            yield (*path, key, j), f"{f} cannot be part of a rule"
    if len(set(given)) < len(given):
        yield (*path, key), "a field is named twice"


def _range(
    path: RulePath, o: NoOverlapRule, kinds: Mapping[str, X.FieldKind]
) -> Iterator[tuple[RulePath, str]]:
    start, end = o.range
    for j, f in enumerate(o.range):
        if f not in kinds:
            yield (*path, "range", j), f"no field {f!r}{_close(f, kinds)}"
            return
    if start == end:
        yield (*path, "range"), "a range needs two fields, its start and its end"
        return
    ks, ke = kinds[start].kind, kinds[end].kind
    if ks not in RANGE_KINDS or ke != ks:
        yield (
            (*path, "range"),
            f"a range is two timestamps, two dates or two numbers, not {ks} and {ke}",
        )
    if start in o.per or end in o.per:
        yield (*path, "per"), "the range's own fields cannot be in per"


def generated_errors(
    base: RulePath, attributes: Mapping[str, Any], kinds: Callable[[], Mapping[str, X.FieldKind]]
) -> Iterator[tuple[RulePath, str]]:
    """A generated attribute: a value of its type over the entity's other attributes (not
    over generated ones, which the servers refuse), and no default (the database computes
    it)."""
    made = {f for f, a in attributes.items() if getattr(a, "generated", None)}
    for f in sorted(made):
        a = attributes[f]
        path: RulePath = (*base, "attributes", f, "generated")
        if a.default is not None:
            yield path, "a generated attribute takes no default: the database computes it"
        try:
            node = X.parse(a.generated)
            X.check_value(node, kinds(), KIND_OF_TYPE[a.type])
        except X.ExpressionError as err:
            yield path, f"{err.message} (at character {err.pos + 1} of {a.generated!r})"
            continue
        reads = set(X.fields(node))
        if reads & made:
            yield path, f"reads a generated attribute ({', '.join(sorted(reads & made))})"
        elif not reads <= set(attributes):
            yield path, f"reads {', '.join(sorted(reads - set(attributes)))}: only attributes"


def _expression(
    path: RulePath, text: str, kinds: Mapping[str, X.FieldKind]
) -> Iterator[tuple[RulePath, str]]:
    try:
        X.check(X.parse(text), kinds)
    except X.ExpressionError as e:
        yield path, f"{e.message} (at character {e.pos + 1} of {text!r})"


def _unique_name(
    path: RulePath, name: str | None, seen: dict[str, RulePath]
) -> Iterator[tuple[RulePath, str]]:
    if name is None:
        return
    if name in seen:
        yield (*path, "name"), f"another rule of this entity is named {name!r}"
    seen[name] = path


def _close(word: str, kinds: Mapping[str, X.FieldKind]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(kinds), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
