"""Write stage: build aside, keep unchanged files' bytes and mtimes, swap in only on success."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.diagnostics import UnsafeSetup
from newsgen.model import RenderedPage

MANIFEST = ".newsgen-manifest.json"
KEEP_ALWAYS = frozenset({".git", ".hg", ".svn", MANIFEST})


@dataclass
class WriteStats:
    """What the writer did, for the build summary."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0
    paths: list[str] = field(default_factory=list)


def check_output_safety(output_dir: Path, site_root: Path, source_dirs: Iterable[Path]) -> None:
    """Refuse an output folder that is, contains or lies in the sources, the site, / or home."""
    output = output_dir.resolve()
    site = site_root.resolve()
    home = Path.home().resolve()
    if output in {Path("/"), home, site} or output in site.parents or output in home.parents:
        raise UnsafeSetup(
            f"refusing to use {output_dir} as the output folder: it is or holds "
            "the site, / or your home folder (choose e.g. SITE/public)"
        )
    for source in source_dirs:
        real = source.resolve()
        if output == real or real in output.parents or output in real.parents:
            raise UnsafeSetup(
                f"refusing to use {output_dir} as the output folder: it overlaps "
                f"the source folder {source} (choose e.g. SITE/public)"
            )


def check_ownership(output_dir: Path, force: bool) -> None:
    """A non-empty output folder without newsgen's manifest was not made by newsgen."""
    if force or not output_dir.is_dir() or (output_dir / MANIFEST).is_file():
        return
    if any(entry.name not in KEEP_ALWAYS for entry in os.scandir(output_dir)):
        raise UnsafeSetup(
            f"{output_dir} is not empty and was not made by newsgen; "
            "use --force to build into it anyway (files newsgen does not make are kept)"
        )


def sibling(output_dir: Path, tag: str) -> Path:
    """A working folder beside the output (same file system, so renames are atomic)."""
    return output_dir.parent / f".{output_dir.name}.newsgen-{tag}"


def recover(output_dir: Path) -> None:
    """Finish or undo a swap a killed build left half done; drop stale staging folders."""
    backup = sibling(output_dir, "old")
    if backup.is_dir():
        if not output_dir.exists():
            backup.rename(output_dir)
        else:
            shutil.rmtree(backup, ignore_errors=True)
    staging = sibling(output_dir, "staging")
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


def open_staging(output_dir: Path) -> Path:
    """A fresh, empty staging folder beside the output."""
    recover(output_dir)
    staging = sibling(output_dir, "staging")
    staging.mkdir(parents=True)
    return staging


def read_manifest(output_dir: Path) -> frozenset[str]:
    """Files the last build made (empty when there is no readable manifest)."""
    try:
        data = json.loads((output_dir / MANIFEST).read_text("utf-8"))
        return frozenset(str(p) for p in data.get("files", []))
    except (OSError, ValueError, AttributeError):
        return frozenset()


def put_file(staging: Path, output_dir: Path, rel: str, data: bytes, stats: WriteStats) -> None:
    """Write one file into staging, reusing the old file (bytes and mtime) when unchanged."""
    target = staging / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    old = output_dir / rel
    stats.paths.append(rel)
    try:
        if (
            old.is_file()
            and not old.is_symlink()
            and old.stat().st_size == len(data)
            and old.read_bytes() == data
        ):
            link_or_copy(old, target)
            stats.unchanged += 1
            return
    except OSError:
        pass
    with open(target, "wb") as handle:
        handle.write(data)
    os.chmod(target, 0o644)
    stats.written += 1


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link an unchanged file into staging (keeps its mtime), else copy it with its times."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_pages(
    staging: Path, output_dir: Path, pages: Iterable[RenderedPage], stats: WriteStats
) -> None:
    """Write rendered pages as they arrive."""
    for page in pages:
        put_file(staging, output_dir, page.output_path, page.data, stats)


def copy_static(
    staging: Path, output_dir: Path, files: Iterable[tuple[str, Path]], stats: WriteStats
) -> None:
    """Copy static files (theme assets, then the site's static/) into staging."""
    for rel, source in files:
        put_file(staging, output_dir, rel, source.read_bytes(), stats)


def carry_foreign(
    output_dir: Path, staging: Path, made_before: frozenset[str], made_now: set[str]
) -> None:
    """Move files newsgen did not make (a CNAME, a .git folder...) into the new output."""
    if not output_dir.is_dir():
        return
    prefixes = {
        p.rsplit("/", i)[0] for p in made_before | made_now for i in range(1, p.count("/") + 1)
    }
    stack = [""]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(output_dir / folder if folder else output_dir):
            rel = f"{folder}{entry.name}"
            if rel == MANIFEST or rel in made_before or rel in made_now:
                continue
            if (
                entry.is_dir(follow_symlinks=False)
                and rel in prefixes
                and entry.name not in KEEP_ALWAYS
            ):
                stack.append(rel + "/")
                continue
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(entry.path, target)


def finish(output_dir: Path, staging: Path, stats: WriteStats, made_before: frozenset[str]) -> None:
    """Record the manifest, carry foreign files, then swap staging in for the output."""
    made_now = set(stats.paths)
    stats.removed = len(made_before - made_now)
    manifest = {"generator": "newsgen", "files": sorted(made_now)}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=0) + "\n", "utf-8")
    carry_foreign(output_dir, staging, made_before, made_now)
    swap_in(output_dir, staging)


def swap_in(output_dir: Path, staging: Path) -> None:
    """Replace the output by staging with two renames; recover() completes an interrupted swap."""
    backup = sibling(output_dir, "old")
    if output_dir.exists():
        os.rename(output_dir, backup)
    os.rename(staging, output_dir)
    shutil.rmtree(backup, ignore_errors=True)


def discard(staging: Path) -> None:
    """Throw a failed build's staging folder away; the old output stays as it was."""
    shutil.rmtree(staging, ignore_errors=True)
