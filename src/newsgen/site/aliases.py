"""Redirect pages for articles' old addresses: which are kept, dropped with a warning (the
address is another page's), or refused (a hidden path, newsgen's own folders)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from newsgen.core import urls
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import PageSpec, SiteIndex


def plan_aliases(index: SiteIndex) -> Iterator[PageSpec]:
    """A small redirect page at each old address of an article (`aliases:`)."""
    for article_id, article in enumerate(index.articles):
        for alias in article.aliases:
            yield PageSpec(
                "alias",
                alias,
                urls.output_path(alias),
                "alias.html",
                article.title,
                article_id=article_id,
                sources=(article.source_path,),
                lang=article.lang,
            )


def parent_folders(path: str) -> list[str]:
    """Every folder above an output path: a/b/c.html -> a, a/b."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


class PathClaims:
    """Output paths taken so far, as files and as the folders above them (case-insensitive)."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def claim(self, path: str, owner: str) -> None:
        """Take a path (and its folders) for an owner named in later messages."""
        self.files.setdefault(path.casefold(), owner)
        for folder in parent_folders(path.casefold()):
            self.folders.setdefault(folder, owner)

    def conflict(self, path: str) -> str | None:
        """Who already has this path ('is ...'), a folder above it or a file below it ('is
        in the way of ...'), or None."""
        folded = path.casefold()
        if folded in self.files:
            return f"is {self.files[folded]}"
        above = next((f for f in parent_folders(folded) if f in self.files), None)
        owner = self.files[above] if above else self.folders.get(folded)
        return f"is in the way of {owner}" if owner else None


RESERVED_ROOTS = {
    urls.SEARCH_BUNDLE: "is inside the search bundle (pagefind/), which newsgen writes",
    "assets": "is inside the theme's assets (assets/), which newsgen writes",
}


def reserved_path(output_path: str) -> str:
    """Why an alias may not write this path (a hidden path such as .git or .htaccess, the
    manifest, the search bundle, the theme's assets), or ''."""
    parts = output_path.split("/")
    if any(part.startswith(".") for part in parts):
        return "is a hidden path (such as .git, .htaccess or newsgen's own files)"
    return RESERVED_ROOTS.get(parts[0], "") if len(parts) > 1 else ""


def describe_owner(page: PageSpec) -> str:
    """How a message names the page that has a path."""
    if page.kind == "article":
        return f"the URL of {page.sources[0]}"
    if page.kind == "alias":
        return f"an alias of {page.sources[0]}"
    return f"the {page.kind} page '{page.title}'"


def drop_shadowed_aliases(
    aliases: Iterable[PageSpec],
    pages: Sequence[PageSpec],
    static_paths: Collection[str],
    lines: Mapping[str, int],
) -> tuple[list[PageSpec], list[Diagnostic]]:
    """An alias on the address of a page, a static file or an earlier alias (newest article
    first), or on a folder or file in the way of one, is dropped with a warning: the page keeps
    its URL (archives published by other generators have such aliases)."""
    aliases = list(aliases)
    if not aliases:  # nothing to check: claiming every page's path costs 50 ms at 10k
        return [], []
    claims = PathClaims()
    for page in pages:
        claims.claim(page.output_path, describe_owner(page))
    for path in static_paths:
        claims.claim(path, f"the static file /{path}")
    kept: list[PageSpec] = []
    problems: list[Diagnostic] = []
    for alias in aliases:
        reserved = reserved_path(alias.output_path)
        if reserved:
            source = alias.sources[0]
            message = f"alias '/{alias.url}' {reserved} (remove it)"
            problems.append(error(source, lines.get(source, 0), "aliases", message))
            continue
        owner = claims.conflict(alias.output_path)
        if owner is None:
            claims.claim(alias.output_path, describe_owner(alias))
            kept.append(alias)
            continue
        source = alias.sources[0]
        owner = owner.replace(f"the URL of {source}", "this article's own URL")
        message = f"alias '/{alias.url}' {owner}; the alias is dropped (remove it)"
        problems.append(warning(source, lines.get(source, 0), "aliases", message))
    return kept, problems
