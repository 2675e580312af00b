"""The README documents every setting, every command and every top-level folder."""

from __future__ import annotations

from pipeline.cli import COMMANDS, _load_plugins
from pipeline.settings import SETTINGS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [name for name in SETTINGS if f"`{name}`" not in README]
    assert not missing


def test_every_command_is_documented():
    _load_plugins()
    missing = [name for name in COMMANDS if f"python -m pipeline {name}" not in README]
    assert not missing


def test_every_top_level_folder_is_described():
    folders = [p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith(".")
               and p.name not in ("data", "airflow_home", "__pycache__")]
    missing = [f for f in folders if f"`{f}/`" not in README]
    assert not missing
