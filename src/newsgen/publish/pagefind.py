"""Pagefind (from PyPI) as a service: pages in, in sorted order, a search bundle's files out.

Pages are sent to Pagefind's service in sorted order: its CLI indexes them in the order the
file system lists them, so its output would differ between machines.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from newsgen.core.urls import is_safe_output_path

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


class PagefindFailed(Exception):
    """Pagefind's service reported an error or stopped before writing the bundle."""


def encode_message(message_id: int, payload: dict[str, object]) -> bytes:
    """One request of Pagefind's service protocol: base64 JSON, then a comma."""
    data = json.dumps({"message_id": message_id, "payload": payload}).encode("utf-8")
    return base64.b64encode(data) + b","


def send_requests(
    service: subprocess.Popen[bytes],
    read: Callable[[str], bytes],
    paths: Sequence[str],
    mark: str = "",
) -> None:
    """Feed the service every article page in sorted order (its index follows that order)."""
    assert service.stdin is not None
    try:
        service.stdin.write(encode_message(1, {"type": "NewIndex", "config": INDEX_CONFIG}))
        for number, rel in enumerate(paths, start=2):
            html = read(rel).decode("utf-8")
            url = "/" + rel + mark
            add = {"type": "AddFile", "index_id": 0, "url": url, "file_contents": html}
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
    binary: Path, read: Callable[[str], bytes], paths: Sequence[str], mark: str = ""
) -> dict[str, bytes]:
    """Index pages through Pagefind's service (a writer thread keeps both pipes moving): the
    bundle's files by path."""
    command = [str(binary), "--service"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as service:
        writer = threading.Thread(
            target=send_requests, args=(service, read, paths, mark), daemon=True
        )
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
