"""`check`: links inside article bodies that point into the site must reach a page or file."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsgen.core import urls
from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import Article, PageSpec
from newsgen.source.parse import read_body

LINK = re.compile(
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)"  # [text](url "title"), ![alt](url)
    r"|^[ \t]{0,3}\[(?!\^)[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"  # [ref]: url (not [^footnote]:)
    r"|\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']",  # raw HTML
    re.M | re.I,
)

FENCED_CODE = re.compile(
    r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S
)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def mask_code(body: str) -> str:
    """The body with fenced code and code spans blanked (line breaks kept): examples, not links."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return CODE_SPAN.sub(blank, FENCED_CODE.sub(blank, body))


def site_targets(pages: Sequence[PageSpec], static_paths: Iterable[str]) -> set[str]:
    """Every output path a link may reach: pages, aliases, static and theme files."""
    return {page.output_path for page in pages} | set(static_paths)


def internal_target(link: str, from_url: str) -> str | None:
    """The output path a link in an article points to, or None when it leaves the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # another site, mailto:, or only a #fragment
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(from_url, path)
    normal = posixpath.normpath(joined) + ("/" if path.endswith("/") else "")
    if normal in (".", "./"):
        normal = ""
    return urls.output_path(normal) if normal.endswith("/") or not normal else normal


def broken_links(
    site_root: Path, articles: Sequence[Article], targets: set[str]
) -> list[Diagnostic]:
    """A warning for each link into the site whose target is not in the output."""
    problems = []
    for article in articles:
        body = mask_code(read_body(site_root, article.source_path))
        for match in LINK.finditer(body):
            link = next(group for group in match.groups() if group)
            target = internal_target(link, article.url)
            if target is None or target in targets or f"{target}/index.html" in targets:
                continue
            line = article.body_line + body.count("\n", 0, match.start())
            hint = (
                " (link to the article's URL, not its .md file)" if target.endswith(".md") else ""
            )
            message = f"link '{link}' points to {target or 'the site root'}, which is not in the site{hint}"
            problems.append(warning(article.source_path, line, "body", message))
    return problems
