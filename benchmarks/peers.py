"""Turn a corpus made by ``generate.py`` into an equivalent Hugo site and Pelican site.

Used by ``bench.py``; standard library plus PyYAML (a newsgen dependency).

A newsgen article ``SITE/content/YYYY/MM/<name>.md`` becomes
``HUGO/content/YYYY/MM/<name>.md`` and ``PELICAN/content/YYYY/MM/<name>.md``, with the
same title, date, summary and Markdown body, and the front matter mapped to what
each tool indexes:

========================  ===========================  ===================================
newsgen                   Hugo (taxonomy: key)         Pelican
========================  ===========================  ===================================
units                     unit: ``units``              tags
district                  district: ``districts``      category
event_type                event_type: ``event_types``  tags
speaker (names only)      speaker: ``speakers``        authors
tags                      tag: ``tags``                tags
year, month, day archive  year/month/day: ``years``,   ``YEAR/MONTH/DAY_ARCHIVE_SAVE_AS``
                          ``months``, ``days``
========================  ===========================  ===================================

Both get the newsgen URLs for articles (``/YYYY/MM/DD/<name>/``, from the UTC date)
and archives (``/YYYY/``, ``/YYYY/MM/``, ``/YYYY/MM/DD/`` for Pelican; Hugo's archives
are term pages under ``/years/``, ``/months/``, ``/days/``), lists of 20 with
``<list>/page/N/`` pagination, and a feed of the 20 newest articles (full content)
for the home page and for each term of a topical taxonomy.  Pelican has three
taxonomies (category, tags, authors), so units, event type and tags all become
Pelican tags: it builds as many topical term pages as the others.

Everything written is a function of the corpus file alone (no clock, no ordering
of directory listings), so converting the same corpus twice gives the same bytes,
and one edited article can be converted again on its own (:func:`sync_article`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

# Bump when the converted output changes, so converted sites are made again.
CONVERTER_VERSION = 1
MARKER_NAME = ".bench-peer.json"
SITE_URL = "https://bench.example.org"
PAGE_SIZE = 20
FEED_ITEMS = 20

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # every scalar stays a string

_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)


class ConvertError(Exception):
    """A corpus file that the converters cannot read."""


@dataclass(frozen=True)
class Article:
    """What the converters need from one newsgen article."""

    rel: str  # path under content/, with forward slashes: "2017/03/foo.md"
    title: str
    date: dt.datetime  # aware, UTC
    has_time: bool
    district: str
    event_type: str
    speakers: tuple[str, ...]
    units: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    lang: str
    body: str

    @property
    def slug(self) -> str:
        """The file name without ``.md`` (the generator keeps it unique per month)."""
        return self.rel.rsplit("/", 1)[-1][:-3]

    @property
    def url(self) -> str:
        return f"/{self.date:%Y/%m/%d}/{self.slug}/"

    def iso_date(self) -> str:
        if self.has_time:
            return self.date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        return self.date.strftime("%Y-%m-%d")


def parse_date(text: str) -> tuple[dt.datetime, bool]:
    """A newsgen date (see the content model) as (aware UTC datetime, has a time)."""
    m = _DATE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a date: {text!r}")
    year, month, day, hour, minute, second, offset = m.groups()
    if hour is None:
        return dt.datetime(int(year), int(month), int(day), tzinfo=dt.UTC), False
    tz = dt.UTC
    if offset and offset not in ("Z", "z"):
        digits = offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
        tz = dt.timezone(dt.timedelta(minutes=minutes if offset[0] == "+" else -minutes))
    local = dt.datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz
    )
    return local.astimezone(dt.UTC), True


def _as_list(value: object) -> list[object]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _names(value: object) -> tuple[str, ...]:
    names = []
    for item in _as_list(value):
        name = item.get("name", "") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(names)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(s.strip() for s in _as_list(value) if isinstance(s, str) and s.strip())


def split_front_matter(text: str, rel: str) -> tuple[str, str]:
    """(YAML front matter, body) of a newsgen article."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    stripped = text.lstrip("\n")
    if not stripped.startswith("---\n"):
        raise ConvertError(f"{rel}: no front matter")
    end = stripped.find("\n---\n", 3)
    if end < 0:
        raise ConvertError(f"{rel}: front matter is not closed")
    return stripped[4 : end + 1], stripped[end + 5 :]


def read_article(text: str, rel: str) -> Article:
    """Parse one corpus file (its text and its path under ``content/``)."""
    front, body = split_front_matter(text, rel)
    try:
        meta = yaml.load(front, Loader=_Loader)
        date, has_time = parse_date(meta["date"])
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ConvertError(f"{rel}: {exc}") from None
    if not isinstance(meta, dict):
        raise ConvertError(f"{rel}: front matter is not a mapping")
    return Article(
        rel=rel,
        title=" ".join(str(meta.get("title", "")).split()),
        date=date,
        has_time=has_time,
        district=str(meta.get("district", "")).strip(),
        event_type=str(meta.get("event_type", "")).strip(),
        speakers=_names(meta.get("speaker")),
        units=_strings(meta.get("units")),
        tags=_strings(meta.get("tags")),
        summary=" ".join(str(meta.get("summary", "")).split()),
        lang=str(meta.get("lang", "en")).strip() or "en",
        body=body,
    )


def corpus_files(site: Path) -> list[str]:
    """Paths (``YYYY/MM/name.md``) of the corpus articles, sorted."""
    content = site / "content"
    found = []
    for root, dirs, names in os.walk(content):
        dirs.sort()
        rel_root = os.path.relpath(root, content).replace(os.sep, "/")
        for name in sorted(names):
            if name.endswith(".md"):
                found.append(name if rel_root == "." else f"{rel_root}/{name}")
    return sorted(found)


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def _flow(items: Iterable[str]) -> str:
    return "[" + ", ".join(_q(s) for s in items) + "]"


# ------------------------------------------------------------------------- Hugo

HUGO_TAXONOMIES = (
    ("unit", "units", "Units"),
    ("district", "districts", "Districts"),
    ("event_type", "event_types", "Event types"),
    ("speaker", "speakers", "Speakers"),
    ("tag", "tags", "Tags"),
    ("year", "years", "Years"),
    ("month", "months", "Months"),
    ("day", "days", "Days"),
)
HUGO_TOPICAL = ("units", "districts", "event_types", "speakers", "tags")
HUGO_ARCHIVES = ("years", "months", "days")


def hugo_article(a: Article) -> str:
    lines = [
        "---",
        f"title: {_q(a.title)}",
        f"date: {_q(a.iso_date())}",
        f"url: {_q(a.url)}",
        f"summary: {_q(a.summary)}",
        f"units: {_flow(a.units)}",
        f"districts: {_flow([a.district] if a.district else [])}",
        f"event_types: {_flow([a.event_type] if a.event_type else [])}",
        f"speakers: {_flow(a.speakers)}",
        f"tags: {_flow(a.tags)}",
        f"years: {_flow([f'{a.date:%Y}'])}",
        f"months: {_flow([f'{a.date:%Y-%m}'])}",
        f"days: {_flow([f'{a.date:%Y-%m-%d}'])}",
    ]
    if a.lang != "en":
        lines.append(f"params: {{lang: {_q(a.lang)}}}")
    lines += ["---", ""]
    return "\n".join(lines) + a.body


def hugo_config(title: str, site: Path) -> str:
    taxonomies = "\n".join(f"{one} = {_q(many)}" for one, many, _ in HUGO_TAXONOMIES)
    return f"""\
# Made by benchmarks/peers.py: the Hugo counterpart of a newsgen benchmark corpus.
baseURL = "{SITE_URL}/"
locale = "en"
defaultContentLanguage = "en"
title = {_q(title)}
timeZone = "UTC"
relativeURLs = true
disableKinds = ["section"]
cacheDir = {_q(str(site / ".hugo-cache"))}
enableRobotsTXT = true
capitalizeListTitles = false  # term names as written, like the other tools

[pagination]
pagerSize = {PAGE_SIZE}
disableAliases = true

[taxonomies]
{taxonomies}

[outputs]
home = ["html", "rss"]
page = ["html"]
taxonomy = ["html", "rss"]
term = ["html", "rss"]

[services.rss]
limit = {FEED_ITEMS}
"""


# Archive terms (years, months, days) get no feed, like newsgen's archives.
HUGO_ARCHIVE_INDEX = """\
---
title: {title}
cascade:
  outputs: ["html"]
---
"""

HUGO_TOPICAL_INDEX = """\
---
title: {title}
---
"""

HUGO_LAYOUTS: dict[str, str] = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{- with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ .RelPermalink }}">
{{- end }}
</head>
<body class="kind-{{ .Kind }}">
<header>
<a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><ul>
{{- range $name, $_ := site.Taxonomies }}
{{- with site.GetPage $name }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
{{- end }}
</ul></nav>
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "page.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{- range $taxonomy := slice "districts" "event_types" "units" "speakers" "tags" }}
{{- with $.GetTerms $taxonomy }}
<p class="terms {{ $taxonomy }}">{{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</p>
{{- end }}
{{- end }}
<p class="summary">{{ .Summary }}</p>
<div class="body">
{{ .Content }}
</div>
</article>
{{ end }}
""",
    "_partials/cards.html": """\
<ol class="cards">
{{- range .Pages }}
<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="summary">{{ .Summary }}</p></li>
{{- end }}
</ol>
<nav class="pager">
{{- with .Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }}
<span>page {{ .PageNumber }} of {{ .TotalPages }}</span>
{{- with .Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}
</nav>
""",
    "home.html": """\
{{ define "main" }}
<h1>Latest articles</h1>
{{ partial "cards.html" (.Paginate site.RegularPages) }}
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} articles</p>
{{ partial "cards.html" .Paginator }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="terms">
{{- range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{- end }}
</ul>
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Page not found</h1>{{ end }}
""",
    "rss.xml": """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Title }}</description>
<language>{{ site.Language.Locale }}</language>
{{- with .OutputFormats.Get "rss" }}
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
{{- end }}
{{- range first site.Config.Services.RSS.Limit $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid>{{ .Permalink }}</guid>
{{- if .IsPage }}
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Summary | transform.XMLEscape | safeHTML }}</description>
<content:encoded>{{ .Content | transform.XMLEscape | safeHTML }}</content:encoded>
{{- end }}
</item>
{{- end }}
</channel>
</rss>
""",
}


def hugo_site_files(title: str, site: Path) -> dict[str, str]:
    """Every file of the Hugo site except the articles, by path under ``site``."""
    files = {"hugo.toml": hugo_config(title, site)}
    for name, text in HUGO_LAYOUTS.items():
        files[f"layouts/{name}"] = text
    for _one, many, label in HUGO_TAXONOMIES:
        template = HUGO_ARCHIVE_INDEX if many in HUGO_ARCHIVES else HUGO_TOPICAL_INDEX
        files[f"content/{many}/_index.md"] = template.format(title=_q(label))
    return files


# ---------------------------------------------------------------------- Pelican


def pelican_article(a: Article) -> str:
    """Pelican's Markdown metadata header (``Key: value`` lines), then the body."""
    tags = [*a.units, *([a.event_type] if a.event_type else []), *a.tags]
    lines = [f"Title: {a.title}", f"Date: {a.iso_date()}", f"Slug: {a.slug}"]
    if a.district:
        lines.append(f"Category: {a.district}")
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    if a.speakers:
        lines.append("Authors: " + ", ".join(a.speakers))
    if a.summary:
        lines.append(f"Summary: {a.summary}")
    if a.lang != "en":
        lines.append(f"Lang: {a.lang}")
    return "\n".join(lines) + "\n\n" + a.body


def pelican_config(title: str, cached: bool) -> str:
    """``pelicanconf.py`` (no content cache) or the one with Pelican's content cache."""
    cache = "True" if cached else "False"
    return f"""\
# Made by benchmarks/peers.py: the Pelican counterpart of a newsgen benchmark corpus.
# Relative paths are relative to this file.
SITENAME = {_q(title)}
SITEURL = "{SITE_URL}"
FEED_DOMAIN = SITEURL
RELATIVE_URLS = True
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
ARTICLE_TRANSLATION_ID = None  # no translation_key in the corpus; slugs repeat by month
DEFAULT_DATE_FORMAT = "%d %B %Y"
PAGE_PATHS = []
STATIC_PATHS = []

DEFAULT_PAGINATION = {PAGE_SIZE}
PAGINATED_TEMPLATES = {{
    "index": None,
    "tag": None,
    "category": None,
    "author": None,
    "period_archives": None,
}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
ARTICLE_LANG_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}-{{lang}}/"
ARTICLE_LANG_SAVE_AS = ARTICLE_LANG_URL + "index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = TAG_URL + "index.html"
AUTHOR_URL = "author/{{slug}}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
DAY_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/"
DAY_ARCHIVE_SAVE_AS = DAY_ARCHIVE_URL + "index.html"

FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "category/{{slug}}/feed.xml"
TAG_FEED_ATOM = "tag/{{slug}}/feed.xml"
AUTHOR_FEED_ATOM = "author/{{slug}}/feed.xml"
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = {FEED_ITEMS}

CACHE_PATH = "cache"
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
DELETE_OUTPUT_DIRECTORY = False
"""


PELICAN_CONFIG = "pelicanconf.py"
PELICAN_CACHED_CONFIG = "pelicanconf-cached.py"


def pelican_site_files(title: str) -> dict[str, str]:
    return {
        PELICAN_CONFIG: pelican_config(title, cached=False),
        PELICAN_CACHED_CONFIG: pelican_config(title, cached=True),
    }


# --------------------------------------------------------------- whole corpora

PEERS = ("hugo", "pelican")


def _convert_one(peer: str, a: Article) -> str:
    return hugo_article(a) if peer == "hugo" else pelican_article(a)


def _site_title(source: Path) -> str:
    try:
        with open(source / "newsgen.yaml", encoding="utf-8") as f:
            config = yaml.load(f, Loader=_Loader)
        return str(config.get("title", "")) or "newsgen benchmark archive"
    except (OSError, yaml.YAMLError, AttributeError):
        return "newsgen benchmark archive"


def marker_text(peer: str, source: Path, dest: Path) -> str:
    """The converted site's marker: what it was made from, by which converter."""
    try:
        corpus = (source / ".newsgen-bench.json").read_text(encoding="utf-8")
    except OSError:
        corpus = ""
    info = {
        "converter": CONVERTER_VERSION,
        "corpus": corpus,
        "peer": peer,
        "site": str(dest),
        "source": str(source),
    }
    return json.dumps(info, sort_keys=True) + "\n"


def is_current(peer: str, source: Path, dest: Path) -> bool:
    try:
        found = (dest / MARKER_NAME).read_text(encoding="utf-8")
    except OSError:
        return False
    return found == marker_text(peer, source, dest)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def convert(source: Path, dests: dict[str, Path]) -> dict[str, int]:
    """Convert the corpus in ``source`` into each ``dests[peer]`` (``hugo``, ``pelican``).

    Each destination is emptied first (only its ``content/``, config files,
    layouts and caches: its output lives elsewhere), and its marker written last.
    Returns the number of articles converted per peer.
    """
    for peer, dest in dests.items():
        if peer not in PEERS:
            raise ValueError(f"unknown peer {peer!r}")
        (dest / MARKER_NAME).unlink(missing_ok=True)
        for sub in ("content", "layouts", "cache", ".hugo-cache", "resources"):
            if (dest / sub).exists():
                shutil.rmtree(dest / sub)
        dest.mkdir(parents=True, exist_ok=True)
    title = _site_title(source)
    rels = corpus_files(source)
    made_dirs: set[Path] = set()
    for rel in rels:
        text = (source / "content" / rel).read_text(encoding="utf-8")
        article = read_article(text, rel)
        for peer, dest in dests.items():
            path = dest / "content" / rel
            if path.parent not in made_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(path.parent)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(_convert_one(peer, article))
    for peer, dest in dests.items():
        extra = hugo_site_files(title, dest) if peer == "hugo" else pelican_site_files(title)
        for name, text in extra.items():
            _write(dest / name, text)
        _write(dest / MARKER_NAME, marker_text(peer, source, dest))
    return {peer: len(rels) for peer in dests}


def sync_article(source: Path, dests: dict[str, Path], rel: str) -> None:
    """Bring one article of each converted site in line with ``source/content/rel``.

    Converts it again, or deletes the converted copy if the source is gone.
    """
    src = source / "content" / rel
    if src.exists():
        article = read_article(src.read_text(encoding="utf-8"), rel)
        for peer, dest in dests.items():
            _write(dest / "content" / rel, _convert_one(peer, article))
    else:
        for dest in dests.values():
            (dest / "content" / rel).unlink(missing_ok=True)
