"""Bilingual archives: language homes and feeds, translation links, hreflang, theme words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import article_text, build_site, write_files

from newsgen.pipeline.build import BuildOptions, check

pytestmark = pytest.mark.site

ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = "title: T\nbase_url: https://x.org/\nlanguages: [en, zh]\nrequired: []\n"


def bilingual_site(root: Path) -> Path:
    """A release in English and Chinese, an English-only one and a Chinese-only one."""
    return write_files(
        root,
        {
            "newsgen.yaml": CONFIG,
            "content/forum-en.md": article_text(
                title="Forum on after-school services",
                date="2022-06-01",
                units=["District Education and Sports Bureau"],
                translation_key="forum",
            ),
            "content/forum-zh.md": article_text(
                "金台区召开座谈会。",
                title="金台区召开课后服务座谈会",
                date="2022-06-01",
                lang="zh",
                slug="forum-zh",
                translation_key="forum",
            ),
            "content/budget.md": article_text(title="Budget notice", date="2022-07-01"),
            "content/canteen-zh.md": article_text(
                title="陈仓区首批社区老年食堂启用", date="2022-09-20", lang="zh", slug="canteen-zh"
            ),
        },
    )


def titles(html: str) -> list[str]:
    """Titles of the article cards on a listing page."""
    return [part.split("<")[0] for part in html.split('class="card-title"><a href="')[1:]]


def test_each_language_has_its_home_and_feed(tmp_path: Path) -> None:
    root = bilingual_site(tmp_path / "site")
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    out = root / "public"
    home, zh_home = (out / "index.html").read_text(), (out / "zh/index.html").read_text()
    assert "Budget notice" in home and "Forum on after-school services" in home
    assert "陈仓区" not in home and "金台区" not in home
    assert "陈仓区首批社区老年食堂启用" in zh_home and "金台区召开课后服务座谈会" in zh_home
    assert "Budget notice" not in zh_home
    assert '<html lang="zh">' in zh_home and "最新消息" in zh_home
    feed = ET.parse(out / "zh/feed.xml").getroot()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "陈仓区首批社区老年食堂启用",
        "金台区召开课后服务座谈会",
    ]
    english = ET.parse(out / "feed.xml").getroot()
    assert len(english.findall(f"{ATOM}entry")) == 2


def test_language_versions_link_each_other_with_hreflang(tmp_path: Path) -> None:
    root = bilingual_site(tmp_path / "site")
    assert build_site(root).ok
    zh = (root / "public/2022/06/01/forum-zh/index.html").read_text()
    en = (root / "public/2022/06/01/forum-on-after-school-services/index.html").read_text()
    alternate = '<link rel="alternate" hreflang="{}" href="https://x.org/2022/06/01/{}/">'
    for page in (zh, en):
        assert alternate.format("en", "forum-on-after-school-services") in page
        assert alternate.format("zh", "forum-zh") in page
    assert (
        'href="../../../../2022/06/01/forum-zh/index.html" lang="zh" hreflang="zh">金台区召开课后服务座谈会</a>'
        in en
    )
    header = zh.split("<main")[0]
    assert '<html lang="zh">' in zh and "其他语言版本" in zh
    assert ">单位</a>" in header and ">Units</a>" not in header  # theme words translated
    assert 'href="../../../../zh/index.html"' in zh  # the brand goes to the Chinese home
    only = (root / "public/2022/07/01/budget-notice/index.html").read_text()
    assert 'hreflang="zh" href="https://x.org' not in only


def test_check_lists_articles_without_their_counterpart(tmp_path: Path) -> None:
    root = bilingual_site(tmp_path / "site")
    result = check(BuildOptions(site_root=root))
    assert result.ok
    lines = [d.format() for d in result.diagnostics if d.field == "translation_key"]
    assert lines == [
        "content/budget.md:2: warning: translation_key: no zh version of this article "
        "(give both versions the same 'translation_key')",
        "content/canteen-zh.md:2: warning: translation_key: no en version of this article "
        "(give both versions the same 'translation_key')",
    ]


def test_a_single_language_site_is_unchanged(tmp_path: Path) -> None:
    root = bilingual_site(tmp_path / "site")
    (root / "newsgen.yaml").write_text("title: T\nbase_url: https://x.org/\nrequired: []\n")
    assert build_site(root).ok
    home = (root / "public/index.html").read_text()
    assert "Budget notice" in home and "陈仓区首批社区老年食堂启用" in home
    assert not (root / "public/zh").exists() and 'class="language-nav"' not in home
    assert not [d for d in check(BuildOptions(site_root=root)).diagnostics if d.field]


def test_terms_show_the_vocabulary_label_in_the_article_language(tmp_path: Path) -> None:
    root = bilingual_site(tmp_path / "site")
    write_files(
        root,
        {
            "data/units.yaml": "- name: District Education and Sports Bureau\n"
            "  labels: {zh: 区教育体育局}\n  aliases: [区教体局]\n",
            "content/forum-zh.md": article_text(
                title="金台区召开课后服务座谈会",
                date="2022-06-01",
                lang="zh",
                slug="forum-zh",
                units=["区教体局"],
                translation_key="forum",
            ),
        },
    )
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    zh = (root / "public/2022/06/01/forum-zh/index.html").read_text()
    en = (root / "public/2022/06/01/forum-on-after-school-services/index.html").read_text()
    link = 'units/district-education-and-sports-bureau/index.html">{}</a>'
    assert link.format("区教育体育局") in zh
    assert link.format("District Education and Sports Bureau") in en
