"""Full-text search: stage the search bundles (bases by period and one delta, search_plan.py).

Only article pages carry `data-pagefind-body`, so only titles, summaries and bodies are
indexed; each page goes into the index of its own `<html lang>`. The bundles' files are
staged like pages and published with them in one step, so search and pages always agree, and
a Pagefind failure leaves the previous output untouched. A bundle made once is kept in the
output and in the build cache: a deleted output with a kept cache gets it back without
running Pagefind.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from newsgen.core import urls
from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error
from newsgen.core.model import PageSpec
from newsgen.publish.bundle_trust import CodeReference
from newsgen.publish.output import read_manifest
from newsgen.publish.pagefind import (
    PagefindFailed,
    PagefindService,
    find_pagefind,
    run_pagefind,
)
from newsgen.publish.publish import Staging
from newsgen.publish.search_plan import (
    DELTA,
    DELTA_LIMIT,
    DELTA_MARK,
    PageMap,
    SearchPlan,
    delta_file,
    page_map,
    pending_delta_file,
    plan_search,
    read_page_map,
    shard_pages,
)

STATE = "search:"  # prefix of the saved page maps: search:<bundle>, search:delta
LIST = "bundles.json"  # the base bundles, for the search page


class BundleStore(Protocol):
    """Bundles kept across builds by what they were indexed from (the incremental layer's)."""

    def get(self, name: str, digest: str) -> dict[str, bytes] | None: ...

    def put(self, name: str, digest: str, files: Mapping[str, bytes]) -> None: ...


@dataclass
class SearchResult:
    """The bundles' files (made now or kept), what to save once published, and problems."""

    files: set[str] = field(default_factory=set)
    state: dict[str, str] = field(default_factory=dict)  # saved after publishing
    forget: list[str] = field(default_factory=list)  # state no longer true once published
    problems: list[Diagnostic] = field(default_factory=list)
    staged: list[str] = field(default_factory=list)  # files that differ from the output's
    pending: bool = False  # the bundles were kept behind the pages (delta.json says so)

    def stage(self, staging: Staging, rel: str, data: bytes) -> None:
        """Stage one bundle file (if the output does not hold these bytes) and list it."""
        if staging.put(rel, data):
            self.staged.append(rel)
        self.files.add(rel)


@functools.cache
def glibc() -> ctypes.CDLL | None:
    """The C library, if it is glibc (which has malloc_trim); loaded once."""
    try:
        library = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return library if hasattr(library, "malloc_trim") else None


def return_freed_memory() -> None:
    """Give the memory glibc keeps after freeing back to the system: each indexing thread's
    arena keeps the megabytes of the bundles it decoded, beside the Pagefind processes."""
    library = glibc()
    if library is not None:
        library.malloc_trim(0)


def map_digest(text: str) -> str:
    """Short hash of a saved page map: the key of a bundle in the store."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


SEGMENTED = ("ja",)  # languages only Pagefind's extended binary splits into words


def needs_segmenter(pages: Sequence[PageSpec]) -> bool:
    """Whether an article is in a language written without spaces that newsgen does not
    split itself (Chinese it does: one character per word)."""
    return any(
        page.kind == "article" and page.lang.lower().split("-")[0] in SEGMENTED for page in pages
    )


def pages_by_shard(pages: Sequence[PageSpec], size: int) -> dict[str, list[str]]:
    """Article pages by bundle: a calendar period of at most `size` pages each, which bounds
    Pagefind's memory (search_plan.shard_pages)."""
    return shard_pages([page.output_path for page in pages if page.kind == "article"], size)


def bundle_files(output_dir: Path, name: str) -> set[str]:
    """The files of a bundle in the output, as made paths (empty unless it is complete)."""
    folder = f"{urls.SEARCH_BUNDLE}/{name}"
    return (
        files_under(output_dir, folder)
        if (output_dir / folder / "pagefind.js").is_file()
        else set()
    )


def files_under(output_dir: Path, folder: str) -> set[str]:
    """Plain files under a folder of the output, as made paths (a link is never followed or
    taken for newsgen's); walked with os.scandir, as an edit's build lists every bundle."""
    found: set[str] = set()
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            entries = list(os.scandir(output_dir / current))
        except OSError:
            continue
        for entry in entries:
            rel = f"{current}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                folders.append(rel)
            elif entry.is_file(follow_symlinks=False):
                found.add(rel)
    return found


class Bundles:
    """Finds bundles to keep (in the output, else in the store) and makes the others."""

    def __init__(
        self, staging: Staging, store: BundleStore | None, binary: Path, result: SearchResult
    ) -> None:
        self.staging, self.store, self.binary, self.result = staging, store, binary, result
        self.loaded: dict[str, dict[str, bytes]] = {}
        self.listed: dict[str, set[str]] = {}  # each bundle's files in the output, listed once
        self.services: list[PagefindService] = []  # one per indexing thread
        self.local, self.lock = threading.local(), threading.Lock()
        self.reference = CodeReference(binary)  # what a bundle kept in the store must hold

    def in_output(self, name: str) -> set[str]:
        """A bundle's files in the output (empty unless complete), looked up once per build."""
        if name not in self.listed:
            self.listed[name] = bundle_files(self.staging.output_dir, name)
        return set(self.listed[name])

    def available(self, name: str, saved: str) -> bool:
        """A complete bundle indexed from `saved` (a page map) is in the output or the store."""
        if self.in_output(name):
            return True
        files = self.store.get(name, map_digest(saved)) if self.store else None
        if files and self.reference.genuine(files):
            self.loaded[name] = files
            return True
        return False

    def keep(self, name: str, saved: str) -> bool:
        """Keep an available bundle: the output's files, else the store's (staged)."""
        found = self.in_output(name)
        if not found and self.available(name, saved):
            for path, data in sorted(self.loaded.pop(name).items()):
                rel = f"{urls.SEARCH_BUNDLE}/{name}/{path}"
                self.result.stage(self.staging, rel, data)
                found.add(rel)
        self.result.files |= found
        return bool(found)

    def index(self, paths: Sequence[str], mark: str) -> dict[str, bytes] | Diagnostic:
        """Pagefind's bundle of some pages (run in a thread: it only reads staging), by the
        thread's own service; a service that failed is stopped, the next index starts one."""
        service = getattr(self.local, "service", None)
        try:
            if service is None:
                service = self.local.service = PagefindService(self.binary)
                with self.lock:
                    self.services.append(service)
            return run_pagefind(service, self.staging.read, sorted(paths), mark)
        except (PagefindFailed, OSError, ValueError) as exc:
            self.local.service = None
            if service is not None:
                with self.lock:
                    self.services.remove(service)
                service.close()
            return error("newsgen.yaml", 0, "search", f"Pagefind failed: {exc}")

    def close(self) -> None:
        """Stop every Pagefind service the build started."""
        for service in self.services:
            service.close()
        self.services.clear()

    def add(self, name: str, bundle: dict[str, bytes] | Diagnostic, saved: str) -> None:
        """Stage a bundle made now and keep it in the store (in the thread owning the cache)."""
        if isinstance(bundle, Diagnostic):
            self.result.problems.append(bundle)
            return
        for path, data in sorted(bundle.items()):
            rel = f"{urls.SEARCH_BUNDLE}/{name}/{path}"
            self.result.stage(self.staging, rel, data)
        if self.store:
            self.store.put(name, map_digest(saved), bundle)


def saved_bases(
    saved: Mapping[str, str], shards: Mapping[str, Sequence[str]]
) -> dict[str, PageMap]:
    """The page maps the published base bundles were indexed from."""
    bases = {}
    for name in shards:
        base = read_page_map(saved.get(f"{STATE}{name}"))
        if base is not None:
            bases[name] = base
    return bases


def stage_search(
    config: Config,
    pages: Sequence[PageSpec],
    staging: Staging,
    fingerprints: Mapping[str, str],
    saved: Mapping[str, str],
    store: BundleStore | None = None,
    jobs: int = 1,
    defer: bool = False,
) -> SearchResult:
    """Stage every bundle: bundles without a base indexed whole, the others kept with their
    changes in the delta bundle (or indexed whole again once the delta is too large). With
    `defer` (serve's rebuilds), a build that would run Pagefind keeps the published bundles
    instead, flagged as behind the pages: a save is published at once, the search follows."""
    if not config.search:
        return SearchResult()
    binary = find_pagefind(segment=needs_segmenter(pages))
    if binary is None:
        hint = "install it with: pip install 'pagefind[bin,extended]', or set search: false"
        return SearchResult(
            problems=[error("newsgen.yaml", 0, "search", f"Pagefind is not installed ({hint})")]
        )
    shards = pages_by_shard(pages, config.search_bundle_size)
    if defer:  # most often known from the saved state alone, without listing any bundle
        quick = plan_search(shards, fingerprints, saved_bases(saved, shards))
        if needs_pagefind(quick, fingerprints, saved):
            return defer_search(staging, saved)
    bundles = Bundles(staging, store, binary, SearchResult())
    plan = plan_search(shards, fingerprints, available_bases(bundles, saved, shards), DELTA_LIMIT)
    if defer and needs_pagefind(plan, fingerprints, saved, bundles):
        return defer_search(staging, saved)
    stage_plan(bundles, plan, shards, fingerprints, saved, jobs)
    return bundles.result


def stage_plan(
    bundles: Bundles,
    plan: SearchPlan,
    shards: Mapping[str, Sequence[str]],
    fingerprints: Mapping[str, str],
    saved: Mapping[str, str],
    jobs: int,
) -> None:
    """Keep the bases the plan keeps, make the other bundles, write the lists and note the
    state to save (and the saved state no longer true) once published."""
    result = bundles.result
    for name in plan.kept:
        bundles.keep(name, saved[f"{STATE}{name}"])
        result.state[f"{STATE}{name}"] = saved[f"{STATE}{name}"]
    bundles.loaded.clear()
    make_bundles(bundles, plan, fingerprints, saved, jobs)
    write_lists(bundles.staging, plan, shards, result)
    gone = [key for key in saved if key.startswith(STATE) and key not in result.state]
    result.state.update(dict.fromkeys(gone, ""))


def available_bases(
    bundles: Bundles, saved: Mapping[str, str], shards: Mapping[str, Sequence[str]]
) -> dict[str, PageMap]:
    """The saved bases whose bundle is complete in the output or the store."""
    return {
        name: base
        for name, base in saved_bases(saved, shards).items()
        if bundles.available(name, saved[f"{STATE}{name}"])
    }


def needs_pagefind(
    plan: SearchPlan,
    fingerprints: Mapping[str, str],
    saved: Mapping[str, str],
    bundles: Bundles | None = None,
) -> bool:
    """Whether staging a plan runs Pagefind: a bundle indexed whole, or a delta not made yet
    (with `bundles`, also one made but no longer in the output or the store)."""
    if plan.whole:
        return True
    if not plan.delta:
        return False
    delta = page_map(plan.delta, fingerprints)
    if saved.get(f"{STATE}{DELTA}") != delta:
        return True
    return bundles is not None and not bundles.available(DELTA, delta)


def defer_search(staging: Staging, saved: Mapping[str, str]) -> SearchResult:
    """Keep the published bundles and their saved state as they are, with delta.json flagged
    pending until a build that runs Pagefind catches up (the search page shows a notice)."""
    result = SearchResult(published_search_files(staging.output_dir), dict(saved), pending=True)
    rel = f"{urls.SEARCH_BUNDLE}/delta.json"
    published = (staging.output_dir / rel).read_bytes() if rel in result.files else None
    result.stage(staging, rel, pending_delta_file(published))
    return result


def published_search_files(output_dir: Path) -> set[str]:
    """The search files in the output that the last build listed as made."""
    return files_under(output_dir, urls.SEARCH_BUNDLE) & read_manifest(output_dir).files


def make_bundles(
    bundles: Bundles,
    plan: SearchPlan,
    fingerprints: Mapping[str, str],
    saved: Mapping[str, str],
    jobs: int,
) -> None:
    """Index the bundles that need it (as many Pagefind processes at once as jobs) and the
    delta (unless the published one was indexed from the same pages)."""
    result = bundles.result
    work = {name: page_map(paths, fingerprints) for name, paths in sorted(plan.whole.items())}
    if plan.delta:
        delta = page_map(plan.delta, fingerprints)
        if saved.get(f"{STATE}{DELTA}") == delta and bundles.keep(DELTA, delta):
            result.state[f"{STATE}{DELTA}"] = delta
        else:
            work[DELTA] = delta
    result.forget += [f"{STATE}{name}" for name in work]

    def index(name: str) -> dict[str, bytes] | Diagnostic:
        if name == DELTA:
            return bundles.index(plan.delta, DELTA_MARK)
        return bundles.index(plan.whole[name], "")

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for name, bundle in zip(work, pool.map(index, work), strict=True):
                bundles.add(name, bundle, work[name])
                del bundle
                return_freed_memory()
    finally:
        bundles.close()
    result.state.update({f"{STATE}{name}": text for name, text in work.items()})


def bundle_languages(staging: Staging, name: str) -> list[str]:
    """The languages a bundle (staged or kept in the output) holds an index of."""
    try:
        entry = json.loads(staging.read(f"{urls.SEARCH_BUNDLE}/{name}/pagefind-entry.json"))
        return sorted(str(language) for language in entry.get("languages", {}))
    except (OSError, ValueError, AttributeError):
        return []


def write_lists(
    staging: Staging, plan: SearchPlan, shards: Mapping[str, object], result: SearchResult
) -> None:
    """`bundles.json` (the base bundles, newest first, each with its languages: the search
    page need not fetch every bundle's entry file to learn them) and `delta.json`."""
    listed = [[name, bundle_languages(staging, name)] for name in sorted(shards, reverse=True)]
    names = {LIST: json.dumps(listed, ensure_ascii=False) + "\n", "delta.json": ""}
    for name, text in names.items():
        rel = f"{urls.SEARCH_BUNDLE}/{name}"
        result.stage(staging, rel, text.encode() if text else delta_file(plan))
