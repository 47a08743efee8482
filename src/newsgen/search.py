"""Full-text search: index the article pages with Pagefind (from PyPI), then swap its bundle in.

Only article pages carry `data-pagefind-body`, so only titles, summaries and bodies are
indexed; each page goes into the index of its own `<html lang>`. The bundle is written beside
the old one and renamed into place, so readers never see half an index. Pages are sent to
Pagefind's service in sorted order: its CLI indexes them in the order the file system lists
them, so its output would differ between machines.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from newsgen import urls
from newsgen.cache import BuildCache
from newsgen.config import Config
from newsgen.diagnostics import Diagnostic, error
from newsgen.model import PageSpec

BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
INDEX_CONFIG = {"keep_index_url": True}


def find_pagefind() -> Path | None:
    """The Pagefind binary that pip installed (the extended one segments Chinese)."""
    for name in BINARY_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(module.get_executable())
        except (FileNotFoundError, OSError, AttributeError):
            continue
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


def search_digest(paths: Sequence[str], fingerprints: Mapping[str, str]) -> str:
    """What an index was made from: its article pages and their fingerprints."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        hasher.update(f"{path}\0{fingerprints.get(path, '')}\n".encode())
    return hasher.hexdigest()


def pages_by_year(pages: Sequence[PageSpec]) -> dict[str, list[str]]:
    """Article pages grouped by year (their URLs start with it): one index per year keeps
    Pagefind's memory bounded by the largest year, and a new article re-indexes one year."""
    years: dict[str, list[str]] = {}
    for page in pages:
        if page.kind == "article":
            years.setdefault(page.output_path.split("/", 1)[0], []).append(page.output_path)
    return years


class PagefindFailed(Exception):
    """Pagefind's service reported an error or stopped before writing the bundle."""


def encode_message(message_id: int, payload: dict[str, object]) -> bytes:
    """One request of Pagefind's service protocol: base64 JSON, then a comma."""
    data = json.dumps({"message_id": message_id, "payload": payload}).encode("utf-8")
    return base64.b64encode(data) + b","


def send_requests(service: subprocess.Popen[bytes], output_dir: Path, paths: Sequence[str]) -> None:
    """Feed the service every article page in sorted order (its index follows that order)."""
    assert service.stdin is not None
    try:
        service.stdin.write(encode_message(1, {"type": "NewIndex", "config": INDEX_CONFIG}))
        for number, rel in enumerate(paths, start=2):
            html = (output_dir / rel).read_text(encoding="utf-8")
            add = {"type": "AddFile", "index_id": 0, "url": "/" + rel, "file_contents": html}
            service.stdin.write(encode_message(number, add))
        # GetFiles, not WriteFiles: the service answers WriteFiles before its last files are
        # on disk, and stops when its input closes, which left truncated files under load.
        service.stdin.write(encode_message(len(paths) + 2, {"type": "GetFiles", "index_id": 0}))
        service.stdin.flush()
    except (BrokenPipeError, OSError):
        pass  # the reader sees the service stop and reports it


def read_responses(service: subprocess.Popen[bytes], last_id: int) -> list[dict[str, str]]:
    """Wait for the bundle's files (the last response); any error response fails the index."""
    assert service.stdout is not None
    pending = b""
    while chunk := os.read(service.stdout.fileno(), 1 << 20):
        pending += chunk
        *messages, pending = pending.split(b",")
        for message in messages:
            response = json.loads(base64.b64decode(message)) or {}
            payload = response.get("payload") or {}
            if payload.get("type") == "Error":
                raise PagefindFailed(str(payload.get("message", payload))[:300])
            if response.get("message_id") == last_id:
                files: list[dict[str, str]] = payload.get("files", [])
                return files
    raise PagefindFailed("the Pagefind service stopped before writing the index")


def run_pagefind(binary: Path, output_dir: Path, paths: Sequence[str], bundle: Path) -> None:
    """Index pages through Pagefind's service; a writer thread keeps both pipes moving."""
    command = [str(binary), "--service"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as service:
        writer = threading.Thread(
            target=send_requests, args=(service, output_dir, paths), daemon=True
        )
        writer.start()
        try:
            files = read_responses(service, len(paths) + 2)
        finally:
            if service.stdin:
                service.stdin.close()
            writer.join()
    for item in sorted(files, key=lambda f: f["path"]):
        target = bundle / item["path"]
        if not target.resolve().is_relative_to(bundle.resolve()):
            raise PagefindFailed(f"unexpected file path {item['path']!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(item["content"]))


def build_search_index(
    output_dir: Path, article_paths: Sequence[str], bundle: Path
) -> list[Diagnostic]:
    """Index some article pages with Pagefind into `bundle`, published atomically."""
    binary = find_pagefind()
    if binary is None:
        hint = "install it with: pip install 'pagefind[extended]', or set search: false"
        return [error("newsgen.yaml", 0, "search", f"Pagefind is not installed ({hint})")]
    fresh = output_dir / f".{urls.SEARCH_BUNDLE}-new" / bundle.name
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        run_pagefind(binary, output_dir, sorted(article_paths), fresh)
        if not (fresh / "pagefind.js").is_file():
            raise PagefindFailed("no pagefind.js was written")
    except (PagefindFailed, OSError, ValueError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        return [error("newsgen.yaml", 0, "search", f"Pagefind failed: {exc}")]
    sort_entry(fresh / "pagefind-entry.json")
    bundle.parent.mkdir(exist_ok=True)
    swap_in(fresh, bundle)
    return []


def sort_entry(entry_path: Path) -> None:
    """Pagefind lists languages in hash-map order: sort them so equal input gives equal bytes."""
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    entry_path.write_text(json.dumps(entry, sort_keys=True, separators=(",", ":")), "utf-8")


def same_tree(first: Path, second: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    others = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    return files == others and all(
        (first / f).read_bytes() == (second / f).read_bytes() for f in files
    )


def swap_in(fresh: Path, bundle: Path) -> None:
    """Replace the old bundle with the new one (each rename is atomic); an identical bundle
    is left alone, so its files keep their times and a deploy sees no change."""
    if bundle.is_dir() and same_tree(fresh, bundle):
        shutil.rmtree(fresh)
        return
    old = bundle.with_name(f".{bundle.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        os.rename(bundle, old)
    os.rename(fresh, bundle)
    shutil.rmtree(old, ignore_errors=True)


def update_search(
    config: Config,
    pages: Sequence[PageSpec],
    output_dir: Path,
    fingerprints: Mapping[str, str],
    cache: BuildCache | None,
    jobs: int = 1,
) -> list[Diagnostic]:
    """The build's last stage: index again each year whose article pages changed.

    A year's digest is saved only after its new bundle is in place, so a build killed while
    Pagefind runs leaves a mismatch and the next build indexes that year again.
    """
    if not config.search:
        return []
    root = output_dir / urls.SEARCH_BUNDLE
    clear_leftovers(output_dir, root)
    years = pages_by_year(pages)
    todo = {}
    for year, paths in sorted(years.items()):
        digest = search_digest(paths, fingerprints)
        bundle_ok = (root / year / "pagefind.js").is_file()
        if not (cache and bundle_ok and cache.meta(f"search:{year}") == digest):
            todo[year] = (paths, digest)
    problems: list[Diagnostic] = []
    # Each year is its own Pagefind process: run as many at once as there are jobs.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = pool.map(
            lambda year: build_search_index(output_dir, todo[year][0], root / year), todo
        )
        for year, found in zip(todo, results, strict=True):
            problems.extend(found)
            if cache and not found:
                cache.save_meta({f"search:{year}": todo[year][1]})
    for stale in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in years):
        shutil.rmtree(stale)
    write_if_changed(root / "years.json", json.dumps(sorted(years, reverse=True)) + "\n")
    shutil.rmtree(output_dir / f".{urls.SEARCH_BUNDLE}-new", ignore_errors=True)
    return problems


def clear_leftovers(output_dir: Path, root: Path) -> None:
    """Working folders of a killed build, and a bundle of the one-index layout, go."""
    shutil.rmtree(output_dir / f".{urls.SEARCH_BUNDLE}-new", ignore_errors=True)
    if (root / "pagefind.js").is_file():
        shutil.rmtree(root)
    root.mkdir(exist_ok=True)
    for old in root.glob(".*-old"):
        shutil.rmtree(old, ignore_errors=True)


def write_if_changed(path: Path, text: str) -> None:
    """Write a small file atomically, and only when its bytes change."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
