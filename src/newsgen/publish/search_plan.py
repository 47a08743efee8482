"""Which search bundles an edit touches: a base bundle per year, one small delta bundle.

A year's base bundle is indexed whole once and then kept. Articles changed or added since
go into one site-wide delta bundle, and the base's copies of changed or deleted articles are
listed in `pagefind/delta.json` so the search page hides them: an edit costs Pagefind the
delta's few pages, whatever the size of the archive or of the year. When the delta passes
DELTA_LIMIT pages, the years it covers are indexed whole again (their new bases hold every
change) and the delta empties. The documents a search finds are always the current ones; the
bytes of the bundles depend on which edits came when, as the search results do not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DELTA = "delta"
DELTA_LIMIT = 50  # pages in the delta (changed plus deleted) before the years are redone
DELTA_MARK = "?d"  # added to the URLs of the delta's pages, so the search page knows them
PENDING = "pending"  # delta.json's flag while the bundles are behind the published pages

PageMap = dict[str, str]  # article page output path -> fingerprint


@dataclass(frozen=True)
class SearchPlan:
    """What this build indexes, keeps and hides."""

    whole: dict[str, list[str]] = field(default_factory=dict)  # years indexed whole (bases)
    kept: dict[str, PageMap] = field(default_factory=dict)  # years whose base stays
    delta: list[str] = field(default_factory=list)  # pages of the delta bundle
    hidden: list[str] = field(default_factory=list)  # base pages the search page hides


def changes_since(
    base: PageMap, paths: Sequence[str], fingerprints: Mapping[str, str]
) -> list[str]:
    """Pages of a year that are new or changed since its base was indexed."""
    return [path for path in paths if base.get(path) != fingerprints.get(path, "")]


def plan_search(
    years: Mapping[str, Sequence[str]],
    fingerprints: Mapping[str, str],
    bases: Mapping[str, PageMap],
    limit: int = DELTA_LIMIT,
) -> SearchPlan:
    """Index a year whole when it has no base; otherwise put its changes in the delta, unless
    the delta would pass the limit: then every year with changes is indexed whole again."""
    current = {path for paths in years.values() for path in paths}
    changed = {
        year: changes_since(bases[year], paths, fingerprints)
        for year, paths in years.items()
        if year in bases
    }
    gone = {year: sorted(set(bases[year]) - current) for year in changed}
    size = sum(len(changed[year]) + len(gone[year]) for year in changed)
    redo = {year for year in changed if changed[year] or gone[year]} if size > limit else set()
    whole = {
        year: list(paths) for year, paths in years.items() if year not in changed or year in redo
    }
    kept = {year: bases[year] for year in changed if year not in redo}
    delta = sorted(path for year in kept for path in changed[year])
    hidden = sorted({*delta, *(path for year in kept for path in gone[year])})
    return SearchPlan(whole, kept, delta, hidden)


def delta_file(plan: SearchPlan) -> bytes:
    """`pagefind/delta.json`: whether there is a delta bundle, and the base pages it hides."""
    return delta_json({"bundle": bool(plan.delta), "hidden": plan.hidden, "mark": DELTA_MARK})


def pending_delta_file(published: bytes | None) -> bytes:
    """`pagefind/delta.json` as published, flagged `pending`: the pages were published ahead
    of the bundles (serve's rebuilds), and the search page says its results may be behind."""
    try:
        value = json.loads(published or b"")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        value = {"bundle": False, "hidden": [], "mark": DELTA_MARK}
    return delta_json({**value, PENDING: True})


def delta_json(value: Mapping[str, object]) -> bytes:
    """delta.json's bytes: the same value always gives the same bytes."""
    return (json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n").encode()


def read_page_map(text: str | None) -> PageMap | None:
    """A saved page map (None when missing or unreadable: the bundle is not trusted)."""
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(path): str(fingerprint) for path, fingerprint in value.items()}


def page_map(paths: Sequence[str], fingerprints: Mapping[str, str]) -> str:
    """A page map as saved: what a bundle was indexed from."""
    return json.dumps({p: fingerprints.get(p, "") for p in sorted(paths)}, sort_keys=True)
