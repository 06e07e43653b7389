"""Redaction fuzzed: no password, raw or percent-encoded, survives in a redacted URL or message.

The URLs are ``scheme://user:password@host/tail`` with schemes the project knows and random
ones, passwords of random unicode and URL-special characters (``@ : / ? # % & = '`` ...), as
typed or percent-encoded. The properties are structural: a redacted URL is the same whatever
the password was (it holds no information about it), and driver-like messages that echo the URL,
the password or a piece of it come out without it.
"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from dbdesign.redact import REDACTED, redact_message, redact_text, redact_url

PLACEHOLDER = "PLACEHOLDERpw"
SPECIALS = "@:/?#%&=;'\"\\[]!$*+,~` ^{}|<>\t."

schemes = st.one_of(
    st.sampled_from(["postgresql", "postgres", "mysql", "mariadb", "oracle"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9+.\-]{0,8}", fullmatch=True),
)
users = st.sampled_from(["u", "postgres", "root", "scott", "my.user@corp", "x_y-z"])
hosts = st.sampled_from(
    ["127.0.0.1:5999", "[::1]:5999", "h1:5432,h2:5433", "db.example.com", "localhost", ""]
)
tails = st.sampled_from(
    ["/db", "/db?sslmode=disable", "", "?connect_timeout=3", "/", "/x?a=1&b=2", "/db#frag"]
)
passwords = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        st.sampled_from(SPECIALS),
    ),
    min_size=6,
    max_size=24,
)


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(url, the same url with a placeholder password, the password, its form in the url)."""
    scheme, user, host, tail = draw(schemes), draw(users), draw(hosts), draw(tails)
    password = draw(passwords)
    form = draw(st.sampled_from([password, quote(password, safe=""), quote(password, safe="@:")]))
    assume(form.strip())
    url = f"{scheme}://{user}:{form}@{host}{tail}"
    return url, f"{scheme}://{user}:{PLACEHOLDER}@{host}{tail}", password, form


def _no_leak(out: str, password: str, form: str, baseline: str) -> None:
    """Neither the password nor its form in ``out``, unless the text is in ``baseline`` (what
    the same call prints for the placeholder password) anyway: then it is not the secret's."""
    for text in {password, form, quote(password, safe="")}:
        if text not in baseline:
            assert text not in out, (text, out)


@settings(max_examples=1500, deadline=None)
@given(urls())
@example(("postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db", "", "p@ss:w/rd#Zq9", ""))
def test_redacted_url_does_not_depend_on_the_password(case: tuple[str, str, str, str]) -> None:
    url, placeholder, password, form = case
    if not placeholder:  # the explicit example
        placeholder = url.replace(password, PLACEHOLDER)
        form = password
    redacted = redact_url(url)
    assert redacted == redact_url(placeholder)
    assert REDACTED in redacted
    _no_leak(redacted, password, form, redact_url(placeholder))
    assert redact_url(redacted) == redacted  # idempotent


@settings(max_examples=800, deadline=None)
@given(urls(), st.data())
def test_driver_like_messages_lose_every_echo(
    case: tuple[str, str, str, str], data: st.DataObject
) -> None:
    url, placeholder, password, form = case
    start = url.index(":", url.index("://") + 3) + 1
    secret = url[start : url.rindex("@")]
    assert secret == form
    i = data.draw(st.integers(0, len(form) - 1))
    j = data.draw(st.integers(i + 1, len(form)))
    piece = form[i:j]

    def messages(url: str, form: str, password: str, piece: str) -> list[str]:
        return [
            f'missing "=" after "{url}" in connection info string',
            f'invalid percent-encoded token: "{form}"',
            f'unexpected spaces found in "{form}", use percent-encoded spaces (%20) instead',
            f'password authentication failed: "{password}" is wrong',
            f"cannot connect to {url}: connection refused",
            f"failed to resolve host '{piece}': [Errno -2] Name or service not known",
            f"Can't connect to MySQL server on '{piece}' ([Errno -2] Name or service not known)",
        ]

    # The baseline: the same messages about the placeholder password (a secret that is also a
    # word of the driver's own text, 'connec' in "connection", is not the secret's echo there).
    given = messages(url, form, password, piece)
    plain = messages(placeholder, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)
    for message, base in zip(given, plain, strict=True):
        out = redact_message(message, url)
        baseline = redact_message(base, placeholder)
        _no_leak(out, password, form, baseline)
    # a piece of the password the driver read as a host name is hidden with its quotes kept
    out = redact_message(f"failed to resolve host '{piece}': nope", url)
    assert out.startswith("failed to resolve host '***'"), out


@settings(max_examples=500, deadline=None)
@given(urls())
def test_urls_inside_text_are_redacted(case: tuple[str, str, str, str]) -> None:
    url, placeholder, password, form = case
    # a URL found in prose ends at white space: its user info cannot hold any
    assume(not any(c.isspace() for c in url))
    message = f"error: cannot reach {url} (timeout)"
    out = redact_text(message)
    _no_leak(out, password, form, redact_text(message.replace(url, placeholder)))


@settings(max_examples=300, deadline=None)
@given(passwords)
def test_key_value_strings(password: str) -> None:
    """libpq key=value strings: password='...' quoted (with \\' and \\\\ escaped)."""
    escaped = password.replace("\\", "\\\\").replace("'", "\\'")
    dsn = f"host=127.0.0.1 port=5999 password='{escaped}' dbname=db"
    redacted = redact_url(dsn)
    assert redacted == "host=127.0.0.1 port=5999 password=*** dbname=db"
    out = redact_message(f"cannot connect: {dsn}", dsn)
    assert out == "cannot connect: host=127.0.0.1 port=5999 password=*** dbname=db"
