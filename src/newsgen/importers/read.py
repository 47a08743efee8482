"""Reading another generator's posts: front matter (YAML, TOML, JSON), body, settings, dates."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from newsgen.core.dates import local_abbreviations, parse_date, read_moment
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.text import decode_text
from newsgen.core.yamlsource import construct_field, parse_mapping
from newsgen.importers.old_urls import ForeignFile
from newsgen.source.fields import TRUE_WORDS

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
SPLIT_KEYS = ("tags", "categories", "category")  # Jekyll splits these at spaces
# Jekyll's own file-name pattern: one- or two-digit month and day.
JEKYLL_NAME = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})-(?P<name>.+)$")


class Split(NamedTuple):
    """A post cut in two: its front matter (format, text, first file line) and its body."""

    kind: str
    front: str
    line: int
    body: str


def split_foreign(text: str) -> Split | str:
    """The front matter and the body exactly as written (line endings too), or what is wrong."""
    lines = re.split(r"(?<=\n)", text)
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    first = lines[start].strip() if start < len(lines) else ""
    if first.startswith("{"):
        offset = len("".join(lines[:start]))
        try:
            _, end = json.JSONDecoder().raw_decode(text, offset)
        except json.JSONDecodeError as exc:
            return f"JSON front matter cannot be read: {exc.msg} (line {exc.lineno})"
        except (RecursionError, ValueError) as exc:  # nested thousands deep, a huge number
            return f"JSON front matter cannot be read: {too_much(exc)}"
        body = re.sub(r"^[ \t]*\r?\n", "", text[end:], count=1)
        return Split("json", text[offset:end], start + 1, body)
    fences = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}
    if first not in fences:
        return Split("none", "", 1, text)
    kind, closers = fences[first]
    for end in range(start + 1, len(lines)):
        if lines[end].strip() in closers:
            return Split(
                kind, "".join(lines[start + 1 : end]), start + 2, "".join(lines[end + 1 :])
            )
    return f"front matter is not closed (no '{closers[0]}' line after the opening one)"


def read_yaml_front(text: str, rel: str, line: int) -> tuple[dict[str, Any], list[Diagnostic]]:
    """YAML with newsgen's safe reader; timestamps stay as they were written."""
    mapping, problems = parse_mapping(text, rel, line)
    front: dict[str, Any] = {}
    for item in mapping.fields if mapping else ():
        if isinstance(item.node, yaml.ScalarNode) and item.node.tag == TIMESTAMP_TAG:
            front[item.key] = item.node.value
            continue
        front[item.key], errors = construct_field(item, rel, line)
        problems += errors
    return front, problems


def too_much(exc: BaseException) -> str:
    """What went wrong with front matter, in a line (Python's own words for the limits)."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    text = str(exc).split("\n")[0]
    return "a number is too long" if "integer string conversion" in text else text


def read_front(kind: str, text: str, rel: str, line: int) -> tuple[dict[str, Any], str]:
    """YAML, TOML or JSON front matter (or settings) as a mapping, or what is wrong with it."""
    try:
        if kind == "toml":
            return tomllib.loads(text), ""
        if kind == "json":
            value = json.loads(text)
            return (
                (value, "") if isinstance(value, dict) else ({}, "JSON front matter is no object")
            )
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        return {}, f"{rel}: {kind.upper()} cannot be read: {too_much(exc)}"
    front, problems = read_yaml_front(text, rel, line) if kind != "none" else ({}, [])
    return front, next((p.format() for p in problems if p.is_error), "")


def read_settings(folder: Path, names: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The other generator's settings file (TOML, YAML or JSON) and its name, when there is one."""
    for name in names:
        path = folder / name
        if path.is_file():
            kind = name.rsplit(".", 1)[-1].replace("yml", "yaml")
            text = path.read_bytes().decode("utf-8-sig", "replace")
            return read_front(kind, text, name, 1)[0], name
    return {}, ""


def setting(settings: Mapping[str, Any], key: str) -> Any:
    """A setting whatever the case of its key (Hugo's keys are case-insensitive)."""
    return next((v for k, v in settings.items() if str(k).lower() == key.lower()), None)


def source_zone(kind: str, settings: Mapping[str, Any]) -> ZoneInfo | None:
    """The zone the old site read dates without an offset in: Hugo's `timeZone` (UTC when
    unset), Jekyll's `timezone` (None when unset: Jekyll used the machine's, unknown here, so
    such dates are read in the site's zone). ValueError names a zone that does not exist."""
    name = setting(settings, "timezone")
    if not name:
        return ZoneInfo("UTC") if kind == "hugo" else None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not a time zone (e.g. Asia/Shanghai)") from None


def zoned_date(text: str, zone: ZoneInfo, abbreviations: Mapping[str, str]) -> str:
    """A date and time without an offset written with the offset of the old site's zone at
    that moment, so it stays the same instant; other dates are kept as written."""
    moment, has_time = parse_date(text, zone, abbreviations)  # ValueError for a bad date
    names = {**local_abbreviations(zone.key), **{k.upper(): v for k, v in abbreviations.items()}}
    naive, _ = read_moment(text.strip(), names)
    if not has_time or (naive.tzinfo is not None and not uses_local_name(text, abbreviations)):
        return text
    return moment.isoformat()


def uses_local_name(text: str, abbreviations: Mapping[str, str]) -> bool:
    """True when a date's zone abbreviation means something only in the old site's zone (CST
    in a Hugo site kept in Asia/Shanghai): the newsgen site could not read it as written."""
    try:
        parse_date(text, ZoneInfo("UTC"), abbreviations)
    except ValueError:
        return True
    return False


def name_parts(kind: str, stem: str) -> tuple[str, str]:
    """The post's name and the date its file name gives (Jekyll's YYYY-M-D-name), if any."""
    named = JEKYLL_NAME.match(stem) if kind == "jekyll" else None
    if not named:
        return stem, ""
    try:
        day = datetime(int(named["y"]), int(named["m"]), int(named["d"]))
    except ValueError:
        return stem, ""
    return named["name"], day.date().isoformat()


def read_post(kind: str, rel: str, path: Path) -> ForeignFile | str:
    """Read one post: front matter, body and what its path says (name, date, folders)."""
    data = path.read_bytes()
    checked, problems = decode_text(data, rel)
    if checked is None:
        return problems[0].message
    split = split_foreign(data.decode("utf-8-sig"))  # line endings kept, unlike newsgen's reader
    if isinstance(split, str):
        return split
    front, problem = read_front(split.kind, split.front, rel, split.line)
    if problem:
        return problem
    parts, notes = rel.split("/"), []
    stem = parts[-1].rsplit(".", 1)[0]
    if stem == "index" and len(parts) > 1:  # a Hugo page bundle: named by its folder
        stem, parts = parts[-2], parts[:-1]
        others = sorted(p.name for p in path.parent.iterdir() if p.is_file() and p != path)
        notes += [f"page bundle files not copied: {', '.join(others)}"] if others else []
    folders = tuple(parts[:-1])
    in_drafts = kind == "jekyll" and "_drafts" in folders
    if kind == "jekyll":
        folders = folders[: folders.index("_drafts" if in_drafts else "_posts")]
        front.update(
            {k: v.split() for k, v in front.items() if k in SPLIT_KEYS and isinstance(v, str)}
        )
    name, name_date = name_parts(kind, stem)
    if in_drafts and not name_date:  # Jekyll dates a draft by its file's time
        name_date = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
        notes += [] if "date" in front else ["date taken from the draft file's modification time"]
    return ForeignFile(
        rel, data, front, split.body, name, name_date, folders, in_drafts, tuple(notes)
    )


def title_of(post: ForeignFile) -> str:
    """A title from the file name, as Jekyll makes one: words capitalised."""
    return post.name.replace("-", " ").replace("_", " ").strip().title()


def is_draft(post: ForeignFile) -> bool:
    """In _drafts, `draft: true` (Hugo) or `published: false` (Jekyll): never published."""
    flags = (str(post.front.get("draft")).lower(), str(post.front.get("published")).lower())
    return post.in_drafts or flags[0] in TRUE_WORDS or flags[1] == "false"
