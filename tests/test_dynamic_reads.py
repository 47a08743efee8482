"""Pages depend on the site-wide values their render read, not on every value they name."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from conftest import FIXED_NOW, article_text, build_site, same_output, write_files

from newsgen.core.model import PageSpec, RenderedPage
from newsgen.pipeline.build import BuildOptions, build
from newsgen.render.reads import Watched, reads_of
from newsgen.render.renderer import Renderer
from newsgen.render.viewmodels import TermView

READING = [
    "{% for x in tree %}{% endfor %}",
    "{{ tree|length }}",
    "{{ tree|count }}",
    "{% if tree %}y{% endif %}",
    "{{ tree[0] }}",
    "{{ tree|first }}",
    "{{ tree|last }}",
    "{{ tree|list }}",
    "{{ tree|sort|list }}",
    "{{ tree|join(',') }}",
    "{{ 2 in tree }}",
    "{{ tree }}",
    "{{ tree|string }}",
    "{{ tree == [1] }}",
    "{{ tree + (4,) }}",
    "{{ tree|reverse|list }}",
    "{{ tree|map('string')|list }}",
    "{{ tree.index(2) }}",
    "{{ tree|batch(2)|list }}",
    "{{ tree|sum }}",
]


@pytest.mark.unit
@pytest.mark.parametrize("source", READING)
def test_every_way_a_template_looks_into_a_watched_value_is_noted(source: str) -> None:
    log: set[str] = set()
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["tree"] = Watched((1, 2, 3), log, "a")
    env.from_string(source).render()
    assert log == {"a"}


@pytest.mark.unit
def test_a_value_named_but_not_looked_into_is_not_noted() -> None:
    log: set[str] = set()
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["tree"] = Watched((1, 2, 3), log, "a")
    env.from_string("{% if false %}{{ tree|length }}{% endif %}{% set t = tree %}").render()
    assert log == set()
    view = TermView("units", "Office", "office", "units/office/", 4, (), log)
    assert env.from_string("{{ v.name }} {{ v.url }}").render(v=view) == "Office units/office/"
    assert log == set()
    assert env.from_string("{{ v.count }}").render(v=view) == "4" and log == {"c"}


@pytest.mark.unit
def test_a_fingerprint_says_what_it_was_made_with() -> None:
    assert reads_of("abc:ac") == "ac" and reads_of("abc:") == ""
    assert reads_of(None) == "acs" and reads_of("") == "acs" and reads_of("old") == "acs"


UNIT = "District Organs Work Committee"
SETTINGS = "title: T\nbase_url: https://x.org/\npage_size: 2\n"


def site_of(root: Path) -> Path:
    files = {
        f"content/a{n:02d}.md": article_text(
            f"Body {n}.", title=f"Article {n}", date=f"2023-03-{n + 1:02d}", units=[UNIT]
        )
        for n in range(12)
    }
    return write_files(root, {"newsgen.yaml": SETTINGS, **files})


def rendered_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the pages a build renders (jobs=1: in this process)."""
    made: list[str] = []
    original = Renderer.render

    def render(self: Renderer, spec: PageSpec) -> RenderedPage:
        made.append(spec.output_path)
        return original(self, spec)

    monkeypatch.setattr(Renderer, "render", render)
    return made


def add_newest(root: Path) -> None:
    newest = article_text("Newest.", title="Newest", date="2023-04-30", units=[UNIT])
    write_files(root, {"content/zz.md": newest})


def same_as_clean(root: Path, tmp: Path) -> None:
    """The output equals a build of the same sources without a cache."""
    out = tmp / "clean-out"
    result = build(BuildOptions(site_root=root, output_dir=out, use_cache=False, now=FIXED_NOW))
    assert result.ok
    same_output(root / "public", out)


@pytest.mark.site
def test_an_added_article_leaves_later_listing_pages_unrendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site")
    assert build_site(root, jobs=1).ok
    made = rendered_pages(monkeypatch)
    add_newest(root)
    assert build_site(root, jobs=1).ok
    # Page 2 of the home page and of the unit hold older articles; the theme shows the
    # archive's counts and the unit's count on page 1 only.
    assert "page/2/index.html" not in made
    assert not any(p.startswith("units/") and "/page/" in p for p in made), made
    assert "index.html" in made and "units/district-organs-work-committee/index.html" in made
    same_as_clean(root, tmp_path)


@pytest.mark.site
def test_a_template_showing_a_count_on_every_page_is_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_of(tmp_path / "site")
    override = (
        "{% extends 'theme/list.html' %}"
        "{% block content %}<p class='every'>{{ term.count if term else '' }}</p>"
        "{{ super() }}{% endblock %}"
    )
    write_files(root, {"templates/list.html": override})
    assert build_site(root, jobs=1).ok
    made = rendered_pages(monkeypatch)
    add_newest(root)
    assert build_site(root, jobs=1).ok
    page = "units/district-organs-work-committee/page/2/index.html"
    assert page in made
    assert "<p class='every'>13</p>" in (root / "public" / page).read_text("utf-8")
    same_as_clean(root, tmp_path)


@pytest.mark.site
def test_what_templates_read_is_kept_until_a_template_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsgen.render import templating

    root = site_of(tmp_path / "site")
    assert build_site(root, jobs=1).ok
    parsed: list[str] = []
    real = templating.read_template_names

    def read(env: jinja2.Environment, name: str) -> object:
        parsed.append(name)
        return real(env, name)

    monkeypatch.setattr(templating, "read_template_names", read)
    add_newest(root)
    assert build_site(root, jobs=1).ok
    assert parsed == []  # what each template reads came from the cache
    override = "{% extends 'theme/list.html' %}{% block content %}{{ site.title }}{% endblock %}"
    write_files(root, {"templates/list.html": override})
    assert build_site(root, jobs=1).ok
    assert "list.html" in parsed
    same_as_clean(root, tmp_path)
