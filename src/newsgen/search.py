"""Full-text search: run Pagefind (from PyPI) over the published pages, then swap its bundle in.

Only article pages carry `data-pagefind-body`, so only titles, summaries and bodies are
indexed; each page goes into the index of its own `<html lang>`. The bundle is written beside
the old one and renamed into place, so readers never see half an index.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from newsgen import urls
from newsgen.config import Config
from newsgen.diagnostics import Diagnostic, error
from newsgen.model import PageSpec

BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")


def find_pagefind() -> Path | None:
    """The Pagefind binary that pip installed (the extended one segments Chinese)."""
    for name in BINARY_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(module.get_executable())
        except (FileNotFoundError, OSError, AttributeError):
            continue
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def needs_index(output_dir: Path, changed_paths: Iterable[str], article_paths: set[str]) -> bool:
    """Index again only when an article page changed or there is no bundle yet."""
    if not (output_dir / urls.SEARCH_BUNDLE / "pagefind.js").is_file():
        return True
    return any(path in article_paths for path in changed_paths)


def build_search_index(output_dir: Path) -> list[Diagnostic]:
    """Index the output folder with Pagefind and publish the bundle atomically."""
    binary = find_pagefind()
    if binary is None:
        hint = "install it with: pip install 'pagefind[extended]', or set search: false"
        return [error("newsgen.yaml", 0, "search", f"Pagefind is not installed ({hint})")]
    fresh = output_dir / f".{urls.SEARCH_BUNDLE}-new"
    shutil.rmtree(fresh, ignore_errors=True)
    command = [str(binary), "--site", str(output_dir), "--output-path", str(fresh)]
    command += ["--keep-index-url", "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (fresh / "pagefind.js").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [error("newsgen.yaml", 0, "search", f"Pagefind failed: {detail[0]}")]
    sort_entry(fresh / "pagefind-entry.json")
    swap_in(fresh, output_dir / urls.SEARCH_BUNDLE)
    return []


def sort_entry(entry_path: Path) -> None:
    """Pagefind lists languages in hash-map order: sort them so equal input gives equal bytes."""
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    entry_path.write_text(json.dumps(entry, sort_keys=True, separators=(",", ":")), "utf-8")


def swap_in(fresh: Path, bundle: Path) -> None:
    """Replace the old bundle with the new one (each rename is atomic)."""
    old = bundle.with_name(f".{bundle.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        os.rename(bundle, old)
    os.rename(fresh, bundle)
    shutil.rmtree(old, ignore_errors=True)


def update_search(
    config: Config,
    pages: Sequence[PageSpec],
    output_dir: Path,
    changed_paths: Iterable[str],
    removed: int = 0,
) -> list[Diagnostic]:
    """The build's last stage: keep the search index in step with the article pages."""
    if not config.search:
        return []
    article_paths = {page.output_path for page in pages if page.kind == "article"}
    if not removed and not needs_index(output_dir, changed_paths, article_paths):
        return []
    return build_search_index(output_dir)
