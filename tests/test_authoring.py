"""Authoring commands: `newsgen new` and `newsgen check --format json --strict`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import build_site, run_cli, write_files

from newsgen.core.config import load_config
from newsgen.importers.scaffold import NewArticle, create_article

CONFIG = "title: T\nbase_url: https://x.org/\ntimezone: Asia/Shanghai\nrequired: [district, event_type]\n"


@pytest.mark.cli
def test_new_writes_a_dated_article_with_every_required_field(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"newsgen.yaml": CONFIG})
    config, _ = load_config(root)
    late_evening_utc = datetime(2023, 2, 9, 20, 30, tzinfo=UTC)  # already 10 Feb in Shanghai
    article = NewArticle("Budget review meeting", district="Jintai District", units=("A", "B"))
    path = create_article(article, config, late_evening_utc)
    assert path == root / "content/2023/02/budget-review-meeting.md"
    text = path.read_text(encoding="utf-8")
    assert "date: '2023-02-10T04:30:00+08:00'" in text
    assert "district: Jintai District" in text and "units:\n- A\n- B\n" in text
    assert "event_type:  # required: fill in" in text
    done = run_cli("check", str(root))
    assert done.returncode == 1
    assert (
        "content/2023/02/budget-review-meeting.md:8: error: event_type: required field is empty"
        in done.stderr
    )
    path.write_text(text.replace("event_type:  # required: fill in", "event_type: meeting"))
    assert build_site(root).ok


@pytest.mark.cli
def test_new_never_overwrites_and_reports_usage_errors(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"newsgen.yaml": CONFIG})
    first = run_cli(
        "new", "Same title", "--site", str(root), "--district", "D", "--event-type", "e"
    )
    assert first.returncode == 0, first.stderr
    written = root / first.stdout.strip()
    written.write_text(written.read_text() + "\nMy edits.\n")
    again = run_cli("new", "Same title", "--site", str(root))
    assert again.returncode == 2 and "exists already; nothing was written" in again.stderr
    assert written.read_text().endswith("My edits.\n")
    empty = run_cli("new", "!!!", "--site", str(root))
    assert empty.returncode == 2 and "gives an empty slug" in empty.stderr


@pytest.mark.cli
@pytest.mark.slow
def test_check_json_and_strict(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\nbase_url: https://x.org/\n",
            "content/a.md": "---\ntitle: A\ndate: 2023-02-10\nevnet_type: x\n---\nBody\n",
        },
    )
    plain = run_cli("check", str(root))
    assert plain.returncode == 0 and "did you mean 'event_type'" in plain.stderr
    strict = run_cli("check", str(root), "--strict")
    assert strict.returncode == 1 and "warnings fail the check (--strict)" in strict.stderr
    report = run_cli("check", str(root), "--format", "json")
    assert report.returncode == 0
    assert json.loads(report.stdout) == [
        {
            "path": "content/a.md",
            "line": 4,
            "column": 0,
            "severity": "warning",
            "field": "",
            "message": "unknown key 'evnet_type' (did you mean 'event_type'?)",
            "text": "content/a.md:4: warning: unknown key 'evnet_type' (did you mean 'event_type'?)",
        }
    ]
    assert run_cli("check", str(root), "--format", "json", "--strict").returncode == 1


@pytest.mark.site
def test_aliases_get_relative_redirect_pages_outside_the_sitemap(tmp_path: Path) -> None:
    article = (
        "---\ntitle: Budget meeting\ndate: 2023-02-10\n"
        "aliases: [/news/2019/123.html, old-budget/, 'https://old.example.gov/a/b']\n---\nBody\n"
    )
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": "title: T\nbase_url: https://x.org/sub/\n", "content/a.md": article},
    )
    assert build_site(root).ok
    out = root / "public"
    page = (out / "news/2019/123.html").read_text()
    target = "../../2023/02/10/budget-meeting/index.html"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert '<link rel="canonical" href="https://x.org/sub/2023/02/10/budget-meeting/">' in page
    assert (out / "old-budget/index.html").is_file() and (out / "a/b/index.html").is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert "123.html" not in sitemap and "old-budget" not in sitemap
    assert "old-budget" not in (out / "index.html").read_text()


@pytest.mark.cli
def test_aliases_a_static_host_cannot_serve_warn_and_escaping_ones_fail(tmp_path: Path) -> None:
    article = "---\ntitle: A\ndate: 2023-02-10\naliases: [{}]\n---\nBody\n"
    files = {
        "newsgen.yaml": "title: T\n",
        "content/a.md": article.format("'/x.php?id=5'"),
        "content/b.md": article.format("archive/").replace("title: A", "title: B"),
    }
    root = write_files(tmp_path / "site", files)
    done = run_cli("build", str(root))
    assert done.returncode == 0, done.stderr
    assert (
        "content/a.md:4: warning: aliases: '/x.php?id=5' has a query, which static hosts "
        "ignore; dropped (redirect it in the web server instead)"
    ) in done.stderr
    assert (
        "content/b.md:4: warning: aliases: alias '/archive/' is the archive page 'Archive'; "
        "the alias is dropped (remove it)"
    ) in done.stderr
    assert "Archive" in (root / "public/archive/index.html").read_text()
    write_files(root, {"content/c.md": article.format("'/a/../../x/'").replace("A", "C")})
    done = run_cli("build", str(root))
    assert done.returncode == 1
    assert (
        "content/c.md:4: error: aliases: '/a/../../x/' cannot be a page of a static site "
        "('..', a backslash or a control character)"
    ) in done.stderr


@pytest.mark.cli
@pytest.mark.slow
def test_a_changed_url_warns_until_an_alias_keeps_it(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "content/a.md": "---\ntitle: Budget\ndate: 2023-02-10\n---\nB\n",
        },
    )
    assert run_cli("build", str(root)).returncode == 0
    source = root / "content/a.md"
    source.write_text(source.read_text().replace("title: Budget", "title: Budget talks"))
    expected = (
        "content/a.md:2: warning: aliases: its URL changed from /2023/02/10/budget/ to "
        "/2023/02/10/budget-talks/; add 'aliases: [/2023/02/10/budget/]' so old links keep working"
    )

    def cache_files() -> dict[str, bytes]:  # -shm is SQLite's shared-memory index: readers mark it
        return {
            p.name: p.read_bytes() for p in (root / ".newsgen-cache").glob("*[!m]") if p.is_file()
        }

    cache_before = cache_files()
    checked = run_cli("check", str(root))
    assert checked.returncode == 0 and expected in checked.stderr
    assert run_cli("check", "--strict", str(root)).returncode == 1
    assert cache_files() == cache_before
    assert expected in run_cli("build", str(root)).stderr
    source.write_text(source.read_text() + "More.\n")
    assert expected in run_cli("build", str(root)).stderr  # still, until the alias is added
    source.write_text(
        source.read_text().replace("---\nB", "aliases: [/2023/02/10/budget/]\n---\nB")
    )
    done = run_cli("build", str(root))
    assert done.returncode == 0 and "URL changed" not in done.stderr
    assert "URL changed" not in run_cli("check", str(root)).stderr
    assert (root / "public/2023/02/10/budget/index.html").read_text().count("budget-talks") >= 2


@pytest.mark.cli
def test_check_reports_links_into_the_site_that_reach_nothing(tmp_path: Path) -> None:
    body = (
        "See [B](../../11/b/index.html), [gone](../../11/missing/), [file](b.md),\n"
        '[logo](/logo.png), [ext](https://x.org/), [top](#x), <a href="/archive/">all</a>.\n\n'
        "[r]: /nope.html\n[^note]: A footnote, not a link.\n\n"
        "Code is an example, not a link: `[x](/in-span/)` and ``[y](/`odd`/)``.\n\n"
        "```markdown\n[z](/in-fence/)\n<a href='/in-fence-2/'>z</a>\n```\n\n"
        "~~~~\n[w](/in-tilde-fence/)\n~~~~\n"
        "After the fences: [after](/after/).\n"
    )
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\n",
            "static/logo.png": b"png",
            "content/a.md": f"---\ntitle: A\ndate: 2023-02-10\n---\n{body}",
            "content/b.md": "---\ntitle: B\ndate: 2023-02-11\n---\nb\n",
        },
    )
    done = run_cli("check", str(root), "--strict")
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if ": body: " in line] == [
        "content/a.md:5: warning: body: link '../../11/missing/' points to "
        "2023/02/11/missing/index.html, which is not in the site",
        "content/a.md:5: warning: body: link 'b.md' points to 2023/02/10/a/b.md, which is not "
        "in the site (link to the article's URL, not its .md file)",
        "content/a.md:8: warning: body: link '/nope.html' points to nope.html, which is not in "
        "the site",
        "content/a.md:21: warning: body: link '/after/' points to after/index.html, which is not "
        "in the site",
    ]
