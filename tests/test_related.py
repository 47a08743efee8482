"""Related lists made again only around what changed equal lists made from scratch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_article
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgen.core.config import Config
from newsgen.core.model import Article
from newsgen.site import related as related_module
from newsgen.site.index import build_index, sort_articles
from newsgen.site.related import RelatedMemo, update_related

pytestmark = pytest.mark.unit

START = datetime(2023, 1, 1, tzinfo=UTC)
UNITS = ["Finance Bureau", "Health Bureau", "Water Office", "finance bureau"]
FIELDS = st.fixed_dictionaries(
    {
        "date": st.integers(0, 12).map(lambda hours: START + timedelta(hours=hours * 7)),
        "units": st.lists(st.sampled_from(UNITS), max_size=2, unique=True).map(tuple),
        "speakers": st.lists(st.sampled_from(["Zhang", "Li"]), max_size=1),
        "district": st.sampled_from(["", "Jintai District", "Weibin District"]),
        "translation_key": st.sampled_from(["", "", "k1", "k2"]),
    }
)
# An edit: add an article, change one (any of its fields), or remove one.
EDIT = st.tuples(st.sampled_from(["add", "change", "remove"]), st.integers(0, 60), FIELDS)


def article(number: int, fields: dict[str, Any]) -> Article:
    return make_article(source_path=f"content/{number}.md", title=f"A {number}", **fields)


def index_of(articles: dict[int, Article], limit: int) -> Any:
    """The index of the articles, sorted as a build sorts them."""
    return build_index(sort_articles(articles.values()), Config(Path("."), related_items=limit), {})


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(FIELDS, min_size=1, max_size=25),
    edits=st.lists(st.lists(EDIT, min_size=1, max_size=3), max_size=4),
    limit=st.integers(1, 3),
)
def test_lists_remade_around_changes_equal_lists_made_from_scratch(
    first: list[dict[str, Any]], edits: list[list[tuple[str, int, dict[str, Any]]]], limit: int
) -> None:
    articles = {n: article(n, fields) for n, fields in enumerate(first)}
    memo = RelatedMemo()
    for build in [[], *edits]:  # one build, then one after each batch of edits
        for kind, number, fields in build:
            if kind == "remove":
                articles.pop(number % (len(articles) + 1), None)
            else:
                key = len(first) + number if kind == "add" else number % len(first)
                articles[key] = article(key, fields)
        index, _ = index_of(articles, limit)
        found, memo = update_related(
            index.articles, index.taxonomies, index.term_slugs, limit, memo
        )
        made = update_related(
            index.articles, index.taxonomies, index.term_slugs, limit, RelatedMemo()
        )[0]
        assert found == made


def test_an_added_article_remakes_only_the_lists_near_it_in_its_terms() -> None:
    articles = {
        n: article(n, {"date": START + timedelta(days=n), "units": (UNITS[n % 3],)})
        for n in range(300)
    }
    limit = 2
    index, _ = index_of(articles, limit)
    _, memo = update_related(
        index.articles, index.taxonomies, index.term_slugs, limit, RelatedMemo()
    )
    articles[999] = article(
        999, {"date": START + timedelta(days=150.5), "units": (UNITS[0], UNITS[1])}
    )
    index, _ = index_of(articles, limit)
    records = {a.source_path: related_module.record_of(a) for a in index.articles}
    position = {a.source_path: n for n, a in enumerate(index.articles)}
    remade = related_module.touched(
        index.articles, index.taxonomies, limit, records, memo, position
    )
    assert len(remade) <= 1 + 2 * (2 * limit + 1)  # itself, and its neighbours in two units
    found, _ = update_related(index.articles, index.taxonomies, index.term_slugs, limit, memo)
    fresh, _ = update_related(
        index.articles, index.taxonomies, index.term_slugs, limit, RelatedMemo()
    )
    assert found == fresh
