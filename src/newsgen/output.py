"""Write stage: render aside, then publish all at once; unchanged files keep bytes and mtime.

Changed files are written to a staging folder beside the output. Publishing is then either
a rename of the whole tree (first build, or most files changed: the old tree is swapped out
atomically) or, for a few changes, a journaled replace of just those files that a killed build
rolls back on the next run. Either way a failed or interrupted build leaves the old output.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.diagnostics import Diagnostic, UnsafeSetup, error

MANIFEST = ".newsgen-manifest.json"
KEEP_ALWAYS = frozenset({".git", ".hg", ".svn", MANIFEST})
FULL_SWAP_SHARE = 0.3
TEST_STOP = "NEWSGEN_TEST_STOP"


@dataclass
class WriteStats:
    """What the writer did, for the build summary."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed_paths: list[str] = field(default_factory=list)


def stop_for_test(point: str) -> None:
    """Test hook: with NEWSGEN_TEST_STOP=<point> set, stop (SIGSTOP) here so a test can kill us
    at this exact step; does nothing when the variable is unset."""
    if os.environ.get(TEST_STOP) == point:
        os.kill(os.getpid(), signal.SIGSTOP)


def write_failure(failure: OSError) -> Diagnostic:
    """A file the build could not write (a full disk, a size limit...) as one error line."""
    code = errno.errorcode.get(failure.errno or 0, "")
    reason = f"{failure.strerror} [{code}]" if failure.strerror else str(failure)
    return error(str(failure.filename or "output"), 0, "", reason)


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
    if output.exists() and not output.is_dir():
        raise UnsafeSetup(
            f"refusing to use {output_dir} as the output folder: it is a file, not a folder"
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


def read_manifest(output_dir: Path) -> frozenset[str]:
    """Files the last build made (empty when there is no readable manifest)."""
    try:
        data = json.loads((output_dir / MANIFEST).read_text("utf-8"))
        return frozenset(str(p) for p in data["files"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return frozenset()


def manifest_bytes(files: Iterable[str]) -> bytes:
    """The manifest: which files newsgen made, so it never deletes anything else."""
    data = {"generator": "newsgen", "files": sorted(files)}
    return (json.dumps(data, indent=0, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_signature(output_dir: Path) -> str:
    """Identity of the manifest file on disk: unchanged means the output is the one we wrote."""
    try:
        stat = (output_dir / MANIFEST).stat()
    except OSError:
        return ""
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Serialise builds of one site; the kernel frees the lock when a build dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover(output_dir: Path) -> None:
    """Undo what a killed build left: roll back a journaled commit, finish or undo a swap."""
    journal = sibling(output_dir, "journal")
    if journal.is_file():
        roll_back(output_dir, journal)
    backup = sibling(output_dir, "old")
    if backup.is_dir():
        if not output_dir.exists():
            backup.rename(output_dir)
        else:
            shutil.rmtree(backup, ignore_errors=True)
    for tag in ("staging", "backup"):
        shutil.rmtree(sibling(output_dir, tag), ignore_errors=True)


class Staging:
    """A folder beside the output that receives only the files whose bytes changed."""

    def __init__(self, output_dir: Path, create: bool = True) -> None:
        self.output_dir = output_dir
        self.dir = sibling(output_dir, "staging")
        self.folders: set[Path] = set()
        if create:
            recover(output_dir)
            self.dir.mkdir(parents=True)

    def put(self, rel: str, data: bytes) -> bool:
        """Stage a file unless the output already holds these bytes; True when staged."""
        old = self.output_dir / rel
        try:
            if (
                old.stat().st_size == len(data)
                and not old.is_symlink()
                and old.read_bytes() == data
            ):
                return False
        except OSError:
            pass
        target = self.dir / rel
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.update(target.parents)
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as failure:
            failure.filename = failure.filename or str(target)  # write() does not name it
            raise
        return True

    def discard(self) -> None:
        """Throw a failed build's staging folder away; the old output stays as it was."""
        shutil.rmtree(self.dir, ignore_errors=True)


def publish(staging: Staging, made_now: set[str], changed: list[str], stats: WriteStats) -> None:
    """Write the manifest and put every change in place, all or nothing."""
    stop_for_test("publish")
    output_dir = staging.output_dir
    made_before = read_manifest(output_dir)
    removed = sorted(made_before - made_now)
    stats.removed = len(removed)
    if staging.put(MANIFEST, manifest_bytes(made_now)):
        changed = [*changed, MANIFEST]
    if not changed and not removed:
        staging.discard()
    elif not output_dir.exists():
        os.rename(staging.dir, output_dir)
    elif len(changed) + len(removed) > FULL_SWAP_SHARE * max(len(made_now), 1):
        swap_tree(staging, made_now, set(changed), made_before)
    else:
        replace_files(staging, changed, removed)


def swap_tree(
    staging: Staging, made_now: set[str], changed: set[str], made_before: frozenset[str]
) -> None:
    """Complete staging with the unchanged files and foreign ones, then exchange the trees."""
    output_dir = staging.output_dir
    for rel in sorted((made_now | {MANIFEST}) - changed):
        target = staging.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(output_dir / rel, target)
    carry_foreign(output_dir, staging.dir, made_before, made_now | changed)
    stop_for_test("swap")
    exchange(staging.dir, output_dir)
    stop_for_test("swapped")
    shutil.rmtree(staging.dir, ignore_errors=True)


def exchange(new_dir: Path, output_dir: Path) -> None:
    """Swap two folders atomically (renameat2) where the system can, else with two renames."""
    if rename_exchange(new_dir, output_dir):
        return
    backup = sibling(output_dir, "old")
    os.rename(output_dir, backup)
    os.rename(new_dir, output_dir)
    os.rename(backup, new_dir)


def rename_exchange(first: Path, second: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE); False when not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange_flag = -100, 2
    result = function(
        at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange_flag
    )
    return bool(result == 0)


def carry_foreign(
    output_dir: Path, staging_dir: Path, made_before: frozenset[str], made_now: set[str]
) -> None:
    """Link files newsgen did not make (a CNAME, a .git folder...) into the new tree; the old
    tree keeps them until the exchange, so no kill or failure in between can lose them."""
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
            target = staging_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, target, symlinks=True, copy_function=link_or_copy)
            else:
                link_or_copy(entry.path, target)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link (no data copied, same bytes and mtime), or a copy where links fail."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def replace_files(staging: Staging, changed: list[str], removed: list[str]) -> None:
    """Replace a few files in place under a journal; any failure rolls everything back."""
    output_dir = staging.output_dir
    journal = sibling(output_dir, "journal")
    backup = sibling(output_dir, "backup")
    existed = [rel for rel in changed if os.path.lexists(output_dir / rel)]
    with open(journal, "w", encoding="utf-8") as handle:
        json.dump({"replace": changed, "remove": removed, "existed": existed}, handle)
    try:
        for rel in changed:
            move_aside(output_dir / rel, backup / rel)
            (output_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging.dir / rel, output_dir / rel)
            stop_for_test("journal")
        for rel in removed:
            move_aside(output_dir / rel, backup / rel)
    except BaseException:
        roll_back(output_dir, journal)
        raise
    journal.unlink()
    shutil.rmtree(backup, ignore_errors=True)
    staging.discard()
    prune_empty_folders(output_dir, removed)


def move_aside(path: Path, backup: Path) -> None:
    """Keep the old version of a file until the commit is complete."""
    if path.exists() or path.is_symlink():
        backup.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, backup)


def roll_back(output_dir: Path, journal: Path) -> None:
    """Put every file of an unfinished journaled commit back as it was; safe to run again
    after being killed itself (a restored file is never taken for a newly added one)."""
    staging, backup = sibling(output_dir, "staging"), sibling(output_dir, "backup")
    try:
        plan = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        plan = {"replace": [], "remove": []}
    replace, existed = set(plan.get("replace", [])), set(plan.get("existed", []))
    for rel in [*plan.get("replace", []), *plan.get("remove", [])]:
        added = rel in replace and rel not in existed and not (staging / rel).exists()
        if (backup / rel).exists():
            os.replace(backup / rel, output_dir / rel)
            stop_for_test("rollback")
        elif added and (output_dir / rel).exists():
            (output_dir / rel).unlink()
    journal.unlink(missing_ok=True)
    shutil.rmtree(backup, ignore_errors=True)


def prune_empty_folders(output_dir: Path, removed: list[str]) -> None:
    """Remove folders that removing stale files left empty."""
    folders = {str(Path(rel).parent) for rel in removed}
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        path = output_dir / folder
        while path != output_dir and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            path = path.parent
