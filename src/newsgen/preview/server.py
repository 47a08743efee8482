"""`newsgen serve`: an HTTP preview of the output folder that reloads open pages after rebuilds.

Only files inside the output folder are served. The live-reload script is added to pages as
they are sent, never written to the output. Requests whose Host header names a domain other
than localhost are refused, so a web page cannot reach the preview through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import re
import secrets
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

LIVE_PREFIX = "/__newsgen__/"
EVENTS_PATH = LIVE_PREFIX + "events"
SCRIPT_PATH = LIVE_PREFIX + "live.js"
STATUS_PATH = LIVE_PREFIX + "status"
KEEPALIVE_SECONDS = 15.0
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
FALLBACK_404 = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>"
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/javascript")


@dataclass
class LiveState:
    """What open pages follow: a version bumped by each rebuild that changed files, and errors."""

    server_id: str = field(default_factory=lambda: secrets.token_hex(8))
    version: int = 0
    errors: tuple[str, ...] = ()
    stopping: bool = False
    condition: threading.Condition = field(default_factory=threading.Condition)
    search: str = "current"  # the search bundles: current, behind the pages, or updating
    search_passes: tuple[int, int] = (0, 0)  # background search passes started, finished

    def update(self, changed: bool, errors: tuple[str, ...]) -> None:
        """Record a rebuild's outcome and wake every open page."""
        with self.condition:
            self.version += int(changed)
            self.errors = errors
            self.condition.notify_all()

    def note_search(self, search: str, started: bool = False, finished: bool = False) -> None:
        """Record where the search stands, and count the background passes."""
        with self.condition:
            self.search = search
            runs, done = self.search_passes
            self.search_passes = (runs + started, done + finished)

    def status(self) -> dict[str, object]:
        """Everything the state knows, for tools and tests (the status URL)."""
        with self.condition:
            runs, done = self.search_passes
            return {
                "server": self.server_id,
                "version": self.version,
                "errors": list(self.errors),
                "search": self.search,
                "search_passes_started": runs,
                "search_passes_finished": done,
            }

    def stop(self) -> None:
        """Let every event stream end."""
        with self.condition:
            self.stopping = True
            self.condition.notify_all()

    def snapshot(self) -> tuple[int, tuple[str, ...]]:
        """The current version and errors."""
        with self.condition:
            return self.version, self.errors

    def wait_change(self, seen: tuple[int, tuple[str, ...]], timeout: float) -> bool:
        """Wait until the state differs from `seen` (False on timeout or when stopping)."""
        with self.condition:
            changed = self.condition.wait_for(
                lambda: self.stopping or (self.version, self.errors) != seen, timeout
            )
            return changed and not self.stopping

    def event(self, snapshot: tuple[int, tuple[str, ...]]) -> bytes:
        """A snapshot of the state as one server-sent event."""
        version, errors = snapshot
        data = json.dumps({"server": self.server_id, "version": version, "errors": errors})
        return f"event: state\ndata: {data}\n\n".encode()


def resolve_request_path(output_dir: Path, request_path: str) -> Path | None:
    """The file or folder a URL path names inside the output folder; None if it would leave it."""
    try:
        decoded = unquote(urlsplit(request_path).path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded or not decoded.startswith("/"):
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if any(part == ".." or (part.startswith(".") and part != ".well-known") for part in parts):
        return None
    root = output_dir.resolve()
    candidate = root.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real == root or real.is_relative_to(root) else None


def folder_location(output_dir: Path, folder: Path, query: str) -> str:
    """Where to send a request for a folder without its slash: the folder's own path from
    the site root, so never `//host/...` (an open redirect to another site)."""
    parts = folder.relative_to(output_dir.resolve()).parts
    path = "/" + "".join(f"{quote(part)}/" for part in parts)
    return path + (f"?{query}" if query else "")


def is_allowed_host(host_header: str | None, allowed: frozenset[str]) -> bool:
    """IP addresses, localhost and names given with --allow-host; anything else may be rebinding."""
    if host_header is None:
        return True  # HTTP/1.0 clients; browsers always send Host
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost") or host in allowed:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def add_live_script(page: bytes, state: LiveState, version: int) -> bytes:
    """The page with the live-reload script before </body> (or at the end)."""
    tag = (
        f'<script src="{SCRIPT_PATH}" data-newsgen-version="{version}" '
        f'data-newsgen-server="{state.server_id}"></script>'
    ).encode()
    ends = list(BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


def content_type_of(path: Path) -> str:
    """A Content-Type for a file; text gets charset=utf-8."""
    if path.suffix == ".xml":
        return "application/xml; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith(TEXT_TYPES) else guessed


def read_live_script() -> bytes:
    """The live-reload script shipped with the package."""
    return resources.files("newsgen").joinpath("preview/live/live.js").read_bytes()


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server that knows the output folder, allowed hosts and live state."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        output_dir: Path,
        state: LiveState,
        allowed_hosts: frozenset[str],
    ) -> None:
        self.output_dir = output_dir
        self.state = state
        self.allowed_hosts = allowed_hosts
        self.live_script = read_live_script()
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closed the connection early is normal; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files of the output folder, the live script and the event stream."""

    server: PreviewServer
    server_version = "newsgen-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build results."""

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self.respond(head=True)

    def do_GET(self) -> None:
        """Files, the live script or the event stream."""
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        """Route one request."""
        if not is_allowed_host(self.headers.get("Host"), self.server.allowed_hosts):
            message = b"Host not allowed: newsgen serve answers to localhost and IP addresses "
            message += b"(add a name with --allow-host)\n"
            self.send_bytes(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", message, head)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_PATH and not head:
            self.stream_events()
        elif path == SCRIPT_PATH:
            script = self.server.live_script
            self.send_bytes(HTTPStatus.OK, "text/javascript; charset=utf-8", script, head)
        elif path == STATUS_PATH:
            status = json.dumps(self.server.state.status()).encode()
            self.send_bytes(HTTPStatus.OK, "application/json", status, head)
        else:
            self.send_file(head)

    def send_file(self, head: bool) -> None:
        """A file of the output folder, a folder's index.html, or the 404 page."""
        version = self.server.state.snapshot()[0]  # before reading: a page never looks newer
        target = resolve_request_path(self.server.output_dir, self.path)
        if target is not None and target.is_dir():
            split = urlsplit(self.path)
            if not split.path.endswith("/"):
                location = folder_location(self.server.output_dir, target, split.query)
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html" if (target / "index.html").is_file() else None
        status = HTTPStatus.OK
        if target is None or not target.is_file():
            status, target = HTTPStatus.NOT_FOUND, self.server.output_dir / "404.html"
        try:
            body = target.read_bytes()
        except OSError:
            body = FALLBACK_404
            target = Path("404.html")
        content_type = content_type_of(target)
        if content_type.startswith("text/html"):
            body = add_live_script(body, self.server.state, version)
        self.send_bytes(status, content_type, body, head)

    def send_bytes(self, status: HTTPStatus, content_type: str, body: bytes, head: bool) -> None:
        """One complete response, never cached by the browser."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def stream_events(self) -> None:
        """Server-sent events: the state now, then on every change, with keep-alive comments."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        try:
            while not state.stopping:
                seen = state.snapshot()
                self.wfile.write(state.event(seen))
                self.wfile.flush()
                while not state.wait_change(seen, KEEPALIVE_SECONDS) and not state.stopping:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def start_server(
    host: str, port: int, output_dir: Path, state: LiveState, allowed_hosts: frozenset[str]
) -> PreviewServer:
    """Bind and serve in a background thread (OSError when the port is taken)."""
    server = PreviewServer((host, port), output_dir, state, allowed_hosts)
    thread = threading.Thread(target=server.serve_forever, name="newsgen-serve", daemon=True)
    thread.start()
    return server


def server_url(server: PreviewServer) -> str:
    """The address to open in a browser."""
    host, port = server.server_address[:2]
    shown = str(host)
    if shown in ("0.0.0.0", "::"):
        shown = "127.0.0.1" if shown == "0.0.0.0" else "::1"
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
