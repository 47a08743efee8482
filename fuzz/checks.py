"""The properties the fuzzers check, shared with tests/test_fuzz_regressions.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, Source
from newsgen.render.markdown_html import MarkdownProblem, render_markdown
from newsgen.source.parse import parse_source

SOURCE_PATH = "content/fuzz/article.md"
CONFIG = Config(site_root=Path("/nonexistent-fuzz-site"))
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MARKDOWN_SECONDS = 5.0
DANGEROUS_TAGS = frozenset({"script", "iframe", "object", "embed", "base", "meta", "form"})
URL_ATTRIBUTES = frozenset(
    {"href", "src", "poster", "action", "formaction", "cite", "background", "xlink:href"}
)
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
C0_AND_SPACE = "".join(map(chr, range(0x21)))
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def check_front_matter(data: bytes) -> Article | None:
    """parse_source never raises, places every diagnostic, errs or returns an article, safe slugs."""
    result = parse_source(Source(SOURCE_PATH, data), CONFIG)
    assert isinstance(result, tuple) and len(result) == 2, f"bad result {result!r}"
    article, diagnostics = result
    assert isinstance(diagnostics, list), f"diagnostics is {type(diagnostics)}"
    for diagnostic in diagnostics:
        check_diagnostic(diagnostic)
    errors = [d.format() for d in diagnostics if d.is_error]
    assert (article is None) == bool(errors), f"article {article is not None}, errors {errors}"
    if article is None:
        return None
    assert isinstance(article, Article), f"got {type(article)}"
    assert SLUG.match(article.slug), f"slug {article.slug!r} is not in slug form"
    return article


def check_diagnostic(diagnostic: Diagnostic) -> None:
    """A diagnostic names the file and a line that is not negative."""
    assert isinstance(diagnostic, Diagnostic), f"got {type(diagnostic)}"
    assert diagnostic.path == SOURCE_PATH, f"diagnostic path {diagnostic.path!r}"
    assert isinstance(diagnostic.line, int) and diagnostic.line >= 0, diagnostic
    assert isinstance(diagnostic.message, str) and diagnostic.message, diagnostic
    assert "\n" not in diagnostic.format(), f"diagnostic is not one line: {diagnostic}"


def check_markdown(text: str, seconds: float = MARKDOWN_SECONDS) -> str | None:
    """Sanitised HTML has no scripts, event handlers or javascript: URLs (None: over limits)."""
    try:
        html = render_markdown(text, True, seconds)
    except MarkdownProblem:
        return None
    assert isinstance(html, str)
    assert "<script" not in html.lower(), f"<script in output: {html[:500]!r}"
    problems = find_unsafe_html(html)
    assert not problems, f"sanitiser escape {problems}: {html[:500]!r}"
    return html


class UnsafeFinder(HTMLParser):
    """Collects dangerous tags, event-handler attributes and script URLs in HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Check one start tag and its attributes."""
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=>")
            elif name in URL_ATTRIBUTES and is_script_url(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")


def is_script_url(value: str) -> bool:
    """True for a URL a browser would run or render (WHATWG URL: outer C0/space, inner tab/LF/CR go)."""
    url = TAB_OR_NEWLINE.sub("", value.strip(C0_AND_SPACE))
    return url.lower().startswith(BAD_SCHEMES)


def find_unsafe_html(html: str) -> list[str]:
    """Every unsafe construct in an HTML fragment."""
    finder = UnsafeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
