"""The pipeline's seams: what a page shows (page_inputs), bodies read through the source layer."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import FIXED_NOW, article_text, build_site, write_files

from newsgen.core.config import load_config
from newsgen.core.model import Media, PageSpec, SiteIndex
from newsgen.incremental.reuse import Incremental
from newsgen.pipeline import write_stages
from newsgen.pipeline.options import BuildOptions, Job
from newsgen.pipeline.read_stages import index_site, load_inputs, parse_articles, plan_site
from newsgen.site.inputs import page_inputs
from newsgen.source.load import scan_content
from newsgen.source.parse import read_body

pytestmark = pytest.mark.site

SETTINGS = "title: T\nbase_url: https://x.org/\npage_size: 2\nrelated_items: 2\n"


def plan(root: Path) -> tuple[SiteIndex, tuple[PageSpec, ...]]:
    """Run the stages up to the plan, as build does."""
    config, _ = load_config(root)
    options = BuildOptions(root, now=FIXED_NOW)
    job = Job(options, config, root / "public", Incremental.off(config))
    inputs, _ = load_inputs(config)
    articles, _ = parse_articles(job, inputs, scan_content(config))
    index, _ = index_site(job, articles, inputs)
    site, problems = plan_site(job, index, inputs, Media())
    assert not [p for p in problems if p.is_error]
    return site.index, site.pages


def small_site(tmp_path: Path) -> Path:
    """Five articles over two months of one year, sharing a unit."""
    dates = ["2023-01-05", "2023-01-20", "2023-02-03", "2023-02-10", "2023-02-21"]
    files = {
        f"content/a{n}.md": article_text(f"Body {n}.", title=f"A{n}", date=d, units=["Bureau"])
        for n, d in enumerate(dates)
    }
    return write_files(tmp_path / "site", {"newsgen.yaml": SETTINGS, **files})


def test_a_years_months_are_shown_on_its_first_page_only(tmp_path: Path) -> None:
    index, pages = plan(small_site(tmp_path))
    year_pages = [p for p in pages if p.taxonomy == "year"]
    assert [p.page_number for p in year_pages] == [1, 2]
    first, second = (page_inputs(p, index) for p in year_pages)
    assert [m.name for m in first.months] == ["2023-02", "2023-01"]
    assert second.months == ()
    assert set(first.items) | set(second.items) == set(range(5))


def test_an_article_page_shows_its_neighbours_and_related_articles_by_role(tmp_path: Path) -> None:
    index, pages = plan(small_site(tmp_path))
    middle = next(p for p in pages if p.kind == "article" and p.title == "A2")
    inputs = page_inputs(middle, index)
    roles = dict(inputs.shown())
    assert roles["article"] == (middle.article_id,)
    assert middle.article_id is not None
    assert roles["newer"] == (middle.article_id - 1,)
    assert roles["older"] == (middle.article_id + 1,)
    assert len(roles["related"]) == 2 and middle.article_id not in roles["related"]
    # the plan records exactly what the page shows as its sources
    shown_paths = [index.articles[i].source_path for i in inputs.article_ids]
    assert list(middle.sources) == shown_paths


def test_a_body_changed_since_it_was_parsed_is_an_error_not_a_silent_mix(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    index, _ = plan(root)
    article = next(a for a in index.articles if a.title == "A1")
    text, problems = read_body(root, article)
    assert text is not None and "Body 1." in text and not problems
    (root / article.source_path).write_text(article_text("Edited.", title="A1"), "utf-8")
    text, problems = read_body(root, article)
    assert text is None
    assert [p.format() for p in problems] == [
        f"{article.source_path}:{article.body_line}: error: body: changed while the site was "
        "being built (build again)"
    ]
    (root / article.source_path).unlink()
    text, problems = read_body(root, article)
    assert text is None and "cannot be read" in problems[0].message


def test_a_body_edited_during_the_build_fails_it_and_keeps_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_site(tmp_path)
    assert build_site(root).ok
    before = (root / "public" / "2023" / "01" / "20" / "a1" / "index.html").read_bytes()
    (root / "content/a1.md").write_text(
        article_text("Second text.", title="A1", date="2023-01-20", units=["Bureau"]), "utf-8"
    )
    original = write_stages.render_site

    def edit_then_render(*args: object) -> object:
        path = root / "content/a1.md"
        path.write_text(path.read_text("utf-8").replace("Second", "Third"), "utf-8")
        return original(*args)

    monkeypatch.setattr("newsgen.pipeline.build.render_site", edit_then_render)
    result = build_site(root, use_cache=False)
    assert not result.ok and result.output_dir is None
    assert any("changed while the site was being built" in d.message for d in result.diagnostics)
    after = (root / "public" / "2023" / "01" / "20" / "a1" / "index.html").read_bytes()
    assert after == before


def test_a_build_collects_cycles_less_often_and_restores_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsgen.pipeline import build as build_module

    seen: list[int] = []
    original = build_module.run_build

    def run_build(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold()[0])
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "run_build", run_build)
    before = gc.get_threshold()
    root = write_files(tmp_path / "site", {"content/a.md": article_text("Body.", title="A")})
    assert build_module.build(BuildOptions(site_root=root)).ok
    assert seen == [build_module.GC_THRESHOLD] and gc.get_threshold() == before


def test_what_a_build_kept_from_the_collector_is_collectable_again_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loaded snapshots and the stages' results are frozen (gc.freeze) during a build; a
    long-running serve would leak every build's garbage if they stayed frozen."""
    from newsgen.pipeline import build as build_module

    frozen: list[int] = []
    original = write_stages.render_site

    def render_site(*args: object, **kwargs: object) -> object:
        frozen.append(gc.get_freeze_count())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "render_site", render_site)
    root = write_files(tmp_path / "site", {"content/a.md": article_text("Body.", title="A")})
    for _ in range(2):  # the second build loads the first one's snapshots from the cache
        assert build_module.build(BuildOptions(site_root=root, clean=True)).ok
        assert gc.get_freeze_count() == 0
    assert len(frozen) == 2 and min(frozen) > 0
