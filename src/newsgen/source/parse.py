"""Parse/validate stage: a Source becomes an Article, or diagnostics with file lines."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from newsgen.core.config import LANG_PATTERN, Config, did_you_mean
from newsgen.core.dates import parse_date
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import (
    Article,
    Attachment,
    LeadImage,
    Source,
    Speaker,
    Update,
)
from newsgen.core.text import decode_text
from newsgen.core.urls import alias_url, article_url
from newsgen.core.yamlsource import (
    NULL_TAG,
    YamlMapping,
    construct_field,
    fold_key_case,
    node_line,
    parse_mapping,
)
from newsgen.source.fields import (
    DateReader,
    Place,
    read_bool,
    read_speakers,
    read_text,
    read_text_list,
    read_updates,
)
from newsgen.source.frontmatter import SplitFile, split_front_matter
from newsgen.source.history import UPDATED_KEYS, last_change
from newsgen.source.links import find_links
from newsgen.source.media import read_attachments, read_image
from newsgen.source.shortcodes import find_uses, strip_shortcodes
from newsgen.source.slugs import choose_slug, read_aliases, rename_reserved
from newsgen.source.summary import derive_summary

TEXT_KEYS = ("title", "summary", "slug", "lang", "translation_key", "district", "event_type")
SINGLE_TERM_KEYS = ("district", "event_type")
MULTI_TERM_KEYS = ("district",)  # written as one value, or a list for a joint release
JEKYLL_NAME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-.+\.\w+$")


@dataclass
class Values:
    """Front-matter values as they are read, before the Article is made."""

    text: dict[str, str] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    speakers: tuple[Speaker, ...] = ()
    date: datetime | None = None
    has_time: bool = False
    draft: bool = False
    updated: dict[str, datetime] = field(default_factory=dict)  # by the key that gave it
    updates: tuple[Update, ...] = ()
    image: LeadImage | None = None
    attachments: tuple[Attachment, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    term_lines: list[str] = field(default_factory=list)  # "units:9.5,10.5" (Article's)


def known_keys(config: Config) -> tuple[str, ...]:
    """Every front-matter key newsgen itself understands."""
    taxonomy_keys = tuple(t.key for t in config.taxonomies)
    base: tuple[str, ...] = (*TEXT_KEYS, "date", "draft", "speaker", "units", "tags", "aliases")
    base = (*base, "updates", "image", "attachments", *UPDATED_KEYS)
    return tuple(dict.fromkeys(base + taxonomy_keys))


def parse_source(source: Source, config: Config) -> tuple[Article | None, list[Diagnostic]]:
    """Decode, split, read and validate one article file; every problem is reported. Terms
    stay as written, with their lines: vocabularies are applied after (source/resolve.py), so
    a vocabulary edit does not parse every article again."""
    path = source.source_path
    if len(source.data) > config.max_article_mb * 1_000_000:
        size = len(source.data) / 1_000_000
        message = (
            f"file is {size:.1f} MB, over the {config.max_article_mb} MB limit for an article "
            "(split it, or raise max_article_mb in newsgen.yaml)"
        )
        return None, [error(path, 1, "", message)]
    text, problems = decode_text(source.data, path)
    if text is None:
        return None, problems
    split, found = split_front_matter(text, path)
    problems += found
    if split is None:
        return None, problems
    mapping, found = parse_mapping(split.yaml_text, path, split.yaml_line)
    problems += found
    if mapping is None:
        return None, problems
    keys = known_keys(config)
    mapping, found = fold_key_case(mapping, keys, path)
    problems += found
    values = Values()
    for item in mapping.fields:
        if item.key in keys:
            place = Place(path, split.yaml_line, item.key)
            problems.extend(read_field(item.key, item.node, place, values, config))
            continue
        value, errors = construct_field(item, path, split.yaml_line)
        problems.extend(errors)
        values.extra[item.key] = value
        hint = did_you_mean(item.key, keys)
        if hint:
            problems.append(warning(path, item.line, "", f"unknown key '{item.key}'{hint}"))
    supplied = date_from_file_name(path, mapping, values, config)
    problems.extend(check_required(mapping, values, config, path, split.yaml_line - 1, supplied))
    note_term_lines(mapping, values, config, split.yaml_line)
    problems.extend(check_language(mapping, values, config, Place(path, split.yaml_line, "lang")))
    problems.extend(check_limits(mapping, values, config, path))
    if any(p.is_error for p in problems) or values.date is None:
        return None, problems
    lines = {item.key: item.line for item in mapping.fields}
    article, slug_problems = make_article(source, values, config, split, lines)
    return article, problems + slug_problems


def date_from_file_name(
    path: str, mapping: YamlMapping, values: Values, config: Config
) -> set[str]:
    """Jekyll dates a post by its file name (2015-03-17-title.md) when it gives no date."""
    named = JEKYLL_NAME.match(path.rsplit("/", 1)[-1])
    if mapping.get("date") is not None or not named:
        return set()
    try:
        values.date, values.has_time = parse_date(named.group(1), config.tz)
    except ValueError:
        return set()
    return {"date"}


def read_field(
    key: str, node: yaml.Node, place: Place, values: Values, config: Config
) -> list[Diagnostic]:
    """Read one known key into `values`."""
    if key == "date":
        return read_date_field(node, place, values, config)
    dates = DateReader(config.tz, config.zone_abbreviation_map)
    if key in UPDATED_KEYS:
        moment, problems = dates.read(node, place)
        if moment is not None:
            values.updated[key] = moment[0]
        return problems
    if key == "image":
        values.image, problems = read_image(node, place)
        return problems
    if key == "attachments":
        values.attachments, problems = read_attachments(node, place)
        return problems
    if key == "updates":
        values.updates, problems = read_updates(node, place, dates)
        return problems
    if key == "draft":
        values.draft, problems = read_bool(node, place)
        return problems
    if key == "speaker":
        values.speakers, problems = read_speakers(node, place)
        return problems
    if key in SINGLE_TERM_KEYS or key in TEXT_KEYS:
        return read_single(key, node, place, values)
    values.lists[key], problems = read_text_list(node, place)
    return problems


def read_single(key: str, node: yaml.Node, place: Place, values: Values) -> list[Diagnostic]:
    """A text field; event_type also accepts a one-item list, district a list of several
    (a joint release of two districts is listed on both districts' pages)."""
    if key in SINGLE_TERM_KEYS and isinstance(node, yaml.SequenceNode):
        items, problems = read_text_list(node, place)
        if len(items) > 1 and key not in MULTI_TERM_KEYS:
            return [place.error(node, f"takes one value, got {len(items)} (split the article?)")]
        values.text[key] = items[0] if items else ""
        if key in MULTI_TERM_KEYS:
            values.lists[key] = tuple(dict.fromkeys(items))
        return problems
    values.text[key], problems = read_text(node, place)
    return problems


def read_date_field(
    node: yaml.Node, place: Place, values: Values, config: Config
) -> list[Diagnostic]:
    """Parse the date as written (not YAML's reading of it) in the site time zone."""
    text, problems = read_text(node, place)
    if problems:
        return problems
    try:
        values.date, values.has_time = parse_date(text, config.tz, config.zone_abbreviation_map)
    except ValueError as exc:
        return [place.error(node, str(exc))]
    return []


def check_limits(
    mapping: YamlMapping, values: Values, config: Config, path: str
) -> list[Diagnostic]:
    """Terms per taxonomy and aliases per article are capped: every term gets a page and a
    feed that shows the article, so the output would otherwise grow with their square."""
    counts = {key: len(term_values(key, values)) for key in (t.key for t in config.taxonomies)}
    counts["aliases"] = len(values.lists.get("aliases", ()))
    problems = []
    for key, count in counts.items():
        limit, setting = (
            (config.max_aliases, "max_aliases")
            if key == "aliases"
            else (config.max_terms, "max_terms")
        )
        item = mapping.get(key)
        if count > limit and item is not None:
            message = (
                f"{count:,} values, over the limit of {limit} (raise {setting} in newsgen.yaml)"
            )
            problems.append(error(path, item.line, key, message))
    return problems


def check_language(
    mapping: YamlMapping, values: Values, config: Config, place: Place
) -> list[Diagnostic]:
    """An article's `lang` must be a language tag, and on a site of several languages one of
    them (zh-Hant counts as zh): any other value has no home page or feed to go to. A site of
    one language shows articles of any language as they are."""
    lang = values.text.get("lang", "")
    item = mapping.get("lang")
    if not lang or item is None:
        return []
    if not LANG_PATTERN.match(lang):
        return [place.error(item.node, f"'{lang}' is not a language tag (e.g. en, zh, zh-Hant)")]
    if config.accepts_language(lang):
        return []
    known = ", ".join(config.site_languages)
    message = (
        f"'{lang}' is not one of the site's languages ({known}); "
        "add it to languages: in newsgen.yaml, or correct it"
    )
    return [place.error(item.node, message)]


def check_required(
    mapping: YamlMapping,
    values: Values,
    config: Config,
    path: str,
    fence_line: int,
    supplied: set[str],
) -> list[Diagnostic]:
    """Every required key present and not empty (a bad value is reported by its reader)."""
    problems = []
    for key in config.required:
        if key in supplied:
            continue
        item = mapping.get(key)
        if item is not None and not is_empty_node(item.node):
            continue
        line = item.line if item else fence_line
        what = "is empty" if item else "is missing"
        message = f"required field {what} (add '{key}: ...' to the front matter)"
        problems.append(error(path, line, key, message))
    return problems


def is_empty_node(node: yaml.Node) -> bool:
    """A null, blank text, or empty list or mapping."""
    if isinstance(node, yaml.ScalarNode):
        return not str(node.value).strip() or (node.tag == NULL_TAG and node.style is None)
    return not node.value


def note_term_lines(mapping: YamlMapping, values: Values, config: Config, offset: int) -> None:
    """Where each term an article names is written (file line, column), for errors found
    once vocabularies are applied."""
    for taxonomy in config.taxonomies:
        item = mapping.get(taxonomy.key)
        if item is None:
            continue
        nodes = item.node.value if isinstance(item.node, yaml.SequenceNode) else [item.node]
        places = ",".join("{}.{}".format(*node_line(node, offset)) for node in nodes)
        values.term_lines.append(f"{taxonomy.key}:{places}")


def term_values(key: str, values: Values) -> tuple[str, ...]:
    """The names an article gives for a taxonomy key."""
    if key == "speaker":
        return tuple(s.name for s in values.speakers)
    if key in values.lists:
        return values.lists[key]
    if key in SINGLE_TERM_KEYS:
        return (values.text[key],) if values.text.get(key) else ()
    return ()


def make_article(
    source: Source, values: Values, config: Config, split: SplitFile, lines: dict[str, int]
) -> tuple[Article | None, list[Diagnostic]]:
    """Assemble the immutable Article once every field is known to be valid."""
    path, line = source.source_path, lines.get("slug") or lines.get("title", 0)
    aliases, problems = read_aliases(values.lists.get("aliases", ()), path, lines.get("aliases", 0))
    given = values.text.get("slug") if "slug" in values.text else None
    slug, old_slug, slug_problems = choose_slug(given, values.text.get("title", ""), path, line)
    slug, reserved = rename_reserved(slug, path, line)
    problems += slug_problems + reserved
    old_url = alias_url(article_url(values.date, old_slug)) if old_slug and values.date else None
    if old_url and old_url not in aliases:
        aliases += (old_url,)
    if not slug or values.date is None or any(p.is_error for p in problems):
        return None, problems
    body = split.body
    shortcodes, shortcode_problems = find_uses(body, split.body_line, source.source_path)
    problems += shortcode_problems
    if any(p.is_error for p in shortcode_problems):
        return None, problems
    terms = {t.key: term_values(t.key, values) for t in config.taxonomies}
    updated, update_problems = last_change(values.updated, values.updates, values.date, path, lines)
    problems += update_problems
    summary = values.text.get("summary") or derive_summary(strip_shortcodes(body))
    card = "\x00".join((source.source_path, split.yaml_text, summary))
    return Article(
        source_path=source.source_path,
        title=values.text["title"],
        date=values.date,
        has_time=values.has_time,
        slug=slug,
        url=article_url(values.date, slug),
        lang=values.text.get("lang") or config.language,
        translation_key=values.text.get("translation_key", ""),
        draft=values.draft,
        summary=summary,
        summary_derived=not values.text.get("summary"),
        district=values.text.get("district", ""),
        event_type=values.text.get("event_type", ""),
        speakers=values.speakers,
        units=values.lists.get("units", ()),
        tags=values.lists.get("tags", ()),
        terms=terms,
        body_hash=digest_text(body),
        body_line=split.body_line,
        extra=values.extra,
        key_lines=lines,
        term_lines=";".join(values.term_lines),
        aliases=aliases,
        shortcodes=shortcodes,
        links=find_links(body, split.body_line),
        card_hash=digest_text(card),
        updated=updated,
        updates=values.updates,
        image=values.image,
        attachments=values.attachments,
    ), problems


def digest_text(text: str) -> str:
    """A short content hash, for cache keys and page fingerprints."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def read_body(site_root: Path, article: Article) -> tuple[str | None, list[Diagnostic]]:
    """An article's Markdown body, read again when it is converted (bodies are not kept in
    memory): an error if the file cannot be read or changed since it was parsed."""
    path = article.source_path
    try:
        text, _ = decode_text((site_root / path).read_bytes(), path)
    except OSError as exc:
        return None, [error(path, 0, "", f"cannot be read: {exc.strerror or exc}")]
    split, _ = split_front_matter(text or "", path)
    if split is None or digest_text(split.body) != article.body_hash:
        message = "changed while the site was being built (build again)"
        return None, [error(path, article.body_line, "body", message)]
    return split.body, []
