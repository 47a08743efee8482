"""Shared helpers: small sites built from inline text in temporary folders."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from newsgen.pipeline.build import BuildOptions, BuildResult, build

REPO_ROOT = Path(__file__).resolve().parent.parent
# The test command (and CI) replays the same examples on every run, so a commit's result does
# not depend on luck; NEWSGEN_HYPOTHESIS=explore draws new ones (see DEVELOPERS.md).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("NEWSGEN_HYPOTHESIS", "repeatable"))
EXAMPLES_SCALE = int(os.environ.get("NEWSGEN_HYPOTHESIS_SCALE", "1"))
FIXED_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Real headless Chromium (Debian's package; browser downloads fail here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def front_matter(**fields: object) -> str:
    """A front-matter block for an article; values are dumped as YAML."""
    fields.setdefault("title", "A title")
    fields.setdefault("date", "2023-02-10")
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n"


def article_text(body: str = "Body text.", **fields: object) -> str:
    """A whole article file."""
    return front_matter(**fields) + "\n" + body + "\n"


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write a site from a mapping of relative path to text or bytes."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def build_site(root: Path, **options: object) -> BuildResult:
    """Build a site with the library API at a fixed 'now'."""
    options.setdefault("now", FIXED_NOW)
    return build(BuildOptions(site_root=root, **options))  # type: ignore[arg-type]


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user would, capturing output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "newsgen", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def site(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Factory: write files into a fresh site folder and return its root."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_files(tmp_path / "site", files)

    return make


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file below root (for comparing outputs)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
