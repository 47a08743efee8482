"""Search cost follows the edit: bundles by period kept, changes in one delta bundle, reused."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import (
    article_text,
    build_site,
    read_tree,
    search_documents,
    search_state,
    write_files,
)
from hypothesis import given
from hypothesis import strategies as st

from newsgen.core.model import PageSpec
from newsgen.pipeline.options import BuildOptions
from newsgen.preview.search_pass import PassOutcome, options_argument, options_of, outcome_of
from newsgen.publish import search, search_plan
from newsgen.publish.output import MANIFEST
from newsgen.publish.search_plan import pending_delta_file, plan_search, shard_pages

pytestmark = pytest.mark.site

SETTINGS = "title: T\nbase_url: https://x.org/\nsearch_bundle_size: 3\n"


def one_article(n: int, words: str = "apples") -> str:
    return article_text(
        f"Body {n} about {words}.", title=f"Article {n}", date=f"202{n % 3}-03-{n + 1:02d}"
    )


def site_of(root: Path, count: int = 9) -> Path:
    files = {f"content/a{n}.md": one_article(n) for n in range(count)}
    return write_files(root, {"newsgen.yaml": SETTINGS, **files})


class Calls:
    """Counts Pagefind runs (each one indexes one bundle)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bundles: list[int] = []
        original = search.run_pagefind

        def counted(*args: object) -> dict[str, bytes]:
            self.bundles.append(len(args[2]))  # type: ignore[arg-type]
            return original(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(search, "run_pagefind", counted)


def clean_documents(root: Path, tmp: Path) -> dict[str, object]:
    """The documents a clean build of the same sources makes searchable."""
    copy = tmp / "clean"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", ".newsgen-cache"))
    assert build_site(copy).ok
    return search_documents(copy / "public")


@pytest.mark.unit
def test_plan_indexes_years_without_a_base_and_puts_changes_in_the_delta() -> None:
    years = {"2021": ["2021/a", "2021/b"], "2022": ["2022/c"]}
    prints = {"2021/a": "1", "2021/b": "2x", "2022/c": "3"}
    plan = plan_search(years, prints, {"2021": {"2021/a": "1", "2021/b": "2", "2021/gone": "9"}})
    assert plan.whole == {"2022": ["2022/c"]}
    assert list(plan.kept) == ["2021"]
    assert plan.delta == ["2021/b"]
    assert plan.hidden == ["2021/b", "2021/gone"]


@pytest.mark.unit
def test_bundles_split_a_period_only_when_it_is_over_the_size() -> None:
    paths = [
        "1998/05/01/a/index.html",
        "2003/01/02/b/index.html",
        "2021/02/03/c/index.html",
        "2021/05/04/d/index.html",
        "2021/08/05/e/index.html",
        "2022/12/06/f/index.html",
        "2022/12/06/g/index.html",
    ]
    assert shard_pages(paths, 7) == {"1990s": paths[:1], "2000s": paths[1:2], "2020s": paths[2:]}
    shards = shard_pages(list(reversed(paths)), 2)
    assert {name: len(pages) for name, pages in shards.items()} == {
        "1990s": 1,
        "2000s": 1,
        "2021-h1": 2,
        "2021-h2": 1,
        "2022": 2,
    }
    month = [f"2023/05/{day:02d}/p/index.html" for day in range(1, 31)]  # one article a day
    assert sorted(shard_pages(month, 16)) == ["2023-05-a", "2023-05-b"]
    assert sorted(shard_pages(month, 8)) == [f"2023-05-w{n}" for n in (1, 2, 3, 4)]
    one_day = [f"2022/12/06/a{n}/index.html" for n in range(39)]
    runs = shard_pages(one_day, 10)
    assert sorted(runs) == ["2022-12-06-1", "2022-12-06-2", "2022-12-06-3", "2022-12-06-4"]
    assert sorted(p for pages in runs.values() for p in pages) == sorted(one_day)
    grown = shard_pages([*one_day, "2022/12/06/b/index.html"], 10)
    assert all(set(runs[name]) <= set(grown[name]) for name in runs)  # the runs keep their pages


PART = st.sampled_from(["2021", "05", "11", "01", "09", "16", "31", "a", "a-b", "x.html", ""])
PAGE = st.one_of(
    st.tuples(st.sampled_from(["2021", "2022"]), st.sampled_from(["05", "11"]), PART, PART),
    st.lists(PART, min_size=1, max_size=5),
).map("/".join)


def shards_path_by_path(paths: list[str], size: int, level: int = 0) -> dict[str, list[str]]:
    """The oracle: every path's period name read on its own, level by level."""
    keys, groups = search_plan.period_keys(), {}  # type: ignore[var-annotated]
    for path in paths:
        groups.setdefault(keys[level]([*path.split("/"), "", "", ""][:3]), []).append(path)
    found: dict[str, list[str]] = {}
    for name, group in groups.items():
        if len(group) <= size:
            found[name] = group
        elif level + 1 < len(keys):
            found.update(shards_path_by_path(group, size, level + 1))
        else:
            search_plan.split_by_hash(name, group, size, found)
    return found


@pytest.mark.unit
@given(
    paths=st.lists(PAGE, max_size=40),
    size=st.integers(1, 4),
)
def test_a_page_lands_in_the_period_its_own_path_names(paths: list[str], size: int) -> None:
    """Names are read once per run of sorted paths sharing their first three parts; the
    bundles are the ones reading every path's name gives."""
    assert shard_pages(paths, size) == shards_path_by_path(sorted(paths), size)


DATED = st.builds(
    lambda y, m, d, s: f"{y}/{m:02d}/{d:02d}/{s}/index.html",
    st.integers(2019, 2021),  # few periods: pages crowd into months and days
    st.sampled_from([1, 2, 7]),
    st.integers(1, 28),
    st.text("abc", min_size=1, max_size=4),
)


@pytest.mark.unit
@given(st.lists(DATED, unique=True, max_size=60), st.integers(1, 12), st.randoms())
def test_bundles_hold_every_page_once_within_the_size(
    paths: list[str], size: int, rng: random.Random
) -> None:
    shards = shard_pages(paths, size)
    shuffled = list(paths)
    rng.shuffle(shuffled)
    assert shard_pages(shuffled, size) == shards  # the order pages come in does not matter
    held = [path for pages in shards.values() for path in pages]
    assert sorted(held) == sorted(paths)
    for name, pages in shards.items():
        assert re.fullmatch(
            r"[0-9]{3}0s|[0-9]{4}(-(h[12]|q[1-4]|[0-9]{2}(-([ab]|w[1-4]|[0-9]{2}(-[0-9]+)?))?))?",
            name,
        )
        days = {page.rsplit("/", 2)[0] for page in pages}
        assert len(pages) <= size or (len(days) == 1 and name.count("-") == 3), name
        assert len({page.split("/", 1)[0] for page in pages}) == 1 or name.endswith("0s")


@pytest.mark.unit
def test_a_base_holding_a_page_now_in_another_bundle_is_indexed_again() -> None:
    shards = {"a": ["p1"], "b": ["p2", "p3"]}
    prints = {"p1": "1", "p2": "2", "p3": "3"}
    bases = {"a": {"p1": "1", "p2": "2"}, "b": {"p3": "3"}}
    plan = plan_search(shards, prints, bases)
    assert plan.whole == {"a": ["p1"]}  # not kept: delta.json hides by path, b needs p2 seen
    assert list(plan.kept) == ["b"] and plan.delta == ["p2"] and plan.hidden == ["p2"]


@pytest.mark.unit
def test_plan_indexes_the_changed_years_whole_once_the_delta_is_too_large() -> None:
    years = {"2021": ["2021/a", "2021/b"], "2022": ["2022/c"]}
    prints = {"2021/a": "1x", "2021/b": "2x", "2022/c": "3"}
    bases = {"2021": {"2021/a": "1", "2021/b": "2"}, "2022": {"2022/c": "3"}}
    plan = plan_search(years, prints, bases, limit=1)
    assert plan.whole == {"2021": ["2021/a", "2021/b"]}
    assert list(plan.kept) == ["2022"]
    assert plan.delta == [] and plan.hidden == []


def test_an_edit_indexes_a_few_pages_not_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site", count=30)
    assert build_site(root).ok
    calls = Calls(monkeypatch)
    (root / "content/a4.md").write_text(one_article(4, "pears"), "utf-8")
    assert build_site(root).ok
    assert calls.bundles == [1]  # the edited article only, not its neighbours
    documents = search_documents(root / "public")
    assert "pears" in documents["/2021/03/05/article-4/index.html"]["content"]
    assert documents == clean_documents(root, tmp_path)


def test_additions_and_deletions_find_exactly_what_a_clean_build_finds(tmp_path: Path) -> None:
    root = site_of(tmp_path / "site")
    assert build_site(root).ok
    (root / "content/a2.md").unlink()
    write_files(
        root, {"content/new.md": article_text("Fresh pears.", title="New", date="2022-05-05")}
    )
    (root / "content/a7.md").write_text(one_article(7, "plums"), "utf-8")
    assert build_site(root).ok
    hidden = (root / "public/pagefind/delta.json").read_text("utf-8")
    assert "2022/03/03/article-2/index.html" in hidden  # the deleted article's base copy
    assert (root / "public/pagefind/delta/pagefind.js").is_file()
    assert search_documents(root / "public") == clean_documents(root, tmp_path)


def bundle_names(root: Path) -> list[str]:
    """The base bundles the search page loads, in order."""
    listed = json.loads((root / "public/pagefind/bundles.json").read_text("utf-8"))
    return [name for name, _ in listed]


def test_a_period_that_outgrows_the_bundle_size_is_split_and_only_it_indexed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site")  # three articles a year, three a bundle
    assert build_site(root).ok
    assert bundle_names(root) == ["2022", "2021", "2020"]
    calls = Calls(monkeypatch)
    write_files(
        root, {"content/new.md": article_text("Fresh pears.", title="New", date="2021-05-05")}
    )
    assert build_site(root).ok
    assert sorted(calls.bundles) == [1, 3]  # 2021's two quarters; 2020 and 2022 kept
    names = bundle_names(root)
    assert names == ["2022", "2021-q2", "2021-q1", "2020"]
    assert not (root / "public/pagefind/2021").exists()
    assert search_documents(root / "public") == clean_documents(root, tmp_path)


def test_a_large_delta_makes_the_bundles_whole_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "DELTA_LIMIT", 2)
    root = site_of(tmp_path / "site")
    assert build_site(root).ok
    for n in (0, 3, 6):  # all in 2020
        (root / f"content/a{n}.md").write_text(one_article(n, "figs"), "utf-8")
    assert build_site(root).ok
    assert not (root / "public/pagefind/delta").exists()
    assert '"bundle":false' in (root / "public/pagefind/delta.json").read_text("utf-8")
    assert search_documents(root / "public") == clean_documents(root, tmp_path)


def test_a_deleted_output_gets_its_bundles_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site")
    assert build_site(root).ok
    (root / "content/a1.md").write_text(one_article(1, "pears"), "utf-8")
    assert build_site(root).ok  # a delta too
    before = read_tree(root / "public")
    shutil.rmtree(root / "public")
    calls = Calls(monkeypatch)
    assert build_site(root).ok
    assert calls.bundles == []  # no Pagefind run: every bundle came from the cache
    assert read_tree(root / "public") == before


def test_without_a_cache_every_bundle_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site")
    assert build_site(root).ok
    calls = Calls(monkeypatch)
    (root / "content/a1.md").write_text(one_article(1, "pears"), "utf-8")
    assert build_site(root, use_cache=False).ok
    assert sorted(calls.bundles) == [3, 3, 3]
    assert search_documents(root / "public") == clean_documents(root, tmp_path)


def search_files(out: Path) -> dict[str, bytes]:
    """The search bundles and lists in an output, by path."""
    return {path: data for path, data in read_tree(out).items() if path.startswith("pagefind/")}


def delta_of(out: Path) -> dict[str, object]:
    value: dict[str, object] = json.loads((out / "pagefind/delta.json").read_text("utf-8"))
    return value


def test_a_pages_only_build_publishes_the_edit_and_keeps_the_search_until_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve's rebuilds (search_now=False): no Pagefind run, the bundles and their saved
    state stay as published (and listed as made), delta.json says the search is behind; the
    next full build catches up, even with no edit in between."""
    root = site_of(tmp_path / "site")
    out = root / "public"
    assert build_site(root).ok
    state, bundles, before = search_state(root), search_files(out), search_documents(out)
    calls = Calls(monkeypatch)
    (root / "content/a4.md").write_text(one_article(4, "pears"), "utf-8")
    result = build_site(root, search_now=False)
    assert result.ok and result.search_pending and calls.bundles == []
    assert "pears" in (out / "2021/03/05/article-4/index.html").read_text("utf-8")
    assert delta_of(out) == {**json.loads(bundles["pagefind/delta.json"]), "pending": True}
    after = search_files(out)
    assert {p: d for p, d in after.items() if p != "pagefind/delta.json"} == {
        p: d for p, d in bundles.items() if p != "pagefind/delta.json"
    }
    assert set(after) <= set(json.loads((out / MANIFEST).read_text("utf-8"))["files"])
    assert search_state(root) == state and search_documents(out) == before
    result = build_site(root)
    assert result.ok and not result.search_pending and calls.bundles == [1]
    assert "pending" not in delta_of(out)
    assert search_documents(out) == clean_documents(root, tmp_path)


def test_a_pages_only_build_runs_the_search_stage_when_it_needs_no_pagefind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit undone before the search caught up: the published bundles are current again,
    so the next pages-only build drops the notice (it never says more than is true)."""
    root = site_of(tmp_path / "site")
    out = root / "public"
    assert build_site(root).ok
    original = (root / "content/a4.md").read_text("utf-8")
    calls = Calls(monkeypatch)
    (root / "content/a4.md").write_text(one_article(4, "pears"), "utf-8")
    assert build_site(root, search_now=False).search_pending
    (root / "content/a4.md").write_text(original, "utf-8")
    result = build_site(root, search_now=False)
    assert result.ok and not result.search_pending and calls.bundles == []
    assert "pending" not in delta_of(out)
    assert search_documents(out) == clean_documents(root, tmp_path)


@pytest.mark.unit
def test_the_pending_flag_keeps_what_delta_json_said() -> None:
    published = b'{"bundle":true,"hidden":["2021/a/index.html"],"mark":"?d"}\n'
    flagged = json.loads(pending_delta_file(published))
    assert flagged == {
        "bundle": True,
        "hidden": ["2021/a/index.html"],
        "mark": "?d",
        "pending": True,
    }
    assert json.loads(pending_delta_file(None)) == {
        "bundle": False,
        "hidden": [],
        "mark": "?d",
        "pending": True,
    }
    assert pending_delta_file(b"\xff not json") == pending_delta_file(None)


@pytest.mark.unit
def test_a_search_pass_builds_with_serves_options_and_the_search(tmp_path: Path) -> None:
    serve = BuildOptions(
        tmp_path / "site",
        tmp_path / "out",
        drafts=True,
        future=True,
        jobs=3,
        allow_shrink=True,
        search_now=False,
    )
    expected = BuildOptions(
        tmp_path / "site", tmp_path / "out", drafts=True, future=True, jobs=3, allow_shrink=True
    )
    assert options_of(options_argument(serve)) == expected


@pytest.mark.unit
def test_a_search_pass_that_crashed_reports_its_last_words() -> None:
    record = '{"errors": ["newsgen.yaml: error: search: Pagefind failed"], "changed": false, "seconds": 1.5}'
    assert outcome_of(0, record, "") == PassOutcome(
        ("newsgen.yaml: error: search: Pagefind failed",), False, 1.5
    )
    crashed = outcome_of(1, "", "Traceback (most recent call last):\nMemoryError\n")
    assert crashed.errors == ("newsgen.yaml: error: search: the search update failed: MemoryError",)
    assert outcome_of(-9, "", "").errors == (
        "newsgen.yaml: error: search: the search update failed: exit status -9",
    )


@pytest.mark.unit
def test_only_japanese_needs_pagefinds_word_splitting() -> None:
    def page(lang: str, kind: str = "article") -> PageSpec:
        return PageSpec(kind, "u/", "u/index.html", "article.html", "T", lang=lang)

    assert search.needs_segmenter([page("en"), page("ja-JP")])
    assert not search.needs_segmenter([page("en"), page("zh-Hans"), page("ja", kind="home")])
    plain, extended = search.find_pagefind(), search.find_pagefind(segment=True)
    assert plain and extended and plain != extended and "extended" in extended.name


@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_pagefind_splits_japanese_and_newsgen_chinese(tmp_path: Path, lang: str) -> None:
    text = {"ja": "地域のボランティアが集まりました。", "zh": "金台区召开教育工作会议。"}[lang]
    files = {"content/a.md": article_text(text, title="T", date="2024-04-01", lang=lang)}
    settings = SETTINGS + f"languages: [en, {lang}]\n"
    root = write_files(tmp_path / "site", {"newsgen.yaml": settings, **files})
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    (document,) = search_documents(root / "public").values()
    listed = json.loads((root / "public/pagefind/bundles.json").read_text("utf-8"))
    assert listed == [["2020s", [lang]]]  # with its languages: the page fetches no entry file
    if lang == "ja":  # Pagefind's extended binary split it into words (zero-width spaces)
        assert "\u200b" in document["content"]
    else:  # the plain binary: newsgen put each character apart
        assert "金 台 区" in document["content"] and "\u200b" not in document["content"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_hidden_metadata_is_not_searched_text(tmp_path: Path, lang: str) -> None:
    body = {"en": "The budget was reviewed.", "zh": "金台区审议预算。"}[lang]
    fields = {"units": ["District Finance Bureau"], "district": "Jintai District"}
    files = {"content/a.md": article_text(body, title="T", date="2024-04-02", lang=lang, **fields)}
    settings = SETTINGS + f"languages: [en, {lang}]\n" if lang != "en" else SETTINGS
    root = write_files(tmp_path / "site", {"newsgen.yaml": settings, **files})
    assert build_site(root).ok
    (document,) = search_documents(root / "public").values()
    # The filters' slug lists and the result line's date and units are metadata, not text an
    # excerpt may show.
    assert '["' not in document["content"] and "district-finance-bureau" not in document["content"]
    assert document["meta"]["f_units"] == '["district-finance-bureau"]'
    assert document["meta"]["f_year"] == '["2024"]' and document["meta"]["units"]
