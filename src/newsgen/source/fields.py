"""Readers for front-matter values that work on YAML nodes, so text stays as written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import yaml

from newsgen.core.dates import parse_date
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Speaker, Update
from newsgen.core.yamlsource import NULL_TAG, node_line

PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "off", "0", "n", ""})


@dataclass(frozen=True)
class Place:
    """Where a field is being read: file, line offset of its YAML and the key."""

    path: str
    offset: int
    key: str

    def error(self, node: yaml.Node, message: str) -> Diagnostic:
        """An error at this node's position, naming the field."""
        line, column = node_line(node, self.offset)
        return error(self.path, line, self.key, message, column)

    def warning(self, node: yaml.Node, message: str) -> Diagnostic:
        """A warning at this node's position, naming the field."""
        line, column = node_line(node, self.offset)
        return warning(self.path, line, self.key, message, column)


def kind_of(node: yaml.Node) -> str:
    """A word for what a node holds, for messages."""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a value"


def tag_problem(node: yaml.Node, place: Place) -> list[Diagnostic]:
    """Object-constructing (or any non-plain) YAML tags are errors."""
    if node.tag in PLAIN_TAGS:
        return []
    short = node.tag.replace("tag:yaml.org,2002:", "!!")
    return [place.error(node, f"YAML tag {short} is not allowed (only plain YAML data is read)")]


def read_text(node: yaml.Node, place: Place) -> tuple[str, list[Diagnostic]]:
    """A single text value exactly as written (so NO, 010 and 1:30 stay text)."""
    if problems := tag_problem(node, place):
        return "", problems
    if not isinstance(node, yaml.ScalarNode):
        return "", [place.error(node, f"expected text, got {kind_of(node)}")]
    if node.tag == NULL_TAG and node.style is None:
        return "", []
    return str(node.value).strip(), []


def read_text_list(node: yaml.Node, place: Place) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """One value or a list of values, each text; empty items dropped."""
    if tag_errors := tag_problem(node, place):
        return (), tag_errors
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    values: list[str] = []
    problems: list[Diagnostic] = []
    for item in items:
        text, errors = read_text(item, place)
        problems.extend(errors)
        if text and text not in values:
            values.append(text)
    return tuple(values), problems


def read_speaker_mapping(
    node: yaml.MappingNode, place: Place
) -> tuple[Speaker | None, list[Diagnostic]]:
    """A {name, role} mapping."""
    if tag_errors := tag_problem(node, place):
        return None, tag_errors
    found: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in {"name", "role", "title"}:
            problems.append(
                place.warning(key_node, f"unknown speaker key '{key}' (use name, role)")
            )
            continue
        text, errors = read_text(value_node, place)
        problems.extend(errors)
        found["role" if key == "title" else key] = text
    if not found.get("name"):
        return None, [*problems, place.error(node, "a speaker mapping needs a 'name'")]
    return Speaker(found["name"], found.get("role", "")), problems


def read_speakers(node: yaml.Node, place: Place) -> tuple[tuple[Speaker, ...], list[Diagnostic]]:
    """A name, a list of names, or name + role mappings."""
    if tag_errors := tag_problem(node, place):
        return (), tag_errors
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    speakers: list[Speaker] = []
    problems: list[Diagnostic] = []
    for item in items:
        if isinstance(item, yaml.MappingNode):
            speaker, errors = read_speaker_mapping(item, place)
        else:
            name, errors = read_text(item, place)
            speaker = Speaker(name) if name else None
        problems.extend(errors)
        if speaker and all(s.name != speaker.name for s in speakers):
            speakers.append(speaker)
    return tuple(speakers), problems


def read_bool(node: yaml.Node, place: Place) -> tuple[bool, list[Diagnostic]]:
    """true/false, also yes/no and the quoted forms ("false" is false)."""
    text, problems = read_text(node, place)
    if problems:
        return False, problems
    word = text.lower()
    if word in TRUE_WORDS:
        return True, []
    if word in FALSE_WORDS:
        return False, []
    return False, [place.error(node, f"expected true or false, got '{text}'")]


@dataclass(frozen=True)
class DateReader:
    """Reads dates as written, in the site's time zone (a date field, an update's date)."""

    zone: ZoneInfo
    abbreviations: Mapping[str, str]

    def read(
        self, node: yaml.Node, place: Place
    ) -> tuple[tuple[datetime, bool] | None, list[Diagnostic]]:
        """(moment, has_time), or None with the reason."""
        text, problems = read_text(node, place)
        if problems or not text:
            return None, problems or [place.error(node, "is empty (give a date: YYYY-MM-DD)")]
        try:
            return parse_date(text, self.zone, self.abbreviations), []
        except ValueError as exc:
            return None, [place.error(node, str(exc))]


UPDATE_KEYS = ("date", "note", "correction")


def read_updates(
    node: yaml.Node, place: Place, dates: DateReader
) -> tuple[tuple[Update, ...], list[Diagnostic]]:
    """`updates:` a list of {date, note, correction}; oldest first."""
    if tag_errors := tag_problem(node, place):
        return (), tag_errors
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    found: list[Update] = []
    problems: list[Diagnostic] = []
    for item in items:
        update, errors = read_update(item, place, dates)
        problems.extend(errors)
        if update is not None:
            found.append(update)
    return tuple(sorted(found, key=lambda u: u.date)), problems


def read_update(
    node: yaml.Node, place: Place, dates: DateReader
) -> tuple[Update | None, list[Diagnostic]]:
    """One update: a mapping with a date and a note (a correction flag optional)."""
    if not isinstance(node, yaml.MappingNode):
        hint = "each update is a mapping such as {date: 2023-02-12, note: Corrected the date}"
        return None, [place.error(node, f"expected a mapping, got {kind_of(node)} ({hint})")]
    if tag_errors := tag_problem(node, place):
        return None, tag_errors
    values = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    problems = [
        place.warning(k, f"unknown update key '{k.value}' (use {', '.join(UPDATE_KEYS)})")
        for k, _ in node.value
        if str(k.value) not in UPDATE_KEYS
    ]
    if "date" not in values:
        return None, [*problems, place.error(node, "an update needs a 'date'")]
    moment, errors = dates.read(values["date"], place)
    note, note_errors = read_text(values["note"], place) if "note" in values else ("", [])
    correction, flag_errors = (
        read_bool(values["correction"], place) if "correction" in values else (False, [])
    )
    problems += errors + note_errors + flag_errors
    if not note and "note" not in values:
        problems.append(place.warning(node, "an update without a 'note' tells readers nothing"))
    if moment is None or errors or flag_errors:
        return None, problems
    return Update(moment[0], moment[1], note, correction), problems
