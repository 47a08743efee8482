"""The immutable values that flow between the pipeline's stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as work goes on, so a command line can show a bar."""


@dataclass(frozen=True)
class Source:
    """A content file as read from disk: where it is (relative, POSIX) and its bytes."""

    source_path: str
    data: bytes


@dataclass(frozen=True)
class Speaker:
    """A person quoted or presiding, with their role when the article gives one."""

    name: str
    role: str = ""


class ShortcodeUse(NamedTuple):
    """A shortcode an article's body uses, where, and (for ref/relref) the article it names."""

    name: str
    line: int
    column: int
    target: str = ""


@dataclass(frozen=True)
class Update:
    """One dated change to a published article, with a note for readers; a correction is
    shown and listed as such (archives are trusted for showing how a release changed)."""

    date: datetime
    has_time: bool
    note: str
    correction: bool = False


@dataclass(frozen=True)
class LeadImage:
    """An article's lead photo as its front matter gives it: `src` is a file in the static
    folder (`/img/x.jpg`) or an http(s) URL; `focal` is where a cropped thumbnail centres."""

    src: str
    alt: str
    caption: str = ""
    credit: str = ""
    focal: tuple[float, float] = (0.5, 0.5)
    line: int = 0

    @property
    def is_remote(self) -> bool:
        """An image on another site: shown as given, never processed."""
        return self.src.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Variant:
    """One width of a photo, in WebP and in a kind every browser shows (site paths)."""

    width: int
    height: int
    webp: str
    fallback: str


@dataclass(frozen=True)
class ImageSet:
    """A lead photo as pages show it: its upright size and its versions, narrowest first."""

    src: str  # site path of the original (in the static folder)
    digest: str  # of the file's bytes and how its versions are made
    width: int
    height: int
    variants: tuple[Variant, ...]

    @property
    def largest(self) -> Variant:
        """The widest version (what a browser without srcset shows)."""
        return self.variants[-1]

    def nearest(self, width: int) -> Variant:
        """The narrowest version at least this wide, else the widest (link previews)."""
        return next((v for v in self.variants if v.width >= width), self.largest)

    @property
    def files(self) -> tuple[str, ...]:
        """Every version's site path."""
        return tuple(path for v in self.variants for path in (v.webp, v.fallback))


@dataclass(frozen=True)
class Attachment:
    """A file a release comes with (the full text as PDF, a form), in the static folder."""

    file: str  # site path, e.g. files/2023/notice.pdf
    title: str = ""  # what the download list says; the file name without one
    lang: str = ""
    line: int = 0


@dataclass(frozen=True)
class FileInfo:
    """What a download list says about a file, found at build time."""

    file: str
    size: int
    kind: str  # PDF, DOCX, ZIP...
    mime: str
    pages: int = 0  # a PDF's page count (0: not a PDF, or not readable)


@dataclass(frozen=True)
class Media:
    """The site's lead photos and attachments as read this build, by site path."""

    images: Mapping[str, ImageSet] = field(default_factory=dict)
    files: Mapping[str, FileInfo] = field(default_factory=dict)


class TermPlaces:
    """Where a file writes its front-matter keys and each term it names (Article, Unparsed)."""

    key_lines: dict[str, int]
    # where each term named is written, for vocabulary errors: "units:9.5,10.5;district:4.11"
    # (line.column by taxonomy key; one string: 10,000 articles' tuples load slowly)
    term_lines: str

    def term_place(self, key: str, number: int) -> tuple[int, int]:
        """(line, column) of the term an article names `number`th for a taxonomy key, else
        the key's line."""
        for part in self.term_lines.split(";"):
            name, _, places = part.partition(":")
            found = places.split(",") if name == key and places else []
            if number < len(found):
                line, _, column = found[number].partition(".")
                return int(line), int(column)
        return self.line_of(key), 0

    def line_of(self, *keys: str) -> int:
        """File line of the first of these front-matter keys that is given (0 if none)."""
        return next((self.key_lines[k] for k in keys if k in self.key_lines), 0)


@dataclass(frozen=True)
class Unparsed(TermPlaces):
    """The terms an article file that failed to parse names, and where: vocabularies still
    check them, so the build lists an unknown term with the file's other problems."""

    source_path: str
    terms: dict[str, tuple[str, ...]]
    key_lines: dict[str, int]
    term_lines: str


@dataclass(frozen=True, eq=False)
class Article(TermPlaces):
    """One parsed, validated article; every field populated (empty when not given)."""

    source_path: str
    title: str
    date: datetime
    has_time: bool
    slug: str
    url: str
    lang: str
    translation_key: str
    draft: bool
    summary: str
    summary_derived: bool
    district: str
    event_type: str
    speakers: tuple[Speaker, ...]
    units: tuple[str, ...]
    tags: tuple[str, ...]
    terms: dict[str, tuple[str, ...]]
    body_hash: str
    body_line: int
    extra: dict[str, Any]
    key_lines: dict[str, int] = field(default_factory=dict)
    term_lines: str = ""  # see TermPlaces
    aliases: tuple[str, ...] = ()  # old site URLs of this article (redirect pages)
    shortcodes: tuple[ShortcodeUse, ...] = ()  # found when parsing; templates checked later
    links: tuple[tuple[str, int], ...] = ()  # links and image sources in the body, with lines
    card_hash: str = ""  # what listings show of it (all but the body): its front matter, summary
    updated: datetime | None = None  # last change: `updated:` or the latest of `updates:`
    updates: tuple[Update, ...] = ()  # oldest first
    image: LeadImage | None = None  # the lead photo
    attachments: tuple[Attachment, ...] = ()

    @property
    def modified(self) -> datetime:
        """When the article last changed: for feeds, sitemaps and dateModified."""
        return self.updated or self.date

    @property
    def corrections(self) -> tuple[Update, ...]:
        """The updates that correct the article."""
        return tuple(u for u in self.updates if u.correction)

    def term_names(self, key: str) -> tuple[str, ...]:
        """Names this article gives for one taxonomy."""
        return self.terms.get(key, ())


def day_of(moment: datetime | date) -> date:
    """The calendar day of a date or a moment (in the moment's own time zone)."""
    return moment.date() if isinstance(moment, datetime) else moment


def label_in(labels: tuple[tuple[str, str], ...], lang: str, name: str) -> str:
    """A name's label in a language (zh-CN falls back to zh), else the name itself."""
    found = dict(labels)
    return found.get(lang) or found.get(lang.split("-")[0].lower()) or name


@dataclass(frozen=True)
class NameSpan:
    """A name a term had for a time, from `start` to `end` (days, both included)."""

    name: str
    start: date | None = None
    end: date | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, lang: str) -> str:
        """The name in a language."""
        return label_in(self.labels, lang, self.name)

    def covers(self, day: date) -> bool:
        """Whether the name was in use on a day."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TermLink:
    """Another term a vocabulary names (successor, predecessor, parent, child); url is ""
    when it has no page (no article names it)."""

    name: str
    slug: str
    url: str
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, lang: str) -> str:
        """Its name in a language."""
        return label_in(self.labels, lang, self.name)


@dataclass(frozen=True)
class TermHistory:
    """What a vocabulary says of a term over time and in its hierarchy."""

    names: tuple[NameSpan, ...] = ()  # its names with their dates, oldest first
    successor: TermLink | None = None  # renamed, merged or split into
    predecessors: tuple[TermLink, ...] = ()  # formed from
    dissolved: date | None = None
    ancestors: tuple[TermLink, ...] = ()  # parent, grandparent...: the top one first
    children: tuple[TermLink, ...] = ()
    descendant_ids: tuple[int, ...] = ()  # articles of its children and theirs, newest first
    merged: bool = False  # its successor was formed from it and others (not a renaming)
    roles: tuple[NameSpan, ...] = ()  # a person's roles over time, oldest first

    def role_on(self, on: datetime | date, lang: str) -> str:
        """The role a person held on a day, in a language ("" if the vocabulary says none)."""
        day = day_of(on)
        return next((span.label(lang) for span in self.roles if span.covers(day)), "")


@dataclass(frozen=True)
class Term:
    """One index entry (a unit, a speaker, a year...) with the articles it lists, newest first."""

    taxonomy: str
    name: str
    slug: str
    url: str
    article_ids: tuple[int, ...]
    labels: tuple[tuple[str, str], ...] = ()
    history: TermHistory | None = None  # from its vocabulary entry, when it says anything

    @property
    def count(self) -> int:
        """Number of articles filed under this term."""
        return len(self.article_ids)

    def label(self, lang: str, on: datetime | date | None = None) -> str:
        """The term's name in a language (on a day: the name it had then), falling back to
        its canonical name."""
        if on is not None and self.history and self.history.names:
            day = day_of(on)
            for span in self.history.names:
                if span.covers(day):
                    return span.label(lang)
        return label_in(self.labels, lang, self.name)


@dataclass(frozen=True)
class Taxonomy:
    """A way to index articles: by a front-matter key or by date (year, month, day)."""

    key: str
    path: str
    title: str
    singular: str
    terms: tuple[Term, ...]
    feeds: bool = True

    @property
    def url(self) -> str:
        """Site URL of this taxonomy's overview page."""
        return f"{self.path}/"

    def find(self, slug: str) -> Term | None:
        """The term with this slug, if any."""
        for term in self.terms:
            if term.slug == slug:
                return term
        return None


@dataclass(frozen=True)
class SiteIndex:
    """Everything site-wide, computed once before any template runs."""

    articles: tuple[Article, ...]
    taxonomies: tuple[Taxonomy, ...]
    years: Taxonomy
    months: Taxonomy
    days: Taxonomy
    related: tuple[tuple[int, ...], ...]
    term_slugs: dict[tuple[str, str], str]
    # translation_key -> the articles that share it (the language versions of one release)
    translations: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # every name a {{< ref >}} may give an article (its path in content/, file name...) -> URL
    ref_urls: dict[str, str] = field(default_factory=dict)
    # lookups every page needs, built once: (taxonomy key, slug) -> term; year -> its months
    terms_by_slug: dict[tuple[str, str], Term] = field(default_factory=dict)
    year_months: dict[str, tuple[Term, ...]] = field(default_factory=dict)

    def term(self, taxonomy: str, slug: str) -> Term | None:
        """The term of a taxonomy (or of years, months, days) with this slug."""
        return self.terms_by_slug.get((taxonomy, slug))

    def taxonomy(self, key: str) -> Taxonomy | None:
        """A taxonomy by key, the date archives included."""
        found = (*self.taxonomies, self.years, self.months, self.days)
        return next((t for t in found if t.key == key), None)


class PageSpec(NamedTuple):
    """One page to render: what it shows, where it goes and what it depends on.

    A named tuple rather than a dataclass: a large site plans hundreds of thousands of them.
    """

    kind: str
    url: str
    output_path: str
    template: str
    title: str
    article_id: int | None = None
    taxonomy: str = ""
    term_slug: str = ""
    listing_url: str = ""
    page_number: int = 1
    page_count: int = 1
    item_ids: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    lang: str = ""


@dataclass(frozen=True)
class RenderedPage:
    """A rendered page's bytes, ready to be written."""

    output_path: str
    data: bytes
    reads: str = ""  # the watched site-wide values its render read (render/reads.py)
