"""Full-text search: index the article pages with Pagefind (from PyPI) into the staging folder.

Only article pages carry `data-pagefind-body`, so only titles, summaries and bodies are
indexed; each page goes into the index of its own `<html lang>`. The bundle's files are staged
like pages and published with them in one step, so search and pages always agree, and a
Pagefind failure leaves the previous output untouched. Pages are sent to Pagefind's service in
sorted order: its CLI indexes them in the order the file system lists them, so its output would
differ between machines.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.core import urls
from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error
from newsgen.core.model import PageSpec
from newsgen.core.urls import is_safe_output_path
from newsgen.publish.publish import Staging

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


def send_requests(
    service: subprocess.Popen[bytes], read: Callable[[str], bytes], paths: Sequence[str]
) -> None:
    """Feed the service every article page in sorted order (its index follows that order)."""
    assert service.stdin is not None
    try:
        service.stdin.write(encode_message(1, {"type": "NewIndex", "config": INDEX_CONFIG}))
        for number, rel in enumerate(paths, start=2):
            html = read(rel).decode("utf-8")
            add = {"type": "AddFile", "index_id": 0, "url": "/" + rel, "file_contents": html}
            service.stdin.write(encode_message(number, add))
        # GetFiles, not WriteFiles: the service answers WriteFiles before its last files are
        # on disk, and stops when its input closes, which left truncated files under load.
        service.stdin.write(encode_message(len(paths) + 2, {"type": "GetFiles", "index_id": 0}))
        service.stdin.flush()
    except (OSError, ValueError):  # a broken pipe, stdin closed by the reader, a page gone
        with contextlib.suppress(OSError, ValueError):
            service.stdin.close()  # the service stops; the reader sees it and reports it


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


def run_pagefind(
    binary: Path, read: Callable[[str], bytes], paths: Sequence[str]
) -> dict[str, bytes]:
    """Index pages through Pagefind's service (a writer thread keeps both pipes moving): the
    bundle's files by path."""
    command = [str(binary), "--service"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as service:
        writer = threading.Thread(target=send_requests, args=(service, read, paths), daemon=True)
        writer.start()
        try:
            files = read_responses(service, len(paths) + 2)
        finally:
            if service.stdin:
                with contextlib.suppress(OSError, ValueError):  # a pipe the service closed
                    service.stdin.close()
            writer.join()
    bundle: dict[str, bytes] = {}
    for item in files:
        path = str(item["path"])
        if not is_safe_output_path(path) or path.startswith("."):
            raise PagefindFailed(f"unexpected file path {path!r}")
        bundle[path] = base64.b64decode(item["content"])
    if "pagefind.js" not in bundle:
        raise PagefindFailed("no pagefind.js was written")
    entry = json.loads(bundle.get("pagefind-entry.json", b"{}"))
    # Pagefind lists languages in hash-map order: sorted, equal input gives equal bytes.
    bundle["pagefind-entry.json"] = json.dumps(
        entry, sort_keys=True, separators=(",", ":")
    ).encode()
    return bundle


def index_year(
    binary: Path, staging: Staging, year: str, paths: Sequence[str]
) -> tuple[set[str], list[Diagnostic]]:
    """One year's bundle into staging (only files whose bytes changed are written)."""
    try:
        bundle = run_pagefind(binary, staging.read, sorted(paths))
    except (PagefindFailed, OSError, ValueError) as exc:
        return set(), [error("newsgen.yaml", 0, "search", f"Pagefind failed: {exc}")]
    made = set()
    for path, data in sorted(bundle.items()):
        rel = f"{urls.SEARCH_BUNDLE}/{year}/{path}"
        staging.put(rel, data)
        made.add(rel)
    return made, []


@dataclass
class SearchResult:
    """The search bundle's files (made now or kept), each year's digest, and problems."""

    files: set[str] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict)
    indexed: list[str] = field(default_factory=list)  # the years indexed again
    problems: list[Diagnostic] = field(default_factory=list)


def existing_bundle(output_dir: Path, year: str) -> set[str]:
    """The files of a year's bundle in the output, as made paths."""
    folder = output_dir / urls.SEARCH_BUNDLE / year
    return {
        f"{urls.SEARCH_BUNDLE}/{year}/{p.relative_to(folder).as_posix()}"
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def stage_search(
    config: Config,
    pages: Sequence[PageSpec],
    staging: Staging,
    fingerprints: Mapping[str, str],
    published_digests: Mapping[str, str],
    jobs: int = 1,
) -> SearchResult:
    """Stage every year's bundle: indexed again where its article pages changed, kept where
    they did not (the digest the last published build saved for it is equal)."""
    result = SearchResult()
    if not config.search:
        return result
    binary = find_pagefind()
    if binary is None:
        hint = "install it with: pip install 'pagefind[extended]', or set search: false"
        result.problems.append(
            error("newsgen.yaml", 0, "search", f"Pagefind is not installed ({hint})")
        )
        return result
    years = pages_by_year(pages)
    todo = {}
    for year, paths in sorted(years.items()):
        digest = search_digest(paths, fingerprints)
        kept = existing_bundle(staging.output_dir, year)
        done = f"{urls.SEARCH_BUNDLE}/{year}/pagefind.js" in kept
        if done and published_digests.get(f"search:{year}") == digest:
            result.files |= kept
        else:
            todo[year] = paths
            result.indexed.append(year)
        result.digests[f"search:{year}"] = digest
    # Each year is its own Pagefind process: run as many at once as there are jobs.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for made, problems in pool.map(
            lambda year: index_year(binary, staging, year, todo[year]), todo
        ):
            result.files |= made
            result.problems.extend(problems)
    years_file = f"{urls.SEARCH_BUNDLE}/years.json"
    staging.put(years_file, (json.dumps(sorted(years, reverse=True)) + "\n").encode())
    result.files.add(years_file)
    return result
