"""Site settings: one typed object read from newsgen.yaml, every key with a documented default."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from newsgen.core.dates import read_zone
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.text import decode_text
from newsgen.core.yamlsource import construct_field, parse_mapping

CONFIG_FILE = "newsgen.yaml"
RESERVED_PATHS = ("archive", "search", "page", "assets", "pagefind")
ALWAYS_REQUIRED = ("title", "date")
BASE_URL = re.compile(r"^https?://[^/\s\"'<>?#`\\]+(?:/[^\s\"'<>?#`\\]*)?$")
PATH_SETTINGS = (
    *("content_dir", "templates_dir", "static_dir", "data_dir", "output_dir", "logo"),
    "favicon",
)
LANG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
ABBREVIATION_PATTERN = re.compile(r"[A-Za-z]{2,6}")


def primary_language(lang: str) -> str:
    """The primary subtag of a language tag (zh-Hant -> zh): what languages are matched by."""
    return lang.split("-")[0].lower()


@dataclass(frozen=True)
class TaxonomyConfig:
    """A front-matter key that gets index pages: one overview and one page per term."""

    key: str
    path: str
    title: str
    singular: str
    feeds: bool = True


DEFAULT_TAXONOMIES = (
    TaxonomyConfig("units", "units", "Units", "Unit"),
    TaxonomyConfig("district", "districts", "Districts", "District"),
    TaxonomyConfig("event_type", "event-types", "Event types", "Event type"),
    TaxonomyConfig("speaker", "speakers", "Speakers", "Speaker"),
    TaxonomyConfig("tags", "tags", "Tags", "Tag"),
)


@dataclass(frozen=True)
class Config:
    """Every setting of a site; see the README's table of newsgen.yaml keys."""

    site_root: Path
    title: str = "News archive"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    required: tuple[str, ...] = ALWAYS_REQUIRED
    page_size: int = 20
    feed_items: int = 20
    related_items: int = 5
    sanitize_html: bool = True
    search: bool = True
    max_article_mb: int = 8
    max_terms: int = 100
    max_aliases: int = 50
    markdown_time_limit: int = 10
    pretty_urls: bool = False
    logo: str = ""
    favicon: str = ""
    content_dir: str = "content"
    templates_dir: str = "templates"
    static_dir: str = "static"
    data_dir: str = "data"
    output_dir: str = "public"
    taxonomies: tuple[TaxonomyConfig, ...] = DEFAULT_TAXONOMIES
    vocabularies: tuple[tuple[str, str], ...] = ()
    zone_abbreviations: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone object."""
        return ZoneInfo(self.timezone)

    def path_of(self, name: str) -> Path:
        """Absolute path of one of the site's folders."""
        return self.site_root / name

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The site's languages, the default (`language`) first."""
        others = tuple(lang for lang in self.languages if lang != self.language)
        return (self.language, *others)

    @property
    def zone_abbreviation_map(self) -> dict[str, str]:
        """`zone_abbreviations` as the mapping dates.parse_date takes (abbreviation -> zone)."""
        return dict(self.zone_abbreviations)

    def accepts_language(self, lang: str) -> bool:
        """A language tag an article may have: on a site of several languages, one of them."""
        listed = {primary_language(code) for code in self.site_languages}
        return bool(LANG_PATTERN.match(lang)) and (
            len(listed) == 1 or primary_language(lang) in listed
        )

    def taxonomy(self, key: str) -> TaxonomyConfig:
        """Look up a taxonomy by its front-matter key."""
        for taxonomy in self.taxonomies:
            if taxonomy.key == key:
                return taxonomy
        raise KeyError(key)


SIMPLE_KEYS = {
    f.name: f.type
    for f in fields(Config)
    if f.name not in {"site_root", "taxonomies", "vocabularies", "required", "extra", "languages"}
    and f.name != "zone_abbreviations"
}


def load_config(site_root: Path) -> tuple[Config, list[Diagnostic]]:
    """Read newsgen.yaml (optional) into a Config, collecting every problem."""
    config = Config(site_root=site_root)
    path = site_root / CONFIG_FILE
    if not path.is_file():
        return config, []
    text, decoding = decode_text(path.read_bytes(), CONFIG_FILE)
    if text is None:
        return config, decoding
    mapping, diagnostics = parse_mapping(text, CONFIG_FILE, 1, what="newsgen.yaml")
    diagnostics = decoding + diagnostics
    if mapping is None:
        return config, diagnostics
    changes: dict[str, Any] = {}
    for item in mapping.fields:
        value, problems = construct_field(item, CONFIG_FILE, 1)
        diagnostics.extend(problems)
        if problems:
            continue
        if item.key == "zone_abbreviations":  # as written: YAML reads -0600 as an octal number
            value = written_entries(item.node)
        diagnostics.extend(read_setting(item.key, value, item.line, changes))
    if changes.get("languages") and "language" not in changes:
        changes["language"] = changes["languages"][0]  # the first listed is the default
    config = replace(config, **changes)
    problems = check_config(config, {f.key: f.line for f in mapping.fields})
    diagnostics.extend(problems)
    # Fall back to defaults for bad values so the content is still checked in the same run.
    bad = {p.field for p in problems} & {
        "timezone",
        "page_size",
        "feed_items",
        "language",
        "max_article_mb",
        "markdown_time_limit",
        "max_terms",
        "max_aliases",
        "related_items",
        "base_url",
        *PATH_SETTINGS,
    }
    return replace(config, **{name: getattr(Config, name) for name in bad}), diagnostics


def read_setting(key: str, value: Any, line: int, changes: dict[str, Any]) -> list[Diagnostic]:
    """Check one setting's type and record it; unknown keys get a did-you-mean warning."""
    readers = {
        "taxonomies": read_taxonomies,
        "vocabularies": read_vocabularies,
        "required": read_required,
        "languages": read_languages,
        "zone_abbreviations": read_zone_abbreviations,
    }
    if key in readers:
        result, problems = readers[key](value, line)
        if not problems:
            changes[key] = result
        return problems
    if key not in SIMPLE_KEYS:
        return [warning(CONFIG_FILE, line, key, f"unknown setting{did_you_mean(key, ALL_KEYS)}")]
    expected = SIMPLE_KEYS[key]
    python_type = {"str": str, "int": int, "bool": bool}[str(expected)]
    if value is None and python_type is str:
        value = ""
    if python_type is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, python_type) or (python_type is int and isinstance(value, bool)):
        message = f"expected {expected_word(python_type)}, got {value!r}"
        return [error(CONFIG_FILE, line, key, message)]
    changes[key] = value
    return []


def expected_word(python_type: type) -> str:
    """Human word for a setting's type."""
    return {str: "text", int: "a whole number", bool: "true or false"}[python_type]


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean ...?)' hint, or nothing when no choice is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def read_taxonomies(value: Any, line: int) -> tuple[tuple[TaxonomyConfig, ...], list[Diagnostic]]:
    """Merge `taxonomies:` (key -> settings or false) into the defaults."""
    if not isinstance(value, dict):
        return (), [error(CONFIG_FILE, line, "taxonomies", "expected a mapping of key: settings")]
    result = {t.key: t for t in DEFAULT_TAXONOMIES}
    problems: list[Diagnostic] = []
    for key, settings in value.items():
        key = str(key)
        if settings is False:
            result.pop(key, None)
            continue
        settings = settings if isinstance(settings, dict) else {}
        base = result.get(key) or TaxonomyConfig(key, key.replace("_", "-"), key.title(), key)
        unknown = set(settings) - {"path", "title", "singular", "feeds"}
        for name in sorted(unknown, key=str):
            problems.append(warning(CONFIG_FILE, line, "taxonomies", f"unknown option '{name}'"))
        known: dict[str, Any] = {
            k: settings[k] if k == "feeds" else str(settings[k])
            for k in ("path", "title", "singular", "feeds")
            if k in settings
        }
        result[key] = replace(base, **known)
    return tuple(result.values()), problems


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


def check_config(config: Config, lines: dict[str, int]) -> list[Diagnostic]:
    """Check values whose type is right but whose content may not be."""
    problems: list[Diagnostic] = []
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone '{config.timezone}' (use an IANA name such as Asia/Shanghai)"
        problems.append(error(CONFIG_FILE, lines.get("timezone", 0), "timezone", message))
    for name in (
        *("page_size", "feed_items", "max_article_mb", "markdown_time_limit", "max_terms"),
        "max_aliases",
    ):
        if getattr(config, name) < 1:
            problems.append(error(CONFIG_FILE, lines.get(name, 0), name, "must be at least 1"))
    if config.related_items < 0:
        problems.append(
            error(CONFIG_FILE, lines.get("related_items", 0), "related_items", "must be 0 or more")
        )
    if config.base_url and not BASE_URL.match(config.base_url):
        message = (
            "must be an absolute http(s) URL without spaces, quotes, query or fragment, "
            "such as https://news.example.org/"
        )
        problems.append(error(CONFIG_FILE, lines.get("base_url", 0), "base_url", message))
    for name in PATH_SETTINGS:
        if any(ord(c) < 32 or c == "\x7f" for c in getattr(config, name)):
            message = "must not hold control characters (a NUL byte, a line break...)"
            problems.append(error(CONFIG_FILE, lines.get(name, 0), name, message))
    if not LANG_PATTERN.match(config.language):
        problems.append(
            error(
                CONFIG_FILE,
                lines.get("language", 0),
                "language",
                "expected a language tag such as en",
            )
        )
    paths = [t.path for t in config.taxonomies]
    for taxonomy in config.taxonomies:
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", taxonomy.path) or paths.count(taxonomy.path) > 1:
            message = f"path '{taxonomy.path}' must be unique lowercase letters, digits, hyphens"
            problems.append(error(CONFIG_FILE, lines.get("taxonomies", 0), "taxonomies", message))
        elif (
            taxonomy.path in RESERVED_PATHS
            or taxonomy.path.isdigit()
            or taxonomy.path in config.site_languages
        ):
            message = f"path '{taxonomy.path}' is used by newsgen's own pages (choose another)"
            problems.append(error(CONFIG_FILE, lines.get("taxonomies", 0), "taxonomies", message))
    return problems


ALL_KEYS = [
    *SIMPLE_KEYS,
    "taxonomies",
    "vocabularies",
    "required",
    "languages",
    "zone_abbreviations",
]
