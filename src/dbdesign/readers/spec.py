"""The requirements spec: YAML -> :class:`Spec` (entities, relationships, access patterns, volumes).

The spec is described by pydantic models, so the published JSON Schema
(``schemas/spec.schema.json``, ``dbdesign design --json-schema``) and the validation are one
piece of knowledge. Every error names
the file, the line and column, and the YAML path of the offending value, e.g.::

    shop.yaml:14:15: entities.order.attributes.total.type: unknown type 'monye'
        (did you mean 'money'?)
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from dbdesign.errors import ParseError
from dbdesign.readers import expression as X
from dbdesign.readers.spec_patterns import AccessPattern, pattern_errors, via_errors
from dbdesign.readers.spec_project import Project
from dbdesign.readers.spec_rules import (
    KIND_OF_TYPE,
    AtMostRule,
    CheckRule,
    NoOverlapRule,
    SumRule,
    TransitionRule,
    UniqueRule,
    at_most_errors,
    generated_errors,
    rule_errors,
)

SPEC_VERSION = 1

SEMANTIC_TYPES: dict[str, str] = {
    "identifier": "an opaque code or external id (SKU, slug, reference); short text",
    "text": "short text; max_length (default 255)",
    "long_text": "unbounded text (descriptions, bodies)",
    "email": "an e-mail address (checked, case-insensitive uniqueness)",
    "url": "a URL (checked to start with http:// or https://)",
    "phone": "a phone number in E.164 form (checked)",
    "money": "an amount of money; currency: a fixed ISO code, or 'per_row' for a currency column",
    "decimal": "an exact number; precision and scale",
    "integer": "a whole number; min/max choose smallint, integer or bigint",
    "boolean": "true or false",
    "date": "a calendar date",
    "timestamp": "a point in time (stored with time zone)",
    "time": "a time of day",
    "duration": "a length of time",
    "enum": "one of a fixed set of values",
    "json": "a JSON document",
    "uuid": "a UUID",
    "country_code": "an ISO 3166-1 alpha-2 country code",
    "isbn": "an ISBN-13 (978 or 979, 13 digits, no hyphens), its check digit checked",
    "ean": "an EAN-13 barcode number (13 digits), its check digit checked",
    "iban": "an IBAN without spaces, upper case, its check digits checked (mod 97)",
    "currency_code": "an ISO 4217 currency code",
    "ip_address": "an IPv4 or IPv6 address",
    "vector": "an embedding vector of dim dimensions (pgvector)",
    "password_hash": "a password hash (never the password itself)",
}
SemanticType = str  # validated against SEMANTIC_TYPES with a suggestion on error
NUMERIC_TYPES = frozenset({"integer", "decimal", "money"})  # what sum and avg can read

Scalar = str | int | float | bool


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Attribute(_Model):
    """One attribute of an entity."""

    type: SemanticType = Field(description="Semantic type: " + ", ".join(SEMANTIC_TYPES))
    required: bool = Field(False, description="A value must always be present (NOT NULL).")
    unique: bool = Field(False, description="No two rows share a value.")
    default: Scalar | None = Field(None, description="Default value for new rows.")
    pii: bool = Field(False, description="Personal data: documented, flagged for encryption.")
    searchable: bool = Field(False, description="Included in the entity's full-text search.")
    description: str | None = None
    max_length: Annotated[int, Field(gt=0)] | None = Field(None, description="text/identifier")
    min_length: Annotated[int, Field(ge=0)] | None = None
    precision: Annotated[int, Field(gt=0, le=1000)] | None = Field(None, description="decimal")
    scale: Annotated[int, Field(ge=0)] | None = None
    min: float | int | None = Field(None, description="Smallest allowed value (numbers).")
    max: float | int | None = Field(None, description="Largest allowed value (numbers).")
    currency: str | None = Field(None, description="money: ISO 4217 code, or 'per_row'.")
    values: tuple[str, ...] | None = Field(None, description="enum: the allowed values.")
    weights: tuple[Annotated[float, Field(ge=0)], ...] | None = Field(
        None,
        description="enum: how common each value is, in the order of values (relative: "
        "[80, 15, 5]); the proof's data follows them. Unstated: drawn evenly.",
    )
    generated: str | None = Field(
        None, description="Computed by the database from other attributes: 'quantity * price'."
    )
    dim: Annotated[int, Field(gt=0, le=16000)] | None = Field(None, description="vector size")
    pattern: str | None = Field(
        None,
        description="text/identifier: a regular expression the whole value matches "
        "(e.g. '[A-Z]{3}-[0-9]{4}'): characters, [classes], ., and the quantifiers * + ? {n} "
        "{n,m}, groups and |; no backreferences or lookaround.",
    )

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in SEMANTIC_TYPES:
            raise ValueError(f"unknown type {v!r}{_suggest(v, SEMANTIC_TYPES)}")
        return v

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, v: Any) -> Any:
        # YAML reads yes/no/on/off as booleans; enum values are text.
        if isinstance(v, list):
            return [str(x).lower() if isinstance(x, bool) else str(x) for x in v]
        return v

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out while unset, so the spec in an earlier design.json reads the same.
        out: dict[str, Any] = handler(self)
        for key in ("weights", "generated"):
            if out.get(key) is None:
                out.pop(key, None)
        return out


def _attribute_shorthand(cls: Any, v: Any) -> Any:
    """``email: email`` is short for ``email: {type: email}``."""
    if isinstance(v, dict):
        return {k: {"type": a} if isinstance(a, str) else a for k, a in v.items()}
    return v


class Volume(_Model):
    rows: Annotated[int, Field(ge=0)] = Field(0, description="Rows now.")
    growth_per_year: Annotated[int, Field(ge=0)] = Field(0, description="New rows per year.")
    skew: dict[str, float] = Field(
        default_factory=dict,
        description="Per field, a Zipf exponent (0 uniform, 1 typical skew) of its values.",
    )


class Entity(_Model):
    """A thing the application stores: becomes a table (or collection)."""

    description: str | None = None
    table: str | None = Field(None, description="Table name (default: plural snake_case).")
    key: Literal["auto", "identity", "uuid"] = Field(
        "auto", description="Primary key: auto follows the project's convention."
    )
    attributes: dict[str, Attribute | SemanticType] = Field(default_factory=dict)
    unique_together: tuple[tuple[str, ...], ...] = ()
    volume: Volume = Field(default_factory=Volume)
    append_only: bool = Field(False, description="Rows are inserted, rarely updated or deleted.")
    retention_days: Annotated[int, Field(gt=0)] | None = Field(
        None, description="Rows older than this are deleted (drives time partitioning)."
    )
    ttl_seconds: Annotated[int, Field(gt=0)] | None = Field(
        None,
        description="Entries expire this long after their last write (a session, a rate-limit "
        "window): a TTL in a key-value store; a relational design purges them like retention.",
    )
    store: Literal["auto", "primary", "redis"] = Field(
        "auto",
        description="Where the entity lives in a hybrid design: redis (beside a relational "
        "design), primary (with the rest), auto (redis when it expires within a day, only "
        "Redis-shaped reads touch it and nothing refers to it, and the database is auto).",
    )
    soft_delete: bool | None = None
    audit_columns: bool | None = None
    optimistic_locking: bool | None = None
    tenant_scoped: bool | None = Field(None, description="Carries the tenant key (default yes).")
    unique: tuple[UniqueRule, ...] = Field(
        (),
        description="Unique keys over several fields, or unique only where a condition holds "
        "(one active loan per copy: {columns: [copy], where: 'returned_at is null'}).",
    )
    no_overlap: tuple[NoOverlapRule, ...] = Field(
        (),
        description="Ranges that must not overlap per key (bookings of a room: "
        "{range: [starts_at, ends_at], per: [room]}).",
    )
    checks: tuple[str | CheckRule, ...] = Field(
        (),
        description="Conditions every row meets, across its fields ('ends_at > starts_at'): "
        "comparisons, + - * /, and/or/not, is [not] null, [not] in (...), between.",
    )
    transitions: tuple[TransitionRule, ...] = Field(
        (),
        description="The moves a status may make on UPDATE ({field: status, allowed: {open: "
        "[in_progress, closed], in_progress: [done]}}); every other change is refused.",
    )
    sums: tuple[SumRule, ...] = Field(
        (),
        description="A field that the rows of one parent sum to a value, checked at COMMIT "
        "(an entry's lines balance: {field: amount, per: entry, equals: 0}).",
    )

    _shorthand = field_validator("attributes", mode="before")(_attribute_shorthand)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out while unset, so the spec in an earlier design.json reads the same.
        out: dict[str, Any] = handler(self)
        if out.get("ttl_seconds") is None:
            out.pop("ttl_seconds", None)
        if out.get("store") == "auto":
            out.pop("store", None)
        return out

    def attribute(self, name: str) -> Attribute:
        a = self.attributes[name]
        assert isinstance(a, Attribute)
        return a


class Relationship(_Model):
    """How two entities relate. The child holds the foreign key (one-to-many, one-to-one)."""

    type: Literal["one-to-many", "one-to-one", "many-to-many"]
    parent: str | None = Field(None, description="one-to-many/one-to-one: the 'one' side.")
    child: str | None = Field(None, description="one-to-many/one-to-one: holds the reference.")
    between: tuple[str, str] | None = Field(None, description="many-to-many: the two entities.")
    name: str | None = Field(
        None, description="Role name of the reference (column <name>_id); default: parent."
    )
    through: str | None = Field(None, description="many-to-many: the link table's name.")
    attributes: dict[str, Attribute | SemanticType] = Field(
        default_factory=dict, description="many-to-many: attributes of the link itself."
    )
    required: bool = Field(True, description="The child always has a parent (NOT NULL).")
    on_delete: Literal["cascade", "restrict", "set null"] = "restrict"
    at_most: Annotated[int, Field(gt=0, le=100000)] | AtMostRule | None = Field(
        None,
        description="one-to-many: the most children one parent may have (5), or {count: 5, "
        "where: 'returned_at is null'} to count only the children where a condition holds.",
    )
    description: str | None = None

    _shorthand = field_validator("attributes", mode="before")(_attribute_shorthand)


class WritePattern(_Model):
    name: str
    entity: str
    operation: Literal["insert", "update", "delete"]
    fields: tuple[str, ...] = ()
    rate_per_second: Annotated[float, Field(ge=0)] | None = None


class Spec(_Model):
    """A requirements spec: what an engineer knows about their data."""

    version: Literal[1] = 1
    project: Project
    entities: dict[str, Entity]
    relationships: tuple[Relationship, ...] = ()
    access_patterns: tuple[AccessPattern, ...] = ()
    writes: tuple[WritePattern, ...] = ()


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the spec."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dbdesign.dev/schemas/spec.schema.json"
    schema["title"] = "dbdesign requirements spec"
    # The semantic type names are part of the schema, so editors can complete them.
    for d in ("Attribute",):
        schema["$defs"][d]["properties"]["type"]["enum"] = list(SEMANTIC_TYPES)
    return schema


# ---- reading ----------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


class _Marks:
    """Line/column of every value and key in a YAML document, by path."""

    def __init__(self) -> None:
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int] | None:
        table = self.keys if key else self.values
        p = path
        while p:
            if p in table:
                return table[p]
            p = p[:-1]
            table = self.values
        return self.values.get(())


def _construct(node: yaml.Node, path: Path_, marks: _Marks, loader: yaml.SafeLoader) -> Any:
    marks.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            key = loader.construct_object(k)
            if not isinstance(key, str | int) or isinstance(key, bool):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in out:
                raise ParseError(
                    f"{_dotted((*path, key))}: duplicate key {key!r}",
                    line=k.start_mark.line + 1,
                    col=k.start_mark.column + 1,
                )
            marks.keys[(*path, key)] = (k.start_mark.line + 1, k.start_mark.column + 1)
            out[key] = _construct(v, (*path, key), marks, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, i), marks, loader) for i, v in enumerate(node.value)]
    return loader.construct_object(node)


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top)"


def _suggest(word: str, choices: Mapping[str, Any] | list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class SpecError(ParseError):
    """A spec that cannot be used; carries the YAML path."""

    def __init__(self, message: str, *, path: Path_ = (), **kw: Any) -> None:
        super().__init__(f"{_dotted(path)}: {message}" if path else message, **kw)
        self.path = path


def loads(text: str, file: str = "<spec>") -> Spec:
    """Read a spec from YAML text; every error is a :class:`SpecError` with file:line:col."""
    marks = _Marks()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = _construct(node, (), marks, loader) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "invalid YAML"
        raise SpecError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            col=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as e:
        raise SpecError(f"invalid YAML: {e}", file=file) from None
    except ParseError as e:
        raise SpecError(e.message, file=file, line=e.line, col=e.col) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SpecError("a spec is a mapping with project: and entities:", file=file, line=1)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as e:
        err = _first_error(e)
        path = tuple(p for p in err["loc"] if not _is_union_tag(p))
        extra = err["type"] == "extra_forbidden"
        line, col = marks.where(path, key=extra) or (None, None)
        raise SpecError(_message(err, path), path=path, file=file, line=line, col=col) from None
    for path, message in _reference_errors(spec):
        line, col = marks.where(path, key=isinstance(path, KeyPath)) or (None, None)
        raise SpecError(message, path=tuple(path), file=file, line=line, col=col)
    return spec


def load(path: str | Path) -> Spec:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(f"cannot read the spec: {e.strerror}", file=str(p)) from None
    except UnicodeDecodeError as e:
        raise SpecError(
            f"the spec is not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}); "
            "save it as UTF-8 YAML",
            file=str(p),
            line=e.object[: e.start].count(b"\n") + 1,
        ) from None
    return loads(text, str(p))


def _is_union_tag(p: Any) -> bool:
    # pydantic names the union member it tried ("Attribute", "str", "function-after[...]").
    return isinstance(p, str) and (
        p in {"Attribute", "CheckRule", "AtMostRule", "str", "constrained-int"} or "[" in p
    )


def _first_error(e: ValidationError) -> Any:
    # For "Attribute | str" unions the error inside the Attribute mapping; an unknown key before
    # a missing one (it is often the missing one misspelt).
    errors = [
        err
        for err in e.errors()
        if "str" not in err["loc"]
        and not ("constrained-int" in err["loc"] and isinstance(err.get("input"), dict))
    ] or e.errors()
    return min(errors, key=lambda err: err["type"] != "extra_forbidden")


def _message(err: Any, path: Path_) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        fields = _fields_at(path[:-1])
        hint = _suggest(key, fields) or (f" (allowed: {', '.join(fields)})" if fields else "")
        return f"unknown key {key!r}{hint}"
    if kind == "missing" and len(path) > 1 and path[-2] == "range":
        return "a range is two fields: [start, end]"
    if kind == "missing":
        return "this key is required"
    got = err.get("input")
    shown = (
        "null" if got is None else type(got).__name__ if isinstance(got, dict | list) else repr(got)
    )
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping, got {shown}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {shown}"
    if kind == "string_pattern_mismatch" and path and path[-1] == "name":
        return f"a name is lower snake_case, not {got!r}"
    if kind == "literal_error":
        return f"{str(err['msg']).replace('Input should be', 'must be')}, not {shown}"
    return f"{str(err['msg']).removeprefix('Value error, ')} (got {shown})"


def _fields_at(path: Path_) -> list[str]:
    model: Any = Spec
    for p in path:
        if isinstance(p, int) or model is None:
            continue
        field = model.model_fields.get(p) if hasattr(model, "model_fields") else None
        if field is None:
            # A mapping of names (entities, attributes): the next level is the value's model.
            continue
        model = _model_of(field.annotation)
    return list(model.model_fields) if model is not None and hasattr(model, "model_fields") else []


def _model_of(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        m = _model_of(arg)
        if m is not None:
            return m
    return None


# ---- cross references -------------------------------------------------------------------------

AUDIT_FIELDS = ("created_at", "updated_at")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A Zipf exponent: 0 is uniform, 1 a typical skew; from about 4 on nearly every row takes the
# most common value, so a larger one is a mistake (a percentage, say).
MAX_SKEW = 10.0


def fields_of(spec: Spec, entity: str) -> set[str]:
    """The names an access pattern may use for an entity: attributes, references, keys, audit."""
    e = spec.entities[entity]
    names = {"id", *e.attributes, *AUDIT_FIELDS, "deleted_at", "version"}
    for r in spec.relationships:
        if r.type != "many-to-many" and r.child == entity:
            names.add(r.name or r.parent or "")
    mt = spec.project.features.multi_tenancy
    if mt and entity != mt.tenant and e.tenant_scoped is not False:
        names.add(mt.tenant)
    return names


def field_kinds(spec: Spec, entity: str) -> dict[str, X.FieldKind]:
    """What a rule's expression compares each field of ``entity`` as (see
    :mod:`dbdesign.readers.spec_rules`): attributes by their semantic type, references and
    ``id`` as keys, the audit fields as timestamps."""
    e = spec.entities[entity]
    kinds = {f: X.FieldKind("reference") for f in fields_of(spec, entity)}
    kinds.update({f: X.FieldKind("timestamp") for f in (*AUDIT_FIELDS, "deleted_at")})
    kinds["version"] = X.FieldKind("number")
    for name, a in e.attributes.items():
        assert isinstance(a, Attribute)
        kinds[name] = X.FieldKind(KIND_OF_TYPE[a.type], a.values or ())
    return kinds


def skewable_fields(spec: Spec, entity: str) -> set[str]:
    """The fields of ``entity`` whose values ``volume.skew`` may skew: its attributes, its
    references (the child side of one-to-many and one-to-one relationships) and the tenant."""
    return fields_of(spec, entity) - {"id", *AUDIT_FIELDS, "deleted_at", "version"}


class KeyPath(tuple[str | int, ...]):
    """The YAML path of a mapping key that is wrong itself (not its value): the error points at
    the key's line and column."""


def _reference_errors(spec: Spec) -> Iterator[tuple[Path_, str]]:
    """Every name a spec uses that it does not define, in the order of the spec's sections."""
    ents = spec.entities
    for name, e in ents.items():
        yield from _entity_errors(spec, name, e)
    mt = spec.project.features.multi_tenancy
    if mt and mt.tenant not in ents:
        yield (
            ("project", "features", "multi_tenancy", "tenant"),
            f"no entity {mt.tenant!r}{_suggest(mt.tenant, ents)}",
        )
    for i, r in enumerate(spec.relationships):
        yield from _relationship_errors(spec, ("relationships", i), r)
    yield from _access_pattern_errors(spec)
    for i, w in enumerate(spec.writes):
        if w.entity not in ents:
            yield ("writes", i, "entity"), f"no entity {w.entity!r}{_suggest(w.entity, ents)}"
    # Last: a skew names references, which the relationships above must define first.
    for name, e in ents.items():
        yield from _volume_errors(spec, name, e)


def _entity_errors(spec: Spec, name: str, e: Entity) -> Iterator[tuple[Path_, str]]:
    """An entity's name, its attributes, the fields its ``unique_together`` groups name, and
    its rules (``unique``, ``no_overlap``, ``checks``)."""
    if not _NAME.match(name):
        yield ("entities", name), f"entity names are lower snake_case, not {name!r}"
    added = _feature_columns(spec, e)
    for aname, a in e.attributes.items():
        assert isinstance(a, Attribute)
        yield from _attribute_errors(("entities", name, "attributes", aname), aname, a)
        if aname in added:
            yield (
                KeyPath(("entities", name, "attributes", aname)),
                f"{added[aname]} adds {aname} to every table it applies to: remove the "
                f"attribute, or set {added[aname]}: false on {name}",
            )
    for i, group in enumerate(e.unique_together):
        for f in group:
            if f not in fields_of(spec, name):
                yield (
                    ("entities", name, "unique_together", i),
                    f"no field {f!r} on {name}{_suggest(f, sorted(fields_of(spec, name)))}",
                )
    yield from generated_errors(("entities", name), e.attributes, lambda: field_kinds(spec, name))
    if e.unique or e.no_overlap or e.checks or e.transitions or e.sums:
        kinds = field_kinds(spec, name)
        yield from rule_errors(
            ("entities", name),
            e.unique,
            e.no_overlap,
            e.checks,
            kinds,
            e.transitions,
            e.sums,
            e.attributes,
        )


def _at_most_errors(spec: Spec, base: Path_, r: Relationship) -> Iterator[tuple[Path_, str]]:
    if r.at_most is None:
        return
    if r.type != "one-to-many":
        yield (*base, "at_most"), "at_most bounds the children of a one-to-many relationship"
    elif r.child in spec.entities:
        yield from at_most_errors((*base, "at_most"), r.at_most, field_kinds(spec, r.child))


def _relationship_errors(spec: Spec, base: Path_, r: Relationship) -> Iterator[tuple[Path_, str]]:
    """A relationship's entities, and what a self-reference or ``set null`` needs."""
    ents = spec.entities
    if r.type == "many-to-many":
        if r.between is None:
            yield base, "a many-to-many relationship names its two entities in between:"
            return
        for j, ent in enumerate(r.between):
            if ent not in ents:
                yield (*base, "between", j), f"no entity {ent!r}{_suggest(ent, ents)}"
        for aname, a in r.attributes.items():
            assert isinstance(a, Attribute)
            yield from _attribute_errors((*base, "attributes", aname), aname, a)
        return
    for side in ("parent", "child"):
        ent = getattr(r, side)
        if ent is None:
            yield base, f"a {r.type} relationship needs {side}:"
        elif ent not in ents:
            yield (*base, side), f"no entity {ent!r}{_suggest(ent, ents)}"
    if r.parent == r.child and r.parent is not None:
        if not r.name:
            yield base, "a self-referential relationship needs a name: (e.g. parent)"
        if r.required:
            yield (*base, "required"), "a self-referential reference cannot be required"
    if r.on_delete == "set null" and r.required:
        yield (*base, "on_delete"), "'set null' needs required: false"
    yield from _at_most_errors(spec, base, r)


def _access_pattern_errors(spec: Spec) -> Iterator[tuple[Path_, str]]:
    """Access patterns: unique names, a known entity, and fields that entity has."""
    ents = spec.entities
    names: set[str] = set()
    for i, p in enumerate(spec.access_patterns):
        base: Path_ = ("access_patterns", i)
        if p.name in names:
            yield (*base, "name"), f"duplicate access pattern name {p.name!r}"
        names.add(p.name)
        if p.entity not in ents:
            yield (*base, "entity"), f"no entity {p.entity!r}{_suggest(p.entity, ents)}"
            continue
        known = fields_of(spec, p.entity)
        numeric = {
            n
            for n, a in ents[p.entity].attributes.items()
            if isinstance(a, Attribute) and a.type in NUMERIC_TYPES
        }
        yield from pattern_errors(base, p, known, numeric, _suggest)
        yield from via_errors(base, p, spec.relationships)
        if p.similar_to is not None:
            a = ents[p.entity].attributes.get(p.similar_to)
            if not (isinstance(a, Attribute) and a.type == "vector"):
                yield (*base, "similar_to"), f"{p.similar_to!r} is no vector field of {p.entity}"
        if p.text_search and not any(
            isinstance(a, Attribute) and a.searchable for a in ents[p.entity].attributes.values()
        ):
            yield (*base, "text_search"), f"{p.entity} has no attribute marked searchable"


def _volume_errors(spec: Spec, name: str, e: Entity) -> Iterator[tuple[Path_, str]]:
    """``volume.skew``: every key a field of the entity that can be skewed, every value a Zipf
    exponent from 0 to MAX_SKEW."""
    skewable = sorted(skewable_fields(spec, name))
    for f, z in e.volume.skew.items():
        path: Path_ = ("entities", name, "volume", "skew", f)
        if f not in skewable:
            hint = _suggest(f, skewable) or (
                f" (fields: {', '.join(skewable)})" if skewable else ""
            )
            yield KeyPath(path), f"no attribute or reference {f!r} on {name} to skew{hint}"
        elif not (math.isfinite(z) and 0 <= z <= MAX_SKEW):
            yield (
                path,
                f"a skew is a Zipf exponent from 0 (uniform) to {MAX_SKEW:g}, 1 being a "
                f"typical skew; not {z!r}",
            )


def feature_on(spec: Spec, e: Entity, name: str) -> bool:
    """Whether a feature (audit_columns, soft_delete, optimistic_locking) applies to ``e``:
    its own setting, else the project's."""
    own = getattr(e, name)
    return bool(getattr(spec.project.features, name) if own is None else own)


def _feature_columns(spec: Spec, e: Entity) -> dict[str, str]:
    """The columns the features on ``e`` add, each with the feature that adds it."""
    out = {}
    if feature_on(spec, e, "audit_columns"):
        out.update(
            dict.fromkeys(AUDIT_FIELDS[:1] if e.append_only else AUDIT_FIELDS, "audit_columns")
        )
    if feature_on(spec, e, "soft_delete"):
        out["deleted_at"] = "soft_delete"
    if feature_on(spec, e, "optimistic_locking"):
        out["version"] = "optimistic_locking"
    return out


def _attribute_errors(path: Path_, name: str, a: Attribute) -> Iterator[tuple[Path_, str]]:
    if not _NAME.match(name):
        yield path, f"attribute names are lower snake_case, not {name!r}"
    if a.type == "enum" and not a.values:
        yield path, "an enum attribute needs values:"
    if a.type == "vector" and not a.dim:
        yield path, "a vector attribute needs dim:"
    if a.type == "decimal" and a.precision is None:
        yield path, "a decimal attribute needs precision: (and scale:)"
    if a.scale is not None and a.precision is not None and a.scale > a.precision:
        yield (*path, "scale"), "scale cannot exceed precision"
    if a.min is not None and a.max is not None and a.min > a.max:
        yield (*path, "min"), "min is greater than max"
    if a.weights is not None:
        if a.type != "enum":
            yield (*path, "weights"), "weights are for an enum attribute's values"
        elif len(a.weights) != len(a.values or ()) or not sum(a.weights) > 0:
            yield (
                (*path, "weights"),
                f"one weight per value ({len(a.values or ())}), not all zero",
            )
    if a.values and a.default is not None and str(a.default) not in a.values:
        yield (*path, "default"), f"default {a.default!r} is not one of the values"
    if a.currency and a.type != "money":
        yield (*path, "currency"), "currency: applies to money attributes only"
    if a.pattern is not None:
        yield from _pattern_errors((*path, "pattern"), a)


_UNPORTABLE = re.compile(r"\\[1-9bBAZzwWsSdD]|\(\?|\\[pPk]")


def _pattern_errors(path: Path_, a: Attribute) -> Iterator[tuple[Path_, str]]:
    """A pattern: on a text attribute, a regular expression every dialect reads alike."""
    if a.type not in ("text", "identifier"):
        yield path, f"pattern: applies to text and identifier attributes, not {a.type}"
        return
    assert a.pattern is not None
    try:
        re.compile(a.pattern)
    except re.error as e:
        yield path, f"not a regular expression: {e}"
        return
    if a.pattern.startswith("^") or a.pattern.endswith("$"):
        yield path, "a pattern matches the whole value: leave out ^ and $"
    elif m := _UNPORTABLE.search(a.pattern):
        yield (
            path,
            (
                f"{m.group()!r} is not read alike by every server: write classes such as "
                "[0-9] and [A-Za-z] instead of \\d and \\w, and no backreferences or (?...)"
            ),
        )
