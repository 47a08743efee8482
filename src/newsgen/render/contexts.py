"""What each page's template sees, built from its PageSpec and the site index (no Markdown here)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from newsgen.core import urls
from newsgen.core.config import Config, primary_language
from newsgen.core.dates import date_title
from newsgen.core.model import Article, PageSpec, SiteIndex, Taxonomy, Term
from newsgen.render.reads import ReadLog
from newsgen.render.viewmodels import (
    Correction,
    Crumb,
    PageView,
    Pagination,
    SitemapEntry,
    TaxonomyInfo,
    TaxonomyView,
    TermView,
)
from newsgen.site.inputs import PageInputs, page_inputs


def taxonomy_info(taxonomy: Taxonomy) -> TaxonomyInfo:
    """The light view of a taxonomy."""
    return TaxonomyInfo(
        taxonomy.key, taxonomy.path, taxonomy.title, taxonomy.singular, taxonomy.url, taxonomy.feeds
    )


def term_view(term: Term, log: ReadLog | None = None) -> TermView:
    """The view of a term (no article ids); reads of its count go into `log`."""
    return TermView(
        term.taxonomy, term.name, term.slug, term.url, term.count, term.labels, log, term.history
    )


def archive_tree(index: SiteIndex) -> tuple[tuple[TermView, tuple[TermView, ...]], ...]:
    """Years, each with its months, newest first: for archive navigation, built once."""
    months: dict[str, list[TermView]] = {}
    for term in index.months.terms:
        months.setdefault(term.name[:4], []).append(term_view(term))
    return tuple((term_view(y), tuple(months.get(y.name, []))) for y in index.years.terms)


def search_filters(index: SiteIndex) -> tuple[tuple[TaxonomyInfo, tuple[TermView, ...]], ...]:
    """Every taxonomy's terms by name, each followed by those under it (a district by its
    sub-districts), for the search page's filters: built once."""
    return tuple(
        (taxonomy_info(t), tuple(sorted((term_view(x) for x in t.terms), key=tree_order)))
        for t in index.taxonomies
        if t.terms
    )


def tree_order(view: TermView) -> tuple[str, ...]:
    """Sort key that puts a term right after the terms above it."""
    above = view.history.ancestors if view.history else ()
    return (*(a.name for a in above), view.name)


class LazyBody:
    """An article body that is converted from Markdown only when a template prints it."""

    def __init__(self, article: Article, load: Callable[[Article], str]) -> None:
        self.article = article
        self.load = load

    def __html__(self) -> str:
        return self.load(self.article)

    def __str__(self) -> str:
        return self.load(self.article)


class ContextBuilder:
    """Builds page contexts; everything it reads is covered by the page's fingerprint."""

    def __init__(
        self,
        config: Config,
        index: SiteIndex,
        body_html: Callable[[Article], str],
        log: ReadLog | None = None,
    ) -> None:
        self.config = config
        self.index = index
        self.body_html = body_html
        self.log = log  # where term views note reads of their counts
        self.taxonomies = {
            t.key: t for t in (*index.taxonomies, index.years, index.months, index.days)
        }

    def build(self, spec: PageSpec) -> dict[str, Any]:
        """The context of one page."""
        rel = partial(
            link, spec.url, self.config.pretty_urls, spec.kind == "notfound", self.config.base_url
        )
        context: dict[str, Any] = {"rel": rel, "lang": spec.lang or self.config.language}
        builders: dict[str, Callable[[PageSpec, PageInputs], dict[str, Any]]] = {
            "article": self.article_context,
            "feed": self.feed_context,
            "sitemap": self.sitemap_context,
            "sitemap-index": self.sitemap_index_context,
            "terms": self.terms_context,
            "alias": self.alias_context,
            "corrections": self.corrections_context,
            "corrections-feed": self.corrections_context,
        }
        inputs = page_inputs(spec, self.index)
        context.update(builders.get(spec.kind, self.listing_context)(spec, inputs))
        context["page"] = self.page_view(spec, context)
        return context

    def listing_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """Articles on this page, and the term and taxonomy the listing belongs to."""
        taxonomy = self.taxonomies.get(spec.taxonomy)
        return {
            "articles": [self.index.articles[i] for i in inputs.items],
            "taxonomy": taxonomy_info(taxonomy) if taxonomy else None,
            "term": term_view(inputs.term, self.log) if inputs.term else None,
            "months": tuple(term_view(m, self.log) for m in inputs.months),
        }

    def terms_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """A taxonomy's overview: every term with its count."""
        taxonomy = self.taxonomies[spec.taxonomy]
        terms = tuple(term_view(t, self.log) for t in inputs.terms)
        view = TaxonomyView(
            taxonomy.key, taxonomy.path, taxonomy.title, taxonomy.singular, taxonomy.url, terms
        )
        return {"taxonomy": view}

    def article_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """The article, its body (converted lazily), its neighbours and related articles."""
        articles = self.index.articles
        assert inputs.article_id is not None
        article = articles[inputs.article_id]
        return {
            "article": article,
            "body": LazyBody(article, self.body_html),
            "newer": articles[inputs.newer] if inputs.newer is not None else None,
            "older": articles[inputs.older] if inputs.older is not None else None,
            "related": [articles[i] for i in inputs.related],
            "translations": [articles[i] for i in inputs.translations],
        }

    def alias_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """An old address: the article it now lives at."""
        assert inputs.article_id is not None
        return {"article": self.index.articles[inputs.article_id]}

    def feed_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """Atom feed: articles (the site feed carries full content), absolute URLs."""
        base = self.config.base_url
        articles = [self.index.articles[i] for i in inputs.items]
        term = inputs.term
        return {
            "articles": articles,
            "full_content": not spec.term_slug,
            "term": term_view(term, self.log) if term else None,
            "feed_id": urls.absolute_url(base, spec.url),
            "feed_url": urls.absolute_url(base, spec.url),
            "alternate_url": urls.absolute_url(base, spec.listing_url),
            "updated": max((a.modified for a in articles), default=None),
            "absolute": partial(urls.absolute_url, base),
            "content_of": self.body_html,
        }

    def corrections_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """Every correction of the articles listed, the latest first (page and feed)."""
        articles = [self.index.articles[i] for i in inputs.items]
        entries = sorted(
            (Correction(article, update) for article in articles for update in article.corrections),
            key=lambda c: (-c.update.date.timestamp(), c.article.url, c.update.note),
        )
        if spec.kind == "corrections-feed":
            entries = entries[: self.config.feed_items]
        base = self.config.base_url
        return {
            "entries": entries,
            "updated": entries[0].update.date if entries else None,
            "absolute": partial(urls.absolute_url, base),
            "feed_id": urls.absolute_url(base, spec.url),
            "alternate_url": urls.absolute_url(base, urls.CORRECTIONS_URL),
        }

    def sitemap_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """URLs of every HTML page, with the article's date as lastmod where there is one."""
        dates = self.article_dates()
        base = self.config.base_url
        entries = [
            SitemapEntry(urls.absolute_url(base, url), dates.get(url, "")) for url in inputs.urls
        ]
        return {"entries": entries}

    def sitemap_index_context(self, spec: PageSpec, inputs: PageInputs) -> dict[str, Any]:
        """The list of sitemap files."""
        return {"sitemaps": [urls.absolute_url(self.config.base_url, n) for n in inputs.urls]}

    def article_dates(self) -> dict[str, str]:
        """Article URL to date, built once and reused by every sitemap file."""
        cached: dict[str, str] | None = getattr(self, "_dates", None)
        if cached is None:
            cached = {a.url: a.modified.date().isoformat() for a in self.index.articles}
            self._dates = cached
        return cached

    def page_view(self, spec: PageSpec, context: dict[str, Any]) -> PageView:
        """The page's own facts: canonical URL, breadcrumbs, pagination, feed."""
        base = self.config.base_url
        canonical = urls.absolute_url(base, spec.url) if base else ""
        return PageView(
            spec.kind,
            spec.url,
            spec.title,
            context["lang"],
            canonical,
            breadcrumbs(spec, context, self.taxonomies, self.home_of(context["lang"])),
            pagination(spec),
            self.page_feed(spec, context["lang"]),
        )

    def home_of(self, lang: str) -> str:
        """The home page for readers of a language (the site root unless it has its own)."""
        for site_lang in self.config.site_languages:
            if primary_language(site_lang) == primary_language(lang):
                return urls.language_home_url(site_lang, self.config.language)
        return urls.HOME_URL

    def page_feed(self, spec: PageSpec, lang: str) -> str:
        """Site URL of the feed that belongs with a page (its language's), if feeds are made."""
        if not self.config.base_url:
            return ""
        taxonomy = self.taxonomies.get(spec.taxonomy)
        if spec.kind == "term" and taxonomy and taxonomy.feeds:
            return urls.term_feed_url(taxonomy.path, spec.term_slug)
        if spec.kind == "corrections":
            return urls.CORRECTIONS_FEED_URL
        home = self.home_of(lang)
        return f"{home}{urls.FEED_URL}"


def breadcrumbs(
    spec: PageSpec, context: dict[str, Any], taxonomies: dict[str, Taxonomy], home_url: str
) -> tuple[Crumb, ...]:
    """Home (of the page's language) > ... > this page, for every page kind."""
    home = Crumb("Home", home_url)
    if spec.kind == "article":
        article: Article = context["article"]
        date = article.date
        return (
            home,
            *date_crumbs(urls.month_url(date.year, date.month), context["lang"]),
            Crumb(article.title, article.url),
        )
    if spec.kind in {"term", "terms", "term-all"}:
        taxonomy = taxonomies[spec.taxonomy]
        trail = [home, Crumb(taxonomy.title, taxonomy.url)]
        term: TermView | None = context.get("term")
        if term:
            ancestors = term.history.ancestors if term.history else ()
            lang = context["lang"]
            trail += [Crumb(a.label(lang), a.url) for a in ancestors if a.url]
            trail.append(Crumb(term.label(lang), term.url))
        if spec.kind == "term-all":
            trail.append(Crumb("Including everything under it", spec.url))
        return tuple(trail)
    if spec.kind == "date":
        crumbs = date_crumbs(spec.listing_url, context["lang"])
        return (home, Crumb("Archive", urls.ARCHIVE_URL), *crumbs)
    if spec.kind == "archive":
        return (home, Crumb("Archive", urls.ARCHIVE_URL))
    return (home,)


def date_crumbs(listing_url: str, lang: str = "") -> tuple[Crumb, ...]:
    """Year, month and day steps for a date archive URL like 2023/02/10/, in `lang`."""
    parts = [int(p) for p in listing_url.strip("/").split("/")]
    makers = (urls.year_url, urls.month_url, urls.day_url)
    crumbs = []
    for depth in range(1, len(parts) + 1):
        name = "-".join(f"{p:02d}" if n else f"{p:04d}" for n, p in enumerate(parts[:depth]))
        view = TermView("", name, "", "", 0)
        crumbs.append(Crumb(date_title(view, lang), makers[depth - 1](*parts[:depth])))
    return tuple(crumbs)


def pagination(spec: PageSpec) -> Pagination | None:
    """Newer and older neighbours of a listing page (older pages are numbered from the oldest)."""
    if spec.kind not in {"home", "term", "term-all", "date"}:
        return None
    number, count, base = spec.page_number, spec.page_count, spec.listing_url
    if number == 1:
        return Pagination(1, count, None, urls.page_url(base, count) if count > 1 else None)
    newer = urls.page_url(base, number + 1) if number < count else urls.page_url(base, 1)
    older = urls.page_url(base, number - 1) if number > 2 else None
    return Pagination(number, count, newer, older)


def link(from_url: str, pretty: bool, absolute_root: bool, base_url: str, to_url: str) -> str:
    """rel(): a relative link from this page; the 404 page, served anywhere, uses root paths."""
    if absolute_root:
        root = urlsplit(base_url).path if base_url else "/"
        root = root if root.endswith("/") else root + "/"
        return root + urls.relative_url("", to_url, pretty)
    return urls.relative_url(from_url, to_url, pretty)
