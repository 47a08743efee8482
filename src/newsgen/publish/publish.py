"""Publish: changed files are staged aside, then put in place all at once.

Where it can, a build exchanges the whole tree in one step (renameat2), so readers see the
old site or the new one. Where it cannot (the output is a mount point, on another file system
than its parent, the target of a link, or holds files newsgen did not make), it replaces the
changed files in place under a journal: each file atomically, and a killed build is rolled
back by the next run. Either way the folder itself, its subfolders and files newsgen did not
make keep their inode, owner and mode, and nothing is ever written or deleted through a
symbolic link inside the output.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsgen.core.urls import SEARCH_BUNDLE, is_safe_output_path
from newsgen.publish import output
from newsgen.publish.output import (
    INTERNAL,
    MANIFEST,
    WriteStats,
    foreign_entries,
    is_empty_folder,
    manifest_bytes,
    read_manifest,
)

FULL_SWAP_SHARE = 0.3


def sibling(output_dir: Path, tag: str) -> Path:
    """A working folder beside the output (same file system, so renames are atomic)."""
    return output_dir.parent / f".{output_dir.name}.newsgen-{tag}"


@dataclass(frozen=True)
class Placement:
    """Where the output really is, and where the build's working folders go."""

    output_dir: Path  # the real folder (a symbolic link to it is kept as it is)
    inside: bool  # working folders inside the output: it is a mount point or the like
    swappable: bool  # the whole tree may be exchanged

    def work(self, tag: str) -> Path:
        """The staging folder, journal or backup of a build into this output."""
        if self.inside:
            return self.output_dir / f".newsgen-{tag}"
        return sibling(self.output_dir, tag)


def place_output(output_dir: Path) -> Placement:
    """Decide how to publish into a folder as the user has it (a link, a mount point...)."""
    real = Path(os.path.realpath(output_dir))
    linked = real != Path(os.path.abspath(output_dir))
    parent = real.parent
    mounted = False
    if real.is_dir():
        mounted = os.path.ismount(real) or real.stat().st_dev != parent.stat().st_dev
    inside = real.is_dir() and (mounted or not os.access(parent, os.W_OK | os.X_OK))
    return Placement(real, inside, swappable=not (linked or mounted or inside))


class Staging:
    """A folder that receives only the files whose bytes changed."""

    def __init__(self, placement: Placement, create: bool = True) -> None:
        self.placement = placement
        self.output_dir = placement.output_dir
        self.dir = placement.work("staging")
        self.folders: set[Path] = set()
        if create:
            recover(placement)
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
        target = self.target(rel)
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as failure:
            failure.filename = failure.filename or str(target)  # write() does not name it
            raise
        return True

    def put_named(self, rel: str, source: Path) -> bool:
        """Stage a copy of a file whose name says its content (a digest in it), unless the
        output already holds a file of that name and size; True when staged."""
        old = self.output_dir / rel
        try:
            if not old.is_symlink() and old.stat().st_size == source.stat().st_size:
                return False
        except OSError:
            pass
        shutil.copyfile(source, self.target(rel))
        return True

    def target(self, rel: str) -> Path:
        """Where a file is staged, its folders made (each once)."""
        target = self.dir / rel
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.update(target.parents)
        return target

    def read(self, rel: str) -> bytes:
        """A file as the new output will hold it: staged if it changed, else the output's."""
        staged = self.dir / rel
        return staged.read_bytes() if staged.is_file() else (self.output_dir / rel).read_bytes()

    def discard(self) -> None:
        """Throw a failed build's staging folder away; the old output stays as it was."""
        shutil.rmtree(self.dir, ignore_errors=True)


def publish(staging: Staging, made_now: set[str], changed: list[str], stats: WriteStats) -> None:
    """Write the manifest and put every change in place, all or nothing."""
    output.checkpoint("publish")
    placement, output_dir = staging.placement, staging.output_dir
    manifest = read_manifest(output_dir)
    stats.ignored = manifest.ignored
    made_before = manifest.files | unlisted_search_files(output_dir, manifest.files)
    removed = sorted(made_before - made_now)
    stats.removed = len(removed)
    if staging.put(MANIFEST, manifest_bytes(made_now)):
        changed = [*changed, MANIFEST]
    share = (len(changed) + len(removed)) / max(len(made_now), 1)
    if not changed and not removed:
        staging.discard()
    elif not output_dir.exists() or (placement.swappable and is_empty_folder(output_dir)):
        os.rename(staging.dir, output_dir)  # an empty folder is replaced: POSIX allows it
    elif placement.swappable and share > FULL_SWAP_SHARE and not foreign_entries(output_dir):
        swap_tree(staging, made_now, set(changed), made_before)
    else:
        replace_files(staging, changed, removed)


def unlisted_search_files(output_dir: Path, listed: frozenset[str]) -> frozenset[str]:
    """Search bundles that earlier versions wrote without listing them in the manifest:
    `pagefind/` is newsgen's own, so they are replaced and removed like any page."""
    folder = output_dir / SEARCH_BUNDLE
    if any(f.startswith(f"{SEARCH_BUNDLE}/") for f in listed) or not folder.is_dir():
        return frozenset()
    return frozenset(
        p.relative_to(output_dir).as_posix()
        for p in folder.rglob("*")
        if p.is_file() or p.is_symlink()
    )


def swap_tree(
    staging: Staging, made_now: set[str], changed: set[str], made_before: frozenset[str]
) -> None:
    """Complete staging with the unchanged files, then exchange the trees in one step."""
    output_dir = staging.output_dir
    for rel in sorted((made_now | {MANIFEST}) - changed):
        target = staging.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(output_dir / rel, target)
    os.chmod(staging.dir, output_dir.stat().st_mode & 0o7777)
    output.checkpoint("swap")
    exchange(staging.dir, output_dir)
    output.checkpoint("swapped")
    # A file someone added while we built is not lost: it goes back into the new tree.
    carry_foreign(staging.dir, output_dir, made_before | made_now)
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


def carry_foreign(old_tree: Path, new_tree: Path, made: frozenset[str] | set[str]) -> None:
    """Link files newsgen did not make from the old tree into the new one."""
    for rel in foreign_entries(old_tree, frozenset(made)):
        target = new_tree / rel
        if os.path.lexists(target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = old_tree / rel
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
        else:
            link_or_copy(source, target)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link (no data copied, same bytes and mtime), or a copy where links fail."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def check_no_links(output_dir: Path, paths: list[str]) -> None:
    """Refuse to write or delete through a symbolic link inside the output (it may lead out)."""
    checked: set[Path] = set()
    for rel in paths:
        for folder in (output_dir / rel).parents:
            if folder == output_dir or folder in checked:
                break
            if folder.is_symlink():
                raise OSError(
                    errno.ELOOP,
                    "is a symbolic link inside the output; newsgen does not write through it",
                    str(folder),
                )
            checked.add(folder)


def put_in_place(source: Path, target: Path) -> None:
    """Move a staged file into the output; across file systems, copy it in atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
    except OSError as failure:
        if failure.errno != errno.EXDEV:
            raise
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".newsgen-")
        os.close(handle)
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
        source.unlink()


def replace_files(staging: Staging, changed: list[str], removed: list[str]) -> None:
    """Replace the changed files in place under a journal; any failure rolls all back."""
    placement, output_dir = staging.placement, staging.output_dir
    check_no_links(output_dir, [*changed, *removed])
    journal, backup = placement.work("journal"), placement.work("backup")
    existed = [rel for rel in changed if os.path.lexists(output_dir / rel)]
    with open(journal, "w", encoding="utf-8") as handle:
        json.dump({"replace": changed, "remove": removed, "existed": existed}, handle)
    try:
        for rel in changed:
            move_aside(output_dir / rel, backup / rel)
            put_in_place(staging.dir / rel, output_dir / rel)
            output.checkpoint("journal")
        for rel in removed:
            move_aside(output_dir / rel, backup / rel)
    except BaseException:
        roll_back(placement)
        raise
    journal.unlink()
    shutil.rmtree(backup, ignore_errors=True)
    staging.discard()
    prune_empty_folders(output_dir, removed)


def move_aside(path: Path, backup: Path) -> None:
    """Keep the old version of a file until the commit is complete."""
    if path.exists() or path.is_symlink():
        backup.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, backup)
        except OSError as failure:
            if failure.errno != errno.EXDEV:
                raise
            put_in_place(path, backup)


def recover(placement: Placement) -> None:
    """Undo what a killed build left: roll back a journaled commit, finish or undo a swap."""
    for inside in (False, True):
        here = Placement(placement.output_dir, inside, placement.swappable)
        if inside and not placement.output_dir.is_dir():
            continue
        for tag in ("journal", "staging", "backup", "old", "images"):
            remove_if_link(here.work(tag))
        if here.work("journal").is_file():
            roll_back(here)
        for tag in ("staging", "backup", "images"):
            shutil.rmtree(here.work(tag), ignore_errors=True)
    output_dir = placement.output_dir
    backup = sibling(output_dir, "old")
    if backup.is_dir():
        if not output_dir.exists():
            backup.rename(output_dir)
        else:
            shutil.rmtree(backup, ignore_errors=True)


def remove_if_link(path: Path) -> None:
    """A working folder that is a symbolic link (nobody but newsgen should make one there) is
    removed, never followed: a build must not write through it."""
    if path.is_symlink():
        path.unlink()


def roll_back(placement: Placement) -> None:
    """Put every file of an unfinished journaled commit back as it was; safe to run again
    after being killed itself (a restored file is never taken for a newly added one)."""
    output_dir, journal = placement.output_dir, placement.work("journal")
    staging, backup = placement.work("staging"), placement.work("backup")
    try:
        plan = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        plan = {"replace": [], "remove": []}
    replace, existed = set(plan.get("replace", [])), set(plan.get("existed", []))
    entries = [*plan.get("replace", []), *plan.get("remove", [])]
    for rel in [e for e in entries if is_plain_entry(e) and not through_link(output_dir, e)]:
        added = rel in replace and rel not in existed and not (staging / rel).exists()
        if (backup / rel).exists():
            os.replace(backup / rel, output_dir / rel)
            output.checkpoint("rollback")
        elif added and (output_dir / rel).exists():
            (output_dir / rel).unlink()
    journal.unlink(missing_ok=True)
    shutil.rmtree(backup, ignore_errors=True)


def is_plain_entry(rel: object) -> bool:
    """A journal entry that is a plain path inside the output (a tampered one is ignored)."""
    return isinstance(rel, str) and is_safe_output_path(rel) and rel.split("/")[0] not in INTERNAL


def through_link(output_dir: Path, rel: str) -> bool:
    """Whether a path inside the output passes through a symbolic link."""
    try:
        check_no_links(output_dir, [rel])
    except OSError:
        return True
    return False


def prune_empty_folders(output_dir: Path, removed: list[str]) -> None:
    """Remove folders that removing stale files left empty."""
    folders = {str(Path(rel).parent) for rel in removed}
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        path = output_dir / folder
        while path != output_dir and path.is_dir() and not path.is_symlink():
            if any(path.iterdir()):
                break
            path.rmdir()
            path = path.parent
