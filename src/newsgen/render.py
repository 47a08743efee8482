"""Render stage: a PageSpec plus the site index becomes bytes, through Jinja templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from newsgen import __version__, urls
from newsgen.config import Config
from newsgen.markup import render_markdown
from newsgen.model import Article, PageSpec, RenderedPage, SiteIndex, Taxonomy, Term
from newsgen.plan import date_title
from newsgen.templating import TemplateProblem, make_environment, template_diagnostic
from newsgen.views import (
    Crumb,
    FeedEntry,
    PageView,
    Pagination,
    SitemapEntry,
    SiteView,
    format_date,
    iso_date,
)


class Renderer:
    """Holds the Jinja environment and the site-wide values every page shares (computed once)."""

    def __init__(self, config: Config, index: SiteIndex) -> None:
        self.config = config
        self.index = index
        self.env = make_environment(config)
        self.taxonomies = {t.key: t for t in index.taxonomies}
        self.date_taxonomies = {t.key: t for t in (index.years, index.months, index.days)}
        self.env.globals.update(self.shared_globals())

    def shared_globals(self) -> dict[str, Any]:
        """Navigation, archive tree and helpers: computed once, never per page."""
        config, index = self.config, self.index
        site = SiteView(
            config.title,
            config.description,
            config.language,
            config.base_url,
            config.logo,
            config.favicon,
            f"newsgen {__version__}",
        )
        return {
            "site": site,
            "taxonomies": index.taxonomies,
            "archive_tree": archive_tree(index),
            "article_count": len(index.articles),
            "term_url": self.term_url,
            "format_date": format_date,
            "iso_date": iso_date,
            "date_title": date_title,
            "day_url": lambda moment: urls.day_url(moment.year, moment.month, moment.day),
        }

    def term_url(self, key: str, name: str) -> str:
        """Site URL of the term page a name in an article links to."""
        taxonomy = self.taxonomies[key]
        return urls.term_url(taxonomy.path, self.index.term_slugs[(key, name)])

    def render(self, spec: PageSpec) -> RenderedPage:
        """Render one page; template failures become a TemplateProblem naming file and line."""
        try:
            template = self.env.get_template(spec.template)
            text = template.render(self.context(spec))
        except (jinja2.TemplateError, TypeError, AttributeError, ValueError, KeyError) as exc:
            raise TemplateProblem(template_diagnostic(exc, self.config, spec.template)) from None
        return RenderedPage(spec.output_path, text.encode("utf-8"))

    def render_all(self, specs: Iterable[PageSpec]) -> Iterator[RenderedPage]:
        """Render lazily, one page at a time, so memory stays bounded."""
        return (self.render(spec) for spec in specs)

    def context(self, spec: PageSpec) -> dict[str, Any]:
        """Everything a page's template sees besides the shared globals."""
        lang = spec.lang or self.config.language
        rel = partial(
            link, spec.url, self.config.pretty_urls, spec.kind == "notfound", self.config.base_url
        )
        context: dict[str, Any] = {"rel": rel, "lang": lang}
        builders: dict[str, Callable[[PageSpec], dict[str, Any]]] = {
            "article": self.article_context,
            "feed": self.feed_context,
            "sitemap": self.sitemap_context,
            "sitemap-index": self.sitemap_index_context,
        }
        context.update(builders.get(spec.kind, self.listing_context)(spec))
        context["page"] = self.page_view(spec, lang, context)
        return context

    def listing_context(self, spec: PageSpec) -> dict[str, Any]:
        """Articles on this page, and the term or taxonomy the listing belongs to."""
        taxonomy = self.taxonomies.get(spec.taxonomy) or self.date_taxonomies.get(spec.taxonomy)
        term = taxonomy.find(spec.term_slug) if taxonomy and spec.term_slug else None
        return {
            "articles": [self.index.articles[i] for i in spec.item_ids],
            "taxonomy": taxonomy,
            "term": term,
        }

    def article_context(self, spec: PageSpec) -> dict[str, Any]:
        """The article, its body as HTML, its neighbours in time and related articles."""
        assert spec.article_id is not None
        articles = self.index.articles
        article_id = spec.article_id
        article = articles[article_id]
        return {
            "article": article,
            "body": Markup(render_markdown(article.body, self.config.sanitize_html)),
            "newer": articles[article_id - 1] if article_id > 0 else None,
            "older": articles[article_id + 1] if article_id + 1 < len(articles) else None,
            "related": [articles[i] for i in self.index.related[article_id]],
        }

    def feed_context(self, spec: PageSpec) -> dict[str, Any]:
        """Atom entries with absolute URLs; the site feed carries full content."""
        base = self.config.base_url
        entries = [
            self.feed_entry(self.index.articles[i], full=not spec.term_slug) for i in spec.item_ids
        ]
        updated = entries[0].updated if entries else "1970-01-01T00:00:00+00:00"
        return {
            "entries": entries,
            "feed_id": urls.absolute_url(base, spec.url),
            "feed_url": urls.absolute_url(base, spec.url),
            "alternate_url": urls.absolute_url(base, spec.listing_url),
            "updated": updated,
        }

    def feed_entry(self, article: Article, full: bool) -> FeedEntry:
        """One article as an Atom entry."""
        content = render_markdown(article.body, self.config.sanitize_html) if full else ""
        categories = tuple(name for key in ("units", "tags") for name in article.term_names(key))
        return FeedEntry(
            article.title,
            urls.absolute_url(self.config.base_url, article.url),
            iso_date(article.date),
            iso_date(article.date),
            article.summary,
            content,
            tuple(s.name for s in article.speakers),
            categories,
            article.lang,
        )

    def sitemap_context(self, spec: PageSpec) -> dict[str, Any]:
        """URLs of every HTML page, with the article's date as lastmod where there is one."""
        dates = self.article_dates()
        base = self.config.base_url
        entries = [
            SitemapEntry(urls.absolute_url(base, url), dates.get(url, "")) for url in spec.sources
        ]
        return {"entries": entries}

    def sitemap_index_context(self, spec: PageSpec) -> dict[str, Any]:
        """The list of sitemap files."""
        return {"sitemaps": [urls.absolute_url(self.config.base_url, n) for n in spec.sources]}

    def article_dates(self) -> dict[str, str]:
        """Article URL to date, built once and reused by every sitemap file."""
        cached: dict[str, str] | None = getattr(self, "_dates", None)
        if cached is None:
            cached = {a.url: a.date.date().isoformat() for a in self.index.articles}
            self._dates = cached
        return cached

    def page_view(self, spec: PageSpec, lang: str, context: dict[str, Any]) -> PageView:
        """The page's own facts: canonical URL, breadcrumbs, pagination, feed."""
        base = self.config.base_url
        canonical = urls.absolute_url(base, spec.url) if base else ""
        return PageView(
            spec.kind,
            spec.url,
            spec.title,
            lang,
            canonical,
            self.breadcrumbs(spec, context),
            pagination(spec),
            self.page_feed(spec),
        )

    def page_feed(self, spec: PageSpec) -> str:
        """Site URL of the feed that belongs with a page, if feeds are made."""
        if not self.config.base_url:
            return ""
        taxonomy = self.taxonomies.get(spec.taxonomy)
        if spec.kind == "term" and taxonomy and taxonomy.feeds:
            return urls.term_feed_url(taxonomy.path, spec.term_slug)
        return urls.FEED_URL

    def breadcrumbs(self, spec: PageSpec, context: dict[str, Any]) -> tuple[Crumb, ...]:
        """Home > ... > this page, for every page kind."""
        home = Crumb("Home", urls.HOME_URL)
        if spec.kind == "article":
            article: Article = context["article"]
            date = article.date
            return (
                home,
                Crumb(f"{date.year}", urls.year_url(date.year)),
                Crumb(
                    date_title(month_term(date.year, date.month)),
                    urls.month_url(date.year, date.month),
                ),
                Crumb(article.title, article.url),
            )
        if spec.kind in {"term", "terms"}:
            taxonomy = self.taxonomies[spec.taxonomy]
            trail = [home, Crumb(taxonomy.title, urls.taxonomy_url(taxonomy.path))]
            term: Term | None = context.get("term")
            if term:
                trail.append(Crumb(term.name, term.url))
            return tuple(trail)
        if spec.kind == "date":
            return (home, Crumb("Archive", urls.ARCHIVE_URL), *date_crumbs(spec.listing_url))
        if spec.kind == "archive":
            return (home, Crumb("Archive", urls.ARCHIVE_URL))
        return (home,)


def month_term(year: int, month: int) -> Term:
    """A stand-in month term, for titles."""
    return Term("month", f"{year:04d}-{month:02d}", "", urls.month_url(year, month), ())


def date_crumbs(listing_url: str) -> tuple[Crumb, ...]:
    """Year, month and day steps for a date archive URL like 2023/02/10/."""
    parts = [int(p) for p in listing_url.strip("/").split("/")]
    crumbs = [Crumb(str(parts[0]), urls.year_url(parts[0]))]
    if len(parts) > 1:
        crumbs.append(
            Crumb(date_title(month_term(parts[0], parts[1])), urls.month_url(parts[0], parts[1]))
        )
    if len(parts) > 2:
        day = Term("day", "{:04d}-{:02d}-{:02d}".format(*parts), "", "", ())
        crumbs.append(Crumb(date_title(day), urls.day_url(*parts)))
    return tuple(crumbs)


def pagination(spec: PageSpec) -> Pagination | None:
    """Pagination facts for listing pages (site URLs)."""
    if spec.kind not in {"home", "term", "date"}:
        return None
    number, count, base = spec.page_number, spec.page_count, spec.listing_url
    return Pagination(
        number,
        count,
        urls.page_url(base, number - 1) if number > 1 else "",
        urls.page_url(base, number + 1) if number < count else "",
        urls.page_url(base, 1),
        urls.page_url(base, count),
    )


def link(from_url: str, pretty: bool, absolute_root: bool, base_url: str, to_url: str) -> str:
    """rel(): a relative link from this page; the 404 page, served anywhere, uses root paths."""
    if absolute_root:
        root = urlsplit(base_url).path if base_url else "/"
        root = root if root.endswith("/") else root + "/"
        return root + urls.relative_url("", to_url, pretty)
    return urls.relative_url(from_url, to_url, pretty)


def archive_tree(index: SiteIndex) -> list[tuple[Term, list[Term]]]:
    """Years, each with its months, newest first: for archive navigation, built once."""
    months: dict[str, list[Term]] = {}
    for term in index.months.terms:
        months.setdefault(term.name[:4], []).append(term)
    return [(year, months.get(year.name, [])) for year in index.years.terms]


def taxonomy_by_key(index: SiteIndex, key: str) -> Taxonomy | None:
    """Find a taxonomy of the index by its key."""
    return next((t for t in index.taxonomies if t.key == key), None)
