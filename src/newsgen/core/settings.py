"""The settings schema: each newsgen.yaml key declared once (type, default, reader, check,
meaning), so reading, checking and the README's table all follow one declaration."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from newsgen.core.dates import read_zone
from newsgen.core.diagnostics import Diagnostic, error

CONFIG_FILE = "newsgen.yaml"
ALWAYS_REQUIRED = ("title", "date")
BASE_URL = re.compile(r"^https?://[^/\s\"'<>?#`\\]+(?:/[^\s\"'<>?#`\\]*)?$")
LANG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
ABBREVIATION_PATTERN = re.compile(r"[A-Za-z]{2,6}")
SETTING = "newsgen.setting"  # the dataclass field metadata key that holds a Setting
TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool}

# A reader turns a YAML value (and its line) into the setting's value, or problems.
Reader = Callable[[Any, int], tuple[Any, list[Diagnostic]]]
# A check finds what is wrong with a value of the right type: a message, or None.
Check = Callable[[Any], str | None]
T = TypeVar("T")


@dataclass(frozen=True)
class Setting:
    """One newsgen.yaml key as declared on its Config field: what it means and how it is read."""

    default: Any
    doc: str
    shown: str = ""  # the README's default column when the default itself does not say it
    read: Reader | None = None  # None: a plain value of the field's type (text, number, flag)
    check: Check | None = None  # a bad value is an error and the default is used instead
    as_written: bool = False  # read the mapping's entries as written (YAML reads -0600 as octal)
    key: str = ""  # filled in from the field by collect_settings
    kind: str = ""  # the field's type as written, e.g. "int" or "tuple[str, ...]"


def setting(
    default: T,
    doc: str,
    *,
    shown: str = "",
    read: Reader | None = None,
    check: Check | None = None,
    as_written: bool = False,
) -> T:
    """Declare a Config field as a setting, so its default, reading and meaning live in one place."""
    spec = Setting(default, doc, shown, read, check, as_written)
    return field(default=default, metadata={SETTING: spec})


def collect_settings(cls: type) -> dict[str, Setting]:
    """The settings a dataclass declares, by key, in declaration order (the README's order)."""
    return {
        f.name: replace(f.metadata[SETTING], key=f.name, kind=str(f.type))
        for f in fields(cls)
        if SETTING in f.metadata
    }


def describe_default(spec: Setting) -> str:
    """The README's default column for a setting: as written in newsgen.yaml."""
    value = spec.default
    if spec.shown:
        return spec.shown
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "empty"
    if value == ():
        return "none"
    if isinstance(value, tuple):
        return f"`[{', '.join(str(item) for item in value)}]`"
    return f"`{value}`"


def read_plain(spec: Setting, value: Any, line: int) -> tuple[Any, list[Diagnostic]]:
    """Read a text, whole-number or true/false setting; numbers are fine as text."""
    python_type = TYPES[spec.kind]
    if value is None and python_type is str:
        value = ""
    if python_type is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, python_type) or (python_type is int and isinstance(value, bool)):
        message = f"expected {expected_word(python_type)}, got {value!r}"
        return None, [error(CONFIG_FILE, line, spec.key, message)]
    return value, []


def expected_word(python_type: type) -> str:
    """Human word for a setting's type."""
    return {str: "text", int: "a whole number", bool: "true or false"}[python_type]


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean ...?)' hint, or nothing when no choice is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_time_zone(value: str) -> str | None:
    """Refuse a time zone the zone database does not know."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone '{value}' (use an IANA name such as Asia/Shanghai)"
    return None


def check_at_least_one(value: int) -> str | None:
    """Refuse zero and less for counts and limits that must allow something."""
    return "must be at least 1" if value < 1 else None


def check_not_negative(value: int) -> str | None:
    """Refuse a negative count where zero means none."""
    return "must be 0 or more" if value < 0 else None


def check_base_url(value: str) -> str | None:
    """Refuse a site URL that would break links, feeds or the HTML it is written into."""
    if value and not BASE_URL.match(value):
        return (
            "must be an absolute http(s) URL without spaces, quotes, query or fragment, "
            "such as https://news.example.org/"
        )
    return None


def check_no_controls(value: str) -> str | None:
    """Refuse control characters in a path, which file systems and messages mishandle."""
    if any(ord(c) < 32 or c == "\x7f" for c in value):
        return "must not hold control characters (a NUL byte, a line break...)"
    return None


def check_language_tag(value: str) -> str | None:
    """Refuse a site language that is not a language tag (it goes into lang attributes)."""
    return None if LANG_PATTERN.match(value) else "expected a language tag such as en"


def read_vocabularies(
    value: Any, line: int
) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    """`vocabularies:` maps a taxonomy key to a YAML file of its valid terms."""
    if not isinstance(value, dict):
        message = "expected a mapping of taxonomy: file"
        return (), [error(CONFIG_FILE, line, "vocabularies", message)]
    return tuple(sorted((str(k), str(v)) for k, v in value.items())), []


def read_languages(value: Any, line: int) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """`languages:` lists the site's languages (e.g. [en, zh]); `language` is the default."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        return (), [error(CONFIG_FILE, line, "languages", "expected a list such as [en, zh]")]
    bad = [v for v in items if not LANG_PATTERN.match(v)]
    if bad:
        message = f"'{bad[0]}' is not a language tag (expected e.g. en, zh, zh-Hant)"
        return (), [error(CONFIG_FILE, line, "languages", message)]
    return tuple(dict.fromkeys(items)), []


def written_entries(node: yaml.Node) -> list[tuple[str, str, int]] | None:
    """A mapping of plain values as (key, value, file line), each text as written."""
    if not isinstance(node, yaml.MappingNode):
        return None
    entries = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            return None
        entries.append((str(key.value), str(value.value), key.start_mark.line + 1))
    return entries


def read_zone_abbreviations(
    value: Any, line: int
) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    """`zone_abbreviations:` gives abbreviations in dates an offset or an IANA time zone."""
    if value is None:
        message = 'expected a mapping of abbreviation: offset or time zone, e.g. {CST: "+08:00"}'
        return (), [error(CONFIG_FILE, line, "zone_abbreviations", message)]
    result: dict[str, str] = {}
    problems = []
    for key, text, entry_line in value:
        try:
            if not ABBREVIATION_PATTERN.fullmatch(key):
                raise ValueError(f"'{key}' is not a time zone abbreviation (2 to 6 letters)")
            read_zone(text)
        except ValueError as exc:
            problems.append(error(CONFIG_FILE, entry_line, "zone_abbreviations", str(exc)))
        result[key.upper()] = text.strip()
    return tuple(sorted(result.items())), problems


def read_required(value: Any, line: int) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """`required:` lists front-matter keys every article must have (title and date always)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        return (), [error(CONFIG_FILE, line, "required", "expected a list of front-matter keys")]
    merged = list(ALWAYS_REQUIRED) + [v for v in items if v not in ALWAYS_REQUIRED]
    return tuple(merged), []


def read_image_widths(value: Any, line: int) -> tuple[tuple[int, ...], list[Diagnostic]]:
    """`image_widths:` the widths in pixels of the lead photos' responsive versions."""
    items = [value] if isinstance(value, int) else value
    good = isinstance(items, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= 8192 for v in items
    )
    if not good or not items:
        message = "expected a list of widths in pixels from 16 to 8192, e.g. [480, 960, 1600]"
        return (), [error(CONFIG_FILE, line, "image_widths", message)]
    return tuple(sorted(set(items))), []
