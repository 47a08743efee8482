"""Plan stage: every page the site will have, with its URL, template and sources; collisions fail."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from newsgen.core import urls
from newsgen.core.config import Config, primary_language
from newsgen.core.dates import date_title
from newsgen.core.diagnostics import Diagnostic, error
from newsgen.core.model import PageSpec, SiteIndex, Taxonomy
from newsgen.site.aliases import drop_shadowed_aliases, plan_aliases
from newsgen.site.inputs import page_inputs

SITEMAP_LIMIT = 50_000


def paginate(ids: Sequence[int], size: int) -> list[tuple[int, ...]]:
    """Pages in URL order: the listing itself (newest), then page 2 (oldest), page 3...

    Older pages are numbered from the oldest and hold exactly `size` articles, so a new
    article changes only the first page (which holds `size` to 2*`size`-1 articles) and, every
    `size` articles, adds one page: the rest of a long listing stays byte-identical.
    """
    count = len(ids)
    archived = max(0, count // size - 1)
    pages = [tuple(ids[: count - archived * size])]
    pages.extend(tuple(ids[count - (c + 1) * size : count - c * size]) for c in range(archived))
    return pages


def sources_of(index: SiteIndex, ids: Sequence[int]) -> tuple[str, ...]:
    """Source paths of the articles a page shows."""
    return tuple(index.articles[i].source_path for i in ids)


def listing_pages(
    index: SiteIndex,
    config: Config,
    kind: str,
    listing_url: str,
    title: str,
    ids: Sequence[int],
    taxonomy: str = "",
    term_slug: str = "",
    template: str = "list.html",
    lang: str = "",
) -> Iterator[PageSpec]:
    """A paginated listing: page 1 at the listing's URL, then page/2/, page/3/..."""
    pages = paginate(ids, config.page_size)
    for number, page_ids in enumerate(pages, start=1):
        url = urls.page_url(listing_url, number)
        yield PageSpec(
            kind,
            url,
            urls.output_path(url),
            template,
            title,
            taxonomy=taxonomy,
            term_slug=term_slug,
            listing_url=listing_url,
            page_number=number,
            page_count=len(pages),
            item_ids=page_ids,
            lang=lang,
        )


def same_language(first: str, second: str) -> bool:
    """Whether two language tags share their primary language (zh and zh-CN do)."""
    return primary_language(first) == primary_language(second)


def language_ids(index: SiteIndex, config: Config) -> dict[str, tuple[int, ...]]:
    """Each site language's articles, newest first; one language: every article."""
    languages = config.site_languages
    if len(languages) == 1:
        return {languages[0]: tuple(range(len(index.articles)))}
    return {
        lang: tuple(n for n, a in enumerate(index.articles) if same_language(a.lang, lang))
        for lang in languages
    }


def plan_homes(index: SiteIndex, config: Config) -> Iterator[PageSpec]:
    """The home page of each site language (the default language's at the site root)."""
    for lang, ids in language_ids(index, config).items():
        home = urls.language_home_url(lang, config.language)
        yield from listing_pages(
            index, config, "home", home, config.title, ids, template="home.html", lang=lang
        )


def plan_articles(index: SiteIndex) -> Iterator[PageSpec]:
    """One page per article; its sources are every article it shows (page_inputs says which)."""
    for article_id, article in enumerate(index.articles):
        spec = PageSpec(
            "article",
            article.url,
            urls.output_path(article.url),
            "article.html",
            article.title,
            article_id=article_id,
            lang=article.lang,
        )
        shown = page_inputs(spec, index).article_ids
        yield spec._replace(sources=sources_of(index, shown))


def plan_dates(index: SiteIndex, config: Config) -> Iterator[PageSpec]:
    """Year, month and day archives plus the archive overview."""
    for taxonomy in (index.years, index.months, index.days):
        for term in taxonomy.terms:
            yield from listing_pages(
                index,
                config,
                "date",
                term.url,
                date_title(term),
                term.article_ids,
                taxonomy.key,
                term.slug,
            )
    yield PageSpec(
        "archive", urls.ARCHIVE_URL, urls.output_path(urls.ARCHIVE_URL), "archive.html", "Archive"
    )


def plan_taxonomy(index: SiteIndex, config: Config, taxonomy: Taxonomy) -> Iterator[PageSpec]:
    """A taxonomy's overview, a listing per term and (with base_url) a feed per term."""
    url = urls.taxonomy_url(taxonomy.path)
    yield PageSpec(
        "terms", url, urls.output_path(url), "terms.html", taxonomy.title, taxonomy=taxonomy.key
    )
    for term in taxonomy.terms:
        title = term.label(config.language)  # the site language's name for it
        yield from listing_pages(
            index, config, "term", term.url, title, term.article_ids, taxonomy.key, term.slug
        )
        below = term.history.descendant_ids if term.history else ()
        if below:  # its articles and those of the terms under it, in one listing
            every = sorted({*term.article_ids, *below})
            all_url = urls.term_all_url(term.url)
            yield from listing_pages(
                index, config, "term-all", all_url, title, every, taxonomy.key, term.slug
            )
        if config.base_url and taxonomy.feeds:
            feed_url = urls.term_feed_url(taxonomy.path, term.slug)
            ids = term.article_ids[: config.feed_items]
            yield PageSpec(
                "feed",
                feed_url,
                feed_url,
                "feed.xml",
                title,
                taxonomy=taxonomy.key,
                term_slug=term.slug,
                listing_url=term.url,
                item_ids=ids,
            )


def plan_corrections(index: SiteIndex, config: Config) -> Iterator[PageSpec]:
    """The corrections page (and with base_url its feed): every article that was corrected,
    the latest correction first; none when nothing was ever corrected."""
    latest = {
        article_id: article.corrections[-1].date
        for article_id, article in enumerate(index.articles)
        if article.corrections
    }
    if not latest:
        return
    ids = tuple(sorted(latest, key=lambda i: (-latest[i].timestamp(), i)))
    url, feed_url = urls.CORRECTIONS_URL, urls.CORRECTIONS_FEED_URL
    title = "Corrections"
    yield PageSpec(
        "corrections", url, urls.output_path(url), "corrections.html", title, item_ids=ids
    )
    if config.base_url:
        yield PageSpec(
            "corrections-feed",
            feed_url,
            feed_url,
            "corrections.xml",
            title,
            listing_url=url,
            item_ids=ids[: config.feed_items],
        )


def plan_site_files(index: SiteIndex, config: Config, html_urls: list[str]) -> Iterator[PageSpec]:
    """Feed, sitemap(s), robots.txt and the not-found page."""
    if config.base_url:
        for lang, ids in language_ids(index, config).items():
            feed_url = urls.language_feed_url(lang, config.language)
            home = urls.language_home_url(lang, config.language)
            yield PageSpec(
                "feed",
                feed_url,
                feed_url,
                "feed.xml",
                config.title,
                listing_url=home,
                item_ids=ids[: config.feed_items],
                lang=lang,
            )
        yield from plan_sitemaps(html_urls)
    yield PageSpec("robots", urls.ROBOTS_URL, urls.ROBOTS_URL, "robots.txt", "robots")
    yield PageSpec("notfound", urls.NOT_FOUND_URL, urls.NOT_FOUND_URL, "404.html", "Not found")
    if config.search:  # a search page per language: the same index, the reader's words
        for lang in config.site_languages:
            url = urls.language_home_url(lang, config.language) + urls.SEARCH_URL
            yield PageSpec("search", url, urls.output_path(url), "search.html", "Search", lang=lang)


def plan_sitemaps(html_urls: list[str]) -> Iterator[PageSpec]:
    """sitemap.xml; past 50,000 URLs it becomes an index of sitemap-N.xml files."""
    chunks = [
        tuple(html_urls[i : i + SITEMAP_LIMIT]) for i in range(0, len(html_urls), SITEMAP_LIMIT)
    ]
    if len(chunks) <= 1:
        yield PageSpec(
            "sitemap",
            urls.SITEMAP_URL,
            urls.SITEMAP_URL,
            "sitemap.xml",
            "sitemap",
            sources=chunks[0] if chunks else (),
        )
        return
    names = tuple(f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1))
    yield PageSpec(
        "sitemap-index",
        urls.SITEMAP_URL,
        urls.SITEMAP_URL,
        "sitemap-index.xml",
        "sitemap",
        sources=names,
    )
    for name, chunk in zip(names, chunks, strict=True):
        yield PageSpec("sitemap", name, name, "sitemap.xml", "sitemap", sources=chunk)


def plan_pages(
    index: SiteIndex, config: Config, static_paths: Collection[str] = ()
) -> tuple[tuple[PageSpec, ...], list[Diagnostic]]:
    """Every page of the site, in a fixed order; two pages on one path is an error."""
    pages = list(plan_homes(index, config))
    pages.extend(plan_articles(index))
    pages.extend(plan_dates(index, config))
    for taxonomy in index.taxonomies:
        pages.extend(plan_taxonomy(index, config, taxonomy))
    corrections = list(plan_corrections(index, config))
    pages.extend(p for p in corrections if p.kind == "corrections")
    html_urls = [p.url for p in pages if p.kind != "feed"]
    pages.extend(p for p in corrections if p.kind != "corrections")
    pages.extend(plan_site_files(index, config, html_urls))
    alias_lines = {a.source_path: a.line_of("aliases", "slug") for a in index.articles}
    aliases, dropped = drop_shadowed_aliases(plan_aliases(index), pages, static_paths, alias_lines)
    pages.extend(aliases)  # after the sitemap's list: redirects are not pages
    lines = {a.source_path: a.line_of("slug", "title") for a in index.articles}
    return tuple(pages), dropped + find_collisions(pages, lines)


ARTICLE_KINDS = ("article", "alias")  # pages an article's front matter decides


def find_collisions(
    pages: Sequence[PageSpec], lines: Mapping[str, int] | None = None
) -> list[Diagnostic]:
    """Two pages writing one file, or a path leaving the output folder, are errors."""
    lines = lines or {}
    owners: dict[str, PageSpec] = {}
    problems: list[Diagnostic] = []
    for page in pages:
        blame = page.sources[0] if page.kind in ARTICLE_KINDS and page.sources else "newsgen.yaml"
        if not urls.is_safe_output_path(page.output_path):
            problems.append(
                error(
                    blame,
                    lines.get(blame, 0),
                    "slug",
                    f"output path '{page.output_path}' would leave the output folder",
                )
            )
            continue
        other = owners.setdefault(page.output_path.casefold(), page)
        if other is not page:
            problems.append(collision(page, other, lines))
    return problems


def collision(page: PageSpec, other: PageSpec, lines: Mapping[str, int]) -> Diagnostic:
    """Name both files (or generated pages) that want the same output path."""

    def who(p: PageSpec) -> str:
        if p.kind == "alias":
            return f"{p.sources[0]} (aliases)"
        return p.sources[0] if p.kind == "article" else f"the {p.kind} page '{p.title}'"

    blame = (
        page.sources[0]
        if page.kind in ARTICLE_KINDS
        else (other.sources[0] if other.kind in ARTICLE_KINDS else "newsgen.yaml")
    )
    first, second = sorted((who(page), who(other)))
    kinds = {page.kind, other.kind}
    hint = (
        "change an alias"
        if "alias" in kinds
        else "change a slug"
        if "article" in kinds
        else "change a path in newsgen.yaml"
    )
    message = f"{first} and {second} would both write {page.output_path} ({hint})"
    return error(blame, lines.get(blame, 0), "slug", message)
