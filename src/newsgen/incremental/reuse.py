"""Incremental: the one owner of every reuse decision a build makes, and of what it keeps.

What the last build left (parse results, related articles, body HTML, page fingerprints, the
URL history, search digests, the no-change shortcut) is read and written here and nowhere
else; the pipeline asks questions and hands over what it made. Without a cache every answer
is "do it again", so a build with and without one differs only in speed.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, PageSpec, Taxonomy
from newsgen.incremental.cache import BuildCache, CacheUnusable, peek_meta
from newsgen.incremental.keys import cache_key, inputs_digest
from newsgen.incremental.stores import BodyCacheFile, BundleCacheFile
from newsgen.incremental.url_history import moved_articles, read_url_map, url_map
from newsgen.publish import output
from newsgen.publish.search import map_digest
from newsgen.site.index import RelatedFinder, compute_related, related_key
from newsgen.source.load import Scan

ParseResult = tuple[Article | None, list[Diagnostic]]
Parsed = dict[str, tuple[str, ParseResult]]  # source path -> (source digest, result)
# A file changed within this long before the last scan may have changed again without its
# size or mtime changing (timestamps are coarse): such files are read again.
RACY_NS = 2_000_000_000


class Incremental:
    """Answers "may the last build's work be reused?" and remembers this build's work."""

    def __init__(self, cache: BuildCache | None, urls_text: Callable[[], str | None]) -> None:
        self.cache = cache
        self.urls_text = urls_text  # read only when needed: the no-change shortcut skips it
        self.parsed: Parsed = {}
        self.scan: Scan | None = None
        self.inputs = ("", 0)

    @classmethod
    def open(cls, config: Config, use_cache: bool) -> Incremental:
        """The site's cache, or none when disabled or unusable (e.g. no room on the disk)."""
        cache = None
        if use_cache:
            try:
                cache = BuildCache(config.site_root, cache_key(config))
            except (OSError, sqlite3.Error, CacheUnusable):
                cache = None
        return cls(cache, lambda: cache.meta("urls") if cache else None)

    @classmethod
    def off(cls, config: Config) -> Incremental:
        """No reuse (for `check`, and after a cache proved unusable); URL history still read."""
        return cls(None, lambda: peek_meta(config.site_root, "urls"))

    def discard(self) -> Incremental:
        """Drop a cache that failed mid-build; the build starts again without one."""
        previous = json.dumps(self.previous_urls)  # read before the cache goes
        if self.cache:
            self.cache.discard()
        return Incremental(None, lambda: previous)

    @functools.cached_property
    def previous_urls(self) -> dict[str, list[str]]:
        """Each article's URLs in earlier builds (source path -> URLs), for moved articles."""
        return read_url_map(self.urls_text())

    def is_up_to_date(self, out: Path, now: datetime) -> bool:
        """Nothing changed since the last build: the inputs digest, the output's manifest and
        the clock (no article became due) all say so."""
        if self.cache is None or not self.inputs[0]:
            return False
        signature = output.manifest_signature(out)
        next_change = float(self.cache.meta("next_change") or "inf")
        return (
            self.cache.meta("inputs") == self.inputs[0]
            and bool(signature)
            and self.cache.meta("manifest") == signature
            and now.timestamp() < next_change
        )

    def note_inputs(
        self, config: Config, options: tuple[bool, bool], out: Path, scan: Scan
    ) -> None:
        """Digest every input's path, size and mtime (and the options) for the shortcut."""
        self.scan = scan
        self.inputs = inputs_digest(options, config, out, scan) if self.cache else ("", 0)

    def article_count(self) -> int:
        """Articles the last build published (what an up-to-date build reports)."""
        return int(self.cache.meta("articles") or 0) if self.cache else 0

    def reusable_parses(self, scan: Scan) -> Parsed:
        """Parse results of files whose size and mtime did not change (and not racily)."""
        if self.cache is None:
            return {}
        trusted_before = int(self.cache.meta("scanned") or 0) - RACY_NS
        cached = self.cache.parsed()
        reused: Parsed = {}
        for path, (mtime, size, digest) in self.cache.sources().items():
            unchanged = scan.stats.get(path) == (mtime, size) and mtime < trusted_before
            if unchanged and digest in cached:
                article, problems = cached[digest]
                reused[path] = (digest, (article, list(problems)))
        return reused

    def note_parses(self, parsed: Parsed) -> None:
        """This build's parse results, saved for the next build once it is published."""
        self.parsed = dict(sorted(parsed.items()))

    def article_keys(self) -> dict[str, str]:
        """Source path -> digest of its content: what identifies an article for fingerprints."""
        return {path: digest for path, (digest, _) in self.parsed.items()}

    def related_finder(self) -> RelatedFinder | None:
        """Reuse the last build's related articles when nobody's units or speakers changed."""
        cache = self.cache
        if cache is None:
            return None

        def find(articles: Sequence[Article], taxonomies: Sequence[Taxonomy], limit: int) -> Any:
            key = related_key(taxonomies, limit)
            related = cache.related(key)
            if related is None or len(related) != len(articles):
                related = compute_related(articles, taxonomies, limit)
                cache.remember_related(key, related)
            return related

        return find

    def body_cache(self) -> BodyCacheFile | None:
        """Where converted bodies are looked up and kept (None: convert every body)."""
        path = self.cache.path if self.cache else None
        return BodyCacheFile(path) if path and path.exists() else None

    def pages_to_render(
        self, pages: Sequence[PageSpec], fingerprints: Mapping[str, str], out: Path, clean: bool
    ) -> list[int]:
        """Pages whose fingerprint changed, or whose file is missing from the output."""
        previous = self.cache.pages() if self.cache else {}
        signature = output.manifest_signature(out)
        intact = bool(self.cache and signature and self.cache.meta("manifest") == signature)
        return [
            position
            for position, page in enumerate(pages)
            if clean
            or previous.get(page.output_path) != fingerprints[page.output_path]
            or (not intact and not (out / page.output_path).is_file())
        ]

    def moved(self, articles: Sequence[Article]) -> list[Diagnostic]:
        """Articles whose URL changed since the last build (their old URL is kept as an alias)."""
        return moved_articles(articles, self.previous_urls)

    def search_state(self) -> dict[str, str]:
        """What each published search bundle was indexed from (search: keys), as saved."""
        if self.cache is None:
            return {}
        return self.cache.meta_with_prefix("search:")

    def bundle_store(self) -> BundleCacheFile | None:
        """Where search bundles are kept across builds (None: no cache)."""
        return BundleCacheFile(self.cache) if self.cache else None

    def before_publish(self, staged: Sequence[str], forget: Sequence[str]) -> None:
        """A build killed after publishing must not leave the cache vouching for what it
        replaced: the shortcut, the staged pages' fingerprints and replaced bundles go."""
        if self.cache:
            self.cache.forget_pages(staged)
            self.cache.save_meta(dict.fromkeys(forget, ""))

    def after_publish(self, published: Published) -> None:
        """Remember this build, now that its output is in place."""
        cache, scan = self.cache, self.scan
        if cache is None or scan is None:
            return
        output.checkpoint("cache")
        parsed = {digest: (a, tuple(p)) for digest, (a, p) in self.parsed.values()}
        sources = {path: (*scan.stats[path], digest) for path, (digest, _) in self.parsed.items()}
        meta = {
            "manifest": output.manifest_signature(published.output_dir),
            "next_change": repr(published.next_due),
            "scanned": str(scan.started_ns),
        }
        cache.save(sources, parsed, published.body_keys, published.fingerprints, meta)
        cache.save_meta(published.search_state)  # only now: the bundles are published
        kept = [(k.removeprefix("search:"), v) for k, v in published.search_state.items() if v]
        BundleCacheFile(cache).keep_only((name, map_digest(text)) for name, text in kept)
        trusted = self.inputs[1] < scan.started_ns - RACY_NS  # else it may change unseen
        cache.save_meta(
            {
                "inputs": self.inputs[0] if trusted else "",
                "articles": str(len(published.articles)),
                "urls": url_map(published.articles, self.previous_urls),
            }
        )


@dataclass(frozen=True)
class Published:
    """What a published build hands over for the next build to reuse."""

    output_dir: Path
    articles: Sequence[Article]
    fingerprints: Mapping[str, str]
    body_keys: set[str]
    search_state: Mapping[str, str]
    next_due: float
