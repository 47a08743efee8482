"""After an addition, the pages whose fingerprint may have changed, found without hashing all.

When a build adds articles and changes nothing else (no article edited, moved or removed; the
same settings, templates, newsgen, terms and ref targets), a page shows something new only
if it lists an added article, is the page of an added article, of a neighbour of one, of a
language version of one or of an article whose related list changed, reads a site-wide
value that changed, or is a site-wide page (overviews, the sitemap). Every other page keeps
its last fingerprint: hashing all 19,500 pages took 0.2-0.27 s of a 1.6 s addition at
10,000 articles. The incremental-equals-clean property test covers additions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsgen.core.model import PageSpec, SiteIndex
from newsgen.render.reads import read_flags
from newsgen.render.renderer import Renderer, digest

BEFORE = "before"  # snapshot: what the last build's fingerprints were made from
# Pages of item_ids, by listing_url (a term feed has its term's; the root home's is "").
LISTINGS = frozenset({"home", "date", "term", "term-all", "feed"})
ARTICLE_PAGES = frozenset({"article", "alias"})


@dataclass(frozen=True)
class Before:
    """What a build's fingerprints were made from, besides each page's own inputs: its
    articles in order with their cards, and each template's site-wide values (by the flags
    of what a page read). Kept under the frame digest it was made with."""

    paths: tuple[str, ...]
    cards: tuple[str, ...]
    globals: dict[tuple[str, str], str]

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        """Each article's position then, by path."""
        return {path: n for n, path in enumerate(self.paths)}


def kept_form(before: Before) -> tuple[object, ...]:
    """How a Before is kept in the cache: built-in types only (nothing to allow-list)."""
    return (
        before.paths,
        before.cards,
        tuple((*key, value) for key, value in before.globals.items()),
    )


def read_kept(value: object) -> Before | None:
    """A Before read back from the cache, if it has the shape kept_form gives (the cache is
    input: anything else is ignored, and every page is hashed)."""
    if not (isinstance(value, tuple) and len(value) == 3):
        return None
    paths, cards, found = value
    strings = (str,) * 3
    if not (
        isinstance(paths, tuple)
        and isinstance(cards, tuple)
        and isinstance(found, tuple)
        and len(paths) == len(cards)
        and all(isinstance(x, str) for x in (*paths, *cards))
        and all(isinstance(g, tuple) and tuple(map(type, g)) == strings for g in found)
    ):
        return None
    return Before(paths, cards, {(template, flags): value for template, flags, value in found})


def frame_digest(renderer: Renderer) -> str:
    """What every fingerprint depends on besides articles and site-wide values: settings,
    templates, newsgen, every term's names, labels and history, and where refs lead."""
    refs = repr(sorted(renderer.index.ref_urls.items()))
    return digest(renderer.base_digest, renderer.vocabulary_digest, refs)


def before_now(renderer: Renderer) -> Before:
    """This build's Before, once every page's fingerprint is made (the globals it used)."""
    paths = tuple(article.source_path for article in renderer.index.articles)
    return Before(paths, tuple(renderer.cards), dict(renderer.template_digests))


def added_positions(before: Before, cards: Sequence[str], index: SiteIndex) -> set[int] | None:
    """Where the added articles are now; None unless articles were added and no other card
    changed and none went away."""
    old = before.positions
    added = set()
    for n, article in enumerate(index.articles):
        at = old.get(article.source_path)
        if at is None:
            added.add(n)
        elif before.cards[at] != cards[n]:
            return None
    return added if len(index.articles) - len(added) == len(before.paths) else None


def touched_articles(
    index: SiteIndex, before: Before, added: set[int], related_changed: set[str]
) -> set[int]:
    """Article pages that may show something new: the added ones, those whose newer or older
    neighbour or related list changed, and the language versions of added ones."""
    paths = [article.source_path for article in index.articles]
    old_at = before.positions
    touched = set(added)
    for n, path in enumerate(paths):
        at = old_at.get(path)
        if at is None:
            continue
        now = (neighbour(paths, n - 1), neighbour(paths, n + 1))
        then = (neighbour(before.paths, at - 1), neighbour(before.paths, at + 1))
        if now != then or path in related_changed:
            touched.add(n)
    for n in added:
        key = index.articles[n].translation_key
        touched.update(index.translations.get(key, ()) if key else ())
    return touched


def neighbour(paths: Sequence[str], n: int) -> str:
    """The path at a position, "" off either end."""
    return paths[n] if 0 <= n < len(paths) else ""


def addition_keeps(
    renderer: Renderer,
    pages: Sequence[PageSpec],
    before: Before,
    added: set[int],
    related_changed: set[str],
) -> Callable[[PageSpec, str], bool]:
    """Whether a page (with what its last render read) keeps its last fingerprint."""
    touched = touched_articles(renderer.index, before, added, related_changed)
    listings = {
        page.listing_url
        for page in pages
        if page.kind in LISTINGS and not added.isdisjoint(page.item_ids)
    }

    def keeps(page: PageSpec, reads: str) -> bool:
        if page.kind in ARTICLE_PAGES:
            shown_now = page.article_id not in touched
        else:
            shown_now = page.kind in LISTINGS and page.listing_url not in listings
        key = (page.template, read_flags(reads))
        return shown_now and renderer.globals_digest(*key) == before.globals.get(key)

    return keeps
