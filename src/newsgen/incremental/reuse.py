"""Incremental: the one owner of every reuse decision a build makes, and of what it keeps.

What the last build left (parse results, related articles, body HTML, page fingerprints, the
URL history, search digests, the no-change shortcut) is read and written here and nowhere
else; the pipeline asks questions and hands over what it made. Without a cache every answer
is "do it again", so a build with and without one differs only in speed.
"""

from __future__ import annotations

import functools
import json
import shutil
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, PageSpec, SiteIndex, Taxonomy, Unparsed
from newsgen.incremental.additions import (
    BEFORE,
    added_positions,
    addition_keeps,
    before_now,
    frame_digest,
    kept_form,
    read_kept,
)
from newsgen.incremental.cache import BuildCache, CacheUnusable, peek_meta
from newsgen.incremental.keys import cache_key, inputs_digest
from newsgen.incremental.media import MediaStore
from newsgen.incremental.records import Layout, Prints, Published
from newsgen.incremental.stores import BodyCacheFile, BundleCacheFile
from newsgen.incremental.url_history import moved_articles, read_url_map, url_map
from newsgen.publish import output
from newsgen.publish.search import map_digest
from newsgen.render.reads import reads_of
from newsgen.render.renderer import Renderer
from newsgen.site.index import RelatedFinder
from newsgen.site.related import Related, RelatedMemo, update_related
from newsgen.source.load import Scan

ParseResult = tuple[Article | Unparsed | None, list[Diagnostic]]
Parsed = dict[str, tuple[str, ParseResult]]  # source path -> (source digest, result)
# A file changed within this long before the last scan may have changed again without its
# size or mtime changing (timestamps are coarse): such files are read again.
RACY_NS = 2_000_000_000
SCHEDULED = "scheduled"  # meta: the articles the last build held back, as JSON
TEMPLATE_NAMES = "template-names"  # snapshot: what each template reads
RELATED = "related"  # snapshot: the last build's related lists (site/related.py)
STRUCTURE = "structure"  # meta: the structure digest the saved fingerprints were made under
SEARCH_BASE = "search-base"  # meta: what the saved search prints were made under
BYTECODE = "templates-"  # compiled templates that newsgen 0.1 kept in the cache folder
SEARCH_PRINT = "/search/"  # pages-table rows of search prints (no output path starts with /)


class Incremental:
    """Answers "may the last build's work be reused?" and remembers this build's work."""

    def __init__(self, cache: BuildCache | None, urls_text: Callable[[], str | None]) -> None:
        self.cache = cache
        self.urls_text = urls_text  # read only when needed: the no-change shortcut skips it
        self.parsed: Parsed = {}
        self.reused_parses: frozenset[str] = frozenset()  # paths whose last result was reused
        self.scan: Scan | None = None
        self.inputs = ("", 0)
        self.layout: Layout | None = None  # this build's, as made or reused
        self.layout_reused = False
        self.loaded_names: dict[str, Any] = {}
        self.media = MediaStore(cache)
        self.related_changed: set[str] | None = None  # paths whose related list was made anew
        self.structure_changed = False  # since the last build: keep a Before for the next

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

    @functools.cached_property
    def last_pages(self) -> dict[str, str]:
        """The last build's page fingerprints and search prints, read once."""
        return self.cache.pages() if self.cache else {}

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

    def manifest_written(self) -> str:
        """The signature of the manifest the last build wrote ("" unknown: no cache)."""
        return (self.cache.meta("manifest") or "") if self.cache else ""

    def last_schedule(self) -> tuple[tuple[str, datetime], ...]:
        """The articles the last build held back (what an up-to-date build reports again)."""
        try:
            items = json.loads(self.cache.meta(SCHEDULED) or "[]") if self.cache else []
            return tuple((str(path), datetime.fromisoformat(moment)) for path, moment in items)
        except (ValueError, TypeError):  # the cache is input, not trust
            return ()

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
        self.reused_parses = frozenset(reused)
        return reused

    def note_parses(self, parsed: Parsed) -> None:
        """This build's parse results, saved for the next build once it is published."""
        self.parsed = dict(sorted(parsed.items()))

    def article_keys(self) -> dict[str, str]:
        """Source path -> digest of its content: what identifies an article for fingerprints."""
        return {path: digest for path, (digest, _) in self.parsed.items()}

    def related_finder(self) -> RelatedFinder | None:
        """Related lists made again only around what changed since the last build (its lists
        and the records they came from are kept in the cache)."""
        cache = self.cache
        if cache is None:
            return None

        def find(
            articles: Sequence[Article],
            taxonomies: Sequence[Taxonomy],
            term_slugs: Mapping[tuple[str, str], str],
            limit: int,
        ) -> Related:
            memo = cache.snapshot(RELATED, RELATED)
            memo = memo if isinstance(memo, RelatedMemo) else RelatedMemo()
            related, now = update_related(articles, taxonomies, term_slugs, limit, memo)
            if now != memo:
                cache.remember_snapshot(RELATED, RELATED, now)
            lists = memo.lists if memo.limit == now.limit else {}
            self.related_changed = {p for p, found in now.lists.items() if lists.get(p) != found}
            return related

        return find

    def reused_index(self, key: str, published: tuple[Article, ...]) -> Layout | None:
        """The last build's layout when made from the same key, its index holding this
        build's articles (same cards in the same order: only bodies differ)."""
        found = self.cache.snapshot("layout", key) if self.cache else None
        if not (isinstance(found, tuple) and len(found) == 4):
            return None
        index, index_problems, pages, plan_problems = found
        if not isinstance(index, SiteIndex) or not isinstance(pages, tuple):
            return None
        index = replace(index, articles=published)
        self.layout = Layout(key, index, tuple(index_problems), pages, tuple(plan_problems))
        self.layout_reused = True
        return self.layout

    def note_index(self, key: str, index: SiteIndex, problems: Sequence[Diagnostic]) -> None:
        """An index made now, to be kept with its plan."""
        self.layout, self.layout_reused = Layout(key, index, tuple(problems)), False

    def reused_plan(self, index: SiteIndex) -> Layout | None:
        """The plan that came with a reused index."""
        layout = self.layout
        return layout if self.layout_reused and layout and layout.index is index else None

    def note_plan(self, pages: tuple[PageSpec, ...], problems: Sequence[Diagnostic]) -> None:
        """A plan made now: kept with its index for the next build."""
        layout = self.layout
        if self.cache is None or layout is None or self.layout_reused:
            return
        kept = (replace(layout.index, articles=()), layout.index_problems, pages, tuple(problems))
        self.cache.remember_snapshot("layout", layout.key, kept)

    def body_cache(self) -> BodyCacheFile | None:
        """Where converted bodies are looked up and kept (None: convert every body)."""
        path = self.cache.path if self.cache else None
        return BodyCacheFile(path) if path and path.exists() else None

    def template_names(self, key: str) -> dict[str, Any]:
        """What each template reads, as the last build with the same templates found it
        (parsing every template again to find out costs 50 ms a build)."""
        found = self.cache.snapshot(TEMPLATE_NAMES, key) if self.cache else None
        self.loaded_names = dict(found) if isinstance(found, dict) else {}
        return dict(self.loaded_names)

    def note_template_names(self, key: str, names: Mapping[str, Any]) -> None:
        """Keep what templates read for the next build, if this build learnt anything."""
        if self.cache is not None and dict(names) != self.loaded_names:
            self.cache.remember_snapshot(TEMPLATE_NAMES, key, dict(names))

    def drop_compiled_templates(self) -> None:
        """Delete the compiled templates earlier builds kept in the cache folder: bytecode is
        code, and a shared cache must not run it (templates are compiled in memory now)."""
        if self.cache is not None:
            for old in self.cache.path.parent.glob(f"{BYTECODE}*"):
                shutil.rmtree(old, ignore_errors=True)

    def pages_to_render(
        self, pages: Sequence[PageSpec], fingerprints: Mapping[str, str], out: Path, clean: bool
    ) -> list[int]:
        """Pages whose fingerprint changed, or whose file is missing from the output."""
        previous = self.last_pages
        signature = output.manifest_signature(out)
        intact = bool(self.cache and signature and self.cache.meta("manifest") == signature)
        return [
            position
            for position, page in enumerate(pages)
            if clean
            or previous.get(page.output_path) != fingerprints[page.output_path]
            or (not intact and not (out / page.output_path).is_file())
        ]

    def fingerprints(self, pages: Sequence[PageSpec], renderer: Renderer) -> Prints:
        """Fingerprints and search prints, before rendering. A page is hashed with what its
        last render read (render/reads.py); one never rendered gets none ("": it is rendered,
        then hashed). Under the last build's structure digest only pages showing a changed
        article whole are hashed again: the others' inputs are the same."""
        structure, search_base = renderer.structure_digest(), renderer.search_base(pages)
        cache, last, articles = self.cache, self.last_pages, renderer.index.articles
        same = cache is not None and cache.meta(STRUCTURE) == structure
        same_search = cache is not None and cache.meta(SEARCH_BASE) == search_base
        changed = self.changed_articles(articles) if last else set()
        keeps = self.addition_keeps(pages, renderer, changed) if last and not same else None
        self.structure_changed = not same
        prints = {}
        for page in pages:
            old = last.get(page.output_path)
            if old is not None:
                reads = reads_of(old)
                if same:
                    again = not changed.isdisjoint(renderer.shown_whole(page))
                else:
                    again = keeps is None or not keeps(page, reads)
                old = renderer.fingerprint(page, reads) if again else old
            prints[page.output_path] = old or ""
        # An addition changes the structure, not what search prints hash: only the changed
        # articles and language versions (whose other versions may be gone) are hashed again.
        previous = last if (same or same_search) else {}
        searched = renderer.search_dependents(changed)
        if same_search and not same:
            searched |= {n for n, article in enumerate(articles) if article.translation_key}
        search = {}
        for page in pages:
            if page.kind == "article":
                found = previous.get(SEARCH_PRINT + page.output_path)
                if found is None or page.article_id in searched:
                    found = renderer.search_fingerprint(page)
                search[page.output_path] = found
        return Prints(prints, search, structure, search_base)

    def addition_keeps(
        self, pages: Sequence[PageSpec], renderer: Renderer, changed: set[int]
    ) -> Callable[[PageSpec, str], bool] | None:
        """After a build that only added articles, which pages keep their last fingerprint
        (incremental/additions.py); None otherwise, and every page is hashed."""
        if self.cache is None or self.related_changed is None:
            return None
        before = read_kept(self.cache.snapshot(BEFORE, frame_digest(renderer)))
        added = added_positions(before, renderer.cards, renderer.index) if before else None
        if before is None or added is None:
            return None
        if not changed <= added:
            return None  # an article's body changed too
        return addition_keeps(renderer, pages, before, added, self.related_changed)

    def settle_prints(
        self,
        prints: Prints,
        pages: Sequence[PageSpec],
        reads: Mapping[int, str],
        renderer: Renderer,
    ) -> Prints:
        """The fingerprints of the pages rendered now, made with what each render read."""
        settled = dict(prints.pages)
        for position, read in reads.items():
            page = pages[position]
            now = settled[page.output_path]
            if not now or reads_of(now) != read:
                settled[page.output_path] = renderer.fingerprint(page, read)
        if self.cache is not None and self.structure_changed:  # what an addition compares
            kept = kept_form(before_now(renderer))
            self.cache.remember_snapshot(BEFORE, frame_digest(renderer), kept)
        return replace(prints, pages=settled)

    def changed_articles(self, articles: Sequence[Article]) -> set[int]:
        """Articles whose file's content differs from the last build's (by position)."""
        assert self.cache is not None
        before, now = self.cache.loaded_sources, self.parsed
        again = now.keys() - self.reused_parses  # a reused result is the same as before
        changed = {path for path in again if before.get(path, (0, 0, ""))[2] != now[path][0]}
        return {n for n, article in enumerate(articles) if article.source_path in changed}

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
            self.cache.save_meta(dict.fromkeys([*forget, STRUCTURE, SEARCH_BASE], ""))

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
            SCHEDULED: json.dumps(
                [[path, moment.isoformat()] for path, moment in published.scheduled]
            ),
            "scanned": str(scan.started_ns),
        }
        prints = published.prints
        pages = {**prints.pages, **{SEARCH_PRINT + p: v for p, v in prints.search.items()}}
        meta[STRUCTURE], meta[SEARCH_BASE] = prints.structure, prints.search_base
        cache.save(sources, parsed, published.body_keys, pages, meta)
        cache.save_meta(published.search_state)  # only now: the bundles are published
        kept = [(k.removeprefix("search:"), v) for k, v in published.search_state.items() if v]
        BundleCacheFile(cache).keep_only((name, map_digest(text)) for name, text in kept)
        self.media.prune()
        # A racy input may change unseen; a build that left the search behind the pages must
        # not let the next one skip it.
        trusted = self.inputs[1] < scan.started_ns - RACY_NS and not published.search_pending
        meta = {
            "inputs": self.inputs[0] if trusted else "",
            "articles": str(len(published.articles)),
        }
        if not self.layout_reused:  # a reused layout: the same cards, so the same URLs
            meta["urls"] = url_map(published.articles, self.previous_urls)
        cache.save_meta(meta)
