"""Property-based tests: random valid sites build idempotently, deterministically (across hash
seeds, time zones and worker counts), with no broken internal link and no hidden article leaking;
random hostile input never escapes as an exception or a traceback."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from string import ascii_letters, digits
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import (
    EXAMPLES_SCALE,
    FIXED_NOW,
    build_site,
    make_source,
    read_tree,
    run_cli,
    write_files,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.urls import make_slug
from newsgen.pipeline.build import BuildOptions, check
from newsgen.render.markdown_html import MarkdownProblem, make_converter, render_markdown
from newsgen.render.sanitize import sanitize_html
from newsgen.source import links
from newsgen.source.parse import parse_source

TIMEZONES = ("UTC", "Asia/Shanghai", "America/New_York")
CHINESE = "金台区委组织部宣传教育体育局党校新闻发布会议财政卫生健康委员会渭滨陈仓"
PUNCTUATION = " ,.;:!?'\"()[]{}<>&#%*_-—“”《》、，。：！？"
TEXT = st.text(st.sampled_from(ascii_letters + digits + CHINESE + PUNCTUATION), max_size=30)
WORDS = st.text(st.sampled_from(ascii_letters + CHINESE + " "), min_size=1, max_size=12)
NAMED = WORDS.filter(lambda s: bool(make_slug(s)))
# Past and future relative to the library builds' fixed "now" (and the CLI's real one, later),
# a day away from it whatever the offset or time zone.
NOW = FIXED_NOW.replace(tzinfo=None)
PAST = (datetime(2019, 1, 1), NOW - timedelta(days=2))
FUTURE = (NOW + timedelta(days=2), datetime(2031, 1, 1))
TRUE_WORDS = (True, "true", "yes", "on")
FALSE_WORDS = (False, "false", "no", "off")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def examples(count: int) -> settings:
    """Hypothesis settings: `count` examples, no deadline (builds and processes are slow)."""
    return settings(
        max_examples=count * EXAMPLES_SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


@dataclass
class Story:
    """One generated article: what was written, and whether it must be published."""

    number: int
    date: datetime
    fields: dict[str, object]
    raw_date: str
    hidden: bool
    slug: str
    body: str = ""

    @property
    def marker(self) -> str:
        """A token in the title and a tag that only this article's pages may show."""
        return f"qz{self.number}mark"

    def url(self, zone: ZoneInfo) -> str:
        """The article's site URL (spec: YYYY/MM/DD/<slug>/ in the site time zone)."""
        local = self.date.astimezone(zone)
        return f"{local:%Y/%m/%d}/{self.slug}/"

    def text(self) -> str:
        """The article file: safe_dump'd fields, then the date exactly as the author wrote it."""
        dumped = yaml.safe_dump(self.fields, allow_unicode=True, sort_keys=False)
        return f"---\n{dumped}date: {self.raw_date}\n---\n\n{self.body}\n"


@dataclass
class SiteSpec:
    """A generated site: settings and articles."""

    settings: dict[str, object]
    stories: list[Story] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(str(self.settings["timezone"]))

    def files(self) -> dict[str, str | bytes]:
        """Every file of the site."""
        files: dict[str, str | bytes] = {
            "newsgen.yaml": yaml.safe_dump(self.settings, allow_unicode=True),
            "static/img/logo.png": PNG,
        }
        for story in self.stories:
            files[f"content/{story.number % 3}/story-{story.number}.md"] = story.text()
        return files

    def published(self) -> list[Story]:
        """Articles that must appear."""
        return [s for s in self.stories if not s.hidden]


@st.composite
def dates(draw: st.DrawFn, zone: ZoneInfo, future: bool) -> tuple[datetime, str]:
    """An aware moment and one of the documented ways to write it."""
    low, high = FUTURE if future else PAST
    naive = draw(st.datetimes(low, high)).replace(microsecond=0)
    form = draw(st.sampled_from(["date", "minutes", "offset", "zulu", "loose", "utc"]))
    if form == "date":
        return naive.replace(hour=0, minute=0, second=0, tzinfo=zone), f"{naive:%Y-%m-%d}"
    if form == "minutes":
        return naive.replace(second=0, tzinfo=zone), f"{naive:%Y-%m-%d %H:%M}"
    if form == "offset":
        hours = draw(st.integers(-11, 13))
        moment = naive.replace(tzinfo=ZoneInfo("UTC")) - timedelta(hours=hours)
        sign = "-" if hours < 0 else "+"
        return moment, f"{naive:%Y-%m-%dT%H:%M:%S}{sign}{abs(hours):02d}:00"
    if form == "loose":
        moment = naive.replace(tzinfo=ZoneInfo("UTC")) + timedelta(hours=4)
        return moment, f"{naive:%Y-%m-%d} {naive.hour}:{naive:%M:%S} -0400"
    suffix = "Z" if form == "zulu" else " UTC"
    separator = "T" if form == "zulu" else " "
    return naive.replace(tzinfo=ZoneInfo("UTC")), f"{naive:%Y-%m-%d{separator}%H:%M:%S}{suffix}"


@st.composite
def speakers(draw: st.DrawFn) -> object:
    """A name, a list of names, or name + role mappings."""
    names = draw(st.lists(NAMED, min_size=1, max_size=3))
    kind = draw(st.sampled_from(["one", "list", "roles"]))
    if kind == "one":
        return names[0]
    if kind == "list":
        return names
    return [{"name": n, "role": draw(TEXT)} for n in names]


@st.composite
def stories(draw: st.DrawFn, number: int, zone: ZoneInfo, allow_future: bool) -> Story:
    """One article's front matter (the body comes later, once every URL is known)."""
    future = allow_future and draw(st.integers(0, 5)) == 0
    draft = draw(st.integers(0, 5)) == 0
    date, raw_date = draw(dates(zone, future))
    marker = f"qz{number}mark"
    fields: dict[str, object] = {"title": f"{marker} {draw(TEXT)}"}
    optional: dict[str, st.SearchStrategy[object]] = {
        "district": NAMED,
        "event_type": st.sampled_from(["meeting", "conference", "inspection", "会议", "notice"]),
        "speaker": speakers(),
        "units": st.one_of(NAMED, st.lists(NAMED, max_size=3)),
        "summary": TEXT,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            fields[key] = draw(strategy)
    fields["tags"] = [*draw(st.lists(NAMED, max_size=2)), f"{marker} tag"]
    slug = make_slug(str(fields["title"]))
    if draw(st.booleans()):
        slug = fields["slug"] = f"{draw(st.sampled_from(['news', 'press', 'x']))}-{number}"
    if draft or draw(st.booleans()):
        fields["draft"] = draw(st.sampled_from(TRUE_WORDS if draft else FALSE_WORDS))
    return Story(number, date, fields, raw_date, draft or future, slug)


@st.composite
def bodies(draw: st.DrawFn, targets: list[Story], zone: ZoneInfo) -> str:
    """Markdown: paragraphs, lists, headings, links to published articles, code, footnotes."""
    blocks = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["para", "list", "heading", "link", "code", "note", "image"]))
        words = draw(TEXT).replace("\n", " ") or "text"
        if kind == "para":
            blocks.append(f"{words} *{draw(WORDS)}* **{draw(WORDS)}**")
        elif kind == "list":
            blocks.append("\n".join(f"- {draw(WORDS)}" for _ in range(draw(st.integers(1, 4)))))
        elif kind == "heading":
            blocks.append(f"{'#' * draw(st.integers(2, 4))} {draw(WORDS)}")
        elif kind == "link" and targets:
            target = draw(st.sampled_from(targets))
            link = f"../../../../{target.url(zone)}index.html"
            blocks.append(f"See [{draw(WORDS)}]({link}), [top](#top) and <https://example.org/>.")
        elif kind == "code":
            blocks.append("```\n{{ site.title }} {% if x %}<b>\n```")
        elif kind == "note":
            blocks.append(f"Noted.[^1]\n\n[^1]: {draw(WORDS)}")
        elif kind == "image":
            blocks.append("![logo](../../../../img/logo.png)")
    return "\n\n".join(blocks)


@st.composite
def sites(draw: st.DrawFn, allow_future: bool = True, min_articles: int = 1) -> SiteSpec:
    """A valid site of 1-12 articles with random settings."""
    zone_name = draw(st.sampled_from(TIMEZONES))
    settings_: dict[str, object] = {
        "title": draw(TEXT) or "News",
        "timezone": zone_name,
        "page_size": draw(st.integers(1, 4)),
        "feed_items": draw(st.integers(1, 5)),
        "pretty_urls": draw(st.booleans()),
        "language": draw(st.sampled_from(["en", "zh"])),
    }
    base = draw(st.sampled_from([None, "https://x.org/", "https://x.org/news/"]))
    if base:
        settings_["base_url"] = base
    if draw(st.booleans()):
        settings_["logo"] = "img/logo.png"
    site = SiteSpec(settings_)
    count = draw(st.integers(min_articles, 12))
    site.stories = [draw(stories(n, site.zone, allow_future)) for n in range(count)]
    for story in site.stories:
        story.body = draw(bodies(site.published(), site.zone))
    return site


class LinkCollector(HTMLParser):
    """Every href and src of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Collect link-like attributes."""
        self.links.extend(value for name, value in attrs if name in {"href", "src"} and value)


def html_links(data: bytes) -> list[str]:
    """The links of one HTML file."""
    parser = LinkCollector()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser.links


def target_of(page: str, link: str, base_url: str) -> str | None:
    """The output file a link points to, or None for external and fragment-only links."""
    root = urlsplit(base_url).path if base_url else "/"
    if base_url and link.startswith(base_url):
        link = root + link[len(base_url) :]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):  # absolute or root-relative (404 page): below base_url's path
        assert path.startswith(root), f"{page}: {link} is outside the site's path {root}"
        joined = path[len(root) :]
    else:
        joined = posixpath.join(posixpath.dirname(page), path)
    target = posixpath.normpath(joined) if joined.strip("/") else "."
    assert not target.startswith(".."), f"{page}: {link} leaves the output folder"
    if path.endswith("/") or target == ".":
        target = posixpath.normpath(posixpath.join(target, "index.html"))
    return target


def assert_links_resolve(tree: dict[str, bytes], settings_: dict[str, object]) -> int:
    """Every relative href/src of every page names a file of the output; returns the count."""
    base_url = str(settings_.get("base_url") or "")
    pretty = bool(settings_["pretty_urls"])
    checked = 0
    for page, data in tree.items():
        if not page.endswith(".html"):
            continue
        for link in html_links(data):
            target = target_of(page, link, base_url)
            if target is None:
                continue
            assert target in tree, f"{page}: broken link {link!r} (no file {target})"
            if not pretty and not link.startswith(base_url or "\0"):
                assert not urlsplit(link).path.endswith("/"), f"{page}: {link} lacks index.html"
            checked += 1
    return checked


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml_urls(data: bytes) -> list[str]:
    """Every URL of a feed or sitemap: link hrefs, entry ids and sitemap locs."""
    root = ET.fromstring(data)
    urls = [e.attrib["href"] for e in root.iter(f"{ATOM}link")]
    urls += [e.text or "" for e in root.iter(f"{ATOM}id")]
    urls += [e.text or "" for e in root.iter(f"{SITEMAP}loc")]
    return [u.strip() for u in urls]


NOT_IN_SITEMAP = {"404.html", "search/index.html"}  # neither is a page to find by search engines


def assert_xml_resolves(tree: dict[str, bytes], base_url: str) -> None:
    """Feeds and the sitemap parse as XML and their URLs under base_url are output files."""
    xml_files = [p for p in tree if p.endswith(".xml")]
    if not base_url:
        assert xml_files == [], "feeds or a sitemap without base_url"
        return
    assert "feed.xml" in xml_files and "sitemap.xml" in xml_files
    for name in xml_files:
        urls = xml_urls(tree[name])
        assert urls, f"{name} has no URL"
        for url in urls:
            if url.startswith(base_url):
                target = target_of(name, url, base_url)
                assert target in tree, f"{name}: {url} names no output file"
    pages = {str(target_of("sitemap.xml", u, base_url)) for u in xml_urls(tree["sitemap.xml"])}
    html = {p for p in tree if p.endswith(".html") and p not in NOT_IN_SITEMAP}
    assert html == pages, f"sitemap differs from the pages: {sorted(html ^ pages)}"


XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def feed_content_links(tree: dict[str, bytes], base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, as written) of every link in entry content, resolved as a reader would."""
    found = []
    for name in (p for p in tree if p.endswith("feed.xml")):
        root = ET.fromstring(tree[name])
        document = urljoin(base_url, name)
        for entry in root.iter(f"{ATOM}entry"):
            for content in entry.iter(f"{ATOM}content"):
                base = urljoin(document, root.get(XML_BASE, ""))
                base = urljoin(urljoin(base, entry.get(XML_BASE, "")), content.get(XML_BASE, ""))
                for link in html_links((content.text or "").encode()):
                    found.append((urljoin(base, link), link))
    return found


@pytest.mark.site
def test_feed_content_links_resolve(tmp_path: Path) -> None:
    """A link between articles still works when the article is read in a feed reader."""
    link = "../../../../2023/01/02/b/index.html"
    files = {
        "newsgen.yaml": "base_url: https://x.org/news/\n",
        "content/a.md": f"---\ntitle: A\ndate: 2023-01-03\n---\nSee [B]({link}).\n",
        "content/b.md": "---\ntitle: B\ndate: 2023-01-02\n---\nB.\n",
    }
    tree = build_ok(write_files(tmp_path / "site", files))
    links = feed_content_links(tree, "https://x.org/news/")
    assert link in [written for _, written in links]
    for absolute, written in links:
        target = target_of("feed.xml", absolute, "https://x.org/news/")
        assert target in tree, f"{written} resolves to {absolute} in a feed reader"


def assert_hidden_absent(tree: dict[str, bytes], site: SiteSpec) -> None:
    """A draft or future article shows nowhere (not even its tag); a published one does."""
    names = "\n".join(tree).lower()
    contents = [data.lower() for data in tree.values()]
    for story in site.stories:
        marker = story.marker.encode()
        found = [p for p, data in zip(tree, contents, strict=True) if marker in data]
        if story.hidden:
            assert not found, f"hidden article {story.number} shows in {found}"
            assert story.marker not in names, f"hidden article {story.number} has a file"
        else:
            assert story.url(site.zone) + "index.html" in tree
            assert found, f"published article {story.number} shows nowhere"


def build_ok(root: Path, **options: object) -> dict[str, bytes]:
    """Build with the library API (at FIXED_NOW) and return the output tree."""
    result = build_site(root, **options)
    assert result.ok, [d.format() for d in result.diagnostics]
    return read_tree(root / "public")


def mtimes(root: Path) -> dict[str, int]:
    """Modification time of every output file."""
    return {
        p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()
    }


@pytest.mark.site
@pytest.mark.slow
@examples(15)
@given(site=sites())
def test_build_is_idempotent(tmp_path_factory: pytest.TempPathFactory, site: SiteSpec) -> None:
    """Building again, with or without the cache, gives the same bytes and writes nothing."""
    root = write_files(tmp_path_factory.mktemp("idem") / "site", site.files())
    first = build_ok(root)
    before = mtimes(root / "public")
    for options in ({}, {"clean": True}, {"use_cache": False}):
        result = build_site(root, **options)
        assert result.ok and not result.up_to_date, options
        assert result.rendered == result.pages or not options, (result.rendered, options)
        assert (result.stats.written, result.stats.removed) == (0, 0), result.stats
        assert result.stats.changed_paths == [], options
        assert read_tree(root / "public") == first, options
        assert mtimes(root / "public") == before, options


@pytest.mark.site
@pytest.mark.slow
@examples(40)
@given(site=sites())
def test_links_resolve_and_hidden_articles_stay_hidden(
    tmp_path_factory: pytest.TempPathFactory, site: SiteSpec
) -> None:
    """Every internal link and feed/sitemap URL names an output file; drafts and future don't show."""
    root = write_files(tmp_path_factory.mktemp("links") / "site", site.files())
    tree = build_ok(root)
    assert assert_links_resolve(tree, site.settings) > 0
    assert_xml_resolves(tree, str(site.settings.get("base_url") or ""))
    assert_hidden_absent(tree, site)


# Runs the real CLI with a worker pool even for a small site: the pool starts above MIN_PARALLEL
# pages in more than one batch of CHUNK, so both are lowered; each pool start is reported.
POOLED_CLI = """
import sys
import newsgen.pipeline.parallel as parallel
parallel.MIN_PARALLEL, parallel.CHUNK = 1, 2
real_fork_pool = parallel.fork_pool
def traced_fork_pool(jobs):
    sys.stderr.write(f"test-pool-started jobs={jobs}\\n")
    return real_fork_pool(jobs)
parallel.fork_pool = traced_fork_pool
from newsgen.cli.main import main
main()
"""
VARIANTS = (
    ({"PYTHONHASHSEED": "0", "TZ": "UTC"}, "1", False),
    ({"PYTHONHASHSEED": "4242", "TZ": "Asia/Shanghai"}, "2", True),
    ({"PYTHONHASHSEED": "random", "TZ": "America/New_York"}, "2", False),
)


def run_pooled_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess with the worker pool forced on for any site size."""
    return subprocess.run(
        [sys.executable, "-c", POOLED_CLI, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_tree(root: Path, env: dict[str, str], jobs: str, pooled: bool) -> dict[str, bytes]:
    """Build a copy of the site with the CLI in a fresh process; return its output tree."""
    args = ("build", str(root), "-q", "-j", jobs)
    result = run_pooled_cli(*args, env=env) if pooled else run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    if pooled:
        # -j 2: one forked worker beside the parent, for parsing and for rendering
        assert result.stderr.count("test-pool-started jobs=1") == 2, result.stderr
    else:
        assert result.stderr == "", result.stderr
    return read_tree(root / "public")


@pytest.mark.cli
@pytest.mark.slow
@examples(6)
@given(site=sites(allow_future=False, min_articles=3))
def test_output_is_the_same_for_any_hash_seed_time_zone_and_jobs(
    tmp_path_factory: pytest.TempPathFactory, site: SiteSpec
) -> None:
    """Byte-identical output whatever PYTHONHASHSEED, the process's TZ and -j are."""
    tmp = tmp_path_factory.mktemp("determinism")
    source = write_files(tmp / "site", site.files())
    trees = []
    for number, (env, jobs, pooled) in enumerate(VARIANTS):
        root = shutil.copytree(source, tmp / f"copy-{number}")
        trees.append(cli_tree(root, env, jobs, pooled))
    assert len(trees[0]) > 5
    for variant, tree in zip(VARIANTS[1:], trees[1:], strict=True):
        differing = sorted(
            set(tree) ^ set(trees[0]) | {p for p in tree if tree[p] != trees[0].get(p)}
        )
        assert not differing, f"{variant}: {differing[:10]}"


ODD_CHARACTERS = st.sampled_from(
    ["\n", "\r", "\t", "\x00", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\ufeff"]
)
ODD_TEXT = st.builds(
    lambda a, c, b: a + c + b, st.text(max_size=6), ODD_CHARACTERS, st.text(max_size=6)
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "title",
            "date",
            "draft",
            "speaker",
            "units",
            "tags",
            "slug",
            "summary",
            "district",
            "event_type",
            "lang",
            "translation_key",
            "aliases",
            "evnet_type",
            "? complex",
            "<<",
        ]
    ),
    st.text(max_size=8),
    ODD_TEXT.map(lambda s: yaml.safe_dump(s).split("\n...")[0].strip()),
)
ODD_VALUES = st.sampled_from(
    [
        "[a, b",
        "{a: 1, b: [2, {c: 3}]}",
        "&a x",
        "*a",
        "*nowhere",
        "!!python/object/apply:os.system ['true']",
        "!!binary aGVsbG8=",
        "!custom thing",
        "!!timestamp 2023-01-01",
        "!!float .nan",
        "|\n  block\n  text",
        ">-\n  folded",
        "2024-13-45",
        "2023-02-30",
        "2023-02-10T25:00:00",
        "2023-02-10 09:30 +99:00",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "~",
        "yes",
        "- x\n- {name: y}\n- name:",
        "\n  - name: Zhang\n    role: [x]\n  - {}",
        "'unclosed",
        '"\\x00\\u2028\\x1b[31m"',
        '"line one\\nline two"',
        "\t tab",
        "%YAML 1.1",
        "...",
        "---",
        "@reserved",
        "`backtick",
        "page",
        "../../etc",
        "CON",
    ]
)
NESTED = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
SCALARS = st.one_of(
    ODD_VALUES,
    st.text(max_size=20),
    ODD_TEXT,
    ODD_TEXT.map(lambda s: yaml.safe_dump(s, allow_unicode=True).split("\n...")[0].strip()),
)
YAML_LINES = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", KEYS, SCALARS),
    st.builds(
        lambda k, v: f"{k}: {yaml.safe_dump(v, default_flow_style=True).strip()}", KEYS, NESTED
    ),
    st.builds(lambda n: "  " * n + "- [" * n, st.integers(0, 150)),
    st.builds(lambda n: "{a: " * n + "}" * n, st.integers(0, 150)),
    st.sampled_from(["title: T", "date: 2023-02-10", "- item", "  indented: x", "# comment", ""]),
    st.text(max_size=30),
)
MARKDOWN_ATOMS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "*",
            "**",
            "_",
            "`",
            "[",
            "]",
            "(",
            ")",
            "![",
            "<",
            ">",
            "&",
            "&#0;",
            "&#x110000;",
            "[^1]",
            "[^1]:",
            "{: .lead #x }",
            "{#}",
            "{{ x }}",
            "{% if %}",
            "<script>x</script>",
            '<div markdown="1">',
            "</div>",
            "<!--",
            "-->",
            '<a href="javascript:x">',
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)>",
            "[x](javascript:alert(1))",
            "<iframe src=x>",
            "| a | b |\n|---|---|\n| 1 |",
            "```",
            "~~~",
            "    code",
            "\t",
            "\u202e",
            "\u2028",
            "\x00",
            "\x1b[2J",
            "\ufeff",
            "\U0001f600",
            "̀",
            '[x](y "t")',
            "<https://x.org>",
            "[x][ref]\n\n[ref]: /y",
            "\\",
            "---",
            "===",
            "1. ",
            "- ",
            "> ",
            "#",
            "\r",
            "\x0b",
            "&#11;",
            "{{< note >}}",
            "{{< /note >}}",
            '{{< figure src="/x.png" caption="<b>" />}}',
            "{{</* note */>}}",
            "{{% notice %}}",
            '{{< ref "a.md" >}}',
            "{{< ",
        ]
    ),
)
MARKDOWN = st.recursive(
    st.lists(MARKDOWN_ATOMS, max_size=6).map("".join),
    lambda inner: st.one_of(
        st.builds(lambda s: "\n".join("> " + line for line in s.split("\n")), inner),
        st.builds(
            lambda s, n: "\n".join("  " * n + "- " + line for line in s.split("\n")),
            inner,
            st.integers(0, 6),
        ),
        st.builds(lambda a, b: f"{a}\n\n{b}", inner, inner),
        st.builds(lambda s: f"*{s}*[{s}](#{s})", inner),
    ),
    max_leaves=10,
)


KNOWN_VALUES = st.one_of(
    st.sampled_from(["T", "2023-02-10", "2023-02-10 09:30 +08:00", "true", "x"]),
    st.text(st.sampled_from(PUNCTUATION), min_size=1, max_size=3),
    ODD_TEXT,
    NESTED,
    st.lists(st.one_of(ODD_TEXT, st.fixed_dictionaries({"name": ODD_TEXT, "role": NESTED}))),
)


@st.composite
def front_matter_fields(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed YAML whose values are odd: every field reader gets exercised."""
    fields: dict[str, object] = {"title": draw(st.just("Title") | ODD_TEXT)}
    fields["date"] = draw(st.just("2023-02-10") | ODD_TEXT)
    fields.update(draw(st.dictionaries(KEYS, KNOWN_VALUES, max_size=6)))
    dumped = yaml.safe_dump(fields, allow_unicode=draw(st.booleans()), sort_keys=False)
    lines = dumped.rstrip("\n").split("\n")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(YAML_LINES))
    return lines


@st.composite
def content_files(draw: st.DrawFn) -> bytes:
    """An article file: random bytes, random text, or random YAML-ish lines and Markdown."""
    kind = draw(st.sampled_from(["bytes", "text", "yamlish", "fields", "fields"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8")
    if kind == "fields":
        lines = draw(front_matter_fields())
    else:
        lines = draw(st.lists(YAML_LINES, max_size=10))
    closer = draw(st.sampled_from(["---", "...", "--- ", ""]))
    text = "\n".join(["---", *lines, closer, draw(MARKDOWN)])
    text = draw(st.sampled_from(["", "\ufeff", "\n\n"])) + text
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return text.replace("\n", newline).encode("utf-8")


LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def line_count(data: bytes) -> int:
    """The most lines any reader could count in a file."""
    text = data.decode("utf-8", errors="replace")
    return sum(text.count(b) for b in LINE_BREAKS) + 1


def assert_good_diagnostics(source_path: str, data: bytes, diagnostics: list[Diagnostic]) -> None:
    """Every problem names the file and a line in it, and prints as one line."""
    for diagnostic in diagnostics:
        text = diagnostic.format()
        assert diagnostic.path == source_path, text
        assert 1 <= diagnostic.line <= line_count(data), text
        assert diagnostic.column >= 0, text
        odd = [c for c in text if unicodedata.category(c) in {"Cc", "Zl", "Zp"} and c != "\t"]
        assert not odd, f"line breaks or controls {odd} in {text!r}"


@pytest.mark.unit
@pytest.mark.slow
@examples(400)
@given(data=content_files())
@example(data=b"---\ntitle: Title\ndate: '2023-02-10'\naliases: '?'\n---\n")
def test_parse_never_raises_and_every_problem_has_a_line(data: bytes) -> None:
    """Whatever the bytes, parse_source returns an Article or errors naming file and line."""
    config = Config(site_root=Path("/nonexistent"))
    article, diagnostics = parse_source(make_source(source_path="content/x.md", data=data), config)
    assert_good_diagnostics("content/x.md", data, diagnostics)
    errors = [d for d in diagnostics if d.is_error]
    assert (article is None) == bool(errors), [d.format() for d in diagnostics]


LINE_SHIFTERS = st.text(
    st.sampled_from("ab 金\t\x85\u2028\u2029\U0001f600"), min_size=1, max_size=8
)


@pytest.mark.unit
@examples(50)
@given(values=st.lists(LINE_SHIFTERS, min_size=1, max_size=4))
def test_diagnostic_lines_are_file_lines_whatever_came_before(values: list[str]) -> None:
    """Characters on earlier lines never shift the line a later problem is reported on."""
    lines = ["---", "title: T", *(f'x{n}: "{v}"' for n, v in enumerate(values)), "date: 2024-13-45"]
    data = "\n".join([*lines, "---", ""]).encode("utf-8")
    config = Config(site_root=Path("/nonexistent"))
    _, diagnostics = parse_source(make_source(source_path="content/x.md", data=data), config)
    dates = [d for d in diagnostics if d.field == "date"]
    assert [d.line for d in dates] == [len(lines)], [d.format() for d in diagnostics]


def assert_check_is_clean(root: Path, files: dict[str, bytes]) -> None:
    """check() returns (never raises), reports every error that parsing finds in a file, and
    each problem names a file it read and a line in it."""
    result = check(BuildOptions(site_root=root))
    reported = {d.format() for d in result.diagnostics if d.is_error}
    for path, data in files.items():
        _, parsed = parse_source(make_source(source_path=path, data=data), Config(root))
        missed = [d.format() for d in parsed if d.is_error and d.format() not in reported]
        assert missed == [], f"check did not report {missed}"
    for diagnostic in result.diagnostics:
        if diagnostic.path == "newsgen.yaml":
            continue
        assert diagnostic.path in files, diagnostic.format()
        assert_good_diagnostics(diagnostic.path, files[diagnostic.path], [diagnostic])


CLASHING = "---\ntitle: Same\ndate: 2023-01-01\n---\nBody.\n"


@pytest.mark.site
@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/a.md": "---\ntitle: A\ndate: 2023-01-01\ntags: ['!!!']\n---\nBody.\n"},
            [("content/a.md", 4, "tags")],
        ),
        ({"content/a.md": CLASHING, "content/b.md": CLASHING}, [("content/b.md", 2, "slug")]),
    ],
)
def test_post_parse_problems_name_their_line(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    """A term without a URL slug (a warning) or a clash of slugs (an error) is reported on the
    line where it is written."""
    root = write_files(tmp_path / "site", files)
    result = check(BuildOptions(site_root=root))
    found = [d for d in result.diagnostics if d.path != "newsgen.yaml"]
    assert [(d.path, d.line, d.field) for d in found] == expected


@pytest.mark.site
@pytest.mark.slow
@examples(60)
@given(contents=st.lists(content_files(), min_size=1, max_size=4))
def test_check_never_raises_and_every_problem_has_a_line(
    tmp_path_factory: pytest.TempPathFactory, contents: list[bytes]
) -> None:
    """The whole validation pipeline, over several random files at once."""
    files = {f"content/f{n}.md": data for n, data in enumerate(contents)}
    root = write_files(tmp_path_factory.mktemp("check") / "site", files)
    assert_check_is_clean(root, files)


class ScriptFinder(HTMLParser):
    """Scripts other than JSON-LD, event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note anything that could run code."""
        values = dict(attrs)
        theme_script = set(values) == {"defer", "src"} and (values.get("src") or "").endswith(
            "assets/search.js"
        )
        if tag == "script" and values.get("type") != "application/ld+json" and not theme_script:
            self.unsafe.append(f"<script {values}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.unsafe.append(f"<{tag} {name}={value!r}>")


def unsafe_markup(data: bytes) -> list[str]:
    """What in a page could run code."""
    finder = ScriptFinder()
    finder.feed(data.decode("utf-8"))
    finder.close()
    return finder.unsafe


@pytest.mark.site
@pytest.mark.slow
@examples(40)
@given(bodies_=st.lists(MARKDOWN, min_size=1, max_size=3))
def test_random_markdown_builds_safely(
    tmp_path_factory: pytest.TempPathFactory, bodies_: list[str]
) -> None:
    """Any Markdown body builds (or is a diagnostic), and no script reaches a page."""
    files: dict[str, str | bytes] = {
        f"content/b{n}.md": f"---\ntitle: Body {n}\ndate: 2023-02-1{n}\n---\n{body}\n"
        for n, body in enumerate(b.replace("\x00", "") for b in bodies_)  # NUL: a binary file
    }
    root = write_files(tmp_path_factory.mktemp("markdown") / "site", files)
    result = build_site(root)
    errors = [d for d in result.diagnostics if d.is_error]
    # The only errors random Markdown may cause: shortcodes that have no template.
    assert all("has no template" in d.message for d in errors), [d.format() for d in errors]
    if errors:
        return
    tree = read_tree(root / "public")
    for path, data in tree.items():
        if path.endswith(".html"):
            assert not unsafe_markup(data), (path, unsafe_markup(data))
    assert_links_resolve_or_author_made(tree)


def assert_links_resolve_or_author_made(tree: dict[str, bytes]) -> None:
    """Links newsgen made resolve (an author's random link may not): check all but articles."""
    listing = {p: d for p, d in tree.items() if not (p.startswith("2023/") and p.count("/") == 4)}
    for page, data in listing.items():
        if page.endswith(".html"):
            for link in html_links(data):
                target = target_of(page, link, "")
                assert target is None or target in tree, f"{page}: broken link {link!r}"


@pytest.mark.cli
@pytest.mark.slow
@examples(4)
@given(contents=st.lists(content_files(), min_size=1, max_size=4), body=MARKDOWN)
def test_cli_never_shows_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, contents: list[bytes], body: str
) -> None:
    """The real CLI on random files exits 0 or 1, without a traceback."""
    files: dict[str, str | bytes] = {f"content/f{n}.md": d for n, d in enumerate(contents)}
    files["content/ok.md"] = f"---\ntitle: OK\ndate: 2023-02-10\n---\n{body}\n"
    root = write_files(tmp_path_factory.mktemp("cli") / "site", files)
    result = run_cli("build", str(root))
    assert result.returncode in {0, 1}, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert (root / "public").exists() == (result.returncode == 0), result.stderr


@pytest.mark.unit
@examples(200)
@given(text=MARKDOWN)
def test_sanitising_twice_changes_nothing_so_cached_bodies_equal_fresh_ones(text: str) -> None:
    """Cached bodies are sanitised again on use: that must give the very same bytes."""
    try:
        html = render_markdown(text, True, 5)
    except MarkdownProblem:
        return
    assert sanitize_html(html) == html


TOC_PIECES = ["[TOC]", "# ", "## ", "Heading", " {#x}", "\n", "\n\n", "> ", "- ", "    ", "`"]


@pytest.mark.unit
@examples(300)
@given(
    text=st.one_of(
        MARKDOWN,
        st.text(st.sampled_from("ab *_`[]<>&\\\n!(){}#-:"), max_size=40),
        st.lists(st.sampled_from(TOC_PIECES), max_size=12).map("".join),
    )
)
@example(text="a  \nb")
@example(text="a\\\nb")
@example(text="# A\n\n[TOC]\n\n## B\n")
@example(text="## A {#a}\n\n[TOC]x\n\n> [TOC]\n")
def test_the_converter_shortcuts_give_the_html_of_the_plain_converter(text: str) -> None:
    """The converter marks text no inline pattern can match as atomic, and builds no table
    of contents for a body without the [TOC] marker: same HTML, less work."""
    assert make_converter(True).convert(text) == make_converter(False).convert(text)


def links_by_full_scan(body: str, body_line: int) -> tuple[tuple[str, int], ...]:
    """find_links without its shortcuts: every pattern run over every body."""
    masked = links.CODE_SPAN.sub(
        lambda m: re.sub(r"[^\n]", " ", m[0]),
        links.FENCED_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), body),
    )
    found = [(next(g for g in m.groups() if g), m.start()) for m in links.LINK.finditer(masked)]
    found += [
        (candidate.split()[0], m.start())
        for m in links.SRCSET.finditer(masked)
        for candidate in m[1].split(",")
        if candidate.strip()
    ]
    found.sort(key=lambda item: item[1])
    return tuple((link, body_line + masked.count("\n", 0, at)) for link, at in found)


LINK_PIECES = ["](", "]:", "[", "]", "(", ")", "`", "```", "~~~", "\n", " ", "x", "/a.png"]
LINK_PIECES += ['href="', 'SRC="', "\u017frc='", "srcset='", '"', "'", ",", " 2x", "\u212a"]


@pytest.mark.unit
@examples(400)
@given(text=st.one_of(MARKDOWN, st.lists(st.sampled_from(LINK_PIECES), max_size=30).map("".join)))
@example(text="<img \u017frc='a.png'>")
@example(text="[a]: /b\n")
def test_finding_links_with_shortcuts_finds_what_the_full_scan_finds(text: str) -> None:
    """find_links skips the patterns on bodies that hold none of their markers (most news
    prose): it must find exactly what running them would."""
    assert links.find_links(text, 3) == links_by_full_scan(text, 3)
