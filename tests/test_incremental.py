"""Incremental builds: a rebuild with the cache equals a clean build, whatever was edited."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import (
    EXAMPLES_SCALE,
    FIXED_NOW,
    article_text,
    build_site,
    read_tree,
    same_output,
    search_documents,
    without_search,
    write_files,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgen.core.model import PageSpec
from newsgen.incremental.cache import cache_path
from newsgen.pipeline import parallel
from newsgen.pipeline.build import BuildOptions, build
from newsgen.publish import publish

pytestmark = pytest.mark.site

UNITS = ["Finance Bureau", "Health Commission", "Organization Department"]
BASE = {
    "newsgen.yaml": "title: Incremental\nbase_url: https://x.org/\npage_size: 2\nsearch_bundle_size: 2\n",
    "static/site.css": "body { color: black; }",
}


def article(n: int, day: int = 1, unit: int = 0, title: str = "", body: str = "Body.") -> str:
    return article_text(
        body,
        title=title or f"Article {n}",
        date=f"2023-0{day % 3 + 1}-{day % 27 + 1:02d}",
        units=[UNITS[unit % 3]],
        tags=[f"tag{n % 2}"],
        speaker=f"Speaker {n % 2}",
    )


def clean_tree(root: Path, tmp: Path) -> dict[str, bytes]:
    """Build the same input from scratch, without cache, into a fresh folder."""
    fresh = tmp / "clean-out"
    shutil.rmtree(fresh, ignore_errors=True)
    result = build(BuildOptions(site_root=root, output_dir=fresh, use_cache=False, now=FIXED_NOW))
    assert result.ok, [d.format() for d in result.diagnostics]
    return read_tree(fresh)


# Units vocabularies a random edit switches between: none, labels, a renaming with a name
# history and a hierarchy, a merger.
VOCABULARIES = [
    "",
    "- {name: Finance Bureau, labels: {zh: 财政局}}\n"
    "- {name: Health Commission, labels: {zh: 卫健委}}\n"
    "- {name: Organization Department, labels: {zh: 组织部}}\n",
    "- name: Finance and Tax Bureau\n"
    "  names: [{name: Finance Bureau, until: 2023-02-01, labels: {zh: 财政局}}]\n"
    "- {name: Health Commission, parent: Organization Department}\n"
    "- {name: Organization Department, labels: {zh: 组织部门}}\n",
    "- {name: Finance Bureau, labels: {zh: 区财政局}}\n"
    "- {name: Health Commission, successor: Organization Department, dissolved: 2023-03-01}\n"
    "- {name: Organization Department}\n",
]
EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 30), st.integers(0, 60), st.integers(0, 2)),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("rename"), st.integers(0, 30)),
        st.tuples(st.just("date"), st.integers(0, 30), st.integers(0, 60)),
        st.tuples(st.just("unit"), st.integers(0, 30), st.integers(0, 2)),
        st.tuples(
            st.just("title"), st.integers(0, 30), st.sampled_from(["Alpha", "Beta", "Gamma news"])
        ),
        st.tuples(
            st.just("body"),
            st.integers(0, 30),
            st.sampled_from(["One.", "Two **bold**.", "## H\n\nThree."]),
        ),
        st.tuples(st.just("template"), st.booleans()),
        st.tuples(st.just("static"), st.sampled_from(["a", "bb", ""])),
        st.tuples(st.just("setting"), st.sampled_from([1, 2, 3])),
        st.tuples(st.just("vocabulary"), st.sampled_from(range(len(VOCABULARIES)))),
    ),
    min_size=1,
    max_size=6,
)


def apply_edit(root: Path, edit: tuple[object, ...]) -> None:
    """Apply one random edit to the site's files."""
    kind = edit[0]
    files = sorted((root / "content").rglob("*.md"))
    pick = (
        files[int(edit[1]) % len(files)]
        if files and isinstance(edit[1], int) and kind != "add"
        else None
    )
    if kind == "add":
        n, day, unit = edit[1], edit[2], edit[3]
        write_files(
            root,
            {
                f"content/new-{n}-{day}.md": article(
                    100 + int(n), int(day), int(unit), f"New {n} {day}"
                )
            },
        )
    elif kind == "delete" and pick and len(files) > 1:
        pick.unlink()
    elif kind == "rename" and pick:
        pick.rename(pick.with_name(f"moved-{pick.name}"))
    elif pick and kind in {"date", "unit", "title", "body"}:
        text = pick.read_text("utf-8")
        n = sum(map(ord, pick.name)) % 50
        fields = {
            "date": dict(day=edit[2]),
            "unit": dict(unit=edit[2]),
            "title": dict(title=f"{edit[2]} {n}"),
            "body": dict(body=edit[2]),
        }[str(kind)]
        defaults = dict(
            day=n,
            unit=n,
            title=f"Article {n}"
            if "title: Article" in text
            else text.split("title: ")[1].split("\n")[0],
        )
        pick.write_text(article(n, **{**defaults, **fields}), "utf-8")  # type: ignore[arg-type]
    elif kind == "template":
        path = root / "templates/article.html"
        if edit[1]:
            write_files(
                root,
                {
                    "templates/article.html": "{% extends 'theme/article.html' %}\n{% block article_footer %}<p>Custom</p>{{ super() }}{% endblock %}\n"
                },
            )
        elif path.exists():
            path.unlink()
    elif kind == "static":
        if edit[1]:
            write_files(root, {"static/extra.txt": str(edit[1])})
        else:
            (root / "static/extra.txt").unlink(missing_ok=True)
    elif kind == "vocabulary":
        text = VOCABULARIES[int(str(edit[1]))]
        if text:
            write_files(root, {"data/units.yaml": text})
        else:
            (root / "data/units.yaml").unlink(missing_ok=True)
    elif kind == "setting":
        write_files(
            root,
            {
                "newsgen.yaml": "title: Incremental\nbase_url: https://x.org/\n"
                f"page_size: {edit[1]}\nsearch_bundle_size: {edit[1]}\n"
            },
        )


@pytest.mark.slow
@settings(
    max_examples=25 * EXAMPLES_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=EDITS)
def test_incremental_build_equals_clean_build(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[object, ...]]
) -> None:
    tmp = tmp_path_factory.mktemp("incremental")
    root = write_files(
        tmp / "site", {**BASE, **{f"content/a{n}.md": article(n, n * 7, n) for n in range(6)}}
    )
    assert build_site(root).ok
    for edit in edits:
        apply_edit(root, edit)
        result = build_site(root)
        assert result.ok, [d.format() for d in result.diagnostics]
        clean = clean_tree(root, tmp)
        assert without_search(read_tree(root / "public")) == without_search(clean), f"after {edit}"
        clean_search = search_documents(tmp / "clean-out")
        assert search_documents(root / "public") == clean_search, f"search after {edit}"


def age_files(root: Path) -> None:
    """Make every source look older than the last scan (as files are between real edits)."""
    for path in root.rglob("*"):
        if path.is_file() and "public" not in path.parts and ".newsgen-cache" not in path.parts:
            os.utime(path, (1_600_000_000, 1_600_000_000))


def big_site(tmp_path: Path, count: int = 30) -> Path:
    files = {f"content/{n:02d}.md": article(n, n, n) for n in range(count)}
    return write_files(tmp_path / "site", {**BASE, **files})


def test_no_change_rebuild_does_nothing(tmp_path: Path) -> None:
    root = big_site(tmp_path)
    age_files(root)
    assert build_site(root).ok
    result = build_site(root)
    assert result.up_to_date and result.stats.written == 0


def test_body_edit_renders_only_pages_that_show_the_article(tmp_path: Path) -> None:
    root = big_site(tmp_path)
    age_files(root)
    first = build_site(root)
    target = root / "content/05.md"
    target.write_text(article(5, 5, 5, body="A new body."), "utf-8")
    result = build_site(root)
    assert result.ok and 0 < result.rendered < first.pages / 4
    html = (root / "public").joinpath(*result.stats.changed_paths[0].split("/")).read_text("utf-8")
    assert html
    article_page = next(p for p in result.stats.changed_paths if p.count("/") == 4)
    assert "A new body." in (root / "public" / article_page).read_text("utf-8")
    assert "archive/index.html" not in result.stats.changed_paths
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


def count_fingerprints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the pages a build hashes (the renderer's fingerprint calls, in this process)."""
    from newsgen.render.renderer import Renderer

    hashed: list[str] = []
    original = Renderer.fingerprint

    def fingerprint(self: Renderer, spec: PageSpec, *reads: str) -> str:
        hashed.append(spec.output_path)
        return original(self, spec, *reads)

    monkeypatch.setattr(Renderer, "fingerprint", fingerprint)
    return hashed


def edit_body(root: Path) -> None:
    """Add a paragraph to an article's body, below its summary (its card stays the same)."""
    edited = article(5, 5, 5, body="Body.\n\nA second paragraph, not in the summary.")
    (root / "content/05.md").write_text(edited, "utf-8")


def test_body_edit_hashes_only_the_pages_showing_the_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = big_site(tmp_path)
    age_files(root)
    first = build_site(root, jobs=1)
    hashed = count_fingerprints(monkeypatch)
    edit_body(root)
    assert build_site(root, jobs=1).ok
    # Its own page and the site feeds (which carry bodies); no listing, no neighbour.
    assert hashed and all(p.endswith((".xml", "/index.html")) for p in hashed)
    assert len(hashed) <= 3 and not any(p.startswith(("units/", "2023/page")) for p in hashed)
    hashed.clear()
    (root / "content/05.md").write_text(article(5, 5, 5, title="Renamed"), "utf-8")
    assert build_site(root, jobs=1).ok
    assert len(hashed) == first.pages  # a card changed: every page is hashed again
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the index and plan stages' real work (building the index, planning pages)."""
    from newsgen.pipeline import read_stages

    made: list[str] = []
    for name in ("build_index", "plan_pages"):
        original = getattr(read_stages, name)

        def counted(*args: object, _name: str = name, _original: object = original) -> object:
            made.append(_name)
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(read_stages, name, counted)
    return made


def test_a_body_edit_reuses_the_index_and_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = big_site(tmp_path)
    age_files(root)
    assert build_site(root).ok
    made = count_layouts(monkeypatch)
    edit_body(root)
    assert build_site(root).ok
    assert made == []
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")
    made.clear()
    # A ref to no article, added to a body: the index's ref check still sees it.
    broken = article(5, 5, 5, body='Body.\n\nSee {{< ref "nowhere.md" >}}.')
    (root / "content/05.md").write_text(broken, "utf-8")
    result = build_site(root)
    assert made == ["build_index", "plan_pages"]
    assert any("names no published article" in d.message for d in result.diagnostics)
    made.clear()
    (root / "content/05.md").write_text(article(5, 5, 5, title="Renamed"), "utf-8")
    assert build_site(root).ok
    assert made == ["build_index", "plan_pages"]  # a card changed
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


def test_reordered_units_change_the_more_from_links(tmp_path: Path) -> None:
    root = big_site(tmp_path, count=20)  # more of each unit than "related" shows
    two = article_text("Both.", title="Two units", date="2023-02-02", units=UNITS[:2])
    write_files(root, {"content/two.md": two})
    age_files(root)
    assert build_site(root).ok
    swapped = article_text("Both.", title="Two units", date="2023-02-02", units=UNITS[1::-1])
    write_files(root, {"content/two.md": swapped})
    assert build_site(root).ok  # the same memberships: related lists may be reused, not these
    page = next(p for p in (root / "public").rglob("two-units/index.html"))
    links = page.read_text("utf-8").split('class="more-from"', 1)[1].split("</nav>", 1)[0]
    assert [links.index(f">{unit}</a>") for unit in UNITS[1::-1]] == sorted(
        links.index(f">{unit}</a>") for unit in UNITS[:2]
    )
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


def test_templates_edited_between_builds_of_one_process_are_compiled_again(
    tmp_path: Path,
) -> None:
    root = big_site(tmp_path, count=3)
    assert build_site(root).ok
    out = root / "public"
    override = "{% extends 'theme/article.html' %}{% block content %}<p>Mine</p>{% endblock %}"
    for text in (override, override.replace("Mine", "Changed")):  # a new file, then an edit
        write_files(root, {"templates/article.html": text})
        age_files(root)
        assert build_site(root).ok  # one process, as serve's rebuilds: compiled in memory
        word = text.split("<p>")[1].split("<")[0]
        pages = [p for p in out.rglob("index.html") if len(p.relative_to(out).parts) == 5]
        assert len(pages) == 3 and all(f"<p>{word}</p>" in p.read_text("utf-8") for p in pages)
    assert not list((root / ".newsgen-cache").glob("templates-*"))


def test_new_article_renders_only_pages_it_appears_on(tmp_path: Path) -> None:
    root = big_site(tmp_path)
    age_files(root)
    first = build_site(root)
    fresh = article_text(
        "Newest.", title="Fresh news", date="2023-04-01", units=[UNITS[1]], tags=["tag1"]
    )
    write_files(root, {"content/zz.md": fresh})
    result = build_site(root)
    # The newest article: its page, the first page of each listing it is on, its neighbours
    # and related articles, overviews, feeds and the sitemap; older pages stay as they are.
    pages = [p for p in result.stats.changed_paths if not p.startswith("pagefind/")]
    assert result.ok and len(pages) < first.pages / 5
    assert "page/2/index.html" not in result.stats.changed_paths
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


# Articles added one after another; True where nothing but articles changes, so the pages
# around them are hashed and no others (site/plan.py and incremental/additions.py).
ADDITIONS = [
    (
        "newest",
        {"z1.md": article_text("N.", title="Fresh", date="2023-04-01", units=[UNITS[1]])},
        True,
    ),
    (
        "oldest",
        {"z2.md": article_text("O.", title="Old", date="2022-12-01", units=[UNITS[2]])},
        True,
    ),
    ("middle, a speaker's", {"z3.md": article(40, 9, 1)}, True),
    (
        "an English release",
        {"z4.md": article_text("E.", title="Drill", date="2023-02-03", translation_key="drill")},
        True,
    ),
    (
        "its Chinese version",
        {
            "z5.md": article_text(
                "中。", title="演练", lang="zh", date="2023-02-03", translation_key="drill"
            )
        },
        True,
    ),
    (
        "with a new unit",
        {"z6.md": article_text("U.", title="Unit", date="2023-02-04", units=["New Office"])},
        False,
    ),
    ("two at once", {"z7.md": article(41, 3, 0), "z8.md": article(42, 17, 2)}, True),
]


def test_an_addition_hashes_the_pages_around_it_and_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = big_site(tmp_path)
    write_files(root, {"newsgen.yaml": BASE["newsgen.yaml"] + "languages: [en, zh]\n"})
    age_files(root)
    assert build_site(root, jobs=1).ok
    hashed = count_fingerprints(monkeypatch)
    for name, files, only_around in ADDITIONS:
        hashed.clear()
        write_files(root, {f"content/{rel}": text for rel, text in files.items()})
        result = build_site(root, jobs=1)
        assert result.ok, name
        articles = [p for p in hashed if p.startswith(("2022/", "2023/")) and p.count("/") == 4]
        if only_around:  # the listings holding it (page_size 2: many pages) and its neighbours
            assert len(hashed) < 0.75 * result.pages, name
            assert name != "newest" or len(articles) == 2, articles  # it and its older neighbour
        else:  # a new term: the terms' names may show anywhere, so every page is hashed
            assert len(hashed) >= result.pages - len(result.stats.changed_paths), name
        clean_tree(root, tmp_path)
        same_output(root / "public", tmp_path / "clean-out")


def test_touched_file_with_same_content_is_not_rendered_again(tmp_path: Path) -> None:
    root = big_site(tmp_path)
    age_files(root)
    assert build_site(root).ok
    (root / "content/03.md").touch()
    result = build_site(root)
    assert (
        result.ok and not result.up_to_date and result.rendered == 0 and result.stats.written == 0
    )


def test_same_size_same_mtime_edit_is_still_seen(tmp_path: Path) -> None:
    root = big_site(tmp_path)
    assert build_site(root).ok
    target = root / "content/07.md"
    stat = target.stat()
    target.write_text(target.read_text("utf-8").replace("Article 7", "Article X"), "utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert build_site(root).ok
    assert "Article X" in (root / "public/index.html").read_text("utf-8") or any(
        "Article X" in p.read_text("utf-8") for p in (root / "public").rglob("index.html")
    )


@pytest.mark.parametrize("damage", ["garbage", "truncate", "version", "evil-pickle"])
def test_broken_or_foreign_cache_is_discarded(tmp_path: Path, damage: str) -> None:
    root = big_site(tmp_path, 8)
    age_files(root)
    assert build_site(root).ok
    path = cache_path(root)
    if damage == "garbage":
        path.write_bytes(b"not a database" * 100)
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:3000])
    elif damage == "version":
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE meta SET value = 'other' WHERE name = 'key'")
    else:
        import pickle

        class Evil:
            def __reduce__(self) -> tuple[object, ...]:
                return (os.system, ("touch pwned",))

        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE snapshot SET value = ?", (pickle.dumps(Evil()),))
    shutil.rmtree(root / "public")
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert not (root / "pwned").exists() and not Path("pwned").exists()
    assert read_tree(root / "public") == clean_tree(root, tmp_path)


@pytest.mark.slow
def test_output_is_identical_for_every_job_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    root = big_site(tmp_path)
    trees = []
    for jobs in (1, 2, 3):
        out = tmp_path / f"out-{jobs}"
        result = build(
            BuildOptions(site_root=root, output_dir=out, jobs=jobs, use_cache=False, now=FIXED_NOW)
        )
        assert result.ok
        trees.append(read_tree(out))
    assert trees[0] == trees[1] == trees[2]


def test_parallel_cold_build_with_cache_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    root = big_site(tmp_path)
    assert build_site(root, jobs=2).ok
    shutil.rmtree(root / "public")
    result = build_site(root, jobs=2)  # warm cache, cold output: bodies come from the cache
    assert result.ok and result.rendered == result.pages
    assert read_tree(root / "public") == clean_tree(root, tmp_path)


def test_failed_commit_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = big_site(tmp_path, 12)
    age_files(root)
    assert build_site(root).ok
    before = read_tree(root / "public")
    (root / "content/04.md").write_text(article(4, 4, 4, body="Changed body."), "utf-8")
    real_rename = os.rename
    calls = {"n": 0}

    def failing_rename(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "rename", failing_rename)
    failed = build_site(root)  # an OSError is one error line, not an exception
    assert [d.message for d in failed.diagnostics if d.is_error] == ["disk full"]
    monkeypatch.setattr(publish.os, "rename", real_rename)
    assert read_tree(root / "public") == before
    assert build_site(root).ok
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")


def test_leftover_journal_is_rolled_back_by_the_next_build(tmp_path: Path) -> None:
    root = big_site(tmp_path, 6)
    assert build_site(root).ok
    before = read_tree(root / "public")
    out = root / "public"
    # Simulate a build killed in the middle of replacing files: one file moved aside and
    # replaced, the journal still on disk.
    victim = "index.html"
    backup = publish.sibling(out, "backup")
    staging = publish.sibling(out, "staging")
    backup.mkdir()
    staging.mkdir()
    os.rename(out / victim, backup / victim)
    (out / victim).write_text("half-published")
    (staging / "feed.xml").write_text("not yet moved")
    publish.sibling(out, "journal").write_text(
        '{"replace": ["index.html", "feed.xml"], "remove": []}'
    )
    publish.recover(publish.place_output(out))
    assert read_tree(out) == before


def test_a_body_edit_renders_only_the_pages_that_show_the_body(tmp_path: Path) -> None:
    """Listings, related lists and term feeds show an article's title and summary, not its
    body: editing the body (the summary given) renders its page and the site feed only."""
    root = big_site(tmp_path)
    fields = dict(title="Article 5", date="2023-03-06", units=[UNITS[2]], tags=["tag1"])
    write_files(root, {"content/05.md": article_text("First body.", summary="Kept.", **fields)})
    age_files(root)
    assert build_site(root).ok
    write_files(root, {"content/05.md": article_text("Second body.", summary="Kept.", **fields)})
    result = build_site(root)
    pages = sorted(p for p in result.stats.changed_paths if not p.startswith("pagefind/"))
    assert pages == ["2023/03/06/article-5/index.html", "feed.xml"]
    assert result.rendered == 2
    clean_tree(root, tmp_path)
    same_output(root / "public", tmp_path / "clean-out")
