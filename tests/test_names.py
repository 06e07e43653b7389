"""No two public classes of ``src/dbdesign`` share a name.

Two classes called ``Plan`` make a reader (and an import) guess which one is meant. The names
still shared are recorded in :data:`SHARED`; the record only shrinks (a renamed class must
leave it).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "dbdesign"

# name -> the files defining a public class of that name, not yet renamed
SHARED: dict[str, set[str]] = {}


def public_classes(root: Path) -> dict[str, set[str]]:
    """Class name -> the files (relative to ``root``) defining it at module level."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        for node in ast.parse(path.read_text(), str(path)).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found[node.name].add(path.relative_to(root).as_posix())
    return {name: files for name, files in found.items() if len(files) > 1}


def test_no_two_public_classes_share_a_name() -> None:
    assert public_classes(SRC) == SHARED


def test_the_detector_finds_shared_names(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class Plan:\n    pass\nclass _Hidden:\n    pass\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("class Plan:\n    pass\nclass _Hidden:\n    pass\n")
    (tmp_path / "c.py").write_text("def f():\n    class Plan:\n        pass\n")
    assert public_classes(tmp_path) == {"Plan": {"a.py", "sub/b.py"}}
