"""Bad-input battery: each hostile input gets its exact diagnostic and leaves the output alone.

Every case starts from a site that built cleanly, adds or changes files, runs the real CLI and
checks the exit status, the exact diagnostic lines (file, line, field) and that the previous
output is byte for byte what it was.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from tests.conftest import article_text, read_tree, run_cli, write_files

pytestmark = pytest.mark.cli

BAD = "content/2023/02/bad.md"
BASE_SITE: dict[str, str | bytes] = {
    "newsgen.yaml": (
        "title: Battery\nbase_url: https://news.example.org/\ntimezone: Asia/Shanghai\n"
        "required: [district]\nmarkdown_time_limit: 1\n"
    ),
    "content/2023/02/good.md": article_text(
        "Jintai District held its review meeting.", title="Good", district="Jintai District"
    ),
}


def fm(*lines: str, body: str = "Body.") -> str:
    """An article from front-matter lines (district given unless a line sets it)."""
    if not any(line.startswith("district:") for line in lines):
        lines = (*lines, "district: Jintai District")
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def ok(*lines: str, body: str = "Body.") -> str:
    """A valid article with the given extra front-matter lines."""
    return fm("title: X", "date: 2023-02-10", *lines, body=body)


@dataclass(frozen=True)
class Case:
    """Files to add to a good site, and the exact error lines the build must print."""

    files: dict[str, str | bytes]
    errors: tuple[str, ...]
    seconds: float = 20  # CPU seconds the build may use (a hostile input must not blow up)
    found_by_check: bool = True  # check does not render: body and template runs are build's


CASES: dict[str, Case] = {
    # front-matter structure
    "unterminated": Case(
        {BAD: "---\ntitle: X\ndate: 2023-02-10\nBody\n"},
        (f"{BAD}:1: error: front matter is not closed (add a '---' line after the YAML block)",),
    ),
    "yaml-syntax-flow": Case(
        {BAD: "---\ntitle: X\ndate: 2023-02-10\ntags: [a, b\n---\nBody\n"},
        (
            f"{BAD}:5:1: error: YAML syntax error: did not find expected ',' or ']' while "
            "parsing a flow sequence (started on line 4)",
        ),
    ),
    "yaml-syntax-indent": Case(
        {BAD: "---\ntitle: X\n  date: 2023-02-10\n---\nBody\n"},
        (f"{BAD}:3:7: error: YAML syntax error: mapping values are not allowed in this context",),
    ),
    "yaml-tab-indent": Case(
        {BAD: "---\ntitle: X\ndate: 2023-02-10\nunits:\n\t- Party School\n---\nBody\n"},
        (
            f"{BAD}:5:1: error: YAML syntax error: found character that cannot start any "
            "token while scanning for the next token (a tab: indent YAML with spaces)",
        ),
    ),
    "front-matter-list": Case(
        {BAD: "---\n- a\n- b\n---\nBody\n"},
        (f"{BAD}:2:1: error: front matter is a list, not a mapping (expected 'key: value' lines)",),
    ),
    "front-matter-scalar": Case(
        {BAD: "---\njust a sentence\n---\nBody\n"},
        (
            f"{BAD}:2:1: error: front matter is a single value, not a mapping "
            "(expected 'key: value' lines)",
        ),
    ),
    "front-matter-empty": Case(
        {BAD: "---\n---\nBody\n"},
        (
            f"{BAD}:1: error: date: required field is missing (add 'date: ...' to the front matter)",
            f"{BAD}:1: error: district: required field is missing "
            "(add 'district: ...' to the front matter)",
            f"{BAD}:1: error: title: required field is missing "
            "(add 'title: ...' to the front matter)",
        ),
    ),
    "empty-file": Case(
        {BAD: ""},
        (f"{BAD}:1: error: file is empty (expected front matter between '---' lines)",),
    ),
    "whitespace-only-file": Case(
        {BAD: "  \n\t\n \n"},
        (f"{BAD}:1: error: file is empty (expected front matter between '---' lines)",),
    ),
    "front-matter-not-first": Case(
        {BAD: "Draft notes\n---\ntitle: X\ndate: 2023-02-10\n---\nBody\n"},
        (
            f"{BAD}:1: error: no front matter (the file must start with a '---' line, then "
            "YAML, then '---')",
        ),
    ),
    "object-tag": Case(
        {BAD: ok("extra: !!python/object/apply:os.system ['touch /tmp/pwned']")},
        (
            f"{BAD}:4:8: error: extra: YAML tag !!python/object/apply:os.system is not "
            "allowed (only plain YAML data is read)",
        ),
    ),
    "name-tag-in-list": Case(
        {BAD: ok("units:", "  - a", "  - !!python/name:os.system")},
        (
            f"{BAD}:6:5: error: units: YAML tag !!python/name:os.system is not allowed "
            "(only plain YAML data is read)",
        ),
    ),
    "alias-bomb": Case(
        {
            BAD: ok(
                "a: &a [x, x, x, x, x, x, x, x, x]",
                *(
                    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]"
                    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
                ),
            )
        },
        tuple(
            f"{BAD}:{line}:4: error: {key}: YAML value is too large (more than 100,000 values; "
            "an alias bomb?)"
            for line, key in zip(range(9, 13), "fghi", strict=True)
        ),
        seconds=10,
    ),
    "deep-flow-nesting": Case(
        {BAD: ok("deep: " + "[" * 5000 + "]" * 5000)},
        (f"{BAD}:4: error: deep: YAML is nested too deeply (more than 100 levels)",),
        seconds=10,
    ),
    "deep-block-nesting": Case(
        {BAD: ok("deep:", "- " * 200_000 + "x")},
        (f"{BAD}:5: error: deep: YAML is nested too deeply (more than 100 levels)",),
        seconds=10,
    ),
    # fields
    "many-field-errors": Case(
        {BAD: "---\ntitle: [1, 2]\nunits: {a: 1}\ndraft: maybe\nspeaker: 5\n---\nBody\n"},
        (
            f"{BAD}:1: error: date: required field is missing (add 'date: ...' to the front matter)",
            f"{BAD}:1: error: district: required field is missing "
            "(add 'district: ...' to the front matter)",
            f"{BAD}:2:8: error: title: expected text, got a list",
            f"{BAD}:3:8: error: units: expected text, got a mapping",
            f"{BAD}:4:8: error: draft: expected true or false, got 'maybe'",
        ),
    ),
    "month-13": Case(
        {BAD: fm("title: X", "date: 2024-13-45")},
        (
            f"{BAD}:3:7: error: date: '2024-13-45' is not a date: month must be in 1..12 "
            "(expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00)",
        ),
    ),
    "february-30": Case(
        {BAD: fm("title: X", "date: 2024-02-30")},
        (
            f"{BAD}:3:7: error: date: '2024-02-30' is not a date: day is out of range for "
            "month (expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or "
            "2023-02-10 09:30:00 +08:00)",
        ),
    ),
    "hour-25": Case(
        {BAD: fm("title: X", "date: 2024-02-10 25:00")},
        (
            f"{BAD}:3:7: error: date: '2024-02-10 25:00' is not a date: hour must be in "
            "0..23 (expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or "
            "2023-02-10 09:30:00 +08:00)",
        ),
    ),
    # encodings
    "gbk": Case(
        {BAD: "---\ntitle: 金台区召开会议\ndate: 2023-02-10\n---\n正文\n".encode("gbk")},
        (
            f"{BAD}:2:8: error: file is not UTF-8 (byte 0xbd); convert it, e.g. "
            "iconv -f GBK -t UTF-8",
        ),
    ),
    "utf-16": Case(
        {BAD: ok().encode("utf-16")},
        (f"{BAD}:1: error: file is UTF-16; save it as UTF-8",),
    ),
    "binary": Case(
        {BAD: bytes(range(256)) * 8},
        (f"{BAD}:1: error: file is binary, not UTF-8 Markdown text",),
    ),
    "oversized-60mb": Case(
        {BAD: ok(body="word " * 12_000_000)},
        (
            f"{BAD}:1: error: file is 60.0 MB, over the 8 MB limit for an article "
            "(split it, or raise max_article_mb in newsgen.yaml)",
        ),
        seconds=15,
    ),
    # slugs and paths
    "duplicate-slug": Case(
        {BAD: fm("title: Good", "date: 2023-02-10")},
        (
            "content/2023/02/good.md:2: error: slug: content/2023/02/bad.md and "
            "content/2023/02/good.md would both write 2023/02/10/good/index.html (change a slug)",
        ),
    ),
    "chinese-homophones": Case(
        {
            "content/a.md": fm("title: 市长讲话", "date: 2023-02-10"),
            "content/b.md": fm("title: 时长讲话", "date: 2023-02-10"),
        },
        (
            "content/b.md:2: error: slug: content/a.md and content/b.md would both write "
            "2023/02/10/shi-chang-jiang-hua/index.html (change a slug)",
        ),
    ),
    "case-collision": Case(
        {
            "content/a.md": fm("title: Budget Report", "date: 2023-02-10"),
            "content/b.md": fm("title: BUDGET report", "date: 2023-02-10"),
        },
        (
            "content/b.md:2: error: slug: content/a.md and content/b.md would both write "
            "2023/02/10/budget-report/index.html (change a slug)",
        ),
    ),
    "unicode-normalisation-collision": Case(
        {
            "content/a.md": fm(
                "title: " + unicodedata.normalize("NFC", "Café opens"), "date: 2023-02-10"
            ),
            "content/b.md": fm(
                "title: " + unicodedata.normalize("NFD", "Café opens"), "date: 2023-02-10"
            ),
        },
        (
            "content/b.md:2: error: slug: content/a.md and content/b.md would both write "
            "2023/02/10/cafe-opens/index.html (change a slug)",
        ),
    ),
    "dot-dot-slug": Case(
        {BAD: ok("slug: ../../../etc/cron.d/x")},
        (
            f"{BAD}:4: error: slug: '../../../etc/cron.d/x' is not a valid slug (no paths or "
            "escapes; use e.g. 'etc-cron-d-x')",
        ),
    ),
    "encoded-traversal-slug": Case(
        {BAD: ok("slug: '%2e%2e%2fetc'")},
        (
            f"{BAD}:4: error: slug: '%2e%2e%2fetc' is not a valid slug (no paths or escapes; "
            "use e.g. 'etc')",
        ),
    ),
    "backslash-slug": Case(
        {BAD: ok("slug: '..\\..\\windows'")},
        (
            f"{BAD}:4: error: slug: '..\\..\\windows' is not a valid slug (no paths or "
            "escapes; use e.g. 'windows')",
        ),
    ),
    "empty-slug": Case(
        {BAD: ok("slug: ''")},
        (
            f"{BAD}:4: error: slug: slug is empty (give one, or remove the key to derive it "
            "from the title)",
        ),
    ),
    "title-without-slug-characters": Case(
        {BAD: fm("title: '!!! ???'", "date: 2023-02-10")},
        (f"{BAD}:2: error: title: title gives an empty slug (add 'slug: ...')",),
    ),
    "taxonomy-path-collides-with-archive": Case(
        {"newsgen.yaml": BASE_SITE["newsgen.yaml"] + "taxonomies:\n  tags: {path: archive}\n"},
        (
            "newsgen.yaml: error: slug: the archive page 'Archive' and the terms page 'Tags' "
            "would both write archive/index.html (change a path in newsgen.yaml)",
            "newsgen.yaml:6: error: taxonomies: path 'archive' is used by newsgen's own pages "
            "(choose another)",
        ),
    ),
    "static-file-collides-with-feed": Case(
        {"static/feed.xml": "<feed/>"},
        (
            "static/feed.xml: error: would overwrite the generated page feed.xml (rename or "
            "remove the static file)",
        ),
    ),
    # content
    # Each pathological body takes 30 times the 1 s limit or more to convert on a 2026
    # machine (measured: 30 s to 45 s), so the limit fires on any machine, however fast.
    "pathological-brackets": Case(
        {BAD: ok(body="[a](" * 20_000)},
        (
            f"{BAD}:6: error: body: Markdown took over 1 s to convert (pathological input, "
            "such as thousands of unclosed '[' or nested lists?); simplify it, or raise "
            "markdown_time_limit in newsgen.yaml",
        ),
        seconds=15,
        found_by_check=False,
    ),
    "pathological-summary": Case(
        {BAD: ok(body="![" * 2_000_000)},
        (
            f"{BAD}:6: error: body: Markdown took over 1 s to convert (pathological input, "
            "such as thousands of unclosed '[' or nested lists?); simplify it, or raise "
            "markdown_time_limit in newsgen.yaml",
        ),
        seconds=15,
        found_by_check=False,
    ),
    "pathological-nested-lists": Case(
        {BAD: ok(body="".join("\t" * i + "- item\n" for i in range(3000)))},
        (
            f"{BAD}:6: error: body: Markdown took over 1 s to convert (pathological input, "
            "such as thousands of unclosed '[' or nested lists?); simplify it, or raise "
            "markdown_time_limit in newsgen.yaml",
        ),
        seconds=15,
        found_by_check=False,
    ),
    "template-undefined-attribute": Case(
        {
            "templates/article.html": '{% extends "theme/article.html" %}\n{% block article_body %}\n{{ article.speakr }}\n{% endblock %}\n'
        },
        ("templates/article.html:3: error: 'Article' has no attribute 'speakr'",),
        found_by_check=False,
    ),
    "template-syntax-error": Case(
        {
            "templates/home.html": "{% extends 'theme/home.html' %}\n{% block content %}\n{% if %}\n{% endblock %}\n"
        },
        (
            "templates/home.html:3: error: template syntax error: Expected an expression, got 'end of statement block'",
        ),
    ),
    "bad-setting-and-bad-article-together": Case(
        {
            "newsgen.yaml": str(BASE_SITE["newsgen.yaml"]).replace("Asia/Shanghai", "Mars/Olympus"),
            BAD: fm("title: X", "date: 2024-02-30"),
        },
        (
            f"{BAD}:3:7: error: date: '2024-02-30' is not a date: day is out of range for "
            "month (expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or "
            "2023-02-10 09:30:00 +08:00)",
            "newsgen.yaml:3: error: timezone: unknown time zone 'Mars/Olympus' (use an IANA "
            "name such as Asia/Shanghai)",
        ),
    ),
}


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good site, built once; each case works on a copy."""
    root = write_files(tmp_path_factory.mktemp("base") / "site", BASE_SITE)
    done = run_cli("build", str(root), "-q")
    assert done.returncode == 0, done.stderr
    return root


def run_cli_timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI's result and the CPU seconds it and its children used: a bound on work done
    that, unlike wall time, other processes sharing the machine (parallel tests) do not
    inflate. A run that hangs without working is stopped by run_cli's timeout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run_cli(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return done, used


def copy_site(built_base: Path, tmp_path: Path) -> Path:
    """A private copy of the built base site (sources, output and cache)."""
    root = tmp_path / "site"
    shutil.copytree(built_base, root, symlinks=True)
    return root


# Each of these takes well over a second (the Markdown time limit, deep YAML): not quick.
SLOW_CASES = {  # names in CASES (checked below)
    "deep-flow-nesting",
    "pathological-brackets",
    "pathological-summary",
    "pathological-nested-lists",
}
assert CASES.keys() >= SLOW_CASES


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW_CASES else []) for n in CASES]
)
def test_bad_input_is_reported_and_output_kept(name: str, built_base: Path, tmp_path: Path) -> None:
    case = CASES[name]
    root = copy_site(built_base, tmp_path)
    before = read_tree(root / "public")
    write_files(root, case.files)
    done, cpu_seconds = run_cli_timed("build", str(root))
    assert cpu_seconds < case.seconds
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    printed = done.stderr.splitlines()
    errors = [line for line in printed if ": error: " in line]
    assert errors == list(case.errors)
    assert printed[-1] == f"{len(case.errors)} error(s); nothing was written"
    assert read_tree(root / "public") == before
    if not case.found_by_check:
        return
    checked = run_cli("check", str(root))
    assert checked.returncode == 1
    assert [line for line in checked.stderr.splitlines() if ": error: " in line] == errors


# Inputs that must build, with what the output must then show.


def build_with(built_base: Path, tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """Copy the base site, add files, build with the CLI, return the output folder."""
    root = copy_site(built_base, tmp_path)
    write_files(root, files)
    done = run_cli("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and ": error: " not in done.stderr
    return root / "public"


def all_text(out: Path) -> str:
    """Every text file of the output, joined (to prove something appears nowhere)."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.suffix in {".html", ".xml", ".txt", ".json"}
    )


def test_blank_lines_before_front_matter_are_fine(built_base: Path, tmp_path: Path) -> None:
    out = build_with(built_base, tmp_path, {BAD: "\n\n" + ok(body="Blank lines first.")})
    assert "Blank lines first." in (out / "2023/02/10/x/index.html").read_text()


def test_yaml_11_traps_stay_text(built_base: Path, tmp_path: Path) -> None:
    article = fm(
        "title: NO", "date: 2023-02-10", "district: 010", "speaker: 1:30", "tags: [yes, off]"
    )
    out = build_with(built_base, tmp_path, {BAD: article})
    page = (out / "2023/02/10/no/index.html").read_text()
    assert "<h1>NO</h1>" in page
    assert (out / "districts/010/index.html").is_file()
    assert (out / "speakers/1-30/index.html").is_file()
    assert (out / "tags/yes/index.html").is_file() and (out / "tags/off/index.html").is_file()
    assert "False" not in page and ">8<" not in page


def test_draft_given_as_text_false_is_published(built_base: Path, tmp_path: Path) -> None:
    out = build_with(built_base, tmp_path, {BAD: ok("draft: 'false'")})
    assert (out / "2023/02/10/x/index.html").is_file()


@pytest.mark.parametrize(
    "lines", [("draft: true",), ("draft: 'true'",), ("draft: yes",)], ids=["bool", "text", "yes"]
)
def test_drafts_leak_nowhere(built_base: Path, tmp_path: Path, lines: tuple[str, ...]) -> None:
    article = fm("title: Secret draft zebra", "date: 2023-02-10", *lines, "units: [Draft Unit]")
    out = build_with(built_base, tmp_path, {BAD: article})
    text = all_text(out)
    assert "zebra" not in text.lower() and "draft-unit" not in text.lower()
    assert not (out / "units/draft-unit").exists()


def test_future_articles_leak_nowhere(built_base: Path, tmp_path: Path) -> None:
    article = fm("title: Future zebra", "date: 2999-01-01", "tags: [tomorrow]")
    out = build_with(built_base, tmp_path, {BAD: article})
    text = all_text(out)
    assert "zebra" not in text.lower() and "2999" not in text
    assert not (out / "tags/tomorrow").exists()


def test_bom_and_crlf_give_the_same_output_as_lf(built_base: Path, tmp_path: Path) -> None:
    article = ok("units: [Party School]", body="First paragraph.\n\nSecond paragraph.")
    lf = read_tree(build_with(built_base, tmp_path / "lf", {BAD: article}))
    crlf_bom = b"\xef\xbb\xbf" + article.replace("\n", "\r\n").encode()
    other = read_tree(build_with(built_base, tmp_path / "crlf", {BAD: crlf_bom}))
    assert other == lf


def test_editor_and_os_junk_is_ignored(built_base: Path, tmp_path: Path) -> None:
    root = copy_site(built_base, tmp_path)
    before = read_tree(root / "public")
    junk: dict[str, str | bytes] = {
        "content/2023/02/._good.md": b"\x00\x05\x16\x07AppleDouble",
        "content/2023/02/good.md~": "---\nbroken",
        "content/2023/02/#good.md#": "---\nbroken",
        "content/2023/02/.good.md.swp": b"b0VIM 8.2\x00",
        "content/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "content/2023/Thumbs.db": b"\xd0\xcf\x11\xe0",
    }
    write_files(root, junk)
    os.symlink("user@host.1234:1700000000", root / "content/2023/02/.#good.md")
    done = run_cli("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and "error" not in done.stderr
    assert read_tree(root / "public") == before


def test_overlong_slug_is_cut_with_a_warning(built_base: Path, tmp_path: Path) -> None:
    root = copy_site(built_base, tmp_path)
    write_files(root, {BAD: ok("slug: " + "a" * 300)})
    done = run_cli("build", str(root))
    assert done.returncode == 0, done.stderr
    assert f"{BAD}:4: warning: slug: 'aaaa" in done.stderr
    assert (root / "public/2023/02/10" / ("a" * 200) / "index.html").is_file()


def test_template_syntax_in_articles_stays_literal(built_base: Path, tmp_path: Path) -> None:
    article = fm(
        "title: '{{ 7*7 }} and {% raw %}'",
        "date: 2023-02-10",
        "slug: literal",
        "summary: '{{ config }}'",
        body="Body {{ 6*7 }} {% for x in range(3) %}loop{% endfor %} {# note #}",
    )
    out = build_with(built_base, tmp_path, {BAD: article})
    page = (out / "2023/02/10/literal/index.html").read_text()
    assert "{{ 7*7 }} and {% raw %}" in page
    assert "Body {{ 6*7 }} {% for x in range(3) %}loop{% endfor %} {# note #}" in page
    assert "{{ config }}" in page and ">49<" not in page and "loop loop" not in page


def test_missing_file_line_count_is_exact_after_bom_and_blank_lines(
    built_base: Path, tmp_path: Path
) -> None:
    root = copy_site(built_base, tmp_path)
    text = "\ufeff\n\n---\ntitle: X\ndate: 2024-02-30\ndistrict: D\n---\nBody\n"
    write_files(root, {BAD: text.replace("\n", "\r\n").encode()})
    done = run_cli("build", str(root))
    assert done.returncode == 1
    assert f"{BAD}:5:7: error: date: '2024-02-30' is not a date" in done.stderr


PAYLOAD = "</script><script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;"


class Elements(HTMLParser):
    """Every element with its attributes, and the text of every script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in_script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag == "script":
            self._in_script = values
            self.scripts.append((values, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse_html(path: Path) -> Elements:
    """Parse one output page."""
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def assert_no_active_content(page: Elements, where: str) -> None:
    """No script but JSON-LD data, no event handler, no javascript:/vbscript:/data: link."""
    for attrs, text in page.scripts:
        if set(attrs) == {"defer", "src"} and attrs["src"].endswith("assets/search.js"):
            assert not text.strip(), where  # the theme's own search script, from a file
            continue
        assert attrs.get("type") == "application/ld+json", where
        json.loads(text)
    for tag, attrs in page.elements:
        if tag == "form":  # only the theme's search box, which sends a query to /search/
            assert attrs.get("role") == "search" and attrs.get("method") == "get", where
            continue
        assert tag not in {"iframe", "object", "embed", "base", "meta"} or (
            tag == "meta" and "http-equiv" not in attrs
        ), (where, tag)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name)
            squeezed = "".join(ch for ch in value if ch > " ").lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:text")), (
                where,
                value,
            )


def test_injection_in_every_field_is_escaped_everywhere(built_base: Path, tmp_path: Path) -> None:
    article = (
        "---\n"
        + yaml.safe_dump(
            {
                "title": "T " + PAYLOAD,
                "date": "2023-02-10",
                "district": "D " + PAYLOAD,
                "event_type": "E " + PAYLOAD,
                "speaker": [{"name": "S " + PAYLOAD, "role": "R " + PAYLOAD}],
                "units": ["U " + PAYLOAD],
                "tags": ["G " + PAYLOAD],
                "summary": "Y " + PAYLOAD,
                "slug": "injected",
                "extra_key": PAYLOAD,
            },
            allow_unicode=True,
        )
        + "---\nBody.\n"
    )
    out = build_with(built_base, tmp_path, {BAD: article})
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        assert_no_active_content(parse_html(path), str(path))
    page = parse_html(out / "2023/02/10/injected/index.html")
    (ld,) = [json.loads(text) for _, text in page.scripts]
    assert ld["headline"] == "T " + PAYLOAD and ld["description"] == "Y " + PAYLOAD
    assert ld["mentions"] == [{"@type": "Person", "name": "S " + PAYLOAD}]
    assert ld["about"] == [{"@type": "Organization", "name": "U " + PAYLOAD}]
    atom = "{http://www.w3.org/2005/Atom}"
    for feed in [out / "feed.xml", *out.glob("units/*/feed.xml"), *out.glob("tags/*/feed.xml")]:
        titles = [e.text for e in ElementTree.parse(feed).iter(f"{atom}title")]
        assert "T " + PAYLOAD in titles, feed
    ElementTree.parse(out / "sitemap.xml")


def test_sanitiser_removes_scripts_handlers_and_javascript_links(
    built_base: Path, tmp_path: Path
) -> None:
    disguises = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<IMG SRC=x OnError=alert(1)>",
        "<svg onload=alert(1)><circle r=1 /></svg>",
        '<body onload="alert(1)">',
        '<a href="javascript:alert(1)">plain</a>',
        '<a href="JaVaScRiPt:alert(1)">case</a>',
        '<a href="jav&#x09;ascript:alert(1)">tab entity</a>',
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">entities</a>',
        '<a href=" javascript:alert(1)">leading space</a>',
        '<a href="vbscript:msgbox(1)">vb</a>',
        '<a href="data:text/html,<script>alert(1)</script>">data</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<form action="javascript:alert(1)"><input></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<base href="https://evil.example/">',
        '<div style="background:url(javascript:alert(1))">styled</div>',
        '<img src="x.png" srcset="javascript:alert(1) 1x, x2.png 2x">',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ]
    kept = 'Kept <b>bold</b> and <a href="https://ok.example/">ok</a>.\n\n'
    markdown = "[link](javascript:alert(1)) [ref][r] ![image](javascript:alert(1))"
    files: dict[str, str | bytes] = {
        BAD: ok("slug: sanitised", body=kept + "\n\n".join(disguises)),
        "content/md.md": ok("slug: markdown", body=markdown + "\n\n[r]: JavaScript:alert(1)"),
    }
    out = build_with(built_base, tmp_path, files)
    path = out / "2023/02/10/sanitised/index.html"
    assert_no_active_content(parse_html(path), str(path))
    links = parse_html(out / "2023/02/10/markdown/index.html")
    assert_no_active_content(links, "markdown links")
    assert [tag for tag, _ in links.elements].count("img") == 1
    html = path.read_text()
    assert "<b>bold</b>" in html and 'href="https://ok.example/"' in html
    assert "evil.example" not in html


def test_symlinks_outside_the_site_and_loops_are_not_followed(
    built_base: Path, tmp_path: Path
) -> None:
    root = copy_site(built_base, tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text(ok("slug: secret", body="Outside secret."))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/other.md").write_text(ok("slug: other"))
    os.symlink(secret, root / "content/secret.md")
    os.symlink(tmp_path / "outside", root / "content/outside")
    os.symlink(root / "content", root / "content/2023/loop")
    os.symlink("self.md", root / "content/self.md")
    done, cpu_seconds = run_cli_timed("build", str(root))
    assert cpu_seconds < 20
    assert done.returncode == 0, done.stderr
    warned = sorted(line for line in done.stderr.splitlines() if ": warning: " in line)
    message = "symbolic link points outside the site or nowhere; not followed"
    assert warned == [
        f"content/outside: warning: {message}",
        f"content/secret.md: warning: {message}",
        f"content/self.md: warning: {message}",
    ]
    assert "Outside secret" not in all_text(root / "public")
    assert not (root / "public/2023/02/10/secret").exists()
