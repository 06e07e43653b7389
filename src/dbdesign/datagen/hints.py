"""What a column's name says about its values: ``email`` text, a ``price`` range, a
``birth_date`` window, how often ``deleted_at`` is NULL."""

from __future__ import annotations

import re
from datetime import date

from dbdesign.datagen.gen_base import WINDOW_END, WINDOW_START

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words_of(name: str) -> list[str]:
    """``customerEmail`` / ``Customer_Email`` -> ["customer", "email"]."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if w]


def text_hint(name: str) -> str:
    """What kind of text a column named ``name`` holds (a maker of gen_text.py), else "words"."""
    w = words_of(name)
    s = set(w)
    last = w[-1] if w else ""
    joined = "_".join(w)
    return _who_hint(s, last, joined) or _where_hint(s) or _what_hint(s, last, joined) or "words"


# The hints in three groups, asked in this order (the first that matches wins): a
# ``country_name`` is a country, not a name.


def _who_hint(s: set[str], last: str, joined: str) -> str | None:
    """People and their contacts, dates."""
    if "email" in s or "mail" in s:
        return "email"
    if last == "at" or s & {"timestamp", "datetime"}:
        return "datetime"  # created_at in a text column (SQLite): ISO 8601, as its functions want
    if s & {"date", "dob", "birthday"} or (last == "on" and len(s) > 1):
        return "date"  # due_on, acquired_on: the _on convention for dates
    if joined in ("first_name", "firstname", "given_name", "forename", "fname"):
        return "first"
    if joined in ("last_name", "lastname", "surname", "family_name", "lname"):
        return "last"
    if s & {"username", "login", "handle", "nickname", "nick"} or joined == "user_name":
        return "username"
    if s & {"phone", "mobile", "fax", "tel", "telephone", "cell"}:
        return "phone"
    if s & {"url", "website", "homepage", "uri", "link", "href"}:
        return "url"
    return None


def _where_hint(s: set[str]) -> str | None:
    """Places and currencies."""
    if "country" in s and s & {"code", "iso", "iso2", "cc"}:
        return "country2"
    if "country" in s:
        return "country"
    if "currency" in s:
        return "currency"
    if s & {"city", "town"}:
        return "city"
    if s & {"address", "street", "address1", "address2", "line1", "line2"}:
        return "street"
    if s & {"postal", "zip", "postcode", "zipcode"}:
        return "postal"
    if s & {"district", "region", "province", "county"}:
        return "region"
    return None


def _what_hint(s: set[str], last: str, joined: str) -> str | None:
    """Names of things, prose, codes and secrets."""
    if joined in ("name", "full_name", "fullname", "display_name") or (
        last == "name" and s & {"customer", "contact", "employee", "person", "user", "author"}
    ):
        return "person" if joined != "name" else "name"
    if s & {"company", "organization", "organisation", "employer", "vendor", "supplier"}:
        return "company"
    if s & {"title", "subject", "headline", "caption"}:
        return "title"
    if s & {
        "description",
        "desc",
        "body",
        "content",
        "comment",
        "comments",
        "notes",
        "note",
        "bio",
        "summary",
        "message",
        "text",
        "details",
    }:
        return "sentence"
    if s & {"status", "state", "stage"}:
        return "status"
    if "slug" in s:
        return "slug"
    if s & {"sku", "code", "ref", "reference", "serial", "barcode", "isbn"}:
        return "code"
    if s & {"color", "colour"}:
        return "color"
    if s & {"password", "hash", "token", "secret", "salt", "digest", "checksum"}:
        return "hex"
    if s & {"ip"} or joined in ("ip_address", "ipaddress", "remote_addr"):
        return "ip"
    if last == "name":
        return "name"
    return None


_MOSTLY_NULL = frozenset(
    {
        "deleted",
        "archived",
        "cancelled",
        "canceled",
        "closed",
        "ended",
        "banned",
        "revoked",
        "expired",
        "suspended",
        "removed",
        "disabled",
    }
)


def null_fraction(name: str) -> float:
    """How often a nullable column named ``name`` is NULL: ``deleted_at`` mostly, else 10%."""
    return 0.9 if set(words_of(name)) & _MOSTLY_NULL else 0.1


def number_hint(name: str) -> tuple[float, float] | None:
    """A realistic range for a number named ``name`` (None: no opinion)."""
    s = set(words_of(name))
    if s & {"price", "amount", "total", "cost", "fee", "subtotal", "tax", "balance", "charge"}:
        return (1, 999.99)
    if s & {"salary", "income", "revenue", "wage"}:
        return (20_000, 200_000)
    if s & {"age"}:
        return (18, 90)
    if s & {"year"}:
        return (1950, 2030)
    if s & {"quantity", "qty", "count", "units", "items"}:
        return (1, 20)
    if s & {"rating", "stars", "priority", "level"}:
        return (1, 5)
    if s & {"percent", "percentage", "pct", "score"}:
        return (0, 100)
    if s & {"lat", "latitude"}:
        return (-90, 90)
    if s & {"lon", "lng", "longitude"}:
        return (-180, 180)
    if s & {"duration", "length", "minutes", "seconds", "size"}:
        return (1, 240)
    if s & {"weight", "height", "width", "depth"}:
        return (1, 100)
    if s & {"rate", "ratio", "discount"}:
        return (0, 1)
    return None


def date_hint(name: str, span: tuple[int, int] | None = None) -> tuple[int, int]:
    """The days (since 1970-01-01, inclusive) a date named ``name`` falls in: a birth date's
    own window, else ``span`` when asked, else the fixed default window."""
    s = set(words_of(name))
    if s & {"birth", "dob", "birthday", "born", "birthdate"}:
        return (
            (date(1950, 1, 1) - date(1970, 1, 1)).days,
            (date(2005, 12, 31) - date(1970, 1, 1)).days,
        )
    return span or (WINDOW_START, WINDOW_END)


# Words of a time that is scheduled, so it runs ahead of today (a booking's start, a due date)
_AHEAD = frozenset(
    "start starts begins end ends due deadline expires expiry expiration scheduled planned "
    "until renews renewal next arrival arrives departure departs appointment reminder eta".split()
)
# Past tenses not ending in "ed": an event that happened (sent_at, paid_at)
_PAST = frozenset("sent paid read built made sold bought won lost seen done held left met".split())


def reaches_ahead(name: str) -> bool | None:
    """Whether a date or timestamp named ``name`` holds times still to come: True for a
    scheduled time (``starts_at``, ``due_date``, ``expires_at``), False for an event that
    happened (``created_at``, ``shipped_at``, ``sent_at``, ``last_login_at``), None when the
    name does not say."""
    w = words_of(name)
    if set(w) & _AHEAD:
        return True
    if w and (w[0].endswith("ed") or w[0] in _PAST or w[0] == "last"):
        return False
    return None
