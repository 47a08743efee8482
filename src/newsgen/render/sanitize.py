"""The allow-list sanitiser (nh3) for raw HTML in article bodies and for cached body HTML."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {
    "section",
    "sup",
    "sub",
    "figure",
    "figcaption",
    "video",
    "audio",
    "source",
    "track",
    "picture",
}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "title", "lang", "dir", "style"},
    "a": {"href", "hreflang", "rel", "name"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "decoding"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type", "media", "srcset", "sizes", "width", "height"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
}
STYLE_PROPERTIES = {"text-align", "width", "height", "color", "background-color", "font-weight"}


SAFE_SCHEMES = {"http", "https"}
CANDIDATE = re.compile(r"\s*(\S+)(\s+[0-9.]+[wx])?\s*")


def safe_srcset(value: str) -> str | None:
    """A srcset's candidates whose URL is relative or http(s), others dropped (nh3 checks
    the schemes of src and href, not of srcset); None when none is left."""
    kept = []
    for candidate in value.split(","):
        match = CANDIDATE.fullmatch(candidate)
        if not match:
            continue
        scheme = urlsplit(match[1]).scheme.lower()
        if scheme and scheme not in SAFE_SCHEMES:
            continue
        kept.append(match[1] + (f" {match[2].strip()}" if match[2] else ""))
    return ", ".join(kept) or None


def filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's hook for each attribute kept by the allow-list: srcset is checked here."""
    return safe_srcset(value) if attribute == "srcset" else value


def sanitize_html(html: str) -> str:
    """Keep an allow-list of tags and attributes: scripts, handlers and javascript: go."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=filter_attribute,
        link_rel=None,
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes={"http", "https", "mailto", "tel"},
    )
