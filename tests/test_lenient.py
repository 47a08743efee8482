"""Lenient but loud: defects other generators publish, whose meaning is clear, warn and build.

Each class of defect (a key given twice, a key in another case, a slug not in slug form, an
alias on another page's address or with a query, characters HTML and XML forbid, a date only in
a Jekyll file name) builds with a warning at its line; `check --strict` and `build --strict`
fail on them, and a failed strict build leaves the previous output as it was.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import read_tree, run_cli, write_files

pytestmark = pytest.mark.cli

SETTINGS = "title: T\nbase_url: https://news.example.org/\ntimezone: Asia/Shanghai\n"


def article(*lines: str, body: str = "Body.") -> str:
    """An article file from front-matter lines."""
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def build(root: Path, *args: str) -> tuple[int, list[str]]:
    """Run `newsgen build` as a user would: exit status and diagnostic lines."""
    done = run_cli("build", str(root), *args)
    assert "Traceback" not in done.stderr
    return done.returncode, [
        line for line in done.stderr.splitlines() if ": warning: " in line or ": error: " in line
    ]


def test_a_key_given_twice_warns_naming_both_lines_and_the_last_wins(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article(
                "title: First", "date: 2023-02-10", "tags: [a]", "title: Second", "tags: [b]"
            ),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:5:1: warning: title: key 'title' given twice (lines 2 and 5); "
        "using the value on line 5 (delete the other)",
        "content/a.md:6:1: warning: tags: key 'tags' given twice (lines 4 and 6); "
        "using the value on line 6 (delete the other)",
    ]
    page = (root / "public/2023/02/10/second/index.html").read_text()
    assert "<h1>Second</h1>" in page
    assert (root / "public/tags/b/index.html").is_file()
    assert not (root / "public/tags/a").exists()


@pytest.mark.slow
def test_strict_check_and_build_fail_on_warnings_and_keep_the_output(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": SETTINGS, "content/a.md": article("title: A", "date: 2023-02-10")},
    )
    assert build(root) == (0, [])
    before = read_tree(root / "public")
    write_files(root, {"content/b.md": article("title: B", "date: 2023-02-11", "title: C")})
    checked = run_cli("check", str(root), "--strict")
    assert checked.returncode == 1
    assert "content/b.md:4:1: warning: title: key 'title' given twice" in checked.stderr
    status, lines = build(root, "--strict")
    assert status == 1 and len(lines) == 1
    assert read_tree(root / "public") == before  # nothing published
    assert run_cli("check", str(root)).returncode == 0
    assert build(root)[0] == 0
    assert (root / "public/2023/02/11/c/index.html").is_file()


def test_keys_in_another_case_are_read_with_a_warning(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {"content/a.md": article("Title: Budget", "Date: 2023-02-10", "Tags: [money]")},
    )
    status, lines = build(root)
    assert status == 0
    assert (
        "content/a.md:2:1: warning: title: key 'Title' read as 'title' (newsgen's keys are lower case)"
        in lines
    )
    assert (root / "public/2023/02/10/budget/index.html").is_file()
    assert (root / "public/tags/money/index.html").is_file()


def redirect_target(page: Path) -> str:
    """Where a redirect (alias) page sends the reader."""
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page.read_text())
    assert found, page.read_text()[:300]
    return found.group(1)


def test_a_slug_not_in_slug_form_is_normalised_and_its_old_address_kept(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article(
                "title: A", "date: 2023-02-10", 'slug: "%E9%87%91%E5%8F%B0 News"'
            ),
            "content/b.md": article("title: B", "date: 2023-02-10", "slug: Budget Report_2015"),
            "content/c.md": article("title: C", "date: 2023-02-10", "slug: Party-School"),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:4: warning: slug: '%E9%87%91%E5%8F%B0 News' is not in slug form; using "
        "'jin-tai-news'; its old address stays as an alias (write slug: jin-tai-news)",
        "content/b.md:4: warning: slug: 'Budget Report_2015' is not in slug form; using "
        "'budget-report-2015'; its old address stays as an alias (write slug: budget-report-2015)",
        # differs in letter case only: one folder on case-insensitive file systems, so no alias
        "content/c.md:4: warning: slug: 'Party-School' is not in slug form; using "
        "'party-school' (write slug: party-school)",
    ]
    day = root / "public/2023/02/10"
    assert (day / "jin-tai-news/index.html").is_file()
    # the old address, as a server decodes /2023/02/10/%E9%87%91%E5%8F%B0%20News/
    assert redirect_target(day / "金台 News/index.html").endswith("/10/jin-tai-news/index.html")
    old = day / "Budget Report_2015/index.html"
    assert redirect_target(old).endswith("/10/budget-report-2015/index.html")
    assert (day / "party-school/index.html").is_file()


def test_an_alias_on_another_articles_url_is_dropped_and_the_article_kept(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article(
                "title: Old review", "date: 2023-02-10", "aliases: [/2023/02/11/new-review/]"
            ),
            "content/b.md": article("title: New review", "date: 2023-02-11", body="The new one."),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:4: warning: aliases: alias '/2023/02/11/new-review/' is the URL of "
        "content/b.md; the alias is dropped (remove it)"
    ]
    page = (root / "public/2023/02/11/new-review/index.html").read_text()
    assert "The new one." in page and "http-equiv" not in page


def test_percent_escaped_aliases_become_the_folder_a_server_looks_for(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article(
                "title: A",
                "date: 2023-02-10",
                "aliases: ['/news/%E9%87%91%E5%8F%B0/', '/x.html#top']",
            ),
        },
    )
    assert build(root) == (0, [])
    assert redirect_target(root / "public/news/金台/index.html").endswith("2023/02/10/a/index.html")
    assert (root / "public/x.html").is_file()


FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|&#(?:0*11|x0*[bB]);")


def test_characters_xml_forbids_are_removed_with_a_warning_and_xml_stays_well_formed(
    tmp_path: Path,
) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS + "description: A\x0bsite\n",
            "data/units.yaml": "- Propaganda\x0cDepartment\n",
            "content/a.md": article(
                "title: Jintai\x0bDistrict review",
                "date: 2023-02-10",
                "summary: Word\x0bpaste \ufffe here",
                "units: [Propaganda\x0cDepartment]",
                "tags: [party\x08building]",
                body="First\x0bline and a reference &#11; <span>x&#x0B;y</span>\n\nMore \uffff.",
            ),
        },
    )
    status, lines = build(root)
    assert status == 0, lines
    assert lines == [
        "content/a.md:2:14: warning: removed U+000B (vertical tab): HTML and XML forbid it (delete it)",
        "content/a.md:4:14: warning: removed U+000B (vertical tab), U+FFFE (a non-character): "
        "HTML and XML forbid them (delete them)",
        "content/a.md:5:19: warning: removed U+000C (form feed): HTML and XML forbid it (delete it)",
        "content/a.md:6:13: warning: removed U+0008 (backspace): HTML and XML forbid it (delete it)",
        "content/a.md:8:6: warning: removed U+000B (vertical tab): HTML and XML forbid it (delete it)",
        "content/a.md:10:6: warning: removed U+FFFF (a non-character): HTML and XML forbid it (delete it)",
        "data/units.yaml:1:13: warning: removed U+000C (form feed): HTML and XML forbid it (delete it)",
        "newsgen.yaml:4:15: warning: removed U+000B (vertical tab): HTML and XML forbid it (delete it)",
    ]
    out = root / "public"
    for path in out.rglob("*"):
        if path.suffix in {".html", ".xml"}:
            text = path.read_text(encoding="utf-8")
            assert not FORBIDDEN_TEXT.search(text), path
            if path.suffix == ".xml":
                ElementTree.fromstring(text.encode("utf-8"))  # well-formed
    page = (out / "2023/02/10/jintaidistrict-review/index.html").read_text()
    assert "JintaiDistrict review" in page and "Firstline" in page


def test_a_stray_nul_is_removed_but_a_binary_file_is_an_error(tmp_path: Path) -> None:
    body = "A long paragraph of text. " * 60
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article("title: A", "date: 2023-02-10", body=body + "\x00end"),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:5:1561: warning: removed U+0000 (NUL): HTML and XML forbid it (delete it)"
    ]
    write_files(root, {"content/b.md": b"\x00\x01\x02" * 400})
    status, lines = build(root)
    assert status == 1
    assert "content/b.md:1: error: file is binary, not UTF-8 Markdown text" in lines


def test_a_template_cannot_put_a_forbidden_character_into_a_feed(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "templates/feed.xml": '{% extends "theme/feed.xml" %}\n',
            "templates/base.html": '{% extends "theme/base.html" %}{% block title %}A\x0bB{% endblock %}',
            "content/a.md": article("title: A", "date: 2023-02-10"),
        },
    )
    assert build(root)[0] == 0
    home = (root / "public/index.html").read_text()
    assert "<title>AB</title>" in home
    ElementTree.fromstring((root / "public/feed.xml").read_bytes())


def test_a_jekyll_file_name_dates_a_post_without_a_date(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/_posts/2015-3-7-womens-day.md": article("title: Women's Day"),
            "content/_posts/2015-03-08-dated.md": article("title: Dated", "date: 2016-01-01"),
        },
    )
    assert build(root) == (0, [])
    assert (root / "public/2015/03/07/women-s-day/index.html").is_file()
    assert (root / "public/2016/01/01/dated/index.html").is_file()  # the front matter wins


def test_a_file_name_that_is_not_utf8_is_an_error_for_that_file(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "content/good.md": article("title: Good", "date: 2023-02-10"),
            "content/bad.md": article("title: Bad"),
        },
    )
    name = root / "content" / "金台区.md".encode("gbk").decode("utf-8", "surrogateescape")
    name.write_text(article("title: GBK", "date: 2023-02-10"), encoding="utf-8")
    expected = [
        "content/\\xbd\\xf0̨\\xc7\\xf8.md: error: file name is not UTF-8 (read as GBK: "
        "'金台区.md'): rename it (e.g. convmv -f gbk -t utf-8 -r --notest FOLDER)",
        "content/bad.md:1: error: date: required field is missing (add 'date: ...' to the front matter)",
    ]
    for command in ("build", "check"):
        done = run_cli(command, str(root))
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert [line for line in done.stderr.splitlines() if ": error: " in line] == expected


def test_hugo_section_pages_are_skipped_and_toml_front_matter_names_the_importer(
    tmp_path: Path,
) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/posts/_index.md": article("title: Posts"),
            "content/posts/a.md": article("title: A", "date: 2023-02-10"),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/posts/_index.md: warning: a Hugo section page (_index), not an article: skipped"
    ]
    write_files(root, {"content/posts/b.md": '+++\ntitle = "B"\ndate = 2023-02-11\n+++\nText.\n'})
    status, lines = build(root)
    assert status == 1
    assert (
        "content/posts/b.md:1: error: TOML front matter is not read "
        "(newsgen import hugo converts it to YAML)"
    ) in lines


def test_links_from_the_site_root_in_bodies_work_under_a_sub_path(tmp_path: Path) -> None:
    body = (
        "![Chart](/img/chart.png) [report](/files/report.pdf#page=2) "
        "[earlier](/2023/02/10/a/) [home](/) [elsewhere](//cdn.example.org/x.js)\n\n"
        '<a href="/files/report.pdf?download=1">raw</a>'
    )
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "static/img/chart.png": b"\x89PNG\r\n\x1a\n",
            "static/files/report.pdf": b"%PDF-1.4\n",
            "content/a.md": article("title: A", "date: 2023-02-10"),
            "content/b.md": article("title: B", "date: 2023-02-11", body=body),
        },
    )
    assert build(root)[0] == 0
    page_path = root / "public/2023/02/11/b/index.html"
    page = page_path.read_text()
    up = "../../../../"
    assert f'<img alt="Chart" src="{up}img/chart.png">' in page
    assert f'href="{up}files/report.pdf#page=2"' in page
    assert f'href="{up}2023/02/10/a/index.html"' in page and f'href="{up}index.html"' in page
    assert 'href="//cdn.example.org/x.js"' in page
    assert f'href="{up}files/report.pdf?download=1"' in page
    for link in re.findall(r'(?:href|src)="(\.\./[^"#?]+)', page):
        assert (page_path.parent / link).resolve().is_file(), link


def test_responsive_images_keep_their_sources_made_relative(tmp_path: Path) -> None:
    body = (
        '<picture><source srcset="/img/chart.webp 1x, /img/chart-2.webp 2x" type="image/webp">'
        '<img src="/img/chart.png" srcset="/img/chart.png 640w, https://cdn.example.org/c.png '
        '1280w, javascript:alert(1) 2x" sizes="(max-width: 600px) 100vw, 600px" alt="Chart">'
        "</picture>"
    )
    files = {f"static/img/{name}": b"x" for name in ("chart.png", "chart.webp")}
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            **files,
            "content/b.md": article("title: B", "date: 2023-02-11", body=body),
        },
    )
    assert build(root)[0] == 0
    page = (root / "public/2023/02/11/b/index.html").read_text()
    up = "../../../../"
    assert f'srcset="{up}img/chart.webp 1x, {up}img/chart-2.webp 2x"' in page
    assert f'srcset="{up}img/chart.png 640w, https://cdn.example.org/c.png 1280w"' in page
    assert 'sizes="(max-width: 600px) 100vw, 600px"' in page and "javascript" not in page
    # `check` names the one candidate whose file is missing
    checked = run_cli("check", str(root)).stderr
    assert "link '/img/chart-2.webp' points to img/chart-2.webp, which is not" in checked
    assert checked.count("which is not in the site") == 1


def test_aliases_two_articles_claim_or_that_block_each_other_are_dropped(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article("title: A", "date: 2023-02-10", "aliases: [/old/x.html]"),
            "content/b.md": article(
                "title: B", "date: 2023-02-11", "aliases: [/old/x.html, /old/y.html/z/]"
            ),
            "content/c.md": article("title: C", "date: 2023-02-09", "aliases: [/old/y.html]"),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:4: warning: aliases: alias '/old/x.html' is an alias of content/b.md; "
        "the alias is dropped (remove it)",
        "content/c.md:4: warning: aliases: alias '/old/y.html' is in the way of an alias of "
        "content/b.md; the alias is dropped (remove it)",
    ]
    assert redirect_target(root / "public/old/x.html").endswith("2023/02/11/b/index.html")
    assert redirect_target(root / "public/old/y.html/z/index.html").endswith("/11/b/index.html")


def test_terms_without_letters_or_digits_get_a_page_of_their_own(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article("title: A", "date: 2023-02-10", 'tags: ["🎉", "?"]'),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:4: warning: tags: '?' has no letters or digits for a URL; its page is tags/u3f/",
        "content/a.md:4: warning: tags: '🎉' has no letters or digits for a URL; its page is "
        "tags/u1f389/",
    ]
    assert "🎉" in (root / "public/tags/u1f389/index.html").read_text()


def test_reserved_slugs_are_renamed_with_a_warning(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SETTINGS,
            "content/a.md": article("title: A", "date: 2023-02-10", "slug: page"),
            "content/b.md": article("title: Con", "date: 2023-02-10"),
        },
    )
    status, lines = build(root)
    assert status == 0
    assert lines == [
        "content/a.md:4: warning: slug: 'page' is reserved (used for pagination); using "
        "'page-article' (write another 'slug: ...')",
        "content/b.md:2: warning: slug: 'con' is reserved (a device name on Windows); using "
        "'con-article' (write another 'slug: ...')",
    ]
    assert (root / "public/2023/02/10/page-article/index.html").is_file()
    assert (root / "public/2023/02/10/con-article/index.html").is_file()
