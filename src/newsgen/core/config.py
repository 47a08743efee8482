"""Site settings: one typed object read from newsgen.yaml, every key declared once on Config
with its default, reader, check and meaning (core.settings is the machinery)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.settings import (
    ALWAYS_REQUIRED,
    CONFIG_FILE,
    LANG_PATTERN,
    Setting,
    check_at_least_one,
    check_base_url,
    check_language_tag,
    check_no_controls,
    check_not_negative,
    check_time_zone,
    collect_settings,
    did_you_mean,
    read_image_widths,
    read_languages,
    read_plain,
    read_required,
    read_vocabularies,
    read_zone_abbreviations,
    setting,
    written_entries,
)
from newsgen.core.text import decode_text
from newsgen.core.yamlsource import construct_field, parse_mapping

# Names other modules import from here, where they have always been.
__all__ = [
    "CONFIG_FILE",
    "DEFAULT_TAXONOMIES",
    "LANG_PATTERN",
    "SETTINGS",
    "Config",
    "TaxonomyConfig",
    "did_you_mean",
    "load_config",
    "primary_language",
]

RESERVED_PATHS = ("archive", "search", "page", "assets", "pagefind")
TAXONOMY_OPTIONS = ("path", "title", "singular", "feeds")


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
        unknown = set(settings) - set(TAXONOMY_OPTIONS)
        for name in sorted(unknown, key=str):
            problems.append(warning(CONFIG_FILE, line, "taxonomies", f"unknown option '{name}'"))
        known: dict[str, Any] = {
            k: settings[k] if k == "feeds" else str(settings[k])
            for k in TAXONOMY_OPTIONS
            if k in settings
        }
        result[key] = replace(base, **known)
    return tuple(result.values()), problems


@dataclass(frozen=True)
class Config:
    """Every setting of a site; each field's setting() is its newsgen.yaml key and README row."""

    site_root: Path  # where newsgen.yaml is: not a setting
    title: str = setting("News archive", "site name, in the header, titles and feeds")
    description: str = setting(
        "", "one sentence for the footer, meta description and feed subtitle"
    )
    base_url: str = setting(
        "",
        "absolute URL of the published site, e.g. `https://news.example.org/` (http or https, "
        "no spaces, quotes, query or fragment); needed for feeds, sitemap and canonical links",
        check=check_base_url,
    )
    language: str = setting(
        "en",
        "language of the site and default `lang` of articles",
        check=check_language_tag,
    )
    languages: tuple[str, ...] = setting(
        (),
        "the site's languages, e.g. `[en, zh]` (the first is the default when `language` is "
        "not set); see *Languages*",
        shown="`[language]`",
        read=read_languages,
    )
    timezone: str = setting(
        "UTC",
        "IANA time zone for dates without an offset and for dates on pages, URLs and archives",
        check=check_time_zone,
    )
    zone_abbreviations: tuple[tuple[str, str], ...] = setting(
        (),
        "what zone abbreviations in dates mean: abbreviation to a fixed offset or an IANA time "
        'zone, e.g. `{CST: "+08:00", IST: Asia/Kolkata}`; an IANA name means local time there '
        "on that date (`CST: America/Chicago` is -06:00 in January, -05:00 in July). Needed for "
        "the ambiguous CST, IST, BST and AST; may override any other",
        read=read_zone_abbreviations,
        as_written=True,
    )
    timezone_name: str = setting(
        "",
        "what pages call the time zone after a time, e.g. `Beijing time`; empty: its UTC offset "
        "(`09:30 UTC+08:00`), never an abbreviation such as CST that means three zones",
        check=check_no_controls,
    )
    required: tuple[str, ...] = setting(
        ALWAYS_REQUIRED,
        "front-matter keys every article must have (title and date always)",
        read=read_required,
    )
    page_size: int = setting(20, "articles per listing page", check=check_at_least_one)
    feed_items: int = setting(20, "entries per Atom feed", check=check_at_least_one)
    related_items: int = setting(
        5,
        "related articles on an article page (0 or more): those sharing the most units, "
        "speakers and districts with it, nearest in time first",
        check=check_not_negative,
    )
    search: bool = setting(
        True, "build the full-text search index and the `/search/` page (see *Search*)"
    )
    search_bundle_size: int = setting(
        250,
        "most articles in one search bundle (a decade, year, quarter, month, part of a month "
        "or day of the archive): Pagefind needs about 50 MB plus 0.3 MB an article to index one, and the "
        "search page loads a small file per bundle",
        check=check_at_least_one,
    )
    sanitize_html: bool = setting(
        True, "sanitise raw HTML in article bodies; `false` for trusted authors"
    )
    max_article_mb: int = setting(
        8, "an article file larger than this many MB is an error", check=check_at_least_one
    )
    markdown_time_limit: int = setting(
        10,
        "seconds one article body may take to convert; over it is an error naming the file",
        check=check_at_least_one,
    )
    max_terms: int = setting(
        100,
        "most terms an article may give one taxonomy (units, tags, ...); more is an error",
        check=check_at_least_one,
    )
    max_aliases: int = setting(
        50, "most `aliases:` an article may have; more is an error", check=check_at_least_one
    )
    pretty_urls: bool = setting(
        False,
        "link to `folder/` instead of `folder/index.html` (only for hosts that serve index "
        "files; breaks `file://` browsing)",
    )
    logo: str = setting(
        "",
        "path of a logo in the output (from `static/`), shown in the header",
        check=check_no_controls,
    )
    favicon: str = setting(
        "", "path of a favicon in the output (from `static/`)", check=check_no_controls
    )
    share_image: str = setting(
        "",
        "path of an image in the output (from `static/`) that link previews (`og:image`) show "
        "for pages without a lead photo",
        check=check_no_controls,
    )
    image_widths: tuple[int, ...] = setting(
        (480, 960, 1600),
        "widths in pixels of the lead photos' responsive versions (none wider than the photo)",
        shown="[480, 960, 1600]",
        read=read_image_widths,
    )
    max_image_pixels: int = setting(
        50_000_000,
        "a lead photo of more pixels (width x height) is an error: decoding it would take "
        "gigabytes",
        shown="50000000",
        check=check_at_least_one,
    )
    content_dir: str = setting("content", "folder of articles", check=check_no_controls)
    templates_dir: str = setting(
        "templates", "folder of template overrides", check=check_no_controls
    )
    static_dir: str = setting("static", "folder copied to the output root", check=check_no_controls)
    data_dir: str = setting("data", "folder of vocabularies", check=check_no_controls)
    output_dir: str = setting(
        "public", "output folder, relative to the site (`-o` overrides)", check=check_no_controls
    )
    taxonomies: tuple[TaxonomyConfig, ...] = setting(
        DEFAULT_TAXONOMIES,
        "extra or changed taxonomies: `topics: {path: topics, title: Topics, singular: Topic, "
        "feeds: true}`; `tags: false` removes one",
        shown=", ".join(t.key for t in DEFAULT_TAXONOMIES),
        read=read_taxonomies,
    )
    vocabularies: tuple[tuple[str, str], ...] = setting(
        (),
        "taxonomy key to vocabulary file",
        shown="`data/<path>.yaml` when present",
        read=read_vocabularies,
    )

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


SETTINGS: dict[str, Setting] = collect_settings(Config)


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
        spec = SETTINGS.get(item.key)
        if spec is not None and spec.as_written:
            value = written_entries(item.node)
        diagnostics.extend(read_setting(item.key, value, item.line, changes))
    if changes.get("languages") and "language" not in changes:
        changes["language"] = changes["languages"][0]  # the first listed is the default
    config = replace(config, **changes)
    problems, bad = check_config(config, {f.key: f.line for f in mapping.fields})
    diagnostics.extend(problems)
    # Fall back to defaults for bad values so the content is still checked in the same run.
    return replace(config, **{name: SETTINGS[name].default for name in bad}), diagnostics


def read_setting(key: str, value: Any, line: int, changes: dict[str, Any]) -> list[Diagnostic]:
    """Read one setting as its schema says and record it; unknown keys get a did-you-mean."""
    spec = SETTINGS.get(key)
    if spec is None:
        hint = did_you_mean(key, list(SETTINGS))
        return [warning(CONFIG_FILE, line, key, f"unknown setting{hint}")]
    result, problems = spec.read(value, line) if spec.read else read_plain(spec, value, line)
    if not problems:
        changes[key] = result
    return problems


def check_config(config: Config, lines: dict[str, int]) -> tuple[list[Diagnostic], set[str]]:
    """Check values whose type is right but whose content may not be; name the bad ones."""
    problems: list[Diagnostic] = []
    bad: set[str] = set()
    for key, spec in SETTINGS.items():
        message = spec.check(getattr(config, key)) if spec.check else None
        if message is not None:
            problems.append(error(CONFIG_FILE, lines.get(key, 0), key, message))
            bad.add(key)
    problems.extend(check_taxonomy_paths(config, lines.get("taxonomies", 0)))
    return problems, bad


def check_taxonomy_paths(config: Config, line: int) -> list[Diagnostic]:
    """Taxonomy paths are folder names: distinct, and not one newsgen's own pages use."""
    problems: list[Diagnostic] = []
    paths = [t.path for t in config.taxonomies]
    for taxonomy in config.taxonomies:
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", taxonomy.path) or paths.count(taxonomy.path) > 1:
            message = f"path '{taxonomy.path}' must be unique lowercase letters, digits, hyphens"
            problems.append(error(CONFIG_FILE, line, "taxonomies", message))
        elif (
            taxonomy.path in RESERVED_PATHS
            or taxonomy.path.isdigit()
            or taxonomy.path in config.site_languages
        ):
            message = f"path '{taxonomy.path}' is used by newsgen's own pages (choose another)"
            problems.append(error(CONFIG_FILE, line, "taxonomies", message))
    return problems
