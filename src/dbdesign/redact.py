"""Secrets out of what dbdesign shows: database URLs, connection strings, driver messages.

Every message and log line that mentions a URL passes it through :func:`redact_url` first, and
every driver error about a connection through :func:`redact_message`: both find the secrets
structurally (the URL's password field, ``password=`` parameters and fields), in any scheme,
never by searching for the password's text. Knowledge only, no I/O: the lowest layer, so that
any module may redact.
"""

from __future__ import annotations

import re

REDACTED = "***"

# scheme:// of any URL (RFC 3986 scheme characters)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# the same inside a message: not preceded by a scheme character
_SCHEME_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://\S*")
# key=value connection strings: password='...' or password=word (also sslpassword ...); an
# unterminated quoted value runs to the end
_KV_PASSWORD = re.compile(
    r"(\b\w*password\s*=\s*)('(?:[^'\\]|\\.)*(?:'|$)|(?:\\.|[^\s\\])+)", re.IGNORECASE
)
# URL query parameters: ?password=... or &sslpassword=... (a value runs to the next '&')
_QUERY_PASSWORD = re.compile(r"[?&;]\w*password=([^&]*)", re.IGNORECASE)
# what follows the '@' that ends a URL's user info: host[:port] (a comma-separated list, IPv6 in
# brackets), then the path, query or fragment, or the end
_HOST_CHARS = r"[\w.~%!$&'()*+;=\-]*"
_HOST = rf"(?:\[[^\]\s@/]*\]|{_HOST_CHARS})(?::[0-9]*)?"
_HOSTS_AFTER_AT = re.compile(rf"@{_HOST}(?:,{_HOST})*(?=[/?#]|\Z)")
_QUOTES = "\"'`"
AMBIGUOUS_URL = (
    "the URL is ambiguous (the driver reads its user info differently): percent-encode "
    "@ / : ? # and spaces in the user name and password as %40 %2F %3A %3F %23 %20"
)


def _userinfo(url: str, *, in_text: bool = False) -> tuple[int, int, int] | None:
    """``(start, colon, at)`` of the user info of ``scheme://user:password@host...``, or None.

    The user info ends at the LAST ``@`` that a host (list) follows: a password may hold an
    unencoded ``@``, ``/``, ``?``, ``#`` or ``:``. When no ``@`` is followed by something that
    looks like a host, the last ``@`` of all ends it (the URL does not parse; whatever lies
    between ``user:`` and that ``@`` is taken for the secret). ``in_text``: the URL was found
    in a message, so its user info holds no white space.
    """
    m = _SCHEME.match(url)
    if m is None:
        return None
    start = m.end()
    ats = [i for i in range(start, len(url)) if url[i] == "@"]
    if in_text:
        ats = [i for i in ats if not any(c.isspace() for c in url[start:i])]
    if not ats:
        return None
    hostlike = [i for i in ats if _HOSTS_AFTER_AT.match(url, i)]
    at = (hostlike or ats)[-1]
    colon = url.find(":", start, at)
    return (start, colon, at) if colon != -1 else None


def _secret_spans(source: str, *, in_text: bool = False) -> list[tuple[int, int]]:
    """Where the secrets of a connection string are: ``[(start, end), ...]``, sorted, disjoint.

    A URL (any scheme): the password of its user info and ``password=`` query parameters. A
    libpq ``key=value`` string: its ``password=`` values (with their quotes).
    """
    spans: list[tuple[int, int]] = []
    if _SCHEME.match(source):
        info = _userinfo(source, in_text=in_text)
        after = 0
        if info is not None:
            _, colon, at = info
            if at > colon + 1:
                spans.append((colon + 1, at))
            after = at
        for q in _QUERY_PASSWORD.finditer(source, after):
            if q.end(1) > q.start(1):
                spans.append(q.span(1))
    else:
        for k in _KV_PASSWORD.finditer(source):
            spans.append(k.span(2))
    return spans


def _render(source: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for a, b in spans:
        out += [source[pos:a], REDACTED]
        pos = b
    out.append(source[pos:])
    return "".join(out)


def redact_url(url: str) -> str:
    """``url`` with every password field replaced by ``***``: parsed, replaced, re-rendered.

    Any scheme (``postgresql://``, ``mysql://``, ``oracle://``, ``redis://`` ...): the password
    of ``scheme://user:password@host`` (raw special characters and all, up to the last ``@``
    before the host) and ``?password=`` / ``&sslpassword=`` parameters; libpq ``key=value``
    strings: their ``password=`` fields. An empty password (``user:@host``) is left as it is:
    there is nothing to hide. A URL whose path or query holds an ``@`` after a ``user:`` may be
    redacted up to that ``@``: when the URL is ambiguous, more is hidden, never less.
    """
    return _render(url, _secret_spans(url))


def redact_text(text: str) -> str:
    """``text`` (a message) with the password of every URL in it redacted (each URL up to the
    next white space) and every ``password=...`` field replaced by ``***``."""
    text = _SCHEME_IN_TEXT.sub(lambda m: _render(m[0], _secret_spans(m[0], in_text=True)), text)
    return _KV_PASSWORD.sub(lambda k: k.group(1) + REDACTED, text)


def _password_of(url: str) -> str | None:
    """The password in the user info of a URL (percent-decoded, as we read it), or None."""
    from urllib.parse import unquote

    info = _userinfo(url)
    if info is None:
        return None
    _, colon, at = info
    return unquote(url[colon + 1 : at]) or None


def _decoded(source: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """``source`` with its secrets percent-decoded, and the secrets' new spans."""
    from urllib.parse import unquote

    out: list[str] = []
    new: list[tuple[int, int]] = []
    pos = n = 0
    for a, b in spans:
        out.append(source[pos:a])
        n += a - pos
        secret = unquote(source[a:b])
        out.append(secret)
        new.append((n, n + len(secret)))
        n += len(secret)
        pos = b
    out.append(source[pos:])
    return "".join(out), new


def _overlaps(token: str, source: str, spans: list[tuple[int, int]]) -> bool:
    """Does ``token`` occur in ``source`` at a place that overlaps one of ``spans``?"""
    i = source.find(token)
    while i != -1:
        if any(i < b and a < i + len(token) for a, b in spans):
            return True
        i = source.find(token, i + 1)
    return False


def _scrub_quoted(text: str, source: str, spans: list[tuple[int, int]]) -> str:
    """Replace the quoted tokens of ``text`` (``"..."``, ``'...'``, backquoted) that echo a
    piece of a secret of ``source`` (raw or percent-decoded) by ``***``, quotes kept."""
    views = [(source, spans)]
    decoded = _decoded(source, spans)
    if decoded[0] != source:
        views.append(decoded)
    out: list[str] = []
    pos = i = 0
    while i < len(text):
        q = text[i]
        closing = [j for j in range(len(text) - 1, i, -1) if text[j] == q] if q in _QUOTES else []
        # the farthest closing quote first: a secret may hold the quote character itself, and
        # an apostrophe in prose ("can't") opens no token that occurs in the source
        for j in closing:
            token = text[i + 1 : j]
            if token and any(_overlaps(token, s, sp) for s, sp in views):
                out += [text[pos : i + 1], REDACTED, q]
                pos, i = j + 1, j
                break
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _forms(source: str, spans: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """The spellings of ``source`` a message may hold, each with its redacted form, longest
    first: the whole source, and a URL without its ``scheme:`` or ``scheme://`` prefix, as is
    and as a normalised file path (``sqlite://...`` is opened, and named, as a path)."""
    from pathlib import PurePosixPath

    redacted = _render(source, spans)
    forms = [(source, redacted)]
    m = _SCHEME.match(source)
    if m is not None:
        scheme = len(m[0]) - 2  # "scheme:"
        for k in (scheme, scheme + 2, scheme + 3):
            if k <= spans[0][0]:
                raw, red = source[k:], redacted[k:]  # the same up to the first secret
                forms += [(raw, red), (str(PurePosixPath(raw)), str(PurePosixPath(red)))]
    forms = [(raw, red) for raw, red in forms if raw and raw != red]
    return sorted(set(forms), key=lambda f: -len(f[0]))


def redact_message(text: str, *sources: str, quoted: bool = True) -> str:
    """A message (a driver's error, say) with the secrets of ``sources`` (the connection
    strings it may echo) removed structurally, never by searching for the password's text in
    prose: every occurrence of a whole source becomes its :func:`redact_url` form, every quoted
    token that echoes a piece of a secret becomes ``***`` (``quoted=False``: not these, for a
    message of dbdesign's own), and :func:`redact_text` redacts any other URL or
    ``password=`` field."""
    for source in sources:
        if source.startswith("-") and "=" in source:  # --db=URL
            source = source.partition("=")[2]
        spans = _secret_spans(source)
        if not spans:
            continue
        for raw, redacted in _forms(source, spans):
            text = text.replace(raw, redacted)
        if quoted:
            text = _scrub_quoted(text, source, spans)
    return redact_text(text)


__all__ = ["AMBIGUOUS_URL", "REDACTED", "redact_message", "redact_text", "redact_url"]
