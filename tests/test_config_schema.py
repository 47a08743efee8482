"""The settings schema: every Config field declared once, and the README's table made from it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from newsgen.core.config import SETTINGS, Config
from newsgen.core.settings import TYPES
from newsgen.core.settings_doc import (
    END_MARKER,
    START_MARKER,
    render_settings_table,
    update_settings_table,
)

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
NOT_SETTINGS = {"site_root"}  # where newsgen.yaml is, not a key in it


def test_the_readme_settings_table_is_the_generated_one() -> None:
    readme = README.read_text(encoding="utf-8")
    assert update_settings_table(readme) == readme, (
        "README.md's settings table differs from the settings declared on Config: run "
        "python scripts/settings_table.py --write"
    )
    assert render_settings_table() in readme


def test_every_config_field_is_a_setting_with_a_meaning() -> None:
    names = [f.name for f in fields(Config) if f.name not in NOT_SETTINGS]
    assert list(SETTINGS) == names
    for key, spec in SETTINGS.items():
        assert spec.key == key
        assert spec.doc.strip(), f"{key} has no meaning text"
        assert "\n" not in spec.doc and "\n" not in spec.shown


def test_schema_defaults_are_the_dataclass_defaults() -> None:
    config = Config(site_root=Path("."))
    for f in fields(Config):
        if f.name in NOT_SETTINGS:
            assert f.default is MISSING
            continue
        assert f.default == SETTINGS[f.name].default
        assert getattr(config, f.name) == SETTINGS[f.name].default


def test_every_setting_can_be_read_and_its_default_passes_its_check() -> None:
    for key, spec in SETTINGS.items():
        if spec.read is None:
            assert spec.kind in TYPES, f"{key}: a {spec.kind} setting needs a reader"
            assert isinstance(spec.default, TYPES[spec.kind])
        assert not spec.as_written or spec.read is not None
        if spec.check is not None:
            assert spec.check(spec.default) is None, key


def test_the_table_has_one_row_per_setting_in_declaration_order() -> None:
    rows = render_settings_table().splitlines()
    assert rows[:2] == ["| key | default | meaning |", "| --- | --- | --- |"]
    assert [row.split(" | ")[0] for row in rows[2:]] == [f"| `{key}`" for key in SETTINGS]
    assert "| `page_size` | `20` | articles per listing page |" in rows
    assert "| `search` | `true` |" in "\n".join(rows)
    assert "| `description` | empty |" in "\n".join(rows)


def test_updating_replaces_only_the_text_between_the_markers() -> None:
    readme = f"# Intro\n\n{START_MARKER} note -->\nold table\n{END_MARKER}\n\nAfter.\n"
    updated = update_settings_table(readme)
    assert updated == (
        f"# Intro\n\n{START_MARKER} note -->\n\n{render_settings_table()}\n{END_MARKER}\n\nAfter.\n"
    )
    assert update_settings_table(updated) == updated
    for broken in ("no markers\n", f"{END_MARKER}\n{START_MARKER} -->\n", f"{START_MARKER}\n"):
        with pytest.raises(ValueError, match="settings-table"):
            update_settings_table(broken)


@pytest.mark.cli
def test_the_script_checks_the_readme() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/settings_table.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date" in done.stdout
