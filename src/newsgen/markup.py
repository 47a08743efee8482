"""Markdown to HTML: the only module that imports markdown; raw HTML is sanitised by nh3."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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


class MarkdownProblem(Exception):
    """A body could not be converted: too deeply nested, or over the time limit."""


class _OverTime(BaseException):
    """Raised by the alarm inside a conversion that takes too long."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (only in a main thread, where signals arrive)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise _OverTime

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_markdown(text: str, sanitize: bool = True, seconds: float = 0) -> str:
    """Convert an article body; its {{ }} and {% %} are plain text, never template code."""
    global _converter
    md = converter()
    try:
        with time_limit(seconds):
            html = md.reset().convert(text)
        md.reset()
    except _OverTime:
        _converter = None
        raise MarkdownProblem(
            f"Markdown took over {seconds:g} s to convert (pathological input, such as "
            "thousands of unclosed '[' or nested lists?); simplify it, or raise "
            "markdown_time_limit in newsgen.yaml"
        ) from None
    except RecursionError:
        _converter = None
        raise MarkdownProblem(
            "Markdown is nested too deeply to convert (lists or quotes hundreds of levels "
            "deep?); flatten it"
        ) from None
    return sanitize_html(html) if sanitize else html
