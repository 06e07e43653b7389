from __future__ import annotations

import pytest

from dbdesign.config import load_config
from dbdesign.errors import ConfigError


def test_pyproject_section_and_nearest_file(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dbdesign.lint]\nselect = ["naming"]\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = load_config(sub)
    assert cfg.section("lint") == {"select": ["naming"]}
    assert cfg.section("migrate") == {}
    assert cfg.root == tmp_path


def test_dbdesign_toml_wins_and_bad_toml_is_a_config_error(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dbdesign.lint]\nselect = ["a"]\n')
    (tmp_path / "dbdesign.toml").write_text('[lint]\nselect = ["b"]\n')
    assert load_config(tmp_path).section("lint") == {"select": ["b"]}
    (tmp_path / "dbdesign.toml").write_text("[lint\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert "dbdesign.toml" in str(e.value)


def test_no_file_means_empty(tmp_path) -> None:
    assert load_config(tmp_path).data == {}
