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
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from newsgen.core.urls import is_safe_output_path

BINARY_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")
INDEX_CONFIG = {"keep_index_url": True}
# Pagefind's ready-made interfaces, which newsgen's search page (its JavaScript API) does not
# load: 420 KB a bundle, left out of every bundle.
UNUSED_FILES = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-highlight.js",
    }
)


def find_pagefind(segment: bool = False) -> Path | None:
    """The Pagefind binary that pip installed. The plain one unless `segment`: newsgen spaces
    Chinese itself (render/cjk.py), and the extended one, which splits Chinese and Japanese
    with dictionaries, took 50 MB more a process and 15% longer; Japanese needs it."""
    names = BINARY_PACKAGES if segment else tuple(reversed(BINARY_PACKAGES))
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return Path(module.get_executable())
        except (FileNotFoundError, OSError, AttributeError):
            continue
    commands = ("pagefind_extended", "pagefind") if segment else ("pagefind", "pagefind_extended")
    found = next(filter(None, map(shutil.which, commands)), None)
    return Path(found) if found else None


STOPPED = "the Pagefind service stopped before writing the index"


class PagefindFailed(Exception):
    """Pagefind's service reported an error or stopped before writing the bundle."""


def encode_message(message_id: int, payload: dict[str, object]) -> bytes:
    """One request of Pagefind's service protocol: base64 JSON, then a comma."""
    data = json.dumps({"message_id": message_id, "payload": payload}).encode("utf-8")
    return base64.b64encode(data) + b","


BODY_MARK = b"data-pagefind-body"
TAG_NAME = re.compile(rb"[a-zA-Z][a-zA-Z0-9-]*")
# What Pagefind reads anywhere on a page, and markup that makes what follows text (a comment,
# a raw-text element): none may be in what is cut away.
KEEP_WHOLE = re.compile(
    rb"data-pagefind|<h1\b|<img\b|<!--|<(?:script|style|template|textarea|title|noscript|xmp"
    rb"|iframe|noembed|noframes|plaintext)\b",
    re.IGNORECASE,
)


def searched_part(page: bytes) -> bytes:
    """The page as Pagefind reads it: its head and its data-pagefind-body element, unless
    something Pagefind reads anywhere (a data-pagefind attribute, the first h1, an image after
    it) or markup that makes the element text lies outside them; it would parse the
    navigation and footer for nothing (10% of its time at 10,000 articles), and what it
    writes is byte for byte the same. Linear: found with bytes.find, not a regex."""
    head_end = page.find(b"</head>")
    mark = page.find(BODY_MARK, head_end) if head_end >= 0 else -1
    start = page.rfind(b"<", head_end, mark) if mark > 0 else -1
    name = TAG_NAME.match(page, start + 1) if start >= 0 else None
    if name is None or not is_attribute(page, start, mark):
        return page
    close = b"</" + name.group() + b">"
    end = page.rfind(close)
    if end < start:
        return page
    end += len(close)
    if KEEP_WHOLE.search(page, head_end, start) or KEEP_WHOLE.search(page, end):
        return page
    return b"".join((page[:head_end], b"</head><body>", page[start:end], b"</body></html>"))


def is_attribute(page: bytes, tag_start: int, mark: int) -> bool:
    """Whether the mark is an attribute name of the tag begun at tag_start: after a blank,
    with the tag still open and no quoted value open (a quote of the other kind inside a
    value says no too, which only sends a page whole)."""
    return (
        page[mark - 1 : mark].isspace()
        and page.find(b">", tag_start, mark) < 0
        and page.count(b'"', tag_start, mark) % 2 == 0
        and page.count(b"'", tag_start, mark) % 2 == 0
    )


def send_requests(
    service: subprocess.Popen[bytes],
    read: Callable[[str], bytes],
    paths: Sequence[str],
    ids: tuple[int, int],
    mark: str = "",
) -> None:
    """Feed the service every page of an index in sorted order (its index follows that order),
    then ask for the files; `ids` are the index's and the first message's."""
    assert service.stdin is not None
    index_id, first = ids
    try:
        for number, rel in enumerate(paths, start=first):
            html = searched_part(read(rel)).decode("utf-8")
            url = "/" + rel + mark
            add = {"type": "AddFile", "index_id": index_id, "url": url, "file_contents": html}
            service.stdin.write(encode_message(number, add))
        # GetFiles, not WriteFiles: the service answers WriteFiles before its last files are
        # on disk, and stops when its input closes, which left truncated files under load.
        get = {"type": "GetFiles", "index_id": index_id}
        service.stdin.write(encode_message(first + len(paths), get))
        service.stdin.flush()
    except (OSError, ValueError):  # a broken pipe, stdin closed by the reader, a page gone
        with contextlib.suppress(OSError, ValueError):
            service.stdin.close()  # the service stops; the reader sees it and reports it


class PagefindService:
    """One Pagefind service process that indexes bundles one after another: its start-up and
    its word dictionaries are paid once per build thread, not once per bundle, and each
    index is deleted once its files are out, so memory is that of one bundle."""

    def __init__(self, binary: Path) -> None:
        command = [str(binary), "--service"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pending = b""
        self.last_id = 0

    def close(self) -> None:
        """Stop the service (closing its input ends it) and wait for it."""
        if self.process.stdin:
            with contextlib.suppress(OSError, ValueError):  # a pipe the service closed
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def request(self, payload: dict[str, object]) -> dict[str, object]:
        """Send one request and wait for its answer."""
        assert self.process.stdin is not None
        self.last_id += 1
        try:
            self.process.stdin.write(encode_message(self.last_id, payload))
            self.process.stdin.flush()
        except (OSError, ValueError) as exc:  # it stopped before reading: said as answer() says it
            raise PagefindFailed(STOPPED) from exc
        return self.answer(self.last_id)

    def answer(self, message_id: int) -> dict[str, object]:
        """Read answers up to the one to `message_id`; any error answer fails the index."""
        assert self.process.stdout is not None
        while True:
            while b"," in self.pending:
                message, self.pending = self.pending.split(b",", 1)
                response = json.loads(base64.b64decode(message)) or {}
                payload: dict[str, object] = response.get("payload") or {}
                if payload.get("type") == "Error":
                    raise PagefindFailed(str(payload.get("message", payload))[:300])
                if response.get("message_id") == message_id:
                    return payload
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise PagefindFailed(STOPPED)
            self.pending += chunk

    def index(
        self, read: Callable[[str], bytes], paths: Sequence[str], mark: str = ""
    ) -> list[dict[str, str]]:
        """Index pages (a writer thread keeps both pipes moving): the bundle's files as the
        service lists them; the index is deleted from the service after."""
        new = self.request({"type": "NewIndex", "config": INDEX_CONFIG})
        index_id = int(str(new.get("index_id", 0)))
        first, self.last_id = self.last_id + 1, self.last_id + len(paths) + 1
        ids = (index_id, first)
        writer = threading.Thread(
            target=send_requests, args=(self.process, read, paths, ids, mark), daemon=True
        )
        writer.start()
        try:
            files: list[dict[str, str]] = self.answer(self.last_id).get("files", [])  # type: ignore[assignment]
        except BaseException:
            # Nobody reads the service's answers any more: it would stop reading pages when
            # its output pipe fills, and the writer would wait on it for ever.
            self.process.kill()
            raise
        finally:
            writer.join()
        self.request({"type": "DeleteIndex", "index_id": index_id})
        return files


def run_pagefind(
    service: PagefindService, read: Callable[[str], bytes], paths: Sequence[str], mark: str = ""
) -> dict[str, bytes]:
    """Index pages through Pagefind's service: the bundle's files by path."""
    bundle: dict[str, bytes] = {}
    for item in service.index(read, paths, mark):
        path = str(item["path"])
        if not is_safe_output_path(path) or path.startswith("."):
            raise PagefindFailed(f"unexpected file path {path!r}")
        if path not in UNUSED_FILES:
            bundle[path] = base64.b64decode(item["content"])
    if "pagefind.js" not in bundle:
        raise PagefindFailed("no pagefind.js was written")
    entry = json.loads(bundle.get("pagefind-entry.json", b"{}"))
    # Pagefind lists languages in hash-map order: sorted, equal input gives equal bytes.
    bundle["pagefind-entry.json"] = json.dumps(
        entry, sort_keys=True, separators=(",", ":")
    ).encode()
    return bundle
