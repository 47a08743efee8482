"""Stable URLs: an article whose address changed since it was published needs an alias.

The cache keeps, per source file, every URL the article was published at that no alias
covers yet, so the warning repeats until the alias is added.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import Article


def unaliased(article: Article, previous: Mapping[str, list[str]]) -> list[str]:
    """Earlier URLs of an article that neither its URL nor an alias serves any more."""
    old = previous.get(article.source_path)
    if not old or old == [article.url]:  # the usual case: published where it always was
        return []
    return [url for url in old if url != article.url and url not in article.aliases]


def url_map(articles: Sequence[Article], previous: Mapping[str, list[str]]) -> str:
    """Each article's URL and its unaliased earlier URLs, to compare with the next build."""
    return json.dumps(
        {a.source_path: [a.url, *unaliased(a, previous)] for a in articles}, sort_keys=True
    )


def read_url_map(text: str | None) -> dict[str, list[str]]:
    """The URLs earlier builds published (empty when unknown or unreadable)."""
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        str(k): [str(u) for u in v] if isinstance(v, list) else [str(v)] for k, v in loaded.items()
    }


def moved_articles(
    articles: Sequence[Article], previous: Mapping[str, list[str]]
) -> list[Diagnostic]:
    """A warning for each article published before under a URL that no alias keeps."""
    problems = []
    for article in articles:
        for old in unaliased(article, previous):
            line = article.line_of("slug", "title", "date")
            message = (
                f"its URL changed from /{old} to /{article.url}; add 'aliases: [/{old}]' so "
                "old links keep working"
            )
            problems.append(warning(article.source_path, line, "aliases", message))
    return problems
