"""Where the old site's posts are: its root found from any folder given, its posts listed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgen.core.diagnostics import Diagnostic, shown
from newsgen.importers.read import read_settings, setting
from newsgen.importers.report import Outcome, Status
from newsgen.source.load import walk_entries

HUGO_SETTINGS = (
    *("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"),
    *("config.toml", "config.yaml", "config.yml", "config.json"),
)
JEKYLL_SETTINGS = ("_config.yml", "_config.yaml", "_config.toml")
HUGO_SUFFIXES = (".md", ".markdown")
# Jekyll's markdown_ext default, and HTML posts (kept as they are: Markdown passes HTML through)
JEKYLL_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mkdown", ".mdown", ".html", ".htm")
UNSUPPORTED = (".textile",)
POST_FOLDERS = frozenset({"_posts", "_drafts"})
JEKYLL_SKIPPED = frozenset({"_site", "vendor", "node_modules"})  # Jekyll's own exclusions


@dataclass
class Found:
    """The old site as found from the folder given: its roots, settings and post files."""

    kind: str
    given: Path  # the folder the user named
    root: Path  # the Hugo or Jekyll site's root
    posts_root: Path  # what post paths are relative to: Hugo's content folder, Jekyll's root
    settings: dict[str, Any]
    settings_name: str
    files: list[tuple[str, Path]] = field(default_factory=list)  # under the folder given
    others: list[tuple[str, Path]] = field(default_factory=list)  # the site's other posts
    errors: list[Outcome] = field(default_factory=list)  # file names that cannot be read


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or below it."""
    return path == folder or folder in path.parents


def locate_hugo(given: Path) -> tuple[Path, Path, dict[str, Any], str]:
    """The Hugo site around a folder: the nearest folder up holding the content folder (or a
    settings file) that the given folder is in; else the folder itself, as a content folder."""
    for folder in (given, *given.parents):
        settings, name = read_settings(folder, HUGO_SETTINGS)
        content = folder / str(setting(settings, "contentDir") or "content")
        if (name or content.is_dir()) and (given == folder or inside(given, content)):
            return folder, (content if content.is_dir() else folder), settings, name
    return given, given, {}, ""


def locate_jekyll(given: Path) -> tuple[Path, dict[str, Any], str]:
    """The Jekyll site's root: the nearest folder up holding _config.yml; else the folder
    above _posts or _drafts when the folder given is one (or inside one); else the folder."""
    for folder in (given, *given.parents):
        settings, name = read_settings(folder, JEKYLL_SETTINGS)
        if name:
            return folder, settings, name
    parts = given.parts
    top = next((n for n, part in enumerate(parts) if part in POST_FOLDERS), None)
    return (Path(*parts[:top]) if top else given), {}, ""


def is_post_path(kind: str, parts: list[str]) -> bool:
    """Whether a file (its path's parts below the posts root) is one the import reads."""
    name = parts[-1].lower()
    if kind == "hugo":
        return name.endswith(HUGO_SUFFIXES)
    folders = set(parts[:-1])
    return (
        name.endswith((*JEKYLL_SUFFIXES, *UNSUPPORTED))
        and bool(POST_FOLDERS & folders)
        and not JEKYLL_SKIPPED & folders
    )


def find_site(kind: str, given: Path) -> Found:
    """The old site around the folder given, with the posts under that folder."""
    if kind == "hugo":
        root, posts_root, settings, name = locate_hugo(given)
    else:
        root, settings, name = locate_jekyll(given)
        posts_root = root
    found = Found(kind, given, root, posts_root, settings, name)
    problems: list[Diagnostic] = []
    for rel, entry in walk_entries(posts_root, posts_root, problems):
        if is_post_path(kind, rel.split("/")):
            chosen = inside(Path(entry.path), given)
            (found.files if chosen else found.others).append((rel, Path(entry.path)))
    found.files.sort()
    found.others.sort()
    found.errors = [
        Outcome(p.path, Status.ERROR, message=p.message)
        for p in problems
        if p.is_error and is_post_name_problem(found, p.path)
    ]
    return found


def named_entry(folder: Path, shown_name: str) -> os.DirEntry[str] | None:
    """The entry of a folder whose name, shown with its bytes escaped, is `shown_name`."""
    try:
        return next((e for e in os.scandir(folder) if shown(e.name) == shown_name), None)
    except OSError:
        return None


def is_post_name_problem(found: Found, shown_rel: str) -> bool:
    """Whether a file or folder whose name is not UTF-8 is (or holds) a post under the folder
    given: other files of the old site (images, say) are not the import's concern."""
    *folders, last = shown_rel.split("/")
    parent = found.posts_root.joinpath(*folders)  # its folders' names are UTF-8 (walked into)
    entry = named_entry(parent, last)
    if entry is None:
        return inside(parent, found.given)  # cannot look: report it rather than hide it
    if not entry.is_dir(follow_symlinks=False):
        chosen = inside(Path(entry.path), found.given)
        return chosen and is_post_path(found.kind, [*folders, entry.name])
    for below, _, names in os.walk(entry.path):
        here = Path(below)
        if any(
            is_post_path(found.kind, [*here.relative_to(found.posts_root).parts, n]) for n in names
        ):
            return inside(here, found.given) or inside(found.given, here)
    return False


def nothing_found(found: Found) -> str:
    """What was looked for, and where, when no post was found (a run must never silently do
    nothing)."""
    where = shown(str(found.given))
    if found.kind == "jekyll":
        kinds = ", ".join(JEKYLL_SUFFIXES[:-1]) + f" or {JEKYLL_SUFFIXES[-1]}"
        return (
            f"no Jekyll posts found in {where}: looked for _posts/ and _drafts/ folders "
            f"(and <category>/_posts/) holding {kinds} files; give the site root or its "
            "_posts folder"
        )
    if found.posts_root == found.given and not found.settings_name:
        looked = f"in it, and for a Hugo site around it (a folder holding content/ or {HUGO_SETTINGS[0]})"
    else:
        looked = f"under it, in the content folder {shown(str(found.posts_root))}"
    return (
        f"no Hugo pages found in {where}: looked for .md and .markdown files {looked}; give "
        "the site root, its content folder or a folder inside it"
    )


def has_posts(found: Found) -> bool:
    """True when the folder given holds a post (a section's _index list page is none)."""
    return bool(found.errors) or any(not path.name.startswith("_index.") for _, path in found.files)


def would_read(kind: str, given: Path, path: Path) -> bool:
    """Whether importing `given` reads `path` as a post (a report must not be written there)."""
    posts_root = locate_hugo(given)[1] if kind == "hugo" else locate_jekyll(given)[0]
    if not inside(path, given) or not inside(path, posts_root):
        return False
    return is_post_path(kind, list(path.relative_to(posts_root).parts))
