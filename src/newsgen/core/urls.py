"""The one place that decides slugs, site URLs, output paths and relative links."""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from slugify import slugify

SLUG_MAX = 200
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Top-level names the generator itself uses; an article or term may not take them.
RESERVED_TOP = frozenset(
    {"page", "archive", "search", "corrections", "feed.xml", "sitemap.xml", "robots.txt"}
)


@lru_cache(maxsize=65536)
def make_slug(text: str) -> str:
    """python-slugify's slug: lowercase ASCII words joined by hyphens, Chinese transliterated."""
    return str(slugify(text, max_length=SLUG_MAX, word_boundary=True))


def code_point_slug(text: str) -> str:
    """A slug for text with no letters or digits (🎉, ?): its code points, u1f389."""
    return shorten_slug("-".join(f"u{ord(c):x}" for c in text.strip()), 60)


def shorten_slug(slug: str, max_length: int) -> str:
    """The slug's leading words that fit (slugify's own cut skips words, so it reads oddly)."""
    if len(slug) <= max_length:
        return slug
    return slug[: max_length + 1].rsplit("-", 1)[0] or slug[:max_length]


def is_valid_slug(slug: str) -> bool:
    """A slug written in front matter must already be in slug form, so it cannot escape."""
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= 200


def article_url(date: datetime, slug: str) -> str:
    """Site URL of an article: YYYY/MM/DD/<slug>/ (dates in the site time zone)."""
    return f"{date:%Y/%m/%d}/{slug}/"


def year_url(year: int) -> str:
    """Site URL of a year archive."""
    return f"{year:04d}/"


def month_url(year: int, month: int) -> str:
    """Site URL of a month archive."""
    return f"{year:04d}/{month:02d}/"


def term_all_url(term_url: str) -> str:
    """Site URL of the listing of a term with every term under it (a district and its
    sub-districts)."""
    return f"{term_url}all/"


def day_url(year: int, month: int, day: int) -> str:
    """Site URL of a day archive."""
    return f"{year:04d}/{month:02d}/{day:02d}/"


def taxonomy_url(taxonomy_path: str) -> str:
    """Site URL of a taxonomy's overview of terms."""
    return f"{taxonomy_path}/"


def term_url(taxonomy_path: str, term_slug: str) -> str:
    """Site URL of one term's listing."""
    return f"{taxonomy_path}/{term_slug}/"


def term_feed_url(taxonomy_path: str, term_slug: str) -> str:
    """Site URL of one term's Atom feed."""
    return f"{taxonomy_path}/{term_slug}/feed.xml"


def language_home_url(lang: str, default: str) -> str:
    """Site URL of a language's home: the site root for the default language, else /<lang>/."""
    return HOME_URL if lang == default else f"{lang.lower()}/"


def language_feed_url(lang: str, default: str) -> str:
    """Site URL of a language's Atom feed."""
    return FEED_URL if lang == default else f"{lang.lower()}/{FEED_URL}"


def page_url(listing_url: str, number: int) -> str:
    """Site URL of page `number` of a listing; page 1 is the listing itself."""
    return listing_url if number == 1 else f"{listing_url}page/{number}/"


HOME_URL = ""
ARCHIVE_URL = "archive/"
SEARCH_URL = "search/"
CORRECTIONS_URL = "corrections/"
CORRECTIONS_FEED_URL = "corrections/feed.xml"
SEARCH_BUNDLE = "pagefind"
FEED_URL = "feed.xml"
SITEMAP_URL = "sitemap.xml"
ROBOTS_URL = "robots.txt"
NOT_FOUND_URL = "404.html"


def output_path(url: str) -> str:
    """Path of a URL's file inside the output folder (directories get index.html)."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def is_safe_output_path(path: str) -> bool:
    """True when a relative output path stays inside the output folder."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    normal = posixpath.normpath(path)
    return not (normal == ".." or normal.startswith("../")) and normal == path.rstrip("/")


def alias_url(alias: str) -> str | None:
    """The site URL an old address of an article maps to (a folder or a file), or None when
    it cannot be a file of a static site (a query string, `..`, an escape). Percent-escapes
    are decoded, as a web server does before it looks for the file; a #fragment never
    reaches the server, so it is dropped."""
    path = urlsplit(alias.strip())
    if path.query:
        return None
    try:
        text = unquote(path.path, errors="strict").lstrip("/")
    except UnicodeDecodeError:
        return None
    if (
        not text
        or "\\" in text
        or any(ord(c) < 32 or c in "?#" for c in text)
        or any(p in ("", ".", "..") for p in text.rstrip("/").split("/"))
    ):
        return None
    last = text.rstrip("/").rsplit("/", 1)[-1]
    return text if text.endswith("/") or "." in last else f"{text}/"


def depth(url: str) -> int:
    """How many folders deep a page's file sits below the output root."""
    return output_path(url).count("/")


def relative_url(from_url: str, to_url: str, pretty: bool = False) -> str:
    """Link from one page to another that works from file:// and any sub-path of any host."""
    prefix = "../" * depth(from_url)
    if to_url == "" or to_url.endswith("/"):
        target = to_url if pretty else f"{to_url}index.html"
        if pretty and to_url == "":
            return prefix or "./"
        return prefix + target
    return prefix + to_url


def absolute_url(base_url: str, url: str) -> str:
    """Absolute URL for feeds, sitemaps and canonical links."""
    return base_url.rstrip("/") + "/" + url
