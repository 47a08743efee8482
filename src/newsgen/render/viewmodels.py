"""Small immutable views that templates see: site facts, page facts, pagination, feeds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from newsgen.core.dates import MONTH_NAMES, offset_label
from newsgen.core.model import Article, TermHistory, Update, label_in
from newsgen.render.reads import COUNTS


@dataclass(frozen=True)
class SiteView:
    """Site-wide facts every template may use."""

    title: str
    description: str
    language: str
    base_url: str
    logo: str
    favicon: str
    generator: str
    search: bool = False
    share_image: str = ""  # what link previews show for a page without a lead photo


@dataclass(frozen=True)
class Correction:
    """One correction as the corrections page and its feed show it: the article it corrects."""

    article: Article
    update: Update


@dataclass(frozen=True)
class Pagination:
    """Where a listing page sits among its pages (URLs are site URLs; use rel()).

    Page 1 is the listing itself with the newest articles; older pages are numbered from the
    oldest (page 2 holds the oldest articles), so a new article changes only the first page.
    """

    number: int
    count: int
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class TaxonomyInfo:
    """A taxonomy as navigation and listings see it (no terms: those change with every article)."""

    key: str
    path: str
    title: str
    singular: str
    url: str
    feeds: bool


@dataclass(frozen=True)
class TermView:
    """A term as a listing or overview shows it; reading its count is noted in the render's
    log (render/reads.py): a page that never shows it is not rendered again when it changes."""

    taxonomy: str
    name: str
    slug: str
    url: str
    _count: int
    labels: tuple[tuple[str, str], ...] = ()
    log: set[str] | None = field(default=None, repr=False, compare=False)
    history: TermHistory | None = None  # names over time, successor, parent, children...

    @property
    def count(self) -> int:
        """Articles filed under the term."""
        if self.log is not None:
            self.log.add(COUNTS)
        return self._count

    def label(self, lang: str) -> str:
        """The term's name in a language, falling back to its canonical name."""
        return label_in(self.labels, lang, self.name)

    @property
    def depth(self) -> int:
        """How many terms with a page stand above it in its vocabulary's hierarchy."""
        return sum(1 for a in self.history.ancestors if a.url) if self.history else 0


@dataclass(frozen=True)
class TaxonomyView:
    """A taxonomy with its terms, for its overview page."""

    key: str
    path: str
    title: str
    singular: str
    url: str
    terms: tuple[TermView, ...]


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb trail."""

    title: str
    url: str


@dataclass(frozen=True)
class PageView:
    """Facts about the page being rendered."""

    kind: str
    url: str
    title: str
    lang: str
    canonical_url: str
    breadcrumbs: tuple[Crumb, ...]
    pagination: Pagination | None
    feed_url: str


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> of a sitemap."""

    loc: str
    lastmod: str


def xml_escape(text: str) -> str:
    """Escaped as Jinja's autoescape (markupsafe) does it, character for character."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("'", "&#39;").replace('"', "&#34;")


def sitemap_urls(entries: Iterable[SitemapEntry]) -> Markup:
    """A sitemap's <url> elements, a line each, as the theme's loop wrote them: one join
    instead of a template loop (a third of the time; the sitemap renders again with every
    addition, and holds 50,000 URLs a file)."""
    lines = []
    for entry in entries:
        loc = f"<url><loc>{xml_escape(entry.loc)}</loc>"
        lastmod = f"<lastmod>{xml_escape(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        lines.append(f"{loc}{lastmod}</url>\n")
    return Markup("".join(lines))


def format_date(moment: datetime, has_time: bool, lang: str, zone_name: str = "") -> str:
    """A date (and time, when the article gives one) written for readers of `lang`; the
    time's zone is `zone_name` (the `timezone_name` setting) or its UTC offset."""
    if lang.lower().startswith("zh"):
        text = f"{moment.year}年{moment.month}月{moment.day}日"
    else:
        text = f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"
    if has_time:
        text += f" {moment:%H:%M} {zone_name or offset_label(moment)}"
    return text


def iso_date(moment: datetime) -> str:
    """RFC 3339 timestamp, as feeds and <time datetime> want."""
    return moment.isoformat(timespec="seconds")


def format_size(size: int) -> str:
    """A file's size for readers: 900 B, 240 KB, 1.2 MB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"
