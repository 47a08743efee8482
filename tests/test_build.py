"""Whole builds of small inline sites: URLs, pages, feeds, sitemap and taxonomies."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import article_text, build_site, write_files

from newsgen.site import plan

pytestmark = pytest.mark.site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CONFIG = "title: Test Archive\nbase_url: https://news.example.org/sub/\npage_size: 2\n"


def sample_site(root: Path, config: str = CONFIG) -> Path:
    return write_files(
        root,
        {
            "newsgen.yaml": config,
            "content/a.md": article_text(
                "First body.",
                title="Budget meeting",
                date="2023-02-10 09:30:00 +08:00",
                district="Jintai District",
                event_type="meeting",
                speaker=[{"name": "Zhang Wei", "role": "Director"}],
                units=["Finance Bureau", "Organization Department"],
                tags=["budget"],
            ),
            "content/sub/b.md": article_text(
                "Second body.",
                title="Spring inspection",
                date="2023-02-11",
                district="Jintai District",
                event_type="inspection",
                speaker="Li Jun",
                units="Finance Bureau",
                tags=["Analytics"],
            ),
            "content/c.md": article_text(
                "Third.",
                title="Training day",
                date="2022-12-01",
                district="Weibin District",
                event_type="training",
                units=["Organization Department"],
                tags=["analytics", "x"],
            ),
            "content/d.md": article_text(
                "Fourth.",
                title="Notice",
                date="2021-05-05",
                district="Weibin District",
                event_type="notice",
                tags=["analytics"],
            ),
            "content/draft.md": article_text(
                "Hidden.", title="Secret draft", date="2023-01-01", draft=True
            ),
            "content/future.md": article_text("Later.", title="Future plan", date="2099-01-01"),
        },
    )


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = sample_site(tmp_path / "site")
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_default_urls_exist(built: Path) -> None:
    expected = [
        "index.html",
        "page/2/index.html",
        "2023/02/10/budget-meeting/index.html",
        "2023/02/11/spring-inspection/index.html",
        "2022/12/01/training-day/index.html",
        "2021/05/05/notice/index.html",
        "2023/index.html",
        "2023/02/index.html",
        "2023/02/10/index.html",
        "archive/index.html",
        "units/index.html",
        "units/finance-bureau/index.html",
        "districts/index.html",
        "districts/jintai-district/index.html",
        "event-types/meeting/index.html",
        "speakers/zhang-wei/index.html",
        "speakers/li-jun/index.html",
        "tags/analytics/index.html",
        "feed.xml",
        "units/finance-bureau/feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "assets/newsgen.css",
    ]
    missing = [path for path in expected if not (built / path).is_file()]
    assert missing == []


def test_drafts_and_future_articles_are_nowhere(built: Path) -> None:
    everything = "".join(
        p.read_text("utf-8") for p in built.rglob("*") if p.suffix in {".html", ".xml"}
    )
    assert "Secret draft" not in everything and "Future plan" not in everything
    assert not (built / "2099").exists()


def test_drafts_and_future_flags_include_them(tmp_path: Path) -> None:
    root = sample_site(tmp_path / "site")
    result = build_site(root, drafts=True, future=True)
    assert result.ok
    assert (root / "public/2023/01/01/secret-draft/index.html").is_file()
    assert (root / "public/2099/01/01/future-plan/index.html").is_file()


def test_article_page_shows_everything_with_relative_links(built: Path) -> None:
    html = (built / "2023/02/10/budget-meeting/index.html").read_text("utf-8")
    assert "<h1>Budget meeting</h1>" in html
    assert '<time datetime="2023-02-10T01:30:00+00:00">10 February 2023 01:30 UTC</time>' in html
    assert 'href="../../../../units/finance-bureau/index.html">Finance Bureau</a>' in html
    assert (
        'href="../../../../speakers/zhang-wei/index.html">Zhang Wei</a><span class="role">, Director</span>'
        in html
    )
    assert 'href="../../../../districts/jintai-district/index.html"' in html
    assert 'href="../../../../event-types/meeting/index.html"' in html
    assert 'href="../../../../tags/budget/index.html"' in html
    assert (
        '<link rel="canonical" href="https://news.example.org/sub/2023/02/10/budget-meeting/">'
        in html
    )
    assert "<p>First body.</p>" in html
    # its neighbours; the one related article (it shares Finance Bureau) is one of them, so
    # no "Related" list repeats it; "More from" links the pages of its terms
    assert 'href="../../../../2023/02/11/spring-inspection/index.html" rel="next"' in html
    assert 'href="../../../../2022/12/01/training-day/index.html" rel="prev"' in html
    assert 'class="related"' not in html
    more_from = html.split('class="more-from"', 1)[1].split("</nav>", 1)[0]
    assert 'href="../../../../units/finance-bureau/index.html">Finance Bureau</a>' in more_from
    assert 'href="../../../../speakers/zhang-wei/index.html">Zhang Wei</a>' in more_from
    assert 'href="/' not in html and 'src="/' not in html


def test_home_is_paginated_newest_first(built: Path) -> None:
    first = (built / "index.html").read_text("utf-8")
    second = (built / "page/2/index.html").read_text("utf-8")
    assert first.index("Spring inspection") < first.index("Budget meeting")
    assert "Training day" not in first and "Training day" in second
    assert 'href="page/2/index.html" rel="next"' in first
    assert 'href="../../index.html" rel="prev"' in second


def test_terms_with_equal_slugs_share_a_page_named_by_the_most_used_spelling(built: Path) -> None:
    overview = (built / "tags/index.html").read_text("utf-8")
    assert ">analytics</a>" in overview and ">Analytics</a>" not in overview
    assert overview.count("tags/analytics/index.html") == 1
    page_one = (built / "tags/analytics/index.html").read_text("utf-8")
    assert "3 articles" in page_one


def test_unit_page_lists_exactly_its_articles(built: Path) -> None:
    html = (built / "units/finance-bureau/index.html").read_text("utf-8")
    assert "Budget meeting" in html and "Spring inspection" in html
    assert "Training day" not in html and "Notice" not in html


def test_date_archives_and_overview_have_counts(built: Path) -> None:
    archive = (built / "archive/index.html").read_text("utf-8")
    assert 'href="../2023/index.html">2023</a> <span class="count">(2)</span>' in archive
    assert 'href="../2023/02/index.html">February 2023</a> <span class="count">2</span>' in archive
    month = (built / "2023/02/index.html").read_text("utf-8")
    assert "Budget meeting" in month and "Training day" not in month


def test_atom_feeds_parse_and_use_absolute_urls(built: Path) -> None:
    root = ET.parse(built / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Spring inspection",
        "Budget meeting",
        "Training day",
        "Notice",
    ]
    assert (
        entries[0].find(f"{ATOM}link").get("href")
        == "https://news.example.org/sub/2023/02/11/spring-inspection/"
    )
    assert root.findtext(f"{ATOM}updated") == "2023-02-11T00:00:00+00:00"
    term = ET.parse(built / "units/finance-bureau/feed.xml").getroot()
    assert len(term.findall(f"{ATOM}entry")) == 2


def test_feed_item_count_is_capped(tmp_path: Path) -> None:
    root = sample_site(tmp_path / "site", CONFIG + "feed_items: 1\n")
    assert build_site(root).ok
    feed = ET.parse(root / "public/feed.xml").getroot()
    assert len(feed.findall(f"{ATOM}entry")) == 1


def test_sitemap_lists_every_html_page_absolutely(built: Path) -> None:
    root = ET.parse(built / "sitemap.xml").getroot()
    locs = {u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")}
    pages = {p.relative_to(built).as_posix() for p in built.rglob("index.html")}
    pages.discard("search/index.html")  # noindex: the search page is not for search engines
    expected = {"https://news.example.org/sub/" + p.removesuffix("index.html") for p in pages}
    assert locs == expected
    robots = (built / "robots.txt").read_text("utf-8")
    assert "Sitemap: https://news.example.org/sub/sitemap.xml" in robots


def test_sitemap_becomes_an_index_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "SITEMAP_LIMIT", 10)
    root = sample_site(tmp_path / "site")
    assert build_site(root).ok
    index = ET.parse(root / "public/sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [s.findtext(f"{SITEMAP}loc") for s in index.findall(f"{SITEMAP}sitemap")]
    assert len(parts) >= 3 and parts[0] == "https://news.example.org/sub/sitemap-1.xml"
    total = sum(
        len(ET.parse(root / "public" / f"sitemap-{n}.xml").getroot())
        for n in range(1, len(parts) + 1)
    )
    assert total == len(list((root / "public").rglob("index.html"))) - 1  # not search/


def test_without_base_url_feeds_and_sitemap_are_skipped_with_one_warning(tmp_path: Path) -> None:
    root = sample_site(tmp_path / "site", "title: T\n")
    result = build_site(root)
    assert result.ok
    warnings = [d.format() for d in result.diagnostics if not d.is_error]
    assert warnings == [
        "newsgen.yaml: warning: base_url: not set: feeds, sitemap and canonical links are skipped"
    ]
    assert not (root / "public/feed.xml").exists() and not (root / "public/sitemap.xml").exists()
    assert 'rel="canonical"' not in (root / "public/index.html").read_text("utf-8")


def test_custom_taxonomy_gets_index_pages(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "taxonomies:\n  topics: {title: Topics, singular: Topic}\n  tags: false\n",
            "content/a.md": article_text(title="A", topics=["Education"], tags=["gone"]),
        },
    )
    assert build_site(root).ok
    assert (root / "public/topics/education/index.html").is_file()
    assert "Topics" in (root / "public/topics/index.html").read_text("utf-8")
    assert not (root / "public/tags").exists()


def test_markdown_features_and_literal_template_syntax(tmp_path: Path) -> None:
    body = (
        "## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1] {{ site.title }} {% raw %}\n\n"
        "```\ncode\n```\n\nPara\n{: .note }\n\n[^1]: The footnote.\n\n"
        '<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">link</a>'
        '<img src="x.png" onerror="evil()">\n'
    )
    root = write_files(tmp_path / "site", {"content/a.md": article_text(body, title="A")})
    assert build_site(root).ok
    html = (root / "public/2023/02/10/a/index.html").read_text("utf-8")
    assert '<h2 id="a-heading">A heading</h2>' in html
    assert "<table>" in html and 'class="footnote"' in html and "<pre><code>code" in html
    assert "{{ site.title }} {% raw %}" in html
    assert "<script>" not in html and "javascript:" not in html
    assert "onclick" not in html and "onerror" not in html
    assert '<p class="note">Para</p>' in html


def test_sanitising_can_be_turned_off_for_trusted_authors(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "sanitize_html: false\n",
            "content/a.md": article_text('<div class="map" data-x="1">embed</div>', title="A"),
        },
    )
    assert build_site(root).ok
    assert '<div class="map" data-x="1">embed</div>' in (
        root / "public/2023/02/10/a/index.html"
    ).read_text("utf-8")


def test_front_matter_html_is_escaped(tmp_path: Path) -> None:
    evil = '<script>alert("t")</script>'
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "base_url: https://x.org/\n",
            "content/a.md": article_text(
                title=evil, slug="a", summary=evil, units=[evil], speaker=evil
            ),
        },
    )
    assert build_site(root).ok
    for path in (root / "public").rglob("*"):
        if path.suffix in {".html", ".xml"}:
            assert "<script>alert" not in path.read_text("utf-8"), path
    ET.parse(root / "public/feed.xml")


def test_page_size_setting_and_stable_pagination(tmp_path: Path) -> None:
    files = {
        f"content/{n}.md": article_text(title=f"Article {n}", date=f"2023-01-{n + 1:02d}")
        for n in range(7)
    }
    root = write_files(tmp_path / "site", {"newsgen.yaml": "page_size: 3\n", **files})
    assert build_site(root).ok
    out = root / "public"
    # 7 articles: page 2 holds the oldest 3, the listing itself the newest 4.
    assert (out / "index.html").read_text("utf-8").count('class="card"') == 4
    assert (out / "page/2/index.html").read_text("utf-8").count('class="card"') == 3
    assert "Article 0" in (out / "page/2/index.html").read_text("utf-8")
    assert not (out / "page/3").exists()
    before = (out / "page/2/index.html").read_bytes()
    write_files(root, {"content/7.md": article_text(title="Article 7", date="2023-01-08")})
    assert build_site(root).ok
    # A new article changes the first page only; older pages keep their bytes.
    assert (out / "page/2/index.html").read_bytes() == before
    assert (out / "index.html").read_text("utf-8").count('class="card"') == 5
    write_files(root, {"content/8.md": article_text(title="Article 8", date="2023-01-09")})
    assert build_site(root).ok
    # Every `page_size` articles one page is added after the others.
    assert (out / "page/3/index.html").read_text("utf-8").count('class="card"') == 3
    assert "Article 3" in (out / "page/3/index.html").read_text("utf-8")
    assert 'href="../../page/2/index.html" rel="next"' in (out / "page/3/index.html").read_text(
        "utf-8"
    )
    assert 'href="page/3/index.html" rel="next"' in (out / "index.html").read_text("utf-8")
