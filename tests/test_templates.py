"""Template resolution (site over theme, extending the replaced one) and template diagnostics."""

from __future__ import annotations

from pathlib import Path

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
