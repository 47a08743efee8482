"""Which search bundles an edit touches: base bundles of a calendar period, one delta bundle.

Article pages are split into bundles of at most `search_bundle_size` pages by calendar period
(shard_pages): Pagefind's memory grows with the pages of one index, so the cap bounds it.
A base bundle is indexed whole once and then kept. Articles changed or added since go into
one site-wide delta bundle, and the base's copies of changed or deleted articles are listed
in `pagefind/delta.json` so the search page hides them: an edit costs Pagefind the delta's
few pages, whatever the size of the archive. When the delta passes DELTA_LIMIT pages, the
bundles it covers are indexed whole again (their new bases hold every change) and the delta
empties. The documents a search finds are always the current ones; the bytes of the bundles
depend on which edits came when, as the search results do not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

DELTA = "delta"
DELTA_LIMIT = 50  # pages in the delta (changed plus deleted) before the bundles are redone
DELTA_MARK = "?d"  # added to the URLs of the delta's pages, so the search page knows them
PENDING = "pending"  # delta.json's flag while the bundles are behind the published pages

PageMap = dict[str, str]  # article page output path -> fingerprint


@dataclass(frozen=True)
class SearchPlan:
    """What this build indexes, keeps and hides."""

    whole: dict[str, list[str]] = field(default_factory=dict)  # bundles indexed whole (bases)
    kept: dict[str, PageMap] = field(default_factory=dict)  # bundles whose base stays
    delta: list[str] = field(default_factory=list)  # pages of the delta bundle
    hidden: list[str] = field(default_factory=list)  # base pages the search page hides


Key = Callable[[list[str]], str]  # a page's path parts -> the name of its period


def period_keys() -> list[Key]:
    """Ever shorter periods of article pages (YYYY/MM/DD/slug/index.html), as bundle names;
    each lies within one period of the level above, so no two get one name."""

    def number(part: str) -> int:
        return int(part) if part.isdigit() else 0

    return [
        lambda p: f"{p[0][:3]}0s" if len(p[0]) == 4 and p[0].isdigit() else p[0],
        lambda p: p[0],
        lambda p: f"{p[0]}-h{1 + (number(p[1]) > 6)}",
        lambda p: f"{p[0]}-q{1 + max(number(p[1]) - 1, 0) // 3}",
        lambda p: f"{p[0]}-{p[1]}",
        lambda p: f"{p[0]}-{p[1]}-{'a' if number(p[2]) <= 15 else 'b'}",  # halves of a month
        lambda p: f"{p[0]}-{p[1]}-w{1 + sum(number(p[2]) > d for d in (8, 15, 23))}",
        lambda p: f"{p[0]}-{p[1]}-{p[2]}",
    ]


def shard_pages(paths: Sequence[str], size: int) -> dict[str, list[str]]:
    """Article pages in bundles of at most `size` (sorted): a decade whole if it fits, else
    each year, half, quarter, month, half or quarter of a month (days 1-15, 16-; 1-8, 9-15,
    16-23, 24-) or day that fits; a larger day in runs by hash. A period
    split when it outgrows the cap costs one index of about `size` pages; otherwise a page
    stays in its bundle for good (its URL holds its date)."""
    shards: dict[str, list[str]] = {}
    split_period(day_runs(sorted(paths)), max(size, 1), 0, shards)
    return shards


Run = tuple[list[str], list[str]]  # the first three parts of some paths (sorted), and them


def day_runs(paths: list[str]) -> list[Run]:
    """Sorted paths in runs sharing their first three parts (a day's pages): the periods are
    then grouped by run, not by page (a page was read once per level: 0.36 s of an edit's
    build at 100,000 articles)."""
    runs: list[Run] = []
    head = "\0"
    for path in paths:
        if not path.startswith(head):
            parts = [*path.split("/"), "", "", ""][:3]
            head = "/".join(parts) + "/"
            runs.append((parts, []))
        runs[-1][1].append(path)
    return runs


def split_period(runs: list[Run], size: int, level: int, shards: dict[str, list[str]]) -> None:
    """Put the runs of one period into shards, splitting what is over the cap."""
    keys = period_keys()
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(keys[level](run[0]), []).append(run)
    for name, group in groups.items():
        if sum(len(paths) for _, paths in group) > size and level + 1 < len(keys):
            split_period(group, size, level + 1, shards)
            continue
        pages = [path for _, paths in group for path in paths]
        if len(pages) <= size:
            shards[name] = pages
        else:
            split_by_hash(name, pages, size, shards)


def split_by_hash(name: str, paths: list[str], size: int, shards: dict[str, list[str]]) -> None:
    """A day over the cap (an import without dates, say), in runs by a hash of the path: a
    page keeps its run until the day's run count changes."""
    runs = -(-len(paths) // size)
    for path in paths:
        digest = hashlib.blake2b(path.encode(), digest_size=8).digest()
        shards.setdefault(f"{name}-{int.from_bytes(digest) % runs + 1}", []).append(path)


def changes_since(
    base: PageMap, paths: Sequence[str], fingerprints: Mapping[str, str]
) -> list[str]:
    """Pages of a bundle that are new or changed since its base was indexed."""
    return [path for path in paths if base.get(path) != fingerprints.get(path, "")]


def plan_search(
    shards: Mapping[str, Sequence[str]],
    fingerprints: Mapping[str, str],
    bases: Mapping[str, PageMap],
    limit: int = DELTA_LIMIT,
) -> SearchPlan:
    """Index a bundle whole when it has no base, or its base holds a page that is now in
    another bundle (the delta hides base copies by path, so only one base may hold a page);
    otherwise put its changes in the delta, unless the delta would pass the limit: then every
    bundle with changes is indexed whole again."""
    home = {path: name for name, paths in shards.items() for path in paths}
    changed = {
        name: changes_since(bases[name], paths, fingerprints)
        for name, paths in shards.items()
        if name in bases
    }
    gone = {name: sorted(p for p in bases[name] if p not in home) for name in changed}
    moved = {name for name in changed if any(home.get(p, name) != name for p in bases[name])}
    size = sum(len(changed[n]) + len(gone[n]) for n in changed if n not in moved)
    redo = {n for n in changed if changed[n] or gone[n]} if size > limit else set()
    redo |= moved
    whole = {
        name: list(paths) for name, paths in shards.items() if name not in changed or name in redo
    }
    kept = {name: bases[name] for name in changed if name not in redo}
    delta = sorted(path for name in kept for path in changed[name])
    hidden = sorted({*delta, *(path for name in kept for path in gone[name])})
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
