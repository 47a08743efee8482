"""Markdown to HTML: the only module that imports markdown; raw HTML is sanitised by nh3."""

from __future__ import annotations

import hashlib
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import Any, Protocol
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from newsgen.render.sanitize import sanitize_html
from newsgen.source.shortcodes import Escaped, Shortcode, parse_shortcodes, unescape_code

EXTENSIONS = ["tables", "fenced_code", "footnotes", "attr_list", "sane_lists"]
TOC_CONFIG = {"slugify": slugify_unicode, "permalink": False}
SINGLE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p\b).)*)</p>", re.S)

# What every inline pattern of the converter needs to match (backtick, escape, footnote,
# links and images, autolinks, raw HTML, entities, emphasis, hard breaks, stash placeholders).
INLINE_TRIGGER = re.compile(r"[\\`\[<&*_\x02\x03]|  \n")

_converter: markdown.Markdown | None = None


class PlainText(Treeprocessor):
    """Marks text no inline pattern can match as atomic, so the inline stage skips it. News
    prose is mostly such text, and trying every pattern on it was half of a conversion; the
    HTML is the same (a hypothesis test compares both converters)."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.text and not INLINE_TRIGGER.search(element.text):
                element.text = AtomicString(element.text)
            if element.tail and not INLINE_TRIGGER.search(element.tail):
                element.tail = AtomicString(element.tail)


class HeadingIds(TocTreeprocessor):
    """toc's heading ids, without the table of contents no page shows: toc builds one for
    every body (serialised, every postprocessor run on it), a fifth of converting news with
    subheadings. It is built only for a body that holds the [TOC] marker, which it replaces."""

    wanted = True

    def run(self, doc: Element) -> None:
        marker = self.marker
        self.wanted = bool(marker) and any(
            element.text and element.text.strip() == marker for element in doc.iter()
        )
        super().run(doc)

    def build_toc_div(self, toc_list: list[Any]) -> Element:
        return super().build_toc_div(toc_list) if self.wanted else Element("div")

    def replace_marker(self, root: Element, elem: Element) -> None:
        if self.wanted:
            super().replace_marker(root, elem)


class HeadingIdsExtension(TocExtension):
    """The toc extension with HeadingIds as its tree processor."""

    TreeProcessorClass = HeadingIds


def make_converter(shortcuts: bool = True) -> markdown.Markdown:
    """A converter with newsgen's extensions, and the shortcuts that leave its HTML as it was
    (plain text skipped by the inline stage, no unused table of contents) unless told not to."""
    toc: Extension = (HeadingIdsExtension if shortcuts else TocExtension)(**TOC_CONFIG)
    md = markdown.Markdown(extensions=[*EXTENSIONS, toc], output_format="html")
    if shortcuts:
        md.treeprocessors.register(PlainText(md), "plain_text", 21)  # just before "inline"
    return md


def converter() -> markdown.Markdown:
    """One Markdown instance per process, reset between articles (building it is costly)."""
    global _converter
    if _converter is None:
        _converter = make_converter()
    return _converter


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


class ShortcodeHost(Protocol):
    """Runs one shortcode: its HTML, given a way to render its inner text as Markdown."""

    def render(self, shortcode: Shortcode, offset: int, inner: Callable[[], str]) -> str: ...


def convert(text: str) -> str:
    """Plain Markdown to HTML with the shared converter."""
    return converter().reset().convert(text)


def placeholder_token(text: str) -> str:
    """A word Markdown leaves alone and the text does not hold, to stand for shortcodes."""
    nonce = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    while f"ngsc{nonce}" in text:
        nonce += "0"
    return f"ngsc{nonce}x"


def convert_with_shortcodes(text: str, host: ShortcodeHost | None, base: int = 0) -> str:
    """Markdown with each shortcode replaced by a placeholder, then by the shortcode's HTML."""
    nodes, _ = parse_shortcodes(text) if host else ([], [])
    if host is None or not nodes:
        return convert(unescape_code(text) if host else text)
    token = placeholder_token(text)
    pieces, outputs, position = [], {}, 0
    for number, node in enumerate(nodes):
        pieces += [text[position : node.start], f"{token}{number}x"]
        outputs[f"{token}{number}x"] = node
        position = node.end
    pieces.append(text[position:])
    html = convert(unescape_code("".join(pieces)))

    def fill(match: re.Match[str]) -> str:
        node = outputs[match.group(1) or match.group(2)]
        if isinstance(node, Escaped):
            text = escape(node.text, quote=False)
            return f"<p>{text}</p>" if match.group(1) else text
        inner, block, start = node.inner or "", bool(match.group(1)), base + node.inner_start
        return host.render(node, base + node.start, lambda: render_inner(inner, host, start, block))

    pattern = re.compile(rf"<p>({token}\d+x)</p>|({token}\d+x)")
    return pattern.sub(fill, html)


def render_inner(text: str, host: ShortcodeHost, base: int, block: bool) -> str:
    """A paired shortcode's inner Markdown as HTML; used inside a paragraph (not alone in
    one), a single paragraph loses its <p>, so the shortcode stays inline."""
    html = convert_with_shortcodes(text, host, base).strip()
    single = None if block else SINGLE_PARAGRAPH.fullmatch(html)
    return single.group(1) if single else html


def render_markdown(
    text: str, sanitize: bool = True, seconds: float = 0, host: ShortcodeHost | None = None
) -> str:
    """Convert an article body; its {{ }} and {% %} are plain text, never template code, and
    its shortcodes run only through `host` (without one they are text)."""
    global _converter
    try:
        with time_limit(seconds):
            html = convert_with_shortcodes(text, host)
        converter().reset()
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
