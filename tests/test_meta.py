"""Meta-tests: the test sources keep the promises that make a PASSED mean something. Each check
reads every ``.py`` file under tests/ with :mod:`ast` (not importing it):

(a) no test function (``test_*``) contains a bare ``return``: an early return reports PASSED
    without checking anything. A test that cannot run calls ``pytest.skip(reason)`` or
    ``pytest.fail(reason)``. Helper functions and functions nested in a test are exempt.
(b) no ``assert`` compares a measured duration (a difference of ``time.perf_counter()``,
    ``time.monotonic()``, ``time.time()`` ... or a name bound from one): performance is measured
    in bench/, a test asserts behaviour. Polling for an event with an overall deadline
    (``assert time.monotonic() < deadline``) measures nothing and is fine.
(c) every ``subprocess.run/call/check_call/check_output`` passes ``timeout=``, and every
    ``.communicate()`` and ``.wait()`` is given one: a hung child fails its test, not the suite.
(d) every role a test creates (``CREATE ROLE``) is listed in ``tests.conftest.TEST_ROLES``,
    which the session drops from the PostgreSQL 15 server at the end.

Each rule's detector is also run on small synthetic snippets below, so a detector that finds
nothing because it is broken does not pass unnoticed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_ROLES

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of ``fn``'s body, not descending into nested functions, lambdas or classes."""
    stack: list[ast.AST] = [n for n in fn.body if not isinstance(n, _DEFS)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _DEFS))


def _test_functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level ``test_*`` functions and ``test_*`` methods of classes."""
    for node in tree.body:
        bodies = node.body if isinstance(node, ast.ClassDef) else [node]
        for fn in bodies:
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name.startswith(
                "test"
            ):
                yield fn


# --------------------------------------------------------------------------- (a) bare return


def bare_returns(tree: ast.Module) -> list[tuple[str, int]]:
    """``(test function, line)`` of each ``return`` / ``return None`` in a test's own body."""
    found = []
    for fn in _test_functions(tree):
        for node in _own_nodes(fn):
            if isinstance(node, ast.Return) and (
                node.value is None
                or (isinstance(node.value, ast.Constant) and node.value.value is None)
            ):
                found.append((fn.name, node.lineno))
    return sorted(found, key=lambda f: f[1])


# (file, test function) allowed an early return while someone fixes it. The issue named two in
# tests/integration/test_diff_convergence.py (near lines 142 and 165); they were already
# replaced by pytest.skip/pytest.fail (commit e8c6796, `_route`), so nothing is allowed now.
ALLOWED_RETURNS: frozenset[tuple[str, str]] = frozenset()


def test_no_bare_return_in_a_test() -> None:
    offenders = []
    found: set[tuple[str, str]] = set()
    for path in _sources():
        for name, line in bare_returns(_parse(path)):
            found.add((_rel(path), name))
            if (_rel(path), name) not in ALLOWED_RETURNS:
                offenders.append(f"{_rel(path)}:{line}: {name}")
    assert offenders == [], (
        "a test returns early, reporting PASSED without checking; use pytest.skip(reason) or "
        "pytest.fail(reason):\n  " + "\n  ".join(offenders)
    )
    assert found >= ALLOWED_RETURNS, (
        f"fixed, remove from ALLOWED_RETURNS: {ALLOWED_RETURNS - found}"
    )


# --------------------------------------------------------------------------- (b) durations

_CLOCKS = {
    "perf_counter",
    "perf_counter_ns",
    "monotonic",
    "monotonic_ns",
    "time",
    "time_ns",
    "process_time",
    "process_time_ns",
    "thread_time",
    "default_timer",  # timeit
    "now",  # datetime.now()
    "utcnow",
}


def _clock_imports(tree: ast.Module) -> set[str]:
    """Local names of clock functions imported by name (``from time import monotonic``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "timeit"):
            names |= {a.asname or a.name for a in node.names if a.name in _CLOCKS}
    return names


def _is_clock_call(node: ast.AST, imported: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Attribute):
        base = f.value
        base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        if f.attr in ("now", "utcnow"):
            return base_name == "datetime"
        return f.attr in _CLOCKS and base_name in ("time", "timeit")
    return isinstance(f, ast.Name) and f.id in imported


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    """Each module-level function or method (nested functions included in it), and the
    module's other statements as one more scope."""
    rest = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield item
                else:
                    rest.append(item)
        else:
            rest.append(node)
    yield ast.Module(body=rest, type_ignores=[])


def _assigned(scope: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.value
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            yield node.target.id, node.value


class _Clocks:
    """The clocks and durations of one scope (see :func:`duration_asserts`)."""

    def __init__(self, imported: set[str]) -> None:
        self.imported = imported
        self.clocks: set[str] = set()
        self.durations: set[str] = set()

    def has_clock(self, expr: ast.AST) -> bool:
        return any(
            _is_clock_call(n, self.imported) or (isinstance(n, ast.Name) and n.id in self.clocks)
            for n in ast.walk(expr)
        )

    def has_duration(self, expr: ast.AST) -> bool:
        for n in ast.walk(expr):
            if isinstance(n, ast.Name) and n.id in self.durations:
                return True
            if (
                isinstance(n, ast.BinOp)
                and isinstance(n.op, ast.Sub)
                and (self.has_clock(n.left) or self.has_clock(n.right))
            ):
                return True
        return False


def duration_asserts(tree: ast.Module) -> list[int]:
    """Lines of ``assert`` statements that involve a measured duration.

    A *clock* is a call of a clock function or a name bound from an expression containing one
    (``t0 = time.monotonic()``, ``deadline = time.monotonic() + 60``). A *duration* is a
    subtraction with a clock on either side, or a name bound from an expression containing a
    duration (``elapsed = time.perf_counter() - start``; ``ms = elapsed * 1000``). An assert
    that contains a duration anywhere in its test is reported.
    """
    imported = _clock_imports(tree)
    lines: set[int] = set()
    for scope in _scopes(tree):
        bindings = list(_assigned(scope))
        seen = _Clocks(imported)
        changed = True
        while changed:  # to a fixed point: names bound from clocks and from durations
            changed = False
            for name, value in bindings:
                if name not in seen.durations and seen.has_duration(value):
                    seen.durations.add(name)
                    changed = True
                elif name not in seen.clocks | seen.durations and seen.has_clock(value):
                    seen.clocks.add(name)
                    changed = True
        lines |= {
            node.lineno
            for node in ast.walk(scope)
            if isinstance(node, ast.Assert) and seen.has_duration(node.test)
        }
    return sorted(lines)


def test_no_measured_duration_is_asserted() -> None:
    offenders = [
        f"{_rel(path)}:{line}"
        for path in _sources()
        if path != Path(__file__).resolve()
        for line in duration_asserts(_parse(path))
    ]
    assert offenders == [], (
        "a test asserts how long something took; assert the behaviour instead and measure "
        "speed in bench/:\n  " + "\n  ".join(offenders)
    )


# --------------------------------------------------------------------------- (c) timeouts

_RUNNERS = {"run", "call", "check_call", "check_output"}


def unbounded_waits(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, call)`` of subprocess calls without ``timeout=``, and of ``.communicate()`` /
    ``.wait()`` calls given no timeout."""
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "subprocess":
            imported |= {a.asname or a.name for a in node.names if a.name in _RUNNERS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        keywords = {k.arg for k in node.keywords}
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == "subprocess"
            and f.attr in _RUNNERS
        ) or (isinstance(f, ast.Name) and f.id in imported):
            if "timeout" not in keywords:
                found.append((node.lineno, ast.unparse(f)))
        elif isinstance(f, ast.Attribute) and f.attr == "communicate":
            if "timeout" not in keywords and len(node.args) < 2:
                found.append((node.lineno, ast.unparse(f)))
        elif (
            isinstance(f, ast.Attribute)
            and f.attr == "wait"
            and not node.args
            and "timeout" not in keywords
        ):
            found.append((node.lineno, ast.unparse(f)))
    return sorted(found)


def test_every_child_process_wait_has_a_timeout() -> None:
    offenders = [
        f"{_rel(path)}:{line}: {call}()"
        for path in _sources()
        for line, call in unbounded_waits(_parse(path))
    ]
    assert offenders == [], "pass timeout= (a hang fails the test):\n  " + "\n  ".join(offenders)


# --------------------------------------------------------------------------- (d) roles

_CREATE_ROLE = re.compile(r"(?<!SHOW )\bCREATE\s+(?:ROLE|USER)\s+(\"?[\w{}]+\"?)", re.IGNORECASE)


def _constants(tree: ast.Module) -> dict[str, list[str]]:
    """Names bound to strings or tuples/lists of strings, and loop variables over those."""
    out: dict[str, list[str]] = {}
    for name, value in _assigned(tree):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out.setdefault(name, []).append(value.value)
        elif isinstance(value, ast.Tuple | ast.List) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            out.setdefault(name, []).extend(e.value for e in value.elts)  # type: ignore[attr-defined]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Name)
            and node.iter.id in out
        ):
            out.setdefault(node.target.id, []).extend(out[node.iter.id])
    return out


def _string_literals(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of each string literal; an f-string's ``{name}`` parts are kept as
    written (``{?}`` for any other expression)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                inside.add(id(part))
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                    parts.append("{" + part.value.id + "}")
                else:
                    parts.append("{?}")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside
        ):
            yield node.lineno, node.value


def created_roles(path: Path) -> list[tuple[int, str]]:
    """``(line, role)`` for each CREATE ROLE in a .sql file or in a .py file's string
    literals (comments are not code); a ``{NAME}`` placeholder is resolved through the
    module's string constants (an unresolvable one is returned as written)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return [
            (text.count("\n", 0, m.start()) + 1, m[1].strip('"'))
            for m in _CREATE_ROLE.finditer(text)
        ]
    tree = ast.parse(text)
    constants = _constants(tree)
    found = []
    for line, literal in _string_literals(tree):
        for m in _CREATE_ROLE.finditer(literal):
            word = m[1].strip('"')
            placeholder = re.fullmatch(r"\{(\w+)\}", word)
            if placeholder and placeholder[1] in constants:
                found.extend((line, v) for v in constants[placeholder[1]])
            else:
                found.append((line, word))
    return sorted(found)


# Files whose CREATE USER / CREATE ROLE make MySQL accounts, not PostgreSQL roles: their
# fixtures drop every account they create before and after each test (also on failure).
MYSQL_ACCOUNTS = {"tests/integration/test_health_mysql.py"}


def test_every_created_role_is_dropped_at_the_end() -> None:
    unknown = []
    for path in sorted(
        p for p in TESTS.rglob("*") if p.suffix in (".py", ".sql") and "node_modules" not in p.parts
    ):
        if path == Path(__file__).resolve() or _rel(path) in MYSQL_ACCOUNTS:
            continue
        unknown += [
            f"{_rel(path)}:{line}: {role}"
            for line, role in created_roles(path)
            if role.lower() not in TEST_ROLES
        ]
    assert unknown == [], (
        "a test creates a role that is not in tests.conftest.TEST_ROLES (dropped at the end of "
        "the session):\n  " + "\n  ".join(unknown)
    )


# --------------------------------------------------------------------------- the detectors


def _lines(code: str, detector: str) -> list[int]:
    tree = ast.parse(code)
    if detector == "returns":
        return [line for _name, line in bare_returns(tree)]
    if detector == "durations":
        return duration_asserts(tree)
    return [line for line, _call in unbounded_waits(tree)]


@pytest.mark.parametrize(
    ("detector", "code", "lines"),
    [
        # (a) returns
        ("returns", "def test_a():\n    if x:\n        return\n    assert y\n", [3]),
        ("returns", "def test_a():\n    return None\n", [2]),
        ("returns", "class TestA:\n    def test_m(self):\n        return\n", [3]),
        ("returns", "def helper():\n    return\n", []),
        ("returns", "def test_a():\n    def inner():\n        return\n    inner()\n", []),
        ("returns", "def test_a():\n    f = lambda: None\n    assert f() is None\n", []),
        ("returns", "def test_a():\n    pytest.skip('no server')\n", []),
        # (b) durations
        (
            "durations",
            "import time\ndef test_a():\n    t0 = time.monotonic()\n    run()\n"
            "    assert time.monotonic() - t0 < 1.5\n",
            [5],
        ),
        (
            "durations",
            "import time\ndef test_a():\n    start = time.perf_counter()\n    run()\n"
            "    elapsed = time.perf_counter() - start\n    assert ok\n    assert elapsed < 10\n",
            [7],
        ),
        (
            "durations",
            "from time import perf_counter as pc\ndef test_a():\n    s = pc()\n"
            "    ms = (pc() - s) * 1000\n    assert 0 < ms\n",
            [5],
        ),
        (
            "durations",
            "import time\ndef test_a():\n    t0 = time.time()\n    t1 = time.time()\n"
            "    assert t1 - t0 <= 2, 'slow'\n",
            [5],
        ),
        (
            "durations",
            "from datetime import datetime\ndef test_a():\n    a = datetime.now()\n"
            "    assert (datetime.now() - a).total_seconds() < 1\n",
            [4],
        ),
        (  # polling for an event with an overall deadline: not a measurement
            "durations",
            "import time\ndef test_a():\n    deadline = time.monotonic() + 60\n"
            "    while not done():\n        assert time.monotonic() < deadline, 'never'\n"
            "        time.sleep(0.05)\n",
            [],
        ),
        (  # a duration computed but only printed
            "durations",
            "import time\ndef test_a():\n    t0 = time.monotonic()\n    run()\n"
            "    print(time.monotonic() - t0)\n    assert result == 3\n",
            [],
        ),
        (  # the same names in another function are not clocks there
            "durations",
            "import time\ndef helper():\n    elapsed = time.monotonic() - 1\n    return elapsed\n"
            "def test_a():\n    elapsed = 3 - 1\n    assert elapsed == 2\n",
            [],
        ),
        # (c) timeouts
        ("waits", "import subprocess\nsubprocess.run(['x'], check=True)\n", [2]),
        ("waits", "import subprocess\nsubprocess.check_output(['x'], timeout=5)\n", []),
        ("waits", "from subprocess import call\ncall(['x'])\n", [2]),
        ("waits", "p = Popen(['x'])\np.communicate()\np.wait()\n", [2, 3]),
        ("waits", "p.communicate(timeout=60)\np.wait(10)\np.communicate(None, 5)\n", []),
        ("waits", "','.join(xs)\nevent.wait(timeout=1)\n", []),
    ],
)
def test_the_detectors_on_synthetic_code(detector: str, code: str, lines: list[int]) -> None:
    assert _lines(code, detector) == lines


def test_the_role_detector(tmp_path: Path) -> None:
    code = (
        'ROLE = "r_one"\nROLES = ("r_two", "r_three")\n'
        'SQL = f"DO $$ BEGIN CREATE ROLE {ROLE}; END $$"\n'
        "for role in ROLES:\n"
        '    run(f"CREATE ROLE {role}")\n'
        "run('create user plain_one')\n"
        "run(f'CREATE ROLE {unknown}')\n"
    )
    source = tmp_path / "snippet.py"
    source.write_text(code + "# a comment saying CREATE ROLE in prose is not code\n")
    assert created_roles(source) == [
        (3, "r_one"),
        (5, "r_three"),
        (5, "r_two"),
        (6, "plain_one"),
        (7, "{unknown}"),
    ]
    sql = tmp_path / "roles.sql"
    sql.write_text('select 1;\ncreate role "r_four";\n')
    assert created_roles(sql) == [(2, "r_four")]
