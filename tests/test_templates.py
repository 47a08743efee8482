"""Template resolution (site over theme, extending the replaced one) and template diagnostics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import article_text, build_site, write_files

pytestmark = pytest.mark.site


def test_site_template_overrides_and_extends_the_theme(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "content/a.md": article_text(title="A", extra_note="From front matter"),
            "templates/article.html": (
                '{% extends "theme/article.html" %}\n'
                '{% block article_footer %}<p class="note">{{ article.extra.extra_note }}</p>'
                "{{ super() }}{% endblock %}\n"
            ),
            "templates/partials/footer.html": "<footer>Custom footer</footer>\n",
        },
    )
    assert build_site(root).ok
    html = (root / "public/2023/02/10/a/index.html").read_text("utf-8")
    assert '<p class="note">From front matter</p>' in html
    assert 'class="prev-next"' in html  # super() kept the theme's block
    assert "<h1>A</h1>" in html  # the rest of the theme's article.html
    assert "<footer>Custom footer</footer>" in html
    assert "<footer>Custom footer</footer>" in (root / "public/index.html").read_text("utf-8")


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "content/a.md": article_text(title="A"),
            "templates/home.html": "{% extends 'theme/home.html' %}\n\n{% block content %}{% if %}{% endblock %}\n",
        },
    )
    result = build_site(root)
    errors = [d.format() for d in result.diagnostics if d.is_error]
    assert len(errors) == 1
    assert errors[0].startswith("templates/home.html:3: error: template syntax error:")


def test_undefined_variable_names_template_file_and_line(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "content/a.md": article_text(title="A"),
            "templates/list.html": "{% extends 'theme/list.html' %}\n{% block content %}\n\n{{ no_such_thing }}\n{% endblock %}\n",
        },
    )
    result = build_site(root)
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "templates/list.html:4: error: 'no_such_thing' is undefined"
    ]


def test_xml_templates_are_autoescaped(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "base_url: https://x.org/\ntitle: Tom & Jerry <News>\n",
            "content/a.md": article_text(title="A & B"),
        },
    )
    assert build_site(root).ok
    feed = (root / "public/feed.xml").read_text("utf-8")
    assert "<title>Tom &amp; Jerry &lt;News&gt;</title>" in feed
    assert "<title>A &amp; B</title>" in feed


def test_built_in_theme_works_for_a_content_only_site(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/x/y/a.md": article_text(title="Only content")})
    assert build_site(root).ok
    html = (root / "public/index.html").read_text("utf-8")
    assert "Only content" in html and 'href="assets/newsgen.css"' in html
    assert (root / "public/assets/newsgen.css").is_file()
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert '<html lang="en">' in html


def test_article_language_sets_html_lang(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {"content/a.md": article_text("中文正文。", title="金台区会议", lang="zh")},
    )
    assert build_site(root).ok
    html = (root / "public/2023/02/10/jin-tai-qu-hui-yi/index.html").read_text("utf-8")
    assert '<html lang="zh">' in html and "2023年2月10日" in html


@pytest.mark.unit
@pytest.mark.parametrize(
    ("lang", "locale"),
    [("en", "en_US"), ("zh", "zh_CN"), ("zh-Hant", "zh_TW"), ("en-GB", "en_GB"), ("eo", "eo")],
)
def test_og_locale_writes_language_and_territory(lang: str, locale: str) -> None:
    from newsgen.render.structured import og_locale

    assert og_locale(lang) == locale


def test_every_theme_word_has_a_chinese_translation() -> None:
    """Each t("...") of the built-in theme, and the built-in taxonomies' titles, are in
    i18n.yaml: a Chinese page shows no English theme word."""
    import re

    import yaml

    from newsgen.core.config import DEFAULT_TAXONOMIES

    theme = Path(__file__).parents[1] / "src/newsgen/theme"
    words = {
        match.group(2)
        for path in (theme / "templates").rglob("*.*")
        for match in re.finditer(r"(?<![\w.])t\(\s*(['\"])(.+?)\1\s*\)", path.read_text("utf-8"))
    }
    words |= {w for t in DEFAULT_TAXONOMIES for w in (t.title, t.singular)}
    chinese = yaml.safe_load((theme / "i18n.yaml").read_text("utf-8"))["zh"]
    assert len(words) > 40
    assert sorted(words - set(chinese)) == []


def count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the templates this process compiles from now on, with nothing compiled yet
    (as in a new process)."""
    import jinja2

    from newsgen.render import templating

    monkeypatch.setattr(templating, "COMPILED", templating.CompiledTemplates())
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def traced(
        self: jinja2.Environment, source: str, name: str | None = None, *a: object
    ) -> object:
        compiled.append(str(name))
        return real(self, source, name, *a)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", traced)
    return compiled


def site_with_template(tmp_path: Path, name: str, text: str) -> Path:
    """A one-article site with one template of its own."""
    files = {"content/a.md": article_text(title="A"), f"templates/{name}": text}
    return write_files(tmp_path / "site", files)


def test_a_helper_process_compiles_the_templates_while_the_site_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with_template(
        tmp_path,
        "article.html",
        '{% extends "theme/article.html" %}\n'
        '{% block article_footer %}<p class="mine">mine</p>{% endblock %}\n',
    )
    compiled = count_compiles(monkeypatch)
    assert build_site(root, jobs=2).ok
    assert compiled == []  # every template came from the helper
    html = (root / "public/2023/02/10/a/index.html").read_text("utf-8")
    assert '<p class="mine">mine</p>' in html and "<h1>A</h1>" in html
    compiled = count_compiles(monkeypatch)
    assert build_site(root, jobs=1, clean=True).ok
    assert {"article.html", "base.html", "home.html"} <= set(compiled)  # here, as pages render
    assert (root / "public/2023/02/10/a/index.html").read_text("utf-8") == html


class Handed:
    """Templates compiled earlier, handed over as a helper hands them."""

    def __init__(self, compiled: dict[str, bytes]) -> None:
        self.compiled = compiled

    def result(self) -> dict[str, bytes]:
        return self.compiled

    def close(self) -> None:
        self.compiled = {}


def test_a_template_changed_after_the_helper_compiled_it_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytecode handed over is checked against the template's source, as Jinja checks it."""
    from newsgen.core.config import load_config
    from newsgen.render import templating

    root = site_with_template(tmp_path, "partials/footer.html", "<footer>Before</footer>\n")
    count_compiles(monkeypatch)
    config, _ = load_config(root)
    early = templating.precompiled_templates(config)
    monkeypatch.setattr(templating, "COMPILED", templating.CompiledTemplates())
    templating.COMPILED.expect(Handed(early))
    (root / "templates/partials/footer.html").write_text("<footer>After</footer>\n")
    assert build_site(root, jobs=1).ok
    assert "<footer>After</footer>" in (root / "public/index.html").read_text("utf-8")


def test_a_broken_template_is_reported_with_the_helper_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = "{% extends 'theme/list.html' %}\n{% block content %}{% for %}{% endblock %}\n"
    root = site_with_template(tmp_path, "list.html", broken)
    count_compiles(monkeypatch)
    result = build_site(root, jobs=2)
    assert not result.ok
    assert any(d.path == "templates/list.html" and d.line == 2 for d in result.diagnostics)


def test_a_build_that_stops_before_rendering_ends_its_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No helper is left running (or unreaped) when the build ends early, as serve's next
    build would otherwise find it."""
    from newsgen.pipeline import parallel
    from newsgen.render import templating

    started: list[parallel.Helper] = []
    real_start = parallel.start_helper

    def traced(function: Any, jobs: int) -> parallel.Helper | None:
        helper = real_start(function, jobs)
        started.extend([helper] if helper else [])
        return helper

    monkeypatch.setattr(parallel, "start_helper", traced)
    count_compiles(monkeypatch)
    root = write_files(tmp_path / "site", {"content/a.md": "---\ntitle: [unclosed\n---\nText\n"})
    result = build_site(root, jobs=2)
    assert not result.ok and len(started) == 1
    assert templating.COMPILED.is_empty()
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, os.WNOHANG)  # reaped


def test_render_workers_start_with_the_helpers_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a pool of render workers too, the parent compiles nothing the helper did: it
    takes the templates before it forks (a worker forked while they were still
    coming would share the helper's pipe)."""
    from newsgen.pipeline import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 1)
    files = {f"content/a{n}.md": article_text(title=f"A{n}", slug=f"a{n}") for n in range(4)}
    root = write_files(tmp_path / "site", files)
    compiled = count_compiles(monkeypatch)
    assert build_site(root, jobs=2).ok
    assert compiled == []
    assert "<h1>A3</h1>" in (root / "public/2023/02/10/a3/index.html").read_text("utf-8")
