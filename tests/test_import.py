"""`newsgen import text|hugo|jekyll`: releases and other generators' posts become articles."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT, read_tree, run_cli, write_files

from newsgen.core.urls import make_slug
from newsgen.importers.foreign import ForeignOptions, import_foreign
from newsgen.importers.report import Status
from newsgen.importers.text import import_text
from newsgen.render.markdown_html import render_markdown

FIXTURES = Path(__file__).resolve().parent / "import_fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = SEEDS / "000_7ca80b8782d8c66a.txt"
RELEASE = FIXTURES / "releases" / "jintai-review.txt"
RELEASE_ZH = FIXTURES / "releases" / "jintai-review-zh.txt"
RELEASE_TITLE = "Jintai District Holds Review Meeting on Party Building Work of District Organs"
UNITS = [
    "Propaganda Department of the District Party Committee",
    "Party School of the District Party Committee",
    "District Education and Sports Bureau",
]
ORGANIZATION = "Organization Department of the District Committee"

SITE_FILES = {
    "newsgen.yaml": (
        "title: T\nbase_url: https://x.org/\ntimezone: Asia/Shanghai\nlanguages: [en, zh]\n"
        "required: [district, event_type]\nsearch: false\n"
    ),
    "data/units.yaml": (
        f"- {{name: {ORGANIZATION}, labels: {{zh: 区委组织部}}}}\n"
        f"- {{name: {UNITS[0]}, labels: {{zh: 区委宣传部}}}}\n"
        f"- {{name: {UNITS[1]}, labels: {{zh: 区委党校}}, aliases: [District Party School]}}\n"
        f"- {{name: {UNITS[2]}, labels: {{zh: 区教育体育局}}, aliases: [区教体局]}}\n"
        "- District Discipline Inspection Commission\n"
    ),
    "data/districts.yaml": "- {name: Jintai District, labels: {zh: 金台区}}\n- Weibin District\n",
    "data/speakers.yaml": "- {name: Zhang Wei, labels: {zh: 张伟}}\n- Wang Fang\n",
    "data/event-types.yaml": (
        "- {name: meeting, labels: {zh: 会议}}\n- training\n- inspection\n- forum\n- notice\n"
        "- ceremony\n"
    ),
}


def tiny_site(tmp_path: Path) -> Path:
    """A site with a vocabulary for every taxonomy the importers fill in."""
    return write_files(tmp_path / "site", SITE_FILES)


def example_copy(tmp_path: Path) -> Path:
    """The repository's example archive, without search (not needed here, and slow)."""
    root = tmp_path / "example"
    for name in ("content", "data", "templates", "static"):
        shutil.copytree(REPO_ROOT / name, root / name)
    config = (REPO_ROOT / "newsgen.yaml").read_text(encoding="utf-8")
    (root / "newsgen.yaml").write_text(config + "\nsearch: false\n", encoding="utf-8")
    return root


def front(path: Path) -> dict[str, Any]:
    """The front matter of a written article."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


def imported(root: Path) -> dict[str, Path]:
    """Imported articles of a site by the source file they came from."""
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        origin = front(path).get("imported_from")
        if origin:
            found[origin["file"]] = path
    return found


def speaker_names(fields: dict[str, Any]) -> list[str]:
    """Speaker names whether written as names or name + role mappings."""
    return [s["name"] if isinstance(s, dict) else s for s in fields.get("speaker", [])]


def assert_site_builds(root: Path, *extra: str) -> None:
    """`newsgen check` and `newsgen build` both succeed without errors."""
    checked = run_cli("check", str(root))
    assert checked.returncode == 0, checked.stderr
    assert ": error: " not in checked.stderr
    built = run_cli("build", str(root), *extra)
    assert built.returncode == 0, built.stderr


@pytest.mark.cli
@pytest.mark.slow
@pytest.mark.parametrize("release", [RELEASE, SEED], ids=["own-release", "seed"])
def test_a_release_joins_the_example_archive(tmp_path: Path, release: Path) -> None:
    if not release.is_file():
        pytest.skip(f"the seed releases are not here ({SEEDS}): a clone without shared/")
    root = example_copy(tmp_path)
    done = run_cli("import", "text", str(release), "--site", str(root))
    assert done.returncode == 0, done.stderr
    assert "1 imported, 0 skipped, 1 need review, 0 errors" in done.stdout
    (path,) = imported(root).values()
    fields = front(path)
    assert fields["date"] == "2023-02-10"
    assert fields["district"] == "Jintai District"
    assert fields["event_type"] == "meeting"
    assert speaker_names(fields) == ["Zhang Wei"]
    assert fields["speaker"][0]["role"].endswith("Director of the Organization Department")
    assert set(UNITS) <= set(fields["units"]) and ORGANIZATION not in fields["units"]
    assert (
        f"unit 'Organization Department' partly matches '{ORGANIZATION}'"
        in (fields["review_notes"])
    )
    assert fields["review"] is True
    assert (
        "may be the same release as content/2023/02/jintai-party-building-review.md "
        "(same day and district, 3 shared unit(s)): keep one of them"
    ) in fields["review_notes"]
    assert fields["imported_from"]["file"] == release.name
    assert path.parent == root / "content/2023/02"
    full_slug = make_slug(fields["title"])
    assert len(path.stem) <= 80 and (full_slug + "-").startswith(path.stem + "-")
    assert fields.get("slug", full_slug) == path.stem
    assert_site_builds(root)
    page = root / "public/2023/02/10" / path.stem / "index.html"
    assert page.is_file()
    assert "Zhang Wei" in page.read_text(encoding="utf-8")


@pytest.mark.cli
def test_a_chinese_release_is_recognised_through_the_vocabularies_labels(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    done = run_cli("import", "text", str(RELEASE_ZH), "--site", str(root))
    assert done.returncode == 0, done.stderr
    fields = front(imported(root)[RELEASE_ZH.name])
    assert fields["title"] == "金台区召开区直机关党建工作述职评议会议"
    assert (fields["date"], fields["lang"]) == ("2023-02-10", "zh")
    assert fields["district"] == "Jintai District"
    assert fields["event_type"] == "meeting"
    assert fields["speaker"] == [{"name": "Zhang Wei", "role": "区委常委、组织部部长"}]
    assert fields["units"] == UNITS  # 区委宣传部, 区委党校 (labels) and 区教体局 (an alias)
    assert fields["review_notes"] == [
        "no date in the first line; date taken from the Release time line"
    ]
    assert_site_builds(root)


@pytest.mark.site
def test_byte_order_marks_crlf_indents_and_other_date_forms_are_read(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    original = RELEASE.read_bytes()
    lines = original.decode("utf-8").split("\n")
    sources = {
        "bom-crlf.txt": b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"),
        "title-only.txt": "\n".join([RELEASE_TITLE, *lines[1:]]).encode(),
        "chinese-date.txt": "\n".join(
            [f"  date 2023年2月10日 {RELEASE_TITLE}", "", "Release time：2023/2/10", *lines[4:]]
        ).encode(),
    }
    folder = write_files(tmp_path / "in", sources)
    paths = [folder / name for name in sources]
    report = import_text(paths, root)
    assert [o.status for o in report.outcomes] == [Status.IMPORTED] * 3
    articles = imported(root)
    for name in sources:
        fields = front(articles[name])
        assert (fields["title"], fields["date"]) == (RELEASE_TITLE, "2023-02-10"), name
        assert fields["district"] == "Jintai District", name
    partly = f"unit 'Organization Department' partly matches '{ORGANIZATION}'"
    notes = {name: front(articles[name])["review_notes"] for name in sources}
    assert notes["bom-crlf.txt"] == [partly]
    assert notes["title-only.txt"][:2] == [
        "no date in the first line; date taken from the Release time line",
        partly,
    ]
    assert notes["chinese-date.txt"][0] == partly
    # Same text and date, so later copies get numbered names rather than replacing the first.
    assert {p.name for p in articles.values()} == {
        f"{make_slug(RELEASE_TITLE)}{suffix}.md" for suffix in ("", "-2", "-3")
    }


@pytest.mark.cli
def test_doubts_become_review_notes_and_required_gaps_are_marked(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    releases = {
        "disagree.txt": "date 2023-02-10 Weibin District and Jintai District hold a forum\n\n"
        "Release time: 2023-02-11\n\nDelegates met.\n",
        "unknown.txt": "date 2023-03-01 Volunteers plant trees\n\nRelease time: 2023-03-01\n\n"
        "Volunteers of the Jintai District met at the river.\n",
        "nothing.txt": "date 2023-03-02 Volunteers clean the park\n\n"
        "Release time: 2023-03-02\n\nThey came early.\n",
        "inside.txt": "date 2023-03-03 Jintai District: District Discipline Inspection "
        "Commission holds a training\n\nRelease time: 2023-03-03\n\nCadres attended.\n",
    }
    folder = write_files(tmp_path / "in", releases)
    done = run_cli(
        "import", "text", *sorted(str(folder / n) for n in releases), "--site", str(root)
    )
    assert done.returncode == 0, done.stderr
    articles = imported(root)
    assert front(articles["disagree.txt"])["review_notes"] == [
        "date in first line 2023-02-10 differs from Release time 2023-02-11",
        "title names several: Weibin District, Jintai District; district 'Weibin District' chosen",
    ]
    unknown = front(articles["unknown.txt"])
    assert unknown["district"] == "Jintai District"
    assert unknown["review_notes"] == [
        "district 'Jintai District' guessed from 'Jintai District' in the text (not in the title)",
        "no event type recognised",
    ]
    text = articles["nothing.txt"].read_text(encoding="utf-8")
    assert "district:  # required: fill in\nevent_type:  # required: fill in\n" in text
    assert front(articles["nothing.txt"])["review_notes"] == [
        "no district recognised",
        "no event type recognised",
    ]
    inside = front(articles["inside.txt"])  # 'Inspection' is part of a unit's name here
    assert (inside["event_type"], "review" in inside) == ("training", False)
    assert "  review: no district recognised" in done.stdout
    assert "4 imported, 0 skipped, 3 need review, 0 errors" in done.stdout
    checked = run_cli("check", str(root))  # what a person must fill in stops the build
    rel = articles["nothing.txt"].relative_to(root).as_posix()
    assert f"{rel}:4: error: district: required field is empty" in checked.stderr
    assert checked.stderr.count(": error: ") == 3  # nothing.txt twice, unknown.txt's event type


@pytest.mark.cli
def test_a_file_without_a_date_is_an_error_and_the_others_still_go_in(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    undated = write_files(tmp_path / "in", {"undated.txt": "Volunteers plant trees\n\nText.\n"})
    done = run_cli(
        "import", "text", str(undated / "undated.txt"), str(RELEASE), "--site", str(root)
    )
    assert done.returncode == 1
    assert f"{undated / 'undated.txt'}: error: no date found" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(imported(root)) == [RELEASE.name]
    assert "1 imported, 0 skipped, 1 need review, 1 errors" in done.stdout
    quiet = run_cli("import", "text", str(undated / "undated.txt"), "-q", "--site", str(root))
    assert quiet.returncode == 1 and quiet.stdout == "" and "no date found" in quiet.stderr


@pytest.mark.cli
def test_a_second_run_skips_what_is_imported_and_changes_nothing(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    assert run_cli("import", "text", str(RELEASE), "--site", str(root)).returncode == 0
    before = read_tree(root / "content")
    again = run_cli("import", "text", str(RELEASE), str(RELEASE_ZH), "--site", str(root))
    assert again.returncode == 0, again.stderr
    (path,) = before
    assert f"skipped {RELEASE}: already imported as content/{path}" in again.stdout
    assert "1 imported, 1 skipped" in again.stdout
    after = read_tree(root / "content")
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == 2


@pytest.mark.cli
def test_an_existing_article_at_the_target_is_never_overwritten(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    slug = make_slug(RELEASE_TITLE)
    mine = (
        f"---\ntitle: {RELEASE_TITLE}\ndate: 2023-02-10\ndistrict: Jintai District\n"
        "event_type: meeting\n---\nMy own version.\n"
    )
    write_files(root, {f"content/2023/02/{slug}.md": mine})
    done = run_cli("import", "text", str(RELEASE), "--site", str(root))
    assert done.returncode == 0, done.stderr
    assert (root / f"content/2023/02/{slug}.md").read_text(encoding="utf-8") == mine
    path = imported(root)[RELEASE.name]
    assert path.name == f"{slug}-2.md"
    fields = front(path)
    assert fields["slug"] == f"{slug}-2"
    assert any(
        "another article already has the file name or URL" in n for n in fields["review_notes"]
    )
    assert_site_builds(root)


@pytest.mark.site
def test_text_that_looks_like_markdown_stays_text(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    lines = ["# 1 is the first task", "1. Study", "- all organs", "> quoted", "<b>bold</b>", "==="]
    release = "date 2023-02-10 Jintai District meeting\n\n" + "\n\n".join(lines) + "\n"
    folder = write_files(tmp_path / "in", {"marks.txt": release})
    import_text([folder / "marks.txt"], root)
    body = imported(root)["marks.txt"].read_text(encoding="utf-8").split("---\n", 2)[2]
    html = render_markdown(body)
    for tag in ("<h1", "<ol", "<ul", "<blockquote", "<b>"):
        assert tag not in html
    for line in lines:
        assert f"<p>{line.replace('<', '&lt;').replace('>', '&gt;')}</p>" in html


@pytest.mark.site
def test_the_same_releases_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = tiny_site(tmp_path / "a"), tiny_site(tmp_path / "b")
    import_text([RELEASE_ZH, RELEASE], first)
    import_text([RELEASE, RELEASE_ZH], second)
    assert read_tree(first / "content") == read_tree(second / "content")


def hugo_copy(tmp_path: Path) -> Path:
    """The Hugo fixture plus a post with CRLF line endings."""
    source = tmp_path / "hugo"
    shutil.copytree(FIXTURES / "hugo", source)
    crlf = (
        "---\r\ntitle: Budget notice\r\ndate: 2023-11-20\r\ncategories: [notice]\r\n"
        "district: Jintai District\r\n---\r\nThe draft budget is open for comment.\r\n"
    )
    (source / "content/posts/budget-notice.md").write_bytes(crlf.encode())
    return source


def body_of(data: bytes, opening: bytes) -> bytes:
    """What follows the front matter of a source or an article (the line after its closer)."""
    if opening == b"{":
        return data.split(b"}\n", 1)[1]
    newline = b"\r\n" if b"\r\n" in data[:8] else b"\n"
    closer = newline + opening + newline
    return data.split(closer, 1)[1]


@pytest.mark.cli
def test_hugo_pages_are_converted_with_bodies_and_old_addresses_kept(tmp_path: Path) -> None:
    source, root = hugo_copy(tmp_path), tiny_site(tmp_path)
    maps = ("--map", "authors=speaker", "--map", "topics=units", "--map", "categories=event_type")
    done = run_cli("import", "hugo", str(source), "--site", str(root), *maps)
    assert done.returncode == 0, done.stderr
    assert "skipped posts/_index.md: a section's list page, not an article" in done.stdout
    assert (
        "not mapped to newsgen fields, kept under their own names (article.extra): "
        "weight (2 files), toc (1 file)"
    ) in done.stdout
    # figure and notice have templates (the theme's): rendered by newsgen, nothing to review
    assert "shortcodes without a template" not in done.stdout
    assert "5 imported, 1 skipped, 1 need review, 0 errors" in done.stdout
    articles = imported(root)
    course = front(articles["posts/party-school-course.md"])
    assert course["speaker"] == ["Zhang Wei"]
    assert course["units"] == [UNITS[1]]  # 'District Party School' is the vocabulary's alias
    assert (course["event_type"], course["summary"]) == (
        "training",
        "The course runs for six weeks.",
    )
    assert course["aliases"] == [
        "/2023/03/spring-course/",
        "/old/spring-course.html",
        "/2023/03/legacy-course/",
    ]
    assert course["weight"] == 10 and "authors" not in course and "draft" not in course
    inspection = front(articles["posts/safety-inspection.md"])
    assert inspection["aliases"] == ["/news/2023/safety-inspection.html"]
    assert inspection["lastmod"] == "2023-01-13T10:00:00+00:00"
    assert front(articles["news/governance-forum/index.md"])["aliases"] == [
        "/news/governance-forum/"
    ]
    draft = front(articles["posts/draft-note.md"])
    assert draft["draft"] is True and "aliases" not in draft
    for rel, path in articles.items():
        data = (source / "content" / rel).read_bytes()
        opening = data[:3] if data[:1] != b"{" else b"{"
        assert body_of(path.read_bytes(), b"---") == body_of(data, opening), rel
    assert_site_builds(root)
    out = root / "public"
    for old in (
        "2023/03/spring-course/index.html",
        "old/spring-course.html",
        "news/2023/safety-inspection.html",
        "news/governance-forum/index.html",
    ):
        assert 'http-equiv="refresh"' in (out / old).read_text(encoding="utf-8"), old
    assert "2023/03/06/spring-course/index.html" in (out / "old/spring-course.html").read_text()


@pytest.mark.cli
def test_jekyll_posts_and_drafts_are_converted(tmp_path: Path) -> None:
    source, root = FIXTURES / "jekyll", tiny_site(tmp_path)
    done = run_cli("import", "jekyll", str(source), "--site", str(root), "--map", "layout=")
    assert done.returncode == 0, done.stderr
    assert "categories (1 file)" in done.stdout and "layout" not in done.stdout
    assert "Liquid left as text (newsgen does not run it): {% include note.html %} (1 file)" in (
        done.stdout
    )
    assert "converted: site.baseurl (1 file)" in done.stdout
    assert "4 imported, 0 skipped, 1 need review, 0 errors" in done.stdout
    articles = imported(root)
    review = front(articles["_posts/2023-02-10-debriefing-review.md"])
    assert review["date"] == "2023-02-10" and review["tags"] == ["party-building", "review"]
    assert review["aliases"] == ["/news/party/2023/02/10/debriefing-review.html"]
    assert review["categories"] == ["News", "party"] and "layout" not in review
    assert front(articles["_posts/2023-03-08-womens-day.md"])["aliases"] == [
        "/commendations/womens-day/"
    ]
    notice = front(articles["announcements/_posts/2024-03-01-training-notice.md"])
    assert notice["aliases"] == ["/announcements/2024/03/01/training-notice.html"]
    upcoming = front(articles["_drafts/upcoming-forum.md"])
    assert upcoming["draft"] is True and "aliases" not in upcoming
    for rel, path in articles.items():
        expected = body_of((source / rel).read_bytes(), b"---")
        expected = expected.replace(b"{{ site.baseurl }}/reports/", b"/reports/")
        assert body_of(path.read_bytes(), b"---") == expected
    assert review["review_notes"] == [
        "Liquid left as text (newsgen does not run it): {% include note.html %}"
    ]
    assert_site_builds(root)
    out = root / "public"
    for old in (
        "news/party/2023/02/10/debriefing-review.html",
        "commendations/womens-day/index.html",
        "announcements/2024/03/01/training-notice.html",
    ):
        assert (out / old).is_file(), old


@pytest.mark.site
@pytest.mark.parametrize(
    ("style", "alias"),
    [
        ("pretty", "/news/party/2023/02/10/debriefing-review/"),
        ("none", "/news/party/debriefing-review.html"),
        ("/blog/:year/:i_month/:slug", "/blog/2023/2/debriefing-review/"),
    ],
)
def test_jekyll_permalink_styles_give_the_old_address(
    tmp_path: Path, style: str, alias: str
) -> None:
    source = tmp_path / "jekyll"
    shutil.copytree(FIXTURES / "jekyll", source)
    (source / "_config.yml").write_text(f"permalink: {style}\n")
    root = tiny_site(tmp_path)
    report = import_foreign(ForeignOptions("jekyll", source), root)
    assert not report.failed
    fields = front(imported(root)["_posts/2023-02-10-debriefing-review.md"])
    assert fields["aliases"] == [alias]


@pytest.mark.cli
@pytest.mark.slow
def test_usage_errors_exit_2(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    missing = run_cli("import", "hugo", str(tmp_path / "nowhere"), "--site", str(root))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    bad_map = run_cli("import", "hugo", str(FIXTURES / "hugo"), "--site", str(root), "--map", "x")
    assert bad_map.returncode == 2 and "'x' is not KEY=FIELD" in bad_map.stderr
    unknown = run_cli(
        "import", "jekyll", str(FIXTURES / "jekyll"), "--site", str(root), "--map", "a=b"
    )
    assert unknown.returncode == 2 and "'b' is not a newsgen field" in unknown.stderr
    no_site = run_cli("import", "text", str(RELEASE), "--site", str(tmp_path / "none"))
    assert no_site.returncode == 2 and "site folder" in no_site.stderr
    assert not (root / "content").exists()
    helped = run_cli("import", "hugo", "--help")
    assert helped.returncode == 0 and "--map authors=speaker" in helped.stdout


@pytest.mark.site
def test_hugo_content_folder_uses_the_settings_above_it(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    report = import_foreign(ForeignOptions("hugo", FIXTURES / "hugo" / "content"), root)
    assert report.count(Status.IMPORTED) == 4
    fields = front(imported(root)["posts/party-school-course.md"])
    assert fields["aliases"][0] == "/2023/03/spring-course/"  # from hugo.toml's permalinks


@pytest.mark.cli
def test_what_check_would_reject_becomes_a_review_note(tmp_path: Path) -> None:
    root = tiny_site(tmp_path)
    post = (
        "---\ntitle: Office opens\ndate: 2023-04-01\ntopics: [Unknown Office]\n"
        "categories: [meeting]\ndistrict: Jintai District\n"
        "permalink: /:year/:week/:title/\n---\nText.\n"
    )
    source = write_files(tmp_path / "blog", {"_posts/2023-04-01-office.md": post})
    maps = ("--map", "topics=units", "--map", "categories=event_type")
    done = run_cli("import", "jekyll", str(source), "--site", str(root), *maps)
    assert done.returncode == 0, done.stderr
    fields = front(imported(root)["_posts/2023-04-01-office.md"])
    assert fields["review_notes"] == [
        "permalink '/:year/:week/:title/': ':week' is not understood; no alias made",
        "units: unknown term 'Unknown Office' (add it to data/units.yaml or use a listed term)",
    ]
    assert "aliases" not in fields
    checked = run_cli("check", str(root))
    assert checked.returncode == 1 and "unknown term 'Unknown Office'" in checked.stderr


@pytest.mark.cli
def test_a_site_whose_vocabulary_is_broken_imports_nothing(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {**SITE_FILES, "data/units.yaml": "- [not, a, term]\n"})
    done = run_cli("import", "text", str(RELEASE), "--site", str(root))
    assert done.returncode == 1
    assert "data/units.yaml:1: error: name: each entry needs a 'name'" in done.stderr
    assert not (root / "content").exists()
