"""End to end: the example archive at the repository root builds into a complete, consistent site.

The expected contents (which articles exist, which unit and month lists each one is on)
are computed here straight from content/*.md, newsgen.yaml and data/units.yaml with
yaml.safe_load, never with newsgen's own code, and compared with what the build wrote.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import EXAMPLE_SITE, build_site, copy_fixture_site, run_cli
from slugify import slugify

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example-site")]

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DRAFT_SOURCE = "2024/09/jintai-party-school-autumn-semester.md"
ARTICLE_PAGE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/([^/]+)/index\.html$")
MONTH_PAGE = re.compile(r"^(\d{4})/(\d{2})/index\.html$")
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")}
TEMPLATE_SNIPPET = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


# --- the site as the content files describe it ---------------------------------------


@dataclass(frozen=True)
class SourceArticle:
    """One content/*.md file, read independently of newsgen."""

    source: str  # path below content/, posix
    title: str
    day: date  # publication date in the site's time zone
    slug: str | None  # explicit front-matter slug, if any
    units: frozenset[str]  # canonical unit names
    draft: bool
    body: str
    lang: str = ""  # as its front matter gives it ("" for the site's default)


def read_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split a Markdown file into its YAML front matter and its body."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").lstrip("\n")
    assert text.startswith("---\n"), f"{path}: no front matter"
    end = text.index("\n---\n", 3)
    data = yaml.safe_load(text[4:end])
    assert isinstance(data, dict), f"{path}: front matter is not a mapping"
    return data, text[end + 5 :]


def local_day(value: object, tz: ZoneInfo) -> date:
    """The calendar day of a front-matter date in the site's time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    else:
        match = DATE_TEXT.match(str(value).strip())
        assert match, f"unexpected date {value!r}"
        year, month, day, hour, minute, second, offset = match.groups()
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
        if offset:
            moment = moment.replace(tzinfo=parse_offset(offset))
    if moment.tzinfo is None:  # no offset: already in the site's time zone
        return moment.date()
    return moment.astimezone(tz).date()


def parse_offset(text: str) -> timezone:
    """'Z', '+08', '+0800' or '+08:00' as a fixed offset."""
    if text == "Z":
        return timezone.utc
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone((-1 if text[0] == "-" else 1) * timedelta(minutes=minutes))


def as_list(value: object) -> list[str]:
    """A front-matter value that may be a single item or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def unit_vocabulary(root: Path) -> dict[str, str]:
    """Every spelling in data/units.yaml (name, aliases, labels, earlier names and their
    labels), casefolded, to its name."""
    entries = yaml.safe_load((root / "data" / "units.yaml").read_text(encoding="utf-8"))
    lookup: dict[str, str] = {}
    for entry in entries:
        name = entry["name"]
        labels = entry.get("labels") or {}
        earlier = [
            spelling
            for span in entry.get("names") or []
            for spelling in (span["name"], *(span.get("labels") or {}).values())
        ]
        for spelling in (name, *as_list(entry.get("aliases")), *labels.values(), *earlier):
            lookup[str(spelling).casefold()] = name
    return lookup


def read_sources(root: Path) -> list[SourceArticle]:
    """Every article of a site's content/ folder (drafts included, flagged)."""
    settings_file = root / "newsgen.yaml"
    settings = yaml.safe_load(settings_file.read_text("utf-8")) if settings_file.exists() else {}
    tz = ZoneInfo(settings.get("timezone", "UTC"))
    vocabulary = unit_vocabulary(root) if (root / "data" / "units.yaml").exists() else {}
    articles = []
    for path in sorted((root / "content").rglob("*.md")):
        data, body = read_front_matter(path)
        units = set()
        for unit in as_list(data.get("units")):
            if vocabulary:
                assert unit.casefold() in vocabulary, f"{path}: unit {unit!r} not in units.yaml"
            units.add(vocabulary.get(unit.casefold(), unit))
        articles.append(
            SourceArticle(
                source=path.relative_to(root / "content").as_posix(),
                title=str(data["title"]),
                day=local_day(data["date"], tz),
                slug=data.get("slug"),
                units=frozenset(units),
                draft=bool(data.get("draft", False)),
                body=body,
                lang=str(data.get("lang") or ""),
            )
        )
    return articles


# --- the site as built -------------------------------------------------------------------


class PageParser(HTMLParser):
    """Links, <h1> text, links inside <ol class="cards">, and the text of .article-body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.card_links: list[str] = []
        self.canonical: list[str] = []
        self.h1: list[str] = []
        self.body_text: list[str] = []
        self._ol_is_cards: list[bool] = []
        self._div_is_body: list[bool] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        for name, value in attrs:
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append((tag, name, value))
        if tag == "link" and "canonical" in values.get("rel", "").split():
            self.canonical.append(values.get("href", ""))
        if tag == "ol":
            self._ol_is_cards.append("cards" in classes)
        elif tag == "div":
            self._div_is_body.append("article-body" in classes)
        elif tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        elif tag == "a" and "href" in values and any(self._ol_is_cards):
            self.card_links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol" and self._ol_is_cards:
            self._ol_is_cards.pop()
        elif tag == "div" and self._div_is_body:
            self._div_is_body.pop()
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data
        if any(self._div_is_body):
            self.body_text.append(data)


@dataclass
class Page:
    """One parsed HTML page of the output."""

    path: str
    raw: str
    links: list[tuple[str, str, str]]
    card_links: list[str]
    canonical: list[str]
    h1: list[str]
    body_text: str

    @property
    def title(self) -> str:
        assert len(self.h1) == 1, f"{self.path}: expected one <h1>, found {self.h1}"
        return " ".join(self.h1[0].split())


def parse_page(out: Path, rel: str) -> Page:
    raw = (out / rel).read_text(encoding="utf-8")
    parser = PageParser()
    parser.feed(raw)
    parser.close()
    return Page(
        rel,
        raw,
        parser.links,
        parser.card_links,
        parser.canonical,
        parser.h1,
        "".join(parser.body_text),
    )


def resolve(page: str, url: str) -> tuple[str | None, str | None]:
    """(target path below the output root, problem) for a link; (None, None) if external."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, None  # absolute: canonical links, external sites
    if not parts.path:
        return None, None  # '#fragment' or '?query' on the same page
    if parts.path.startswith("/"):
        return None, "root-relative link (breaks sub-path hosting and file://)"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target == ".." or target.startswith("../"):
        return None, "leaves the site's root folder"
    if parts.path.endswith("/"):
        return target, "links to a folder, not to a file"
    return target, None


@dataclass
class Crawl:
    """Everything found by following links from index.html."""

    reachable: set[str] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)


def crawl(out: Path, start: str = "index.html") -> Crawl:
    """Follow every internal link from the start page; record what is missing."""
    result = Crawl()
    queue = [start]
    result.reachable.add(start)
    while queue:
        rel = queue.pop()
        page = result.pages[rel] = parse_page(out, rel)
        for tag, attribute, value in page.links:
            target, problem = resolve(rel, value)
            if target is None and problem is None:
                continue
            if problem is None and target is not None and not (out / target).is_file():
                kind = "a folder" if (out / target).is_dir() else "missing"
                problem = f"target {target} is {kind}"
            if problem:
                result.broken.append(f"{rel}: <{tag} {attribute}={value!r}>: {problem}")
                continue
            assert target is not None
            if target not in result.reachable:
                result.reachable.add(target)
                if target.endswith(".html"):
                    queue.append(target)
    return result


@dataclass
class ExampleSite:
    out: Path
    result: Any
    settings: dict[str, Any]
    sources: list[SourceArticle]  # without drafts
    drafts: list[SourceArticle]
    crawl: Crawl
    html_files: list[str]
    article_pages: dict[str, str]  # source path -> built article page path

    @property
    def base_url(self) -> str:
        return str(self.settings["base_url"])

    def page(self, rel: str) -> Page:
        if rel not in self.crawl.pages:
            self.crawl.pages[rel] = parse_page(self.out, rel)
        return self.crawl.pages[rel]

    def source_of_page(self) -> dict[str, SourceArticle]:
        by_source = {a.source: a for a in self.sources}
        return {page: by_source[src] for src, page in self.article_pages.items()}


def output_files(out: Path, suffix: str) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(f"*{suffix}") if p.is_file())


def match_articles(out: Path, sources: list[SourceArticle]) -> dict[str, str]:
    """Pair each source with the one built article page showing its date and title."""
    built: dict[tuple[date, str], list[str]] = defaultdict(list)
    for rel in output_files(out, "index.html"):
        found = ARTICLE_PAGE.match(rel)
        if found:
            day = date(int(found[1]), int(found[2]), int(found[3]))
            built[day, parse_page(out, rel).title].append(rel)
    expected = {(a.day, " ".join(a.title.split())): a.source for a in sources}
    assert len(expected) == len(sources), "two example articles share a date and title"
    extra = sorted(p for key, paths in built.items() if key not in expected for p in paths)
    missing = sorted(src for key, src in expected.items() if key not in built)
    doubled = sorted(p for paths in built.values() if len(paths) > 1 for p in paths)
    assert not extra, f"article pages with no (non-draft) source: {extra}"
    assert not missing, f"articles with no page: {missing}"
    assert not doubled, f"articles built more than once: {doubled}"
    return {src: built[key][0] for key, src in expected.items()}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> ExampleSite:
    work = tmp_path_factory.mktemp("example")
    site, out = copy_fixture_site(EXAMPLE_SITE, work / "site"), work / "out"
    result = build_site(site, output_dir=out)
    problems = "\n".join(d.format() for d in result.diagnostics)
    assert result.ok, f"the example archive does not build:\n{problems}"
    assert not result.diagnostics, f"the example archive builds with warnings:\n{problems}"
    settings = yaml.safe_load((site / "newsgen.yaml").read_text("utf-8"))
    everything = read_sources(site)
    sources = [a for a in everything if not a.draft]
    return ExampleSite(
        out=out,
        result=result,
        settings=settings,
        sources=sources,
        drafts=[a for a in everything if a.draft],
        crawl=crawl(out),
        html_files=output_files(out, ".html"),
        article_pages=match_articles(out, sources),
    )


def listing_pages(site: ExampleSite, listing: str) -> list[str]:
    """A listing's pages in reading order (newest first): <listing>index.html, then the older
    pages <listing>page/N/index.html from the highest N down to 2 (they are numbered from the
    oldest, so that new articles leave them unchanged)."""
    numbers = sorted(int(p.parent.name) for p in (site.out / listing / "page").glob("*/index.html"))
    assert numbers == list(range(2, len(numbers) + 2)), f"{listing}: pages {numbers}"
    assert 1 not in numbers, f"{listing}: page 1 must be the listing itself"
    return [f"{listing}index.html"] + [f"{listing}page/{n}/index.html" for n in reversed(numbers)]


def listed_articles(site: ExampleSite, listing: str) -> list[SourceArticle]:
    """The articles a paginated listing shows, from the links in its <ol class="cards">."""
    by_page = site.source_of_page()
    shown: list[SourceArticle] = []
    pages = listing_pages(site, listing)
    for rel in pages:
        page = site.page(rel)
        assert page.card_links, f"{rel}: no <ol class='cards'> with article links"
        for href in page.card_links:
            target, problem = resolve(rel, href)
            assert problem is None and target in by_page, f"{rel}: card link {href!r}"
            shown.append(by_page[target])
    page_size = int(site.settings.get("page_size", 20))
    assert len(pages) == max(1, len(shown) // page_size), f"{listing}: pagination"
    return shown


def describe(articles: Iterable[SourceArticle]) -> list[str]:
    return sorted(a.source for a in articles)


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.site
def test_example_archive_builds_every_published_article(example: ExampleSite) -> None:
    assert example.result.articles == len(example.sources)
    assert set(example.article_pages) == {a.source for a in example.sources}


@pytest.mark.site
def test_article_urls_are_date_and_slug(example: ExampleSite) -> None:
    """YYYY/MM/DD/<slug>/index.html: the front-matter slug, else python-slugify's slug of the title."""
    by_page = example.source_of_page()
    for rel, article in by_page.items():
        found = ARTICLE_PAGE.match(rel)
        assert found
        assert (int(found[1]), int(found[2]), int(found[3])) == (
            article.day.year,
            article.day.month,
            article.day.day,
        )
        slug = found[4]
        if article.slug:
            assert slug == article.slug, f"{article.source}: built at {rel}"
        else:
            # newsgen may shorten long slugs at a word boundary
            assert slug and slugify(article.title).startswith(slug), f"{article.source}: {rel}"


@pytest.mark.site
def test_no_broken_internal_links(example: ExampleSite) -> None:
    assert len(example.crawl.pages) > 100, "the crawl found suspiciously few pages"
    assert not example.crawl.broken, "broken internal links:\n" + "\n".join(
        example.crawl.broken[:40]
    )


@pytest.mark.site
def test_every_article_page_is_reachable_from_home(example: ExampleSite) -> None:
    unreachable = sorted(
        src for src, page in example.article_pages.items() if page not in example.crawl.reachable
    )
    assert not unreachable, f"article pages no link leads to: {unreachable}"


@pytest.mark.site
def test_draft_is_neither_built_nor_listed(example: ExampleSite) -> None:
    (draft,) = [a for a in example.drafts if a.source == DRAFT_SOURCE]
    assert draft.source not in example.article_pages
    needles = {draft.title, slugify(draft.title), Path(draft.source).stem}
    if draft.slug:
        needles.add(draft.slug)
    leaks = [
        f"{rel}: {needle!r}"
        for rel in output_files(example.out, "")
        if rel.endswith((".html", ".xml", ".txt", ".json"))
        for needle in needles
        if needle in (example.out / rel).read_text(encoding="utf-8")
    ]
    leaks += [f"{p}: page built" for p in example.html_files if Path(draft.source).stem in p]
    assert not leaks, f"the draft {DRAFT_SOURCE} shows up in the output: {leaks}"


@pytest.mark.site
def test_unit_pages_list_exactly_their_articles(example: ExampleSite) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for article in example.sources:
        for unit in article.units:
            expected[unit].add(article.source)
    built_units = sorted(
        p.parent.name for p in (example.out / "units").glob("*/index.html") if p.parent.name
    )
    assert sorted(slugify(name) for name in expected) == built_units
    for name, sources in sorted(expected.items()):
        listing = f"units/{slugify(name)}/"
        assert example.page(f"{listing}index.html").title == name
        shown = listed_articles(example, listing)
        assert len(shown) == len(set(shown)), f"{listing}: an article is listed twice"
        assert describe(shown) == sorted(sources), f"{listing} ({name})"
        days = [a.day for a in shown]
        assert days == sorted(days, reverse=True), f"{listing}: not newest first"


@pytest.mark.site
def test_month_pages_list_exactly_their_articles(example: ExampleSite) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for article in example.sources:
        expected[f"{article.day:%Y/%m}/"].add(article.source)
    built_months = sorted(
        rel[: -len("index.html")] for rel in example.html_files if MONTH_PAGE.match(rel)
    )
    assert built_months == sorted(expected)
    for listing, sources in sorted(expected.items()):
        shown = listed_articles(example, listing)
        assert len(shown) == len(set(shown)), f"{listing}: an article is listed twice"
        assert describe(shown) == sorted(sources), listing


def feed_entries(site: ExampleSite, rel: str) -> list[str]:
    """Check an Atom feed's structure; return the article pages its entries link to."""
    root = ET.parse(site.out / rel).getroot()
    assert root.tag == f"{ATOM}feed", f"{rel}: root element {root.tag}"
    feed_id = root.findtext(f"{ATOM}id")
    assert feed_id and feed_id.strip(), f"{rel}: no <id>"
    updated = root.findtext(f"{ATOM}updated")
    assert updated, f"{rel}: no <updated>"
    datetime.fromisoformat(updated.strip())
    entries = root.findall(f"{ATOM}entry")
    assert entries, f"{rel}: no entries"
    by_page = site.source_of_page()
    pages = []
    for entry in entries:
        assert (entry.findtext(f"{ATOM}id") or "").strip(), f"{rel}: entry without <id>"
        assert (entry.findtext(f"{ATOM}title") or "").strip(), f"{rel}: entry without <title>"
        assert entry.findtext(f"{ATOM}updated"), f"{rel}: entry without <updated>"
        hrefs = [link.get("href", "") for link in entry.findall(f"{ATOM}link")]
        assert hrefs, f"{rel}: entry without <link>"
        for href in hrefs:
            assert href.startswith(site.base_url), f"{rel}: link {href!r} is not absolute"
        page = page_of_url(site, hrefs[0])
        assert page in by_page, f"{rel}: entry links to {hrefs[0]}, not an article page"
        pages.append(page)
    return pages


def page_of_url(site: ExampleSite, url: str) -> str:
    """Output file of an absolute site URL (folder URLs mean their index.html)."""
    assert url.startswith(site.base_url), url
    path = unquote(urlsplit(url).path)[len(urlsplit(site.base_url).path) :]
    return f"{path}index.html" if path == "" or path.endswith("/") else path


@pytest.mark.site
def test_site_feed_is_atom_with_absolute_links(example: ExampleSite) -> None:
    pages = feed_entries(example, "feed.xml")
    english = [a for a in example.sources if a.lang in ("", "en")]
    newest = max(english, key=lambda a: a.day)  # the default language's feed
    assert example.article_pages[newest.source] in pages


@pytest.mark.site
def test_unit_feeds_are_atom_with_their_articles(example: ExampleSite) -> None:
    by_page = example.source_of_page()
    feeds = sorted((example.out / "units").glob("*/feed.xml"))
    units = sorted(p.parent for p in (example.out / "units").glob("*/index.html"))
    assert [f.parent for f in feeds] == units, "every unit has a feed"
    for feed in feeds:
        rel = feed.relative_to(example.out).as_posix()
        name = example.page(f"units/{feed.parent.name}/index.html").title
        articles = [by_page[p] for p in feed_entries(example, rel)]
        assert all(name in a.units for a in articles), f"{rel}: entries of other units"
        # every unit of the example has fewer articles than a feed holds (20)
        expected = {a.source for a in example.sources if name in a.units}
        assert describe(articles) == sorted(expected), rel


@pytest.mark.site
def test_sitemap_lists_every_html_page(example: ExampleSite) -> None:
    root = ET.parse(example.out / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset", root.tag
    locs = [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP}loc")]
    assert all(loc.startswith(example.base_url) for loc in locs), locs[:5]
    assert len(locs) == len(set(locs)), "a URL is listed twice"
    listed = {page_of_url(example, loc) for loc in locs}
    built = {
        rel
        for rel in example.html_files
        if rel != "404.html" and not rel.endswith("search/index.html")
    }
    assert sorted(listed - built) == [], "sitemap URLs with no page"
    assert sorted(built - listed) == [], "pages missing from the sitemap"


@pytest.mark.site
def test_canonical_links_are_absolute_and_point_to_the_page_itself(
    example: ExampleSite,
) -> None:
    wrong = []
    for rel in example.html_files:
        if rel == "404.html":
            continue
        canonical = example.page(rel).canonical
        if len(canonical) != 1 or not canonical[0].startswith(example.base_url):
            wrong.append(f"{rel}: {canonical}")
        elif page_of_url(example, canonical[0]) != rel:
            wrong.append(f"{rel}: canonical {canonical[0]} is another page")
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.site
def test_no_template_code_leaks_into_pages(example: ExampleSite) -> None:
    """'{{' or '{%' in the output may only be literal text written in an article."""
    literal = {s for a in example.sources for s in TEMPLATE_SNIPPET.findall(a.body)}
    assert "{{ example }}" in literal, "the example archive lost its literal '{{ example }}'"
    leaks = []
    for rel in output_files(example.out, ""):
        if not rel.endswith((".html", ".xml")):
            continue
        text = (example.out / rel).read_text(encoding="utf-8")
        for snippet in literal:
            text = text.replace(snippet, "")
        for marker in ("{{", "{%", "}}", "%}"):
            if marker in text:
                at = text.index(marker)
                leaks.append(f"{rel}: ...{text[max(0, at - 60) : at + 60]!r}...")
    assert not leaks, "template syntax in the output:\n" + "\n".join(leaks[:20])


@pytest.mark.site
def test_literal_braces_in_an_article_are_shown_as_text(example: ExampleSite) -> None:
    (article,) = [a for a in example.sources if "{{ example }}" in a.body]
    page = example.page(example.article_pages[article.source])
    assert "{{ example }}" in page.body_text, "the article body lost its '{{ example }}'"


@pytest.mark.cli
def test_site_with_only_content_builds_with_builtin_theme(tmp_path: Path) -> None:
    site = tmp_path / "site"
    chosen = [
        "2023/04/jintai-four-excellent-supervision.md",  # explicit slug
        "2021/07/weibin-summer-food-safety-notice.md",  # slug from the title
    ]
    for rel in chosen:
        (site / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLE_SITE / "content" / rel, site / "content" / rel)
    assert sorted(p.name for p in site.iterdir()) == ["content"]

    done = run_cli("build", cwd=site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr

    out = site / "public"
    assert (out / "index.html").is_file()
    css = out / "assets" / "newsgen.css"
    assert css.is_file() and css.stat().st_size > 0
    sources = read_sources(site)
    pages = match_articles(out, sources)
    assert sorted(pages) == sorted(chosen)
    assert pages[chosen[0]] == "2023/04/18/jintai-four-excellent-supervision/index.html"
    found = crawl(out)
    assert not found.broken, found.broken
    assert set(pages.values()) <= found.reachable
    assert "assets/newsgen.css" in found.reachable, "pages do not use the theme's stylesheet"


LD_SCHEMA = Path(__file__).parent / "schemas" / "news-article.schema.json"


@pytest.mark.site
def test_every_articles_json_ld_is_a_valid_schema_org_news_article(example: ExampleSite) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(LD_SCHEMA.read_text("utf-8")))
    seen = {"image": 0, "correction": 0, "associatedMedia": 0}
    for rel in example.article_pages.values():
        html = (example.out / rel).read_text("utf-8")
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(blocks) == 1, rel
        data = json.loads(blocks[0])
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, f"{rel}: {errors}"
        assert data["author"]["name"] == example.settings["title"]  # never the speaker
        if "image" in data:  # a lead photo: link previews show it too
            assert f'<meta property="og:image" content="{data["image"][0]}">' in html
        seen.update({key: seen[key] + 1 for key in seen if key in data})
    assert all(seen.values()), seen  # the example shows a photo, a correction and a file


@pytest.mark.unit
def test_the_json_ld_schema_refuses_what_it_should() -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(LD_SCHEMA.read_text("utf-8")))
    good = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "H",
        "datePublished": "2023-02-10T00:00:00+08:00",
        "dateModified": "2023-02-10T00:00:00+08:00",
        "inLanguage": "en",
        "author": {"@type": "Organization", "name": "Site"},
        "publisher": {"@type": "Organization", "name": "Site"},
    }
    assert validator.is_valid(good)
    for broken in (
        {**good, "keywords": []},  # an empty value
        {**good, "author": {"@type": "Person", "name": "Zhang Wei"}},  # a speaker as author
        {**good, "dateModified": "2023-02-10"},  # not a DateTime
        {**good, "colour": "red"},  # not a NewsArticle property
    ):
        assert not validator.is_valid(broken), broken


@pytest.mark.site
def test_no_page_names_a_time_zone_by_an_ambiguous_abbreviation(example: ExampleSite) -> None:
    timed = 0
    for rel in example.html_files:
        text = (example.out / rel).read_text("utf-8")
        assert not re.search(r"\d\d:\d\d (CST|IST|BST|AST)\b", text), rel
        timed += len(re.findall(r"\d\d:\d\d UTC\+08:00", text))
    assert timed  # the example archive gives times in Asia/Shanghai


@pytest.mark.site
def test_a_chinese_articles_breadcrumbs_name_the_month_in_chinese(example: ExampleSite) -> None:
    page = "2024/05/28/chencang-school-canteen-food-safety-zh/index.html"
    crumbs = (example.out / page).read_text("utf-8").split('class="breadcrumbs', 1)[1][:800]
    assert ">2024年<" in crumbs and ">2024年5月<" in crumbs and "May 2024" not in crumbs
