"""`check`: links inside article bodies that point into the site must reach a page or file."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from newsgen.core import urls
from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import Article, PageSpec


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


def broken_links(articles: Sequence[Article], targets: set[str]) -> list[Diagnostic]:
    """A warning for each link into the site whose target is not in the output."""
    problems = []
    for article in articles:
        for link, line in article.links:
            target = internal_target(link, article.url)
            if target is None or target in targets or f"{target}/index.html" in targets:
                continue
            hint = (
                " (link to the article's URL, not its .md file)" if target.endswith(".md") else ""
            )
            message = f"link '{link}' points to {target or 'the site root'}, which is not in the site{hint}"
            problems.append(warning(article.source_path, line, "body", message))
    return problems
