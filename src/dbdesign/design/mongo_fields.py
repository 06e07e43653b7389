"""Semantic types -> the ``$jsonSchema`` of a MongoDB field, and the fields of a document.

Field names are the spec's own (snake_case); a reference is ``<role>_id``, the tenant key
``<tenant>_id``, the key ``_id``. Each type gives its bsonType(s), the keywords that keep values
valid (minimum/maximum, minLength/maxLength, pattern, enum, items), an estimate of its BSON
size (for the 16 MiB document limit) and, where $jsonSchema cannot say all, a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbdesign.design.mongo_model import MongoEmbedded, MongoField, dumps
from dbdesign.design.types import INTEGER
from dbdesign.readers.spec import Attribute, Entity, Spec, feature_on

DEFAULT_TEXT = 255  # characters of a text attribute without max_length (as the relational side)
ASSUMED_LONG_TEXT = 4096  # bytes assumed for long text (unbounded) in size estimates
ASSUMED_JSON = 1024  # bytes assumed for a free-form JSON value in size estimates
OBJECT_ID_BYTES = 12
UUID_BYTES = 16 + 5  # binData: length, subtype and 16 bytes

# Patterns for the types whose form a regular expression states simply (anchored, PCRE).
_PATTERNS = {
    "email": "^[^@\\s]+@[^@\\s]+$",
    "url": "^https?://",
    "phone": "^\\+[1-9][0-9]{1,14}$",
    "country_code": "^[A-Z]{2}$",
    "currency_code": "^[A-Z]{3}$",
    "isbn": "^97[89][0-9]{10}$",
    "ean": "^[0-9]{13}$",
    "iban": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$",
    "time": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?$",
}
_CHECK_DIGITS = {"isbn", "ean", "iban"}
# Fixed-size types: bsonType and bytes of the value.
_FIXED: dict[str, tuple[str, int]] = {
    "boolean": ("bool", 1),
    "date": ("date", 8),
    "timestamp": ("date", 8),
    "money": ("decimal", 16),
    "decimal": ("decimal", 16),
    "uuid": ("binData", UUID_BYTES),
    "duration": ("long", 8),
    "json": ("object", ASSUMED_JSON),
}
_STRING_SIZES = {
    "email": 254,
    "url": 2048,
    "phone": 16,
    "country_code": 2,
    "currency_code": 3,
    "isbn": 13,
    "ean": 13,
    "iban": 34,
    "time": 15,
    "ip_address": 45,
    "password_hash": 255,
    "long_text": ASSUMED_LONG_TEXT,
}
_NOTES = {
    "uuid": "UUID as binData subtype 4 ($jsonSchema cannot check the subtype: drivers with "
    "uuidRepresentation=standard write it)",
    "date": "a calendar date, stored as a BSON date at midnight UTC",
    "duration": "a length of time in milliseconds",
    "money": "Decimal128: exact, no binary rounding",
    "decimal": "Decimal128: exact, no binary rounding",
    "json": "free-form: any object, not checked further",
    "email": "compared case-insensitively (collation strength 2)",
}


@dataclass(frozen=True, slots=True)
class Typed:
    """A semantic type on MongoDB: bsonType(s), the other schema keywords, size, note."""

    bson: tuple[str, ...]
    keywords: dict[str, Any]
    est_bytes: int
    note: str


def _integer(a: Attribute) -> Typed:
    lo = a.min if a.min is not None else None
    hi = a.max if a.max is not None else None
    bounded = lo is not None and hi is not None and INTEGER[0] <= lo and hi <= INTEGER[1]
    # A driver writes a whole number as int when it fits in 32 bits and long otherwise, so a
    # field that may exceed int32 accepts both (bsonType "long" alone would refuse small values).
    bson = ("int",) if bounded else ("int", "long")
    note = "" if bounded else "int or long: drivers write small whole numbers as int"
    return Typed(bson, _bounds(a), 4 if bounded else 8, note)


def _bounds(a: Attribute) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if a.min is not None:
        out["minimum"] = a.min
    if a.max is not None:
        out["maximum"] = a.max
    return out


def _text(a: Attribute) -> Typed:
    hi = a.max_length or (DEFAULT_TEXT if a.type in ("text", "identifier") else None)
    kw: dict[str, Any] = {}
    lo = a.min_length if a.min_length is not None else (1 if a.required else None)
    if lo:
        kw["minLength"] = lo
    if hi:
        kw["maxLength"] = hi
    if a.pattern:
        kw["pattern"] = f"^(?:{a.pattern})$"
    size = hi or _STRING_SIZES.get(a.type, DEFAULT_TEXT)
    return Typed(("string",), kw, size + 5, "")


def typed(a: Attribute) -> Typed:
    """The MongoDB form of an attribute's semantic type."""
    if a.type == "integer":
        return _integer(a)
    if a.type == "enum":
        values = list(a.values or ())
        return Typed(("string",), {"enum": values}, max(map(len, values), default=1) + 5, "")
    if a.type == "vector":
        dim = a.dim or 1
        items = {"bsonType": "double"}
        kw = {"items": items, "minItems": dim, "maxItems": dim}
        return Typed(("array",), kw, 5 + dim * (8 + 1 + len(str(dim))), "an array of dim doubles")
    if a.type in _FIXED:
        bson, size = _FIXED[a.type]
        kw = _bounds(a) if a.type in ("money", "decimal") else {}
        return Typed((bson,), kw, size, _NOTES.get(a.type, ""))
    t = _text(a)
    kw = dict(t.keywords)
    if a.type in _PATTERNS and "pattern" not in kw:
        kw["pattern"] = _PATTERNS[a.type]
    if a.type in _STRING_SIZES and a.max_length is None:
        kw["maxLength"] = _STRING_SIZES[a.type]
    note = _NOTES.get(a.type, "")
    if a.type in _CHECK_DIGITS:
        note = "its check digit is checked by the application ($jsonSchema has no arithmetic)"
    return Typed(("string",), kw, t.est_bytes, note)


def schema_of(t: Typed, description: str | None = None) -> dict[str, Any]:
    """The $jsonSchema of a field. An optional field is left out when unset, never null: the
    validator refuses null (a null would also be a value to a unique index)."""
    bson = list(t.bson)
    out: dict[str, Any] = {"bsonType": bson[0] if len(bson) == 1 else bson}
    out.update(t.keywords)
    if description:
        out["description"] = description
    return out


def make_field(
    name: str, t: Typed, required: bool, kind: str, description: str | None = None
) -> MongoField:
    return MongoField(
        name=name,
        bson=t.bson,
        required=required,
        kind=kind,
        schema=dumps(schema_of(t, description)),
        est_bytes=len(name) + 2 + t.est_bytes,
        note=t.note,
    )


def key_is_uuid(spec: Spec, entity: str) -> bool:
    e = spec.entities[entity]
    return e.key == "uuid" or (e.key == "auto" and spec.project.conventions.keys == "uuid")


def key_typed(spec: Spec, entity: str) -> Typed:
    """The type of ``entity``'s _id (and of every reference to it)."""
    if key_is_uuid(spec, entity):
        return Typed(("binData",), {}, UUID_BYTES, "UUID, binData subtype 4")
    return Typed(("objectId",), {}, OBJECT_ID_BYTES, "ObjectId")


def attribute_fields(spec: Spec, e: Entity) -> list[MongoField]:
    """The fields of an entity's attributes (with a currency field for per-row money), then the
    fields its features add (created_at, updated_at, deleted_at, version)."""
    out = []
    for name, a in e.attributes.items():
        assert isinstance(a, Attribute)
        desc = a.description
        if a.pii:
            desc = ((desc + " ") if desc else "") + "PII: personal data; encrypt at rest."
        if a.default is not None:
            desc = (
                (desc + " ") if desc else ""
            ) + f"Default {a.default!r} (set by the application)."
        out.append(make_field(name, typed(a), a.required, "attribute", desc))
        if a.type == "money" and a.currency == "per_row":
            code = typed(Attribute(type="currency_code"))
            out.append(make_field(f"{name}_currency", code, a.required, "attribute"))
    date = Typed(("date",), {}, 8, "")
    if feature_on(spec, e, "audit_columns"):
        out.append(make_field("created_at", date, True, "audit"))
        if not e.append_only:
            out.append(make_field("updated_at", date, True, "audit"))
    if feature_on(spec, e, "soft_delete"):
        out.append(make_field("deleted_at", date, False, "audit"))
    if feature_on(spec, e, "optimistic_locking"):
        out.append(
            make_field("version", Typed(("int", "long"), {"minimum": 0}, 8, ""), True, "audit")
        )
    return out


def object_schema(
    fields: tuple[MongoField, ...] | list[MongoField],
    embedded: tuple[MongoEmbedded, ...] | list[MongoEmbedded] = (),
    *,
    closed: bool = True,
) -> dict[str, Any]:
    """The $jsonSchema of a document (or subdocument): its fields, its embedded children."""
    import json

    props: dict[str, Any] = {f.name: json.loads(f.schema) for f in fields}
    required = [f.name for f in fields if f.required]
    for child in embedded:
        sub = object_schema(child.fields)
        if child.many:
            arr: dict[str, Any] = {"bsonType": "array", "items": sub}
            if child.max_items is not None:
                arr["maxItems"] = child.max_items
            props[child.field] = arr
        else:
            props[child.field] = sub
    out: dict[str, Any] = {"bsonType": "object"}
    if required:
        out["required"] = required
    out["properties"] = props
    if closed:
        out["additionalProperties"] = False
    return out


def document_bytes(
    fields: tuple[MongoField, ...] | list[MongoField],
    embedded: tuple[MongoEmbedded, ...] | list[MongoEmbedded] = (),
) -> int:
    """Estimated BSON bytes of a document: its fields, and each embedded child times the
    number expected (the bound where the spec states one)."""
    own = 5 + sum(f.est_bytes for f in fields)
    for c in embedded:
        n = c.max_items if c.max_items is not None else c.expected_items
        own += len(c.field) + 2 + 5 + int(n * (c.bytes_each + 8))
    return own
