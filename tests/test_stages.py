"""Unit tests of the pure stages: URLs, index (terms, dates, related) and plan (collisions)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import article_text, make_article, make_source, make_taxonomy, make_term
from hypothesis import given
from hypothesis import strategies as st

from newsgen.core import urls
from newsgen.core.config import Config
from newsgen.site.index import build_index, compute_related, select_published, sort_articles
from newsgen.site.plan import find_collisions, paginate, plan_pages
from newsgen.source.parse import parse_source

pytestmark = pytest.mark.unit


def jan(day: int, year: int = 2023) -> datetime:
    """Midnight UTC on a day of January."""
    return datetime(year, 1, day, tzinfo=UTC)


def test_relative_urls_work_from_any_depth() -> None:
    assert urls.relative_url("", "2023/01/02/a/") == "2023/01/02/a/index.html"
    assert urls.relative_url("2023/01/02/a/", "") == "../../../../index.html"
    assert urls.relative_url("units/x/page/2/", "feed.xml") == "../../../../feed.xml"
    assert urls.relative_url("2023/", "units/", pretty=True) == "../units/"
    assert urls.relative_url("2023/", "", pretty=True) == "../"
    assert urls.relative_url("", "", pretty=True) == "./"
    assert urls.absolute_url("https://x.org/news/", "2023/") == "https://x.org/news/2023/"


def test_output_paths_and_safety() -> None:
    assert urls.output_path("2023/01/") == "2023/01/index.html"
    assert urls.output_path("feed.xml") == "feed.xml"
    assert urls.output_path("") == "index.html"
    assert urls.is_safe_output_path("a/b/index.html")
    for bad in ("../x", "a/../../x", "/etc/passwd", "a\\b", ""):
        assert not urls.is_safe_output_path(bad), bad


def test_pagination_urls() -> None:
    assert urls.page_url("units/x/", 1) == "units/x/"
    assert urls.page_url("units/x/", 3) == "units/x/page/3/"
    assert urls.page_url("", 2) == "page/2/"
    # Newest first; the listing itself takes the remainder, older pages are numbered from the oldest.
    assert paginate([1, 2, 3, 4, 5], 2) == [(1, 2, 3), (4, 5)]
    assert paginate([1, 2, 3, 4, 5, 6], 2) == [(1, 2), (5, 6), (3, 4)]
    assert paginate([1], 2) == [(1,)]
    assert paginate([], 2) == [()]


def test_sorting_is_newest_first_and_independent_of_input_order() -> None:
    articles = [
        make_article(source_path=f"content/{n}.md", title=f"T{n}", date=jan(day))
        for n, day in enumerate([3, 1, 3, 2])
    ]
    ordered = sort_articles(articles)
    assert [a.source_path for a in ordered] == [
        "content/0.md",
        "content/2.md",
        "content/3.md",
        "content/1.md",
    ]
    assert sort_articles(reversed(articles)) == ordered


ZONES = [
    UTC,
    timezone(timedelta(hours=8)),
    timezone(timedelta(hours=-5)),
    ZoneInfo("Europe/Berlin"),
]


@given(
    st.lists(
        st.tuples(
            st.datetimes(datetime(2020, 1, 1), datetime(2020, 12, 31), allow_imaginary=False),
            st.sampled_from(ZONES),
            st.sampled_from("abcde"),
        ),
        max_size=12,
    ),
    st.randoms(),
)
def test_articles_sort_newest_moment_first_then_by_path(
    dated: list[tuple[datetime, Any, str]], rng: random.Random
) -> None:
    """The same order as one sort on (moment newest first, path), whatever the zones, ties
    and folds (the two stable sorts that replaced it must agree)."""
    articles = [
        make_article(source_path=f"content/{name}{n}.md", date=moment.replace(tzinfo=zone))
        for n, (moment, zone, name) in enumerate(dated)
    ]
    rng.shuffle(articles)
    expected = sorted(articles, key=lambda a: (-a.date.timestamp(), a.source_path))
    assert list(sort_articles(articles)) == expected


def test_select_published_drops_drafts_and_future() -> None:
    now = datetime(2023, 1, 15, tzinfo=UTC)
    articles = [
        make_article(source_path="a", title="A", date=jan(1)),
        make_article(source_path="b", title="B", date=jan(2), draft=True),
        make_article(source_path="c", title="C", date=jan(20)),
    ]
    assert [a.title for a in select_published(articles, False, False, now)] == ["A"]
    assert [a.title for a in select_published(articles, True, True, now)] == ["A", "B", "C"]


def test_index_groups_terms_and_dates() -> None:
    articles = sort_articles(
        [
            make_article(source_path="a", title="A", date=jan(1), units=("Finance Bureau",)),
            make_article(
                source_path="b", title="B", date=jan(2), units=("finance bureau", "Health")
            ),
            make_article(source_path="c", title="C", date=jan(3, 2022), units=("Finance Bureau",)),
        ]
    )
    index, problems = build_index(articles, Config(site_root=Path(".")), {})
    assert problems == []
    units = next(t for t in index.taxonomies if t.key == "units")
    assert [(t.name, t.slug, t.count) for t in units.terms] == [
        ("Finance Bureau", "finance-bureau", 3),
        ("Health", "health", 1),
    ]
    assert [(t.name, t.count) for t in index.years.terms] == [("2023", 2), ("2022", 1)]
    assert [t.url for t in index.months.terms] == ["2023/01/", "2022/01/"]
    assert index.term_slugs[("units", "finance bureau")] == "finance-bureau"


def test_related_articles_share_units_or_speakers_and_are_near_in_time() -> None:
    articles = sort_articles(
        [
            make_article(
                source_path="a", title="A", date=jan(1), units=("U",), speakers=("Zhang",)
            ),
            make_article(source_path="b", title="B", date=jan(2), units=("U",)),
            make_article(
                source_path="c", title="C", date=jan(3), speakers=("Zhang",), units=("U",)
            ),
            make_article(source_path="d", title="D", date=jan(4), units=("Other",)),
        ]
    )
    index, _ = build_index(articles, Config(site_root=Path(".")), {})
    by_title = {a.title: n for n, a in enumerate(articles)}
    related = compute_related(articles, index.taxonomies, index.term_slugs, 5)
    related_to_a = [articles[i].title for i in related[by_title["A"]]]
    assert related_to_a == ["C", "B"]  # C shares the unit and the speaker
    assert related[by_title["D"]] == ()
    # On the page, B is "Newer" already, so the related list leaves it out.
    assert [articles[i].title for i in index.related[by_title["A"]]] == ["C"]
    assert [articles[i].title for i in index.related[by_title["C"]]] == ["A"]


def test_related_ranks_shared_terms_then_closeness_in_time_then_newest() -> None:
    def item(path: str, day: int, district: str = "", **terms: tuple[str, ...]) -> object:
        return make_article(source_path=path, title=path, date=jan(day), district=district, **terms)

    articles = sort_articles(
        [
            item("a", 10, "D", units=("U",), speakers=("Zhang",)),
            item("b", 1, "D", units=("U",), speakers=("Zhang",)),  # all three, nine days off
            item("g", 8, "D", units=("U",)),  # unit and district
            item("e", 11, "D"),  # the district, a day later
            item("c", 9, "", units=("U",)),  # the unit, a day earlier
            item("h", 20, "", units=("U",)),  # the unit, ten days later
            *(item(f"x{n}", 12 + n, "", units=("Other",)) for n in range(6)),
            item("n", 10, "", units=("Other",)),
        ]
    )
    index, _ = build_index(articles, Config(site_root=Path("."), related_items=5), {})
    position = {a.source_path: n for n, a in enumerate(articles)}
    ranked = compute_related(articles, index.taxonomies, index.term_slugs, 5)[position["a"]]
    assert [articles[i].source_path for i in ranked] == [
        "b",
        "g",
        "e",  # as close as c: the newer first
        "c",
        "h",  # next to a in the unit's list, but ten days off
    ]
    shown = [articles[i].source_path for i in index.related[position["a"]]]
    assert shown == ["b", "g", "c", "h"]  # e is "Newer" on a's page already


def test_plan_finds_collisions_and_names_both_files() -> None:
    articles = sort_articles(
        [
            make_article(source_path="content/a.md", title="Same", date=jan(1)),
            make_article(source_path="content/b.md", title="same", date=jan(1)),
        ]
    )
    index, _ = build_index(articles, Config(site_root=Path(".")), {})
    pages, problems = plan_pages(index, Config(site_root=Path(".")))
    assert len(problems) == 1
    message = problems[0].format()
    assert (
        "content/a.md" in message
        and "content/b.md" in message
        and "2023/01/01/same/index.html" in message
    )
    assert find_collisions(pages[:2]) == []


def test_the_article_factory_fills_derived_fields_as_parsing_does() -> None:
    """make_article's slug, URL and terms are those parse_source gives the same front matter."""
    text = article_text(title="Budget review", units=["Finance Bureau"], speaker="Zhang Wei")
    parsed, problems = parse_source(make_source(data=text), Config(site_root=Path(".")))
    assert parsed is not None and problems == []
    made = make_article(title="Budget review", units=("Finance Bureau",), speakers=("Zhang Wei",))
    for name in ("title", "date", "slug", "url", "units", "speakers", "terms", "lang", "draft"):
        assert getattr(made, name) == getattr(parsed, name), name


def test_terms_are_labelled_per_language_and_found_by_slug() -> None:
    jintai = make_term(
        taxonomy="district", name="Jintai District", article_ids=(0, 2), labels={"zh": "金台区"}
    )
    weibin = make_term(taxonomy="district", name="Weibin District")
    districts = make_taxonomy(key="district", terms=(jintai, weibin))
    assert (jintai.count, jintai.label("zh"), jintai.label("en")) == (
        2,
        "金台区",
        "Jintai District",
    )
    assert (jintai.url, districts.url) == ("districts/jintai-district/", "districts/")
    assert districts.find("weibin-district") is weibin
    assert districts.find("jintai") is None


def test_language_versions_are_never_related_to_each_other() -> None:
    def version(path: str, lang: str) -> object:
        return make_article(
            source_path=path,
            title=path,
            date=jan(1),
            units=("U",),
            lang=lang,
            translation_key="k",
        )

    articles = sort_articles(
        [
            version("en", "en"),
            version("zh", "zh"),
            make_article(source_path="between", title="between", date=jan(2), units=("V",)),
            make_article(source_path="other", title="other", date=jan(3), units=("U",)),
        ]
    )
    index, _ = build_index(articles, Config(site_root=Path(".")), {})
    for article_id, article in enumerate(articles):
        shown = {articles[i].source_path for i in index.related[article_id]}
        if article.translation_key:  # "Also in" links the other version already
            assert shown == {"other"}, article.source_path


SITEMAP_LOOP = (
    "{% for entry in entries %}\n<url><loc>{{ entry.loc }}</loc>{% if entry.lastmod %}"
    "<lastmod>{{ entry.lastmod }}</lastmod>{% endif %}</url>\n{% endfor %}\n"
)


@given(st.lists(st.tuples(st.text(), st.text()), max_size=20))
def test_sitemap_urls_write_what_the_template_loop_wrote(pairs: list[tuple[str, str]]) -> None:
    """The joined <url> elements equal the autoescaped template loop they replaced."""
    import jinja2

    from newsgen.render.viewmodels import SitemapEntry, sitemap_urls

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    entries = [SitemapEntry(loc, lastmod) for loc, lastmod in pairs]
    assert str(sitemap_urls(entries)) == env.from_string(SITEMAP_LOOP).render(entries=entries)
