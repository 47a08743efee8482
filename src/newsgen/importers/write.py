"""Shared by the importers: what the site holds, newsgen's field values, writing articles once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from newsgen.core.config import Config, load_config
from newsgen.core.diagnostics import Diagnostic, has_errors, shown
from newsgen.core.model import Article, Source
from newsgen.core.text import decode_text
from newsgen.core.urls import article_url, make_slug
from newsgen.core.yamlsource import construct_field, parse_mapping
from newsgen.importers.report import Outcome, Status
from newsgen.incremental.reuse import Incremental
from newsgen.pipeline.options import BuildOptions, Job, output_dir_of
from newsgen.pipeline.read_stages import load_inputs, parse_files
from newsgen.source.fields import TRUE_WORDS
from newsgen.source.frontmatter import split_front_matter
from newsgen.source.load import read_source, scan_content
from newsgen.source.parse import SINGLE_TERM_KEYS, known_keys, parse_source
from newsgen.source.resolve import resolve_article, unknown_terms, written_terms
from newsgen.source.vocab import Vocabulary

IMPORT_KEY = "imported_from"
REQUIRED_MARK = "required field is empty"
TITLE_LIKENESS = 0.6  # difflib ratio above which two titles of one day look like one release
YAML_WIDTH = 1 << 30  # never fold a long title or note over lines


@dataclass(frozen=True)
class Draft:
    """An article ready to be written: ordered front matter, body, and what a person must check."""

    source_name: str
    digest: str
    fields: dict[str, Any]
    body: str
    moment: datetime
    slug: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """Where an article will be written: its slug, its file in the site and its URL."""

    slug: str
    rel: str
    url: str


@dataclass
class SiteContent:
    """What the site already has: imported sources, taken URLs and the terms in use."""

    config: Config
    vocabularies: dict[str, Vocabulary]
    hashes: dict[str, str] = field(default_factory=dict)
    urls: set[str] = field(default_factory=set)
    terms: dict[str, set[str]] = field(default_factory=dict)
    by_day: dict[str, list[Article]] = field(default_factory=dict)
    imported_urls: dict[str, str] = field(default_factory=dict)  # source hash -> article URL
    reserved: set[str] = field(default_factory=set)  # files planned in this run, not written yet


DEFAULT_MAP = {
    "publishDate": "date",
    "publishdate": "date",
    "description": "summary",
    "excerpt": "summary",
}
RESERVED_KEYS = ("review", "review_notes", IMPORT_KEY)
TEXT_KEYS = ("title", "summary", "slug", "lang", "translation_key")
FIELD_ORDER = (
    *("title", "date", "slug", "lang", "translation_key", "district", "event_type", "speaker"),
    *("units", "tags", "summary", "draft", "aliases"),
)


def key_map(maps: tuple[tuple[str, str], ...], config: Config) -> dict[str, str]:
    """Source key -> newsgen key: newsgen's own keys, the defaults, then --map (which wins)."""
    mapping = {key: key for key in known_keys(config)}
    mapping.update(DEFAULT_MAP)
    mapping.update(maps)
    return mapping


def map_fields(
    front: Mapping[str, Any], mapping: Mapping[str, str], consumed: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any], tuple[tuple[str, str], ...]]:
    """Front matter split into newsgen's fields and the keys kept under their own names, and
    which key became which field."""
    mapped: dict[str, Any] = {}
    pairs: list[tuple[str, str]] = []
    used = set(consumed) | {key for key in front if mapping.get(key) == ""}
    # A key that is already newsgen's (date) wins over one mapped onto it (publishDate).
    for key in sorted(front, key=lambda k: mapping.get(k) != k):
        target = mapping.get(key)
        if key not in used and target and target not in mapped:
            mapped[target] = front[key]
            pairs.append((key, target))
            used.add(key)
    kept = {k: v for k, v in front.items() if k not in used}
    kept = {f"original_{k}" if k in RESERVED_KEYS else k: v for k, v in kept.items()}
    return mapped, kept, tuple(sorted(pairs))


def term_names(value: Any) -> list[str]:
    """A value or list of values as non-empty texts."""
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def convert_terms(key: str, value: Any, site: SiteContent) -> tuple[Any, list[str]]:
    """Terms in the site's vocabulary's canonical spelling; one value for district, event type."""
    if key == "speaker":
        items = value if isinstance(value, list) else [value]
        return [s for s in map(speaker_of, items) if s], []
    vocabulary = site.vocabularies.get(key)
    names = term_names(value)
    if vocabulary:
        names = [entry.name if (entry := vocabulary.resolve(n)) else n for n in names]
    names = list(dict.fromkeys(names))
    if key in SINGLE_TERM_KEYS:
        notes = [f"{key}: kept '{names[0]}' of {', '.join(names)}"] if len(names) > 1 else []
        return (names[0] if names else ""), notes
    return names, []


def speaker_of(item: Any) -> Any:
    """A speaker name, or a {name, role} mapping from an author record."""
    if isinstance(item, dict):
        name = str(item.get("name") or "").strip()
        role = str(item.get("role") or item.get("title") or "").strip()
        return ({"name": name, "role": role} if role else name) if name else ""
    return str(item).strip() if item is not None else ""


def convert_fields(
    mapped: Mapping[str, Any], site: SiteContent
) -> tuple[dict[str, Any], list[str]]:
    """newsgen's fields from the mapped values: texts, a date text, true/false, terms."""
    fields: dict[str, Any] = {}
    notes: list[str] = []
    taxonomies = {t.key for t in site.config.taxonomies}
    for key, value in mapped.items():
        if key == "lang" and not site.config.accepts_language(str(value).strip()):
            fields["original_lang"] = value  # kept, where a person decides what it means
            notes.append(
                f"lang '{value}' is not one of the site's languages: kept as original_lang"
            )
        elif key in TEXT_KEYS or key == "date":
            fields[key] = value.isoformat() if isinstance(value, datetime) else str(value).strip()
        elif key == "draft" and str(value).strip().lower() in TRUE_WORDS:
            fields[key] = True
        elif key == "aliases":
            fields[key] = term_names(value)
        elif key in taxonomies:
            fields[key], doubts = convert_terms(key, value, site)
            notes += doubts
        elif key != "draft":
            fields[key] = value
    return fields, notes


def source_digest(data: bytes) -> str:
    """First 16 hex digits of the source's sha256: how a re-run recognises an imported file."""
    return hashlib.sha256(data).hexdigest()[:16]


def read_site_content(site_root: Path) -> tuple[SiteContent, list[Diagnostic]]:
    """Read settings, vocabularies and every article with the build's own parse stage."""
    config, problems = load_config(site_root)
    inputs, vocab_problems = load_inputs(config)
    site = SiteContent(config, dict(inputs.vocabularies))
    problems += vocab_problems
    if has_errors(problems):
        return site, problems
    options = BuildOptions(site_root)
    job = Job(options, config, output_dir_of(options, config), Incremental.off(config))
    for rel, (_, (parsed, _)) in sorted(parse_files(job, scan_content(config)).items()):
        article = parsed if isinstance(parsed, Article) else None
        if article is not None:
            article = resolve_article(article, site.vocabularies)[0]
            remember_article(site, article)
        extra = article.extra if article else read_extra(read_source(config.site_root, rel))
        digest = imported_digest(extra)
        if digest:
            site.hashes.setdefault(digest, rel)
            if article is not None:
                site.imported_urls.setdefault(digest, article.url)
    return site, problems


def remember_article(site: SiteContent, article: Article) -> None:
    """Record an existing article's URL and the terms it uses."""
    site.urls.add(article.url)
    day = article.date.astimezone(site.config.tz).date().isoformat()
    site.by_day.setdefault(day, []).append(article)
    for key, names in article.terms.items():
        site.terms.setdefault(key, set()).update(names)


def read_extra(source: Source) -> dict[str, Any]:
    """The `imported_from` value of a file newsgen cannot accept yet (e.g. awaiting review)."""
    text, _ = decode_text(source.data, source.source_path)
    split, _ = split_front_matter(text or "", source.source_path)
    mapping, _ = parse_mapping(split.yaml_text if split else "", source.source_path, 1)
    item = mapping.get(IMPORT_KEY) if mapping else None
    if item is None:
        return {}
    value, _ = construct_field(item, source.source_path, 1)
    return {IMPORT_KEY: value}


def imported_digest(extra: Mapping[str, Any]) -> str:
    """The source hash an article records in `imported_from`, if any."""
    value = extra.get(IMPORT_KEY)
    return str(value.get("sha256") or "") if isinstance(value, dict) else ""


def plain_value(value: Any) -> Any:
    """Dates and times as ISO text, so every value dumps as plain YAML and reads back the same."""
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def dump_yaml(fields: Mapping[str, Any]) -> str:
    """Front-matter YAML in the given key order, Unicode kept readable."""
    if not fields:
        return ""
    return yaml.safe_dump(
        plain_value(dict(fields)), allow_unicode=True, sort_keys=False, width=YAML_WIDTH
    )


def is_blank(value: Any) -> bool:
    """An absent, empty or whitespace-only value."""
    return value is None or (isinstance(value, str | list | tuple | dict) and not value)


def render_article(draft: Draft, slug: str, notes: tuple[str, ...], config: Config) -> str:
    """The whole file: front matter (required keys left empty are marked) and the body."""
    fields = {k: v for k, v in draft.fields.items() if not is_blank(v)}
    if slug != make_slug(str(fields.get("title", ""))):
        fields["slug"] = slug
    order = {key: n for n, key in enumerate(FIELD_ORDER)}  # newsgen's keys first, then the rest
    keys = sorted(fields, key=lambda k: order.get(k, len(order)))
    text = dump_yaml({k: fields[k] for k in keys})
    text += "".join(
        f"{key}:  # required: fill in\n" for key in config.required if key not in fields
    )
    tail: dict[str, Any] = {"review": True, "review_notes": list(notes)} if notes else {}
    # A file name that is not UTF-8 is written with its bytes escaped (\xbd): YAML has no
    # way to hold it, and the hash is what recognises the file anyway.
    tail[IMPORT_KEY] = {"file": shown(draft.source_name), "sha256": draft.digest}
    return f"---\n{text}{dump_yaml(tail)}---\n{draft.body}"


def check_notes(text: str, rel: str, site: SiteContent) -> tuple[str, ...]:
    """What `newsgen check` would call an error in the article, as review notes."""
    source = Source(rel, text.encode("utf-8"))
    article, problems = parse_source(source, site.config)
    if article is not None:
        problems += resolve_article(article, site.vocabularies)[1]
    elif unparsed := written_terms(source, site.config):
        problems += unknown_terms(unparsed, site.vocabularies)
    return tuple(
        f"{p.field}: {p.message}" if p.field else p.message
        for p in problems
        if p.is_error and REQUIRED_MARK not in p.message
    )


def same_release_notes(draft: Draft, site: SiteContent) -> tuple[str, ...]:
    """Articles of the same day, district and units (or title) that may be this very release."""
    notes = []
    district = str(draft.fields.get("district") or "")
    units = set(term_names(draft.fields.get("units")))
    title = str(draft.fields.get("title", "")).casefold()
    for article in site.by_day.get(draft.moment.date().isoformat(), []):
        if district != (article.term_names("district") or ("",))[0]:
            continue
        shared = units & set(article.term_names("units"))
        similar = SequenceMatcher(None, title, article.title.casefold()).ratio() >= TITLE_LIKENESS
        if shared or similar:
            why = f"{len(shared)} shared unit(s)" if shared else "a similar title"
            notes.append(
                f"may be the same release as {article.source_path} (same day and district, "
                f"{why}): keep one of them"
            )
    return tuple(notes)


def free_target(draft: Draft, site: SiteContent) -> tuple[str, str]:
    """The first slug (slug, slug-2, ...) whose file and URL are both free, and its path."""
    config = site.config
    folder = f"{config.content_dir}/{draft.moment:%Y}/{draft.moment:%m}"
    number = 1
    while True:
        slug = draft.slug if number == 1 else f"{draft.slug}-{number}"
        rel = f"{folder}/{slug}.md"
        taken = article_url(draft.moment, slug) in site.urls or rel in site.reserved
        if not taken and not (config.site_root / rel).exists():
            return slug, rel
        number += 1


def plan_target(draft: Draft, site: SiteContent) -> Target | Outcome:
    """Reserve the article's file and URL (so links to it can be made before it is written);
    a source imported before is skipped."""
    existing = site.hashes.get(draft.digest)
    if existing:
        url = site.imported_urls.get(draft.digest, "")
        return Outcome(draft.source_name, Status.SKIPPED, existing, "already imported", url=url)
    slug, rel = free_target(draft, site)
    target = Target(slug, rel, article_url(draft.moment, slug))
    site.hashes[draft.digest] = rel
    site.imported_urls[draft.digest] = target.url
    site.urls.add(target.url)
    site.reserved.add(rel)
    return target


def write_planned(draft: Draft, target: Target, site: SiteContent) -> Outcome:
    """Write the article at its reserved place, never over a file."""
    notes = draft.notes + same_release_notes(draft, site)
    if target.slug != draft.slug:
        taken = f"another article already has the file name or URL of '{draft.slug}'"
        notes += (f"written as '{target.slug}': {taken} (a duplicate?)",)
    text = render_article(draft, target.slug, notes, site.config)
    notes += check_notes(text, target.rel, site)
    text = render_article(draft, target.slug, notes, site.config)
    path = site.config.site_root / target.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("xb") as handle:
            handle.write(text.encode("utf-8"))
    except FileExistsError:  # made since it was planned: take the next free name
        del site.hashes[draft.digest]
        return write_draft(draft, site)
    except OSError as exc:
        message = f"cannot write {target.rel}: {exc.strerror}"
        return Outcome(draft.source_name, Status.ERROR, target.rel, message)
    site.reserved.discard(target.rel)
    return Outcome(draft.source_name, Status.IMPORTED, target.rel, notes=notes, url=target.url)


def write_draft(draft: Draft, site: SiteContent) -> Outcome:
    """Write the article under content/YYYY/MM/, never over a file; skip a source seen before."""
    target = plan_target(draft, site)
    return target if isinstance(target, Outcome) else write_planned(draft, target, site)
