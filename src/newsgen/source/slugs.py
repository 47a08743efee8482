"""Slugs and old addresses as front matter gives them: normalised, or refused when they name
paths (a slug is a folder name of the output; an alias becomes a redirect page)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.urls import alias_url, is_valid_slug, make_slug

RESERVED_SLUGS = {
    "page": "used for pagination",
    **{
        name: "a device name on Windows"
        for name in (
            "con",
            "prn",
            "aux",
            "nul",
            *(f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)),
        )
    },
}
UNSAFE_SLUG = re.compile(r"[/\\\x00-\x1f]|\.\.")
SLUG_MAX_BYTES = 200  # an old slug longer than this cannot be a folder name: no alias for it


def choose_slug(
    given: str | None, title: str, path: str, line: int
) -> tuple[str, str, list[Diagnostic]]:
    """The slug from front matter (normalised when not in slug form; the old form is returned
    so its address can become an alias), else from the title; anything path-like is refused."""
    if given is not None and not given.strip():
        message = "slug is empty (give one, or remove the key to derive it from the title)"
        return "", "", [error(path, line, "slug", message)]
    if given and is_valid_slug(given):
        return given, "", []
    if given:
        written = unquote(given)  # percent-escapes, as a browser sends the address
        slug = make_slug(written)
        if UNSAFE_SLUG.search(written) or not slug:
            hint = slug or "lowercase-words-with-hyphens"
            message = f"'{given}' is not a valid slug (no paths or escapes; use e.g. '{hint}')"
            return "", "", [error(path, line, "slug", message)]
        servable = "?" not in written and len(written.encode()) <= SLUG_MAX_BYTES
        old = written if written.casefold() != slug and servable else ""
        kept = "; its old address stays as an alias" if old else ""
        message = f"'{given}' is not in slug form; using '{slug}'{kept} (write slug: {slug})"
        return slug, old, [warning(path, line, "slug", message)]
    slug = make_slug(title)
    if not slug:
        return "", "", [error(path, line, "title", "title gives an empty slug (add 'slug: ...')")]
    return slug, "", []


def rename_reserved(slug: str, path: str, line: int) -> tuple[str, list[Diagnostic]]:
    """A slug newsgen reserves is renamed, not refused: other generators publish it."""
    if slug not in RESERVED_SLUGS:
        return slug, []
    message = (
        f"'{slug}' is reserved ({RESERVED_SLUGS[slug]}); using '{slug}-article' "
        "(write another 'slug: ...')"
    )
    return f"{slug}-article", [warning(path, line, "slug", message)]


def read_aliases(
    aliases: tuple[str, ...], path: str, line: int
) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """Old addresses of the article as site URLs. One a static host cannot serve (a query) is
    dropped with a warning; one that would leave the output (`..`, an escape) is an error."""
    found: list[str] = []
    problems: list[Diagnostic] = []
    for alias in aliases:
        url = alias_url(alias)
        parts = urlsplit(alias.strip())
        if url is None and (parts.query or not parts.path.strip("/")):
            why = "has a query, which static hosts ignore" if parts.query else "is the site root"
            message = f"'{alias}' {why}; dropped (redirect it in the web server instead)"
            problems.append(warning(path, line, "aliases", message))
        elif url is None:
            message = (
                f"'{alias}' cannot be a page of a static site "
                "('..', a backslash or a control character)"
            )
            problems.append(error(path, line, "aliases", message))
        elif url not in found:
            found.append(url)
    return tuple(found), problems
