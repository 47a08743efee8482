"""Markdown to HTML: the only module that imports markdown; raw HTML is sanitised by nh3."""

from __future__ import annotations

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

EXTENSIONS = ["tables", "fenced_code", "footnotes", "attr_list", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"slugify": slugify_unicode, "permalink": False}}
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
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type", "srcset", "media"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
}
STYLE_PROPERTIES = {"text-align", "width", "height", "color", "background-color", "font-weight"}

_converter: markdown.Markdown | None = None


def converter() -> markdown.Markdown:
    """One Markdown instance per process, reset between articles (building it is costly)."""
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
    return _converter


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


def render_markdown(text: str, sanitize: bool = True) -> str:
    """Convert an article body; its {{ }} and {% %} are plain text, never template code."""
    md = converter()
    try:
        html = md.reset().convert(text)
    finally:
        md.reset()
    return sanitize_html(html) if sanitize else html
