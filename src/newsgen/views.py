"""Small immutable views that templates see: site facts, page facts, pagination, feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class SiteView:
    """Site-wide facts every template may use."""

    title: str
    description: str
    language: str
    base_url: str
    logo: str
    favicon: str
    generator: str


@dataclass(frozen=True)
class Pagination:
    """Where a listing page sits among its pages (URLs are site URLs; use rel())."""

    number: int
    count: int
    prev_url: str
    next_url: str
    first_url: str
    last_url: str


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb trail."""

    title: str
    url: str


@dataclass(frozen=True)
class PageView:
    """Facts about the page being rendered."""

    kind: str
    url: str
    title: str
    lang: str
    canonical_url: str
    breadcrumbs: tuple[Crumb, ...]
    pagination: Pagination | None
    feed_url: str


@dataclass(frozen=True)
class FeedEntry:
    """One Atom entry with absolute URLs."""

    title: str
    url: str
    published: str
    updated: str
    summary: str
    content: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    lang: str


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> of a sitemap."""

    loc: str
    lastmod: str


def format_date(moment: datetime, has_time: bool, lang: str) -> str:
    """A date (and time, when the article gives one) written for readers of `lang`."""
    if lang.lower().startswith("zh"):
        text = f"{moment.year}年{moment.month}月{moment.day}日"
    else:
        text = f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}"
    if has_time:
        text += f" {moment:%H:%M} {moment.tzname() or ''}".rstrip()
    return text


def iso_date(moment: datetime) -> str:
    """RFC 3339 timestamp, as feeds and <time datetime> want."""
    return moment.isoformat(timespec="seconds")
