"""What makes rebuilds incremental: cache keys, the no-change shortcut, page fingerprints."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from newsgen import __version__
from newsgen.core.config import CONFIG_FILE, Config
from newsgen.core.model import PageSpec
from newsgen.incremental.cache import BuildCache, CacheUnusable
from newsgen.pipeline.reading import BuildOptions, Scan, Site
from newsgen.publish import output
from newsgen.source.load import stat_tree
from newsgen.source.vocab import vocabulary_files


@functools.cache
def code_digest() -> str:
    """newsgen's own files (code and built-in theme): an upgrade or a local change of newsgen
    invalidates the cache even when its version number stays the same."""
    package = Path(__file__).parent.parent  # the whole package: moving a module changes it too
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if (
            path.suffix in {".py", ".html", ".xml", ".txt", ".css", ".js", ".yaml"}
            and path.is_file()
        ):
            hasher.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return hasher.hexdigest()


def cache_key(config: Config) -> str:
    """Settings, vocabularies and newsgen itself: what parsed articles depend on besides
    their own file."""
    settings = repr(replace(config, site_root=Path("."))) + code_digest()
    hasher = hashlib.blake2b(settings.encode(), digest_size=16)
    for rel in sorted(vocabulary_files(config).values()):
        path = config.site_root / rel
        hasher.update(rel.encode() + (path.read_bytes() if path.is_file() else b""))
    return hasher.hexdigest()


def inputs_digest(options: BuildOptions, config: Config, out: Path, scan: Scan) -> tuple[str, int]:
    """Every input's path, size and mtime, and the options (unchanged: nothing to do), with
    the newest mtime among them."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(
        repr((__version__, code_digest(), options.drafts, options.future, str(out))).encode()
    )
    hasher.update(repr(sorted(scan.stats.items())).encode())
    newest = max((mtime for mtime, _ in scan.stats.values()), default=0)
    for folder in (config.templates_dir, config.static_dir, config.data_dir):
        entries = stat_tree(config.site_root, folder)
        newest = max([newest, *(mtime for _, mtime, _ in entries)])
        hasher.update(repr(entries).encode())
    config_file = config.site_root / CONFIG_FILE
    hasher.update(config_file.read_bytes() if config_file.is_file() else b"")
    return hasher.hexdigest(), newest


def open_cache(options: BuildOptions, config: Config) -> BuildCache | None:
    """The site's build cache, or none when disabled or unusable."""
    if not options.use_cache:
        return None
    try:
        return BuildCache(config.site_root, cache_key(config))
    except (OSError, sqlite3.Error, CacheUnusable):  # e.g. no room left on the disk
        return None


def is_up_to_date(cache: BuildCache, digest: str, out: Path, now: datetime) -> bool:
    """Nothing changed since the last build and its output is still in place."""
    signature = output.manifest_signature(out)
    next_change = float(cache.meta("next_change") or "inf")
    return (
        cache.meta("inputs") == digest
        and bool(signature)
        and cache.meta("manifest") == signature
        and now.timestamp() < next_change
    )


def pages_to_render(
    renderer: Any,
    pages: tuple[PageSpec, ...],
    previous: Mapping[str, str],
    out: Path,
    clean: bool,
    output_intact: bool,
) -> tuple[list[int], dict[str, str]]:
    """Pages whose fingerprint changed, or whose file is missing from the output."""
    fingerprints: dict[str, str] = {}
    todo: list[int] = []
    for position, page in enumerate(pages):
        fingerprint = renderer.fingerprint(page)
        fingerprints[page.output_path] = fingerprint
        if (
            clean
            or previous.get(page.output_path) != fingerprint
            or (not output_intact and not (out / page.output_path).is_file())
        ):
            todo.append(position)
    return todo, fingerprints


def save_cache(
    cache: BuildCache,
    site: Site,
    fingerprints: dict[str, str],
    manifest: str,
    body_keys: set[str],
) -> None:
    """Remember this build: sources, parse results, new bodies, page fingerprints."""
    parsed = {
        digest: (article, tuple(problems)) for digest, (article, problems) in site.parsed.items()
    }
    meta = {
        "manifest": manifest,
        "next_change": repr(site.next_change),
        "scanned": str(site.scanned_ns),
    }
    cache.save(site.sources, parsed, body_keys, fingerprints, meta)
