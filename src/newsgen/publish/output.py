"""The output folder: which folders newsgen refuses, what it made (the manifest), the locks.

Publishing itself (staging, the tree exchange, the journal) is `publish.py`.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path

from newsgen.core.diagnostics import Diagnostic, UnsafeSetup, error
from newsgen.core.urls import is_safe_output_path

MANIFEST = ".newsgen-manifest.json"
CONFIG_NAME = "newsgen.yaml"
# Names newsgen keeps inside an output folder for itself: never content, never foreign.
INTERNAL = frozenset(
    {MANIFEST, ".newsgen-staging", ".newsgen-journal", ".newsgen-backup", ".newsgen-lock"}
)
VERSION_CONTROL = frozenset({".git", ".hg", ".svn"})  # an output may be a deploy checkout
# System folders: never an output, even with --force, nor any folder above them ...
SYSTEM_NAMES = "etc usr var bin sbin boot lib lib32 lib64 libx32 sys proc dev root run snap"
SYSTEM = tuple(f"/{name}" for name in SYSTEM_NAMES.split())
# ... nor any folder inside these (a web root may live in /var/www or /usr/share/nginx).
TREE_NAMES = (
    "etc bin sbin boot lib lib32 lib64 libx32 sys proc dev run usr/bin usr/sbin usr/lib "
    "usr/lib32 usr/lib64 usr/libexec usr/include var/lib var/log var/spool var/cache var/run"
)
SYSTEM_TREES = tuple(f"/{name}" for name in TREE_NAMES.split())


@dataclass
class WriteStats:
    """What the writer did, for the build summary."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed_paths: list[str] = field(default_factory=list)
    ignored: tuple[str, ...] = ()  # manifest entries that were not plain paths


def checkpoint(point: str) -> None:
    """A named step of building and publishing (`locked`, `publish`, `journal`, `swap`,
    `swapped`, `cache`, `rollback`). Does nothing: tests replace this function (see
    tests/fault_launcher.py) to stop a build at an exact step and kill it there. Call it as
    `output.checkpoint(...)`, never through a name imported from here, so the test's
    replacement is the one called."""


def write_failure(failure: OSError) -> Diagnostic:
    """A file the build could not write (a full disk, a size limit...) as one error line."""
    code = errno.errorcode.get(failure.errno or 0, "")
    reason = f"{failure.strerror} [{code}]" if failure.strerror else str(failure)
    return error(str(failure.filename or "output"), 0, "", reason)


def is_system_folder(path: Path) -> bool:
    """A folder of the operating system (or one above such a folder)."""
    text = str(path)
    if any(text == name or name.startswith(text.rstrip("/") + "/") for name in SYSTEM):
        return True
    return any(text.startswith(tree + "/") or text == tree for tree in SYSTEM_TREES)


def check_output_safety(output_dir: Path, site_root: Path, source_dirs: Iterable[Path]) -> None:
    """Refuse an output folder that is, contains or lies in the sources, the site, / or home,
    or a system folder (even with --force)."""
    output = output_dir.resolve()
    site = site_root.resolve()
    home = Path.home().resolve()
    refuse = f"refusing to use {output_dir} as the output folder"
    if output in {Path("/"), home, site} or output in site.parents or output in home.parents:
        raise UnsafeSetup(
            f"{refuse}: it is or holds the site, / or your home folder (choose e.g. SITE/public)"
        )
    if is_system_folder(output):
        raise UnsafeSetup(f"{refuse}: it is a system folder (choose e.g. SITE/public)")
    if output.exists() and not output.is_dir():
        raise UnsafeSetup(f"{refuse}: it is a file, not a folder")
    for source in source_dirs:
        real = source.resolve()
        if output == real or real in output.parents or output in real.parents:
            raise UnsafeSetup(
                f"{refuse}: it overlaps the source folder {source} (choose e.g. SITE/public)"
            )


def check_ownership(output_dir: Path, force: bool) -> None:
    """A non-empty output folder without newsgen's manifest was not made by newsgen."""
    if force or not output_dir.is_dir() or (output_dir / MANIFEST).is_file():
        return
    if any(e.name not in VERSION_CONTROL | INTERNAL for e in os.scandir(output_dir)):
        raise UnsafeSetup(
            f"{output_dir} is not empty and was not made by newsgen; "
            "use --force to build into it anyway (files newsgen does not make are kept)"
        )


def is_empty_folder(path: Path) -> bool:
    """A folder with nothing in it."""
    with os.scandir(path) as entries:
        return next(entries, None) is None


@dataclass(frozen=True)
class Manifest:
    """What the last build made, and the entries that were not plain paths (ignored)."""

    files: frozenset[str]
    ignored: tuple[str, ...] = ()


_read: dict[Path, tuple[str, Manifest]] = {}  # the last manifest read, by its signature


def read_manifest(output_dir: Path, written: str = "") -> Manifest:
    """Files the last build made. The manifest is input, not trust: an entry that is not a
    plain relative path inside the output, or that leads through a symbolic link, is ignored
    (so a tampered manifest cannot make a build delete anything outside the output).

    `written` is the signature of the manifest the last build wrote, as its cache recorded:
    the same file on disk is not looked through for links (19,000 folders' lstat at 10,000
    articles); publishing still refuses to write or delete through one (check_no_links)."""
    signature = manifest_signature(output_dir)
    real = Path(os.path.realpath(output_dir))  # one folder, however it is named
    known = _read.get(real)
    if signature and known and known[0] == signature:
        return known[1]
    manifest = parse_manifest(output_dir, links=not (signature and signature == written))
    _read.clear()
    _read[real] = (signature, manifest)
    return manifest


def parse_manifest(output_dir: Path, links: bool = True) -> Manifest:
    """Read and check the manifest file (see read_manifest); without `links`, it is the file
    the last build wrote and its entries are taken as they are."""
    try:
        data = json.loads((output_dir / MANIFEST).read_text("utf-8"))
        entries = data["files"]
        if not isinstance(entries, list):
            return Manifest(frozenset())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest(frozenset())
    if not links and all(isinstance(entry, str) for entry in entries):
        return Manifest(frozenset(entries))  # the file this build's cache saw written
    good: set[str] = set()
    ignored: list[str] = []
    seen: dict[str, bool] = {}
    for entry in entries:
        if (
            isinstance(entry, str)
            and is_plain(entry)
            and not (links and leads_through_link(output_dir, entry, seen))
        ):
            good.add(entry)
        else:
            ignored.append(str(entry)[:200])
    return Manifest(frozenset(good), tuple(ignored))


PLAIN_PATH = re.compile(r"(?:(?!\.\.?/)[^/\\\x00]+/)*(?!\.\.?$)[^/\\\x00]+")


def is_plain(rel: str) -> bool:
    """A relative path inside the output that is not one of newsgen's own working names
    (a regex passes the common case quickly: a manifest lists tens of thousands)."""
    safe = PLAIN_PATH.fullmatch(rel) is not None or is_safe_output_path(rel)
    return safe and rel.split("/", 1)[0] not in INTERNAL


def leads_through_link(output_dir: Path, rel: str, known: dict[str, bool]) -> bool:
    """Whether a folder on the way to a path inside the output is a symbolic link (each
    folder looked at once per manifest: a large site lists tens of thousands of paths)."""
    folder = rel.rpartition("/")[0]
    if not folder:
        return False
    found = known.get(folder)
    if found is None:
        found = leads_through_link(output_dir, folder, known) or os.path.islink(
            os.path.join(os.fspath(output_dir), folder)
        )
        known[folder] = found
    return found


def manifest_warning(output_dir: Path, ignored: tuple[str, ...]) -> Diagnostic:
    """One line for a manifest whose entries were not all plain paths."""
    from newsgen.core.diagnostics import warning

    shown = ", ".join(repr(e) for e in ignored[:3]) + (" ..." if len(ignored) > 3 else "")
    message = (
        f"ignored {len(ignored)} entries that are not plain paths inside the output or lead "
        f"through a symbolic link ({shown}); was it edited by hand?"
    )
    return warning(str(output_dir / MANIFEST), 0, "", message)


def manifest_bytes(files: Iterable[str]) -> bytes:
    """The manifest: which files newsgen made, so it never deletes anything else."""
    # What json.dumps(..., indent=0, ensure_ascii=False) writes, made with its C string
    # encoder: with an indent, json.dumps runs its pure-Python encoder, 0.3 s for 270,000 files.
    names = sorted(files)
    listed = "[\n" + ",\n".join(map(encode_basestring, names)) + "\n]" if names else "[]"
    return ('{\n"generator": "newsgen",\n"files": ' + listed + "\n}\n").encode("utf-8")


def manifest_signature(output_dir: Path) -> str:
    """Identity of the manifest file on disk: unchanged means the output is the one we wrote."""
    try:
        stat = (output_dir / MANIFEST).stat()
    except OSError:
        return ""
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


def foreign_entries(output_dir: Path, made: frozenset[str] | None = None) -> list[str]:
    """Files and folders in the output that newsgen did not make (a CNAME, a .git folder);
    only folders that hold files newsgen made are looked into."""
    made = read_manifest(output_dir).files if made is None else made
    prefixes = {p.rsplit("/", i)[0] for p in made for i in range(1, p.count("/") + 1)}
    found: list[str] = []
    stack = [""]
    while stack:
        folder = stack.pop()
        with os.scandir(output_dir / folder if folder else output_dir) as entries:
            for entry in entries:
                rel = f"{folder}{entry.name}"
                if rel in made or (not folder and entry.name in INTERNAL):
                    continue
                if entry.is_dir(follow_symlinks=False) and rel in prefixes:
                    stack.append(rel + "/")
                else:
                    found.append(rel)
    return sorted(found)


def foreign_files_at(
    output_dir: Path, paths: Iterable[str], written: str = ""
) -> list[tuple[str, str]]:
    """(path a build would write, the file in its way) for each path where the output holds
    a file newsgen did not make, or such a file (or link) stands where a folder is needed:
    newsgen never replaces one (a CNAME, a deploy checkout's files, anything there before
    --force). `written`: see read_manifest."""
    if not output_dir.is_dir():
        return []
    made = read_manifest(output_dir, written).files
    known: dict[Path, bool] = {}

    def in_the_way(rel: str) -> str:
        if os.path.lexists(output_dir / rel):
            return rel
        for folder in (output_dir / rel).parents:
            if folder == output_dir:
                return ""
            if folder not in known:
                known[folder] = folder.is_symlink() or (folder.exists() and not folder.is_dir())
            if known[folder]:
                return folder.relative_to(output_dir).as_posix()
        return ""

    found = ((p, in_the_way(p)) for p in paths if p not in made)
    return sorted((p, blocker) for p, blocker in found if blocker)


ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")
SHRINK_SHARE = 0.5


def shrink_problem(output_dir: Path, articles_now: int) -> Diagnostic | None:
    """A build that would take away more than half of the published articles (all of them,
    when the content folder is empty or misspelt) is stopped: it needs --allow-shrink."""
    published = sum(1 for p in read_manifest(output_dir).files if ARTICLE_PAGE.match(p))
    if published == 0 or articles_now >= published * SHRINK_SHARE:
        return None
    message = (
        f"this build would remove {published - articles_now} of the {published} articles "
        "published in the output folder; is the content folder (content_dir) right? "
        "Build with --allow-shrink if they really go"
    )
    return error(CONFIG_NAME, 0, "content_dir", message)


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Serialise builds of one site (its cache); the kernel frees the lock when a build dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Serialise builds into one output folder, of any site: the folder above it is locked
    (it is never replaced, and exists before the first build)."""
    parent = Path(os.path.realpath(output_dir)).parent
    parent.mkdir(parents=True, exist_ok=True)  # the folders the output will be in
    folder = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # closing frees the lock
