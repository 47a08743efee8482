"""Load stage: find content files (safely) and read their bytes."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Source

CONTENT_SUFFIXES = (".md", ".markdown")
SECTION_PAGE = "_index"  # Hugo's list page of a section, never an article


def is_junk(name: str) -> bool:
    """Editor and OS leftovers (._x.md, .#x.md, x.md~, .DS_Store, #x.md#) are never content."""
    return (
        name.startswith((".", "#", "~$"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", "#"))
        or name in {"Thumbs.db", "desktop.ini"}
    )


def is_utf8(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8 (Python keeps them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def name_problem(rel: str, name: str) -> Diagnostic:
    """A file or folder named in another encoding (GBK from an unzipped Chinese archive)."""
    raw = os.fsencode(name)
    shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
    try:
        guess = f" (read as GBK: '{raw.decode('gb18030')}')"
    except UnicodeDecodeError:
        guess = ""
    message = (
        f"file name is not UTF-8{guess}: rename it (e.g. convmv -f gbk -t utf-8 -r --notest FOLDER)"
    )
    return error(shown, 0, "", message)


def walk_entries(
    top: Path, site_root: Path, diagnostics: list[Diagnostic]
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(site-relative POSIX path, entry) of regular files below `top`, following links only
    while they stay inside the site (and never twice into one folder: no loops)."""
    real_site = os.path.realpath(site_root)
    prefix = len(str(site_root)) + 1
    seen: set[str] = set()
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if is_junk(entry.name):
                continue
            rel = entry.path[prefix:].replace(os.sep, "/")
            if not is_utf8(entry.name):
                diagnostics.append(name_problem(rel, entry.name))
                continue
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not (
                    target == real_site or target.startswith(real_site + os.sep)
                ) or not os.path.exists(target):
                    message = "symbolic link points outside the site or nowhere; not followed"
                    diagnostics.append(warning(rel, 0, "", message))
                    continue
            if entry.is_dir():
                stack.append(entry.path)
            elif entry.is_file():
                yield rel, entry


def walk_files(top: Path, site_root: Path, diagnostics: list[Diagnostic]) -> Iterator[Path]:
    """Regular files below `top` as paths (see walk_entries)."""
    for _, entry in walk_entries(top, site_root, diagnostics):
        yield Path(entry.path)


def scan_sources(
    site_root: Path, content_dir: str
) -> tuple[dict[str, tuple[int, int]], list[Diagnostic]]:
    """Every article file under the content folder with (mtime_ns, size), without reading it."""
    diagnostics: list[Diagnostic] = []
    top = site_root / content_dir
    if not top.is_dir():
        return {}, diagnostics
    found: dict[str, tuple[int, int]] = {}
    for rel, entry in walk_entries(top, site_root, diagnostics):
        if rel.lower().endswith(CONTENT_SUFFIXES):
            if entry.name.rsplit(".", 1)[0] == SECTION_PAGE:
                message = "a Hugo section page (_index), not an article: skipped"
                diagnostics.append(warning(rel, 0, "", message))
                continue
            stat = entry.stat()
            found[rel] = (stat.st_mtime_ns, stat.st_size)
    return dict(sorted(found.items())), diagnostics


def read_source(site_root: Path, source_path: str) -> Source:
    """Read one content file."""
    return Source(source_path, (site_root / source_path).read_bytes())


def stat_tree(site_root: Path, folder: str) -> list[tuple[str, int, int]]:
    """(path, mtime_ns, size) of every file under a folder: cheap change detection."""
    top = site_root / folder
    if not top.is_dir():
        return []
    entries = []
    for rel, entry in walk_entries(top, site_root, []):
        stat = entry.stat()
        entries.append((rel, stat.st_mtime_ns, stat.st_size))
    return sorted(entries)


def list_static_files(site_root: Path, static_dir: str) -> tuple[tuple[str, Path], ...]:
    """Static files to copy: (output path, source file), sorted."""
    top = site_root / static_dir
    if not top.is_dir():
        return ()
    found = [(path.relative_to(top).as_posix(), path) for path in walk_files(top, site_root, [])]
    return tuple(sorted(found))


@dataclass(frozen=True)
class Scan:
    """The content files' sizes and mtimes, and when they were looked at."""

    stats: dict[str, tuple[int, int]]
    problems: tuple[Diagnostic, ...]
    started_ns: int


def scan_content(config: Config) -> Scan:
    """Look at every content file's size and mtime (reading none)."""
    started = time.time_ns()
    stats, problems = scan_sources(config.site_root, config.content_dir)
    return Scan(stats, tuple(problems), started)


def source_digest(source_path: str, data: bytes) -> str:
    """What identifies a file's parse result (the path is part of it: diagnostics name it)."""
    return hashlib.blake2b(source_path.encode() + b"\x00" + data, digest_size=16).hexdigest()
