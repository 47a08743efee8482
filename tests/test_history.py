"""Updates, corrections and scheduled articles: an article's history, shown and published."""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXED_NOW, article_text, build_site, run_cli, same_output, write_files

from newsgen.pipeline.build import BuildOptions, build, check

SITE = "title: History\nbase_url: https://news.example.org/\ntimezone: Asia/Shanghai\n"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
UPDATES = """\
updates:
  - date: 2023-02-12
    note: Added the speaker's role.
  - date: 2023-02-14 10:15
    note: Four units took part, not five.
    correction: true
"""
REVIEW = "2023/02/10/review/index.html"
SPEAKER = "speaker: Zhang Wei\n"


def article(title: str, date: str, extra: str = "", body: str = "Body text.") -> str:
    """An article whose front matter ends with `extra` (YAML written as is)."""
    return f"---\ntitle: {title}\ndate: {date}\nslug: {title.lower()}\n{extra}---\n{body}\n"


def history_site(root: Path, extra: str = UPDATES) -> Path:
    return write_files(
        root,
        {
            "newsgen.yaml": SITE,
            "content/review.md": article("Review", "2023-02-10 09:00", SPEAKER + extra),
            "content/plain.md": article("Plain", "2023-03-01"),
        },
    )


def messages(result: object) -> list[str]:
    return [d.format() for d in result.diagnostics]  # type: ignore[attr-defined]


def json_ld(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, object] = json.loads(found.group(1))
    return data


@pytest.mark.site
def test_updates_are_shown_under_the_title_and_listed_at_the_end(tmp_path: Path) -> None:
    root = history_site(tmp_path / "site")
    result = build_site(root)
    assert result.ok and not result.diagnostics, messages(result)
    html = (root / "public" / REVIEW).read_text("utf-8")
    assert re.search(r'Last updated <time datetime="2023-02-14T10:15:00\+08:00">', html)
    assert '<a href="#updates">see all updates</a>' in html
    updates = html[html.index('id="updates"') :]
    assert updates.index("Added the speaker") < updates.index("Four units took part")
    assert '<li class="correction">' in updates and "<strong>Correction:</strong>" in updates
    ld = json_ld(html)
    assert ld["dateModified"] == "2023-02-14T10:15:00+08:00"
    assert ld["datePublished"] == "2023-02-10T09:00:00+08:00"
    assert ld["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Four units took part, not five.",
            "datePublished": "2023-02-14T10:15:00+08:00",
        }
    ]
    plain = (root / "public/2023/03/01/plain/index.html").read_text("utf-8")
    assert "Last updated" not in plain and 'id="updates"' not in plain
    assert json_ld(plain)["dateModified"] == json_ld(plain)["datePublished"]
    assert not {"keywords", "about", "mentions", "correction"} & set(json_ld(plain))


@pytest.mark.site
def test_feeds_and_the_sitemap_carry_the_last_change(tmp_path: Path) -> None:
    root = history_site(tmp_path / "site")
    assert build_site(root).ok
    feed = ET.parse(root / "public/feed.xml").getroot()
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    assert entries["Review"].findtext(f"{ATOM}updated") == "2023-02-14T10:15:00+08:00"
    assert entries["Review"].findtext(f"{ATOM}published") == "2023-02-10T09:00:00+08:00"
    assert entries["Plain"].findtext(f"{ATOM}updated") == "2023-03-01T00:00:00+08:00"
    assert feed.findtext(f"{ATOM}updated") == "2023-03-01T00:00:00+08:00"
    # the site wrote the release; the speaker it quotes is not its author
    assert [a.findtext(f"{ATOM}name") for a in feed.iter(f"{ATOM}author")] == ["History"]
    sitemap = ET.parse(root / "public/sitemap.xml").getroot()
    lastmod = {
        u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
        for u in sitemap.iter(f"{SITEMAP}url")
    }
    assert lastmod["https://news.example.org/2023/02/10/review/"] == "2023-02-14"


@pytest.mark.site
def test_every_correction_is_listed_newest_first_with_its_feed(tmp_path: Path) -> None:
    later = "updates:\n  - {date: 2023-03-05, note: The date was wrong., correction: true}\n"
    root = history_site(tmp_path / "site")
    write_files(root, {"content/plain.md": article("Plain", "2023-03-01", later)})
    assert build_site(root).ok
    page = (root / "public/corrections/index.html").read_text("utf-8")
    assert page.index("The date was wrong.") < page.index("Four units took part")
    assert "Added the speaker" not in page  # an update that corrects nothing is not listed
    assert 'href="../2023/02/10/review/index.html#updates"' in page
    feed = ET.parse(root / "public/corrections/feed.xml").getroot()
    entries = list(feed.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}summary") for e in entries] == [
        "The date was wrong.",
        "Four units took part, not five.",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2 and ids[1].startswith("https://news.example.org/2023/02/10/review/")
    assert feed.findtext(f"{ATOM}updated") == "2023-03-05T00:00:00+08:00"
    assert "corrections/" in (root / "public/sitemap.xml").read_text("utf-8")


@pytest.mark.site
def test_a_correction_added_later_builds_what_a_clean_build_does(tmp_path: Path) -> None:
    root = history_site(tmp_path / "site", extra="")
    assert build_site(root).ok
    assert not (root / "public/corrections").exists()  # nothing was ever corrected
    write_files(root, {"content/review.md": article("Review", "2023-02-10 09:00", UPDATES)})
    assert build_site(root).ok
    clean = tmp_path / "clean"
    assert build(BuildOptions(root, output_dir=clean, use_cache=False, now=FIXED_NOW)).ok
    same_output(root / "public", clean)
    assert (root / "public/corrections/index.html").is_file()
    footer = (root / "public/2023/03/01/plain/index.html").read_text("utf-8")
    assert '<a href="../../../../corrections/index.html">Corrections</a>' in footer
    write_files(root, {"content/review.md": article("Review", "2023-02-10 09:00")})
    assert build_site(root).ok
    assert not (root / "public/corrections").exists()
    assert "corrections/" not in (root / "public/index.html").read_text("utf-8")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("lastmod: 2023-02-11\n", "2023-02-11T00:00:00+08:00"),  # Hugo's name
        ("last_modified_at: 2023-02-11 08:00\n", "2023-02-11T08:00:00+08:00"),  # Jekyll's
        ("updated: 2023-02-20\n" + UPDATES, "2023-02-20T00:00:00+08:00"),  # the later wins
    ],
)
def test_the_last_change_is_read_under_every_usual_name(
    tmp_path: Path, extra: str, expected: str
) -> None:
    root = history_site(tmp_path / "site", extra)
    result = build_site(root)
    assert result.ok and not result.diagnostics, messages(result)
    html = (root / "public" / REVIEW).read_text("utf-8")
    assert json_ld(html)["dateModified"] == expected


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "updated: 2023-01-01\n",
            "content/review.md:6: warning: updated: 2023-01-01T00:00:00+08:00 is before the "
            "article's date; it is ignored (correct it)",
        ),
        (
            "updates:\n  - date: 2023-02-12\n    colour: red\n    note: x\n",
            "content/review.md:8:5: warning: updates: unknown update key 'colour' "
            "(use date, note, correction)",
        ),
        (
            "updates:\n  - date: 2023-02-12\n",
            "content/review.md:7:5: warning: updates: an update without a 'note' tells "
            "readers nothing",
        ),
    ],
)
def test_doubtful_history_is_a_warning_at_its_line(
    tmp_path: Path, extra: str, expected: str
) -> None:
    result = check(BuildOptions(history_site(tmp_path / "site", extra), now=FIXED_NOW))
    assert result.ok
    assert expected in messages(result)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "updates:\n  - Fixed a typo\n",
            "content/review.md:7:5: error: updates: expected a mapping, got a value (each "
            "update is a mapping such as {date: 2023-02-12, note: Corrected the date})",
        ),
        (
            "updates:\n  - note: no date\n",
            "content/review.md:7:5: error: updates: an update needs a 'date'",
        ),
        (
            "updates:\n  - {date: 12 February, note: x}\n",
            "content/review.md:7:12: error: updates: '12 February' is not a date",
        ),
        (
            "updates:\n  - {date: 2023-02-12, note: x, correction: maybe}\n",
            "content/review.md:7:45: error: updates: expected true or false, got 'maybe'",
        ),
    ],
)
def test_an_update_that_cannot_be_read_is_an_error_at_its_line(
    tmp_path: Path, extra: str, expected: str
) -> None:
    result = check(BuildOptions(history_site(tmp_path / "site", extra), now=FIXED_NOW))
    assert not result.ok
    assert any(m.startswith(expected) for m in messages(result)), messages(result)


@pytest.mark.cli
def test_build_and_check_say_when_a_held_back_article_is_due(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": SITE,
            "content/now.md": article_text(title="Now", date="2023-02-10"),
            "content/soon.md": article_text(title="Soon", date="2099-03-05 09:00"),
            "content/later.md": article_text(title="Later", date="2099-04-01"),
            "content/draft.md": article_text(title="Draft", date="2099-01-01", draft=True),
        },
    )
    line = (
        "2 articles scheduled; the next for 2099-03-05 09:00 +08:00 (content/soon.md): "
        "build again then"
    )
    past = time.time() - 3600  # older than a build: the second build may trust the cache
    for path in (root / "content").iterdir():
        os.utime(path, (past, past))
    for command, says in (("build", "Built"), ("build", "up to date"), ("check", "no errors")):
        done = run_cli(command, str(root), "--report-schedule")
        assert done.returncode == 0, done.stderr
        assert says in done.stderr and line in done.stderr
        assert done.stdout == "2099-03-05T09:00:00+08:00\n"
    for name in ("soon", "later"):
        (root / f"content/{name}.md").unlink()
    done = run_cli("build", str(root), "--report-schedule")
    assert "scheduled" not in done.stderr and done.stdout == "none\n"
    done = run_cli("build", str(root), "--future", "--report-schedule", "-q")
    assert done.stdout == "none\n"  # with --future nothing is held back
