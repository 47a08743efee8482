"""The allow-list sanitiser (nh3) for raw HTML in article bodies and for cached body HTML."""

from __future__ import annotations

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
    "img": {"src", "alt", "width", "height", "loading"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
}
STYLE_PROPERTIES = {"text-align", "width", "height", "color", "background-color", "font-weight"}


def sanitize_html(html: str) -> str:
    """Keep an allow-list of tags and attributes: scripts, handlers and javascript: go."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=None,
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes={"http", "https", "mailto", "tel"},
    )
