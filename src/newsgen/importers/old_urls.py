"""Where a Hugo or Jekyll site published a post, so its old addresses become aliases."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsgen.core.urls import alias_url, make_slug
from newsgen.importers.write import term_names

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DATE_TIME = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DATE_CODES = {"year": "%Y", "month": "%m", "day": "%d", "short_year": "%y", "y_day": "%j"}
DATE_CODES |= {"monthname": "%B", "hour": "%H", "minute": "%M", "second": "%S"}


@dataclass(frozen=True)
class ForeignFile:
    """A post of the other generator, read: where it is, its front matter and its exact body."""

    rel: str
    data: bytes
    front: dict[str, Any]
    body: str
    name: str
    name_date: str
    folders: tuple[str, ...]
    in_drafts: bool
    notes: tuple[str, ...]


def expand_permalink(pattern: str, tokens: Mapping[str, str]) -> str:
    """A permalink template with its :tokens filled in; ValueError names a token not known."""

    def fill(match: re.Match[str]) -> str:
        """The value of one token."""
        if match[1] not in tokens:
            raise ValueError(
                f"permalink '{pattern}': ':{match[1]}' is not understood; no alias made"
            )
        return tokens[match[1]]

    url = re.sub(r":([a-z_]+)", fill, pattern)
    return "/" + re.sub(r"/{2,}", "/", url).lstrip("/")


def date_tokens(date_text: str) -> dict[str, str]:
    """Date and time as the old site wrote them in its URLs (in the date's own zone)."""
    found = DATE_TIME.match(date_text)
    year, month, day, hour, minute, second = (
        (int(n or 0) for n in found.groups()) if found else (1970, 1, 1, 0, 0, 0)
    )
    moment = datetime(year, month, day, hour, minute, second)
    tokens = {key: f"{moment:{code}}" for key, code in DATE_CODES.items()}
    tokens["monthname"] = tokens["monthname"].lower()
    weekday, yearday = moment.isoweekday() % 7, moment.timetuple().tm_yday
    numbers = {"i_month": moment.month, "i_day": moment.day, "weekday": weekday, "yearday": yearday}
    return tokens | {key: str(value) for key, value in numbers.items()}


def hugo_urlize(text: str) -> str:
    """Hugo's urlize: lower case, spaces to hyphens, only letters, digits and a few marks kept."""
    words = "-".join(text.strip().split())
    return "".join(c for c in words if c.isalnum() or c in "-_.#+~").lower()


def hugo_urls(
    post: ForeignFile, title: str, date_text: str, settings: Mapping[str, Any]
) -> list[str]:
    """Where Hugo published the post: url:, else the permalinks setting or the file's path."""
    front = post.front
    if "url" in front:
        return [str(front["url"])]
    slug = str(front.get("slug") or "")
    section = post.folders[0] if post.folders else ""
    tokens = {
        **date_tokens(date_text),
        "section": section,
        "sections": "/".join(post.folders),
        "title": hugo_urlize(title),
        "slug": slug or hugo_urlize(title),
        "filename": post.name,
        "contentbasename": post.name,
        "slugorfilename": slug or post.name,
        "slugorcontentbasename": slug or post.name,
    }
    links = settings.get("permalinks") or {}
    patterns = links.get("page", links) if isinstance(links.get("page"), dict) else links
    pattern = patterns.get(section) if isinstance(patterns, dict) else None
    if isinstance(pattern, str):
        url = expand_permalink(pattern, tokens)
    else:
        ending = ".html" if settings.get("uglyURLs") or settings.get("uglyurls") else "/"
        url = "/" + "/".join((*post.folders, slug or post.name)) + ending
    keep_case = settings.get("disablePathToLower") or settings.get("disablepathtolower")
    return [url if keep_case else url.lower()]


def jekyll_urls(post: ForeignFile, date_text: str, settings: Mapping[str, Any]) -> list[str]:
    """Where Jekyll published the post: its permalink, else the site's permalink style."""
    pattern = str(post.front.get("permalink") or settings.get("permalink") or "date")
    categories = [*post.folders, *term_names(post.front.get("categories"))]
    categories += term_names(post.front.get("category"))
    title = str(post.front.get("slug") or post.name)
    tokens = {
        **date_tokens(date_text),
        "title": title,
        "name": post.name,
        "slug": make_slug(title),
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "output_ext": ".html",
    }
    return [expand_permalink(JEKYLL_STYLES.get(pattern, pattern), tokens)]


def new_aliases(old: list[str], page_url: str, new_url: str) -> tuple[list[str], list[str]]:
    """Old addresses as aliases (relative ones beside the page), except the article's new URL."""
    aliases: list[str] = []
    notes: list[str] = []
    for address in old:
        absolute = address
        if not address.startswith("/") and "://" not in address and page_url:
            absolute = posixpath.join(posixpath.dirname(page_url.rstrip("/")), address)
        url = alias_url(absolute)
        if url is None:
            notes.append(f"old address '{address}' cannot be a static page; no alias made")
        elif url != new_url and f"/{url}" not in aliases:
            aliases.append(f"/{url}")
    return aliases, notes
