"""`newsgen serve` for real: a subprocess on a socket, raw HTTP requests and headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, article_text, write_files

pytestmark = [pytest.mark.cli, pytest.mark.slow]

SECRET = "top-secret-settings-value"
ARTICLE = "content/2023/02/review.md"
PAGE = "/2023/02/10/party-building-review/"
REBUILD_MS = 30_000  # the longest wait for a rebuild to show in an open page


@dataclass
class Served:
    root: Path
    process: subprocess.Popen[str]
    port: int

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """One raw request: the path is sent exactly as given, no client normalisation."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host or f"127.0.0.1:{self.port}")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), body

    def wait_for(self, path: str, text: bytes, failure: str, seconds: float = 60) -> None:
        """Poll a page until a rebuild has put `text` into it."""
        deadline = time.monotonic() + seconds
        while text not in self.get(path)[2]:
            assert time.monotonic() < deadline, failure
            time.sleep(0.2)

    def edit(self, text: str) -> None:
        (self.root / ARTICLE).write_text(text, encoding="utf-8")


def make_site(root: Path) -> Path:
    return write_files(
        root,
        {
            "newsgen.yaml": f"title: Preview test\nsearch: false\n# {SECRET}\n",
            ARTICLE: article_text("The first version of the body.", title="Party building review"),
        },
    )


def start(root: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """Start `newsgen serve --port 0` and read the address it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsgen", "serve", str(root), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://[^:]+:(\d+)/", line)
    if not match:
        process.kill()
        pytest.fail(
            f"no address printed: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    return process, int(match.group(1))


def stop(process: subprocess.Popen[str]) -> int:
    """Ctrl-C, as a user would; the exit status."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def stderr_of(process: subprocess.Popen[str]) -> str:
    """What a stopped server wrote to stderr."""
    return process.communicate(timeout=15)[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    root = make_site(tmp_path / "site")
    process, port = start(root)
    try:
        yield Served(root, process, port)
    finally:
        if process.poll() is None:
            stop(process)


def test_pages_get_the_live_script_only_while_served(served: Served) -> None:
    status, headers, body = served.get(PAGE)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"The first version of the body." in body
    assert body.count(b"/__newsgen__/live.js") == 1
    assert body.index(b"/__newsgen__/live.js") < body.rindex(b"</body>")
    on_disk = (served.root / "public" / PAGE.strip("/") / "index.html").read_bytes()
    assert b"__newsgen__" not in on_disk
    assert served.get("/__newsgen__/live.js")[0] == 200
    status, headers, _ = served.get(PAGE.rstrip("/") + "?x=1")
    assert status == 301 and headers["Location"] == PAGE + "?x=1"
    status, _, body = served.get("/no/such/page/")
    assert status == 404 and b"__newsgen__/live.js" in body


@pytest.mark.parametrize(
    "path", ["/%2fevil.example", "//evil.example", "/%2F%2Fevil.example", "/%2f"]
)
def test_no_redirect_leads_to_another_site(served: Served, path: str) -> None:
    """A folder's redirect (to add its slash) stays on this site: never `//host/`."""
    (served.root / "public" / "evil.example").mkdir()
    (served.root / "public" / "evil.example" / "index.html").write_text("<p>here</p>")
    status, headers, _ = served.get(path)
    location = headers.get("Location", "")
    assert not location.startswith("//") and "://" not in location, (status, location)
    assert status in (200, 301, 404)


TRAVERSALS = [
    "/../newsgen.yaml",
    "/../../../../etc/passwd",
    "/%2e%2e/newsgen.yaml",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/%2e%2e%2fnewsgen.yaml",
    "/..%2f..%2fnewsgen.yaml",
    "/..%5cnewsgen.yaml",
    "/..\\newsgen.yaml",
    "/%252e%252e/newsgen.yaml",
    "/%c0%ae%c0%ae/newsgen.yaml",
    "/.%2e/newsgen.yaml",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/2023/../../newsgen.yaml",
    "/index.html%00.css",
    "/escape/newsgen.yaml",
    "/.newsgen-manifest",
    "http://127.0.0.1/../newsgen.yaml",
]


def test_nothing_outside_the_output_folder_is_served(served: Served) -> None:
    (served.root / "public" / "escape").symlink_to(served.root, target_is_directory=True)
    for path in TRAVERSALS:
        status, _, body = served.get(path)
        assert status == 404, path
        assert SECRET.encode() not in body and b"root:" not in body, path
    assert served.get("/index.html")[0] == 200


def test_host_header_must_be_local_or_allowed(served: Served) -> None:
    assert served.get("/", host=f"localhost:{served.port}")[0] == 200
    assert served.get("/", host=f"[::1]:{served.port}")[0] == 200
    status, _, body = served.get("/", host="attacker.example")
    assert status == 403 and b"--allow-host" in body
    assert served.get("/", host=f"attacker.example:{served.port}")[0] == 403


def test_allow_host_and_a_warning_when_not_bound_to_loopback(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    process, port = start(root, "--host", "0.0.0.0", "--allow-host", "press-pc.local")
    try:
        served = Served(root, process, port)
        assert served.get("/", host="press-pc.local")[0] == 200
        assert served.get("/", host="other.local")[0] == 403
    finally:
        assert stop(process) == 0
    assert "warning: listening on 0.0.0.0" in stderr_of(process)


def test_ctrl_c_exits_cleanly_and_frees_the_port(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    process, port = start(root)
    before = (root / "public" / "index.html").read_bytes()
    assert stop(process) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again
    assert (root / "public" / "index.html").read_bytes() == before
    assert "Traceback" not in stderr_of(process)


def test_a_taken_port_is_a_usage_error(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "newsgen", "serve", str(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr


def read_event(served: Served, wanted: str, timeout: float = 15) -> dict[str, object]:
    """Follow the event stream until a state contains `wanted`."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=timeout)
    connection.request("GET", "/__newsgen__/events")
    response = connection.getresponse()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = response.fp.readline().decode()
            if line.startswith("data: ") and wanted in line:
                state: dict[str, object] = json.loads(line[6:])
                return state
    finally:
        connection.close()
    pytest.fail(f"no event with {wanted!r}")


def test_event_stream_reports_errors_and_recovery(served: Served) -> None:
    good = (served.root / ARTICLE).read_text()
    served.edit(good.replace("2023-02-10", "2023-13-45"))
    state = read_event(served, '"errors": ["')
    assert state["errors"] == [
        f"{ARTICLE}:3:7: error: date: '2023-13-45' is not a date: month must be in 1..12 "
        "(expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00)"
    ]
    status, _, body = served.get(PAGE)  # the last good page is still served
    assert status == 200 and b"The first version of the body." in body
    served.edit(good)
    assert read_event(served, '"errors": []')["errors"] == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed")
def test_open_page_reloads_on_edit_and_shows_then_clears_the_error_overlay(
    served: Served,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    good = (served.root / ARTICLE).read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"http://127.0.0.1:{served.port}{PAGE}")
            expect(page.locator("article")).to_contain_text("The first version of the body.")
            page.wait_for_function("() => performance.getEntriesByType('resource').length > 0")
            time.sleep(0.5)  # let the event stream connect
            # The page changes by itself (no navigation here); the timeouts only bound a wait
            # for a rebuild that, on a loaded machine, may take a few seconds.
            served.edit(good.replace("The first version", "An edited version"))
            expect(page.locator("article")).to_contain_text(
                "An edited version of the body.", timeout=REBUILD_MS
            )
            overlay = page.locator("#newsgen-error-overlay")
            served.edit(good.replace("2023-02-10", "2023-13-45"))
            expect(overlay).to_contain_text(f"{ARTICLE}:3:7: error: date:", timeout=REBUILD_MS)
            expect(page.locator("article")).to_contain_text("An edited version of the body.")
            served.edit(good.replace("The first version", "A repaired version"))
            expect(overlay).to_have_count(0, timeout=REBUILD_MS)
            expect(page.locator("article")).to_contain_text("A repaired version of the body.")
            assert errors == []
        finally:
            browser.close()


def test_serve_help_has_examples() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsgen", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Examples:" in done.stdout and "newsgen serve --host 0.0.0.0" in done.stdout


def test_a_site_that_fails_at_first_is_served_once_fixed_and_settings_are_watched(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path / "site")
    good = (root / ARTICLE).read_text()
    (root / ARTICLE).write_text(good.replace("2023-02-10", "2023-13-45"))
    process, port = start(root)
    try:
        served = Served(root, process, port)
        status, _, body = served.get("/")
        assert status == 404 and b"/__newsgen__/live.js" in body  # the overlay can still show
        assert "error: date" in str(read_event(served, '"errors": ["')["errors"])
        served.edit(good)
        read_event(served, '"errors": []')
        assert served.get(PAGE)[0] == 200
        settings = root / "newsgen.yaml"
        settings.write_text(settings.read_text().replace("Preview test", "Renamed archive"))
        served.wait_for("/", b"Renamed archive", "settings change not picked up")
    finally:
        assert stop(process) == 0


def test_rebuilds_with_worker_processes_print_no_tracebacks(tmp_path: Path) -> None:
    """Serve maps SIGTERM to Ctrl-C; the pool's workers must still end quietly when stopped."""
    articles = {
        f"content/2023/{1 + n % 12:02d}/story-{n}.md": article_text(
            f"Story number {n}.", title=f"Story {n}", date=f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}"
        )
        for n in range(240)
    }
    root = write_files(
        tmp_path / "site", {"newsgen.yaml": "title: Many\nsearch: false\n", **articles}
    )
    process, port = start(root, "-j", "2")
    served = Served(root, process, port)
    try:
        base = root / "templates" / "base.html"
        base.parent.mkdir()
        base.write_text(
            '{% extends "theme/base.html" %}{% block footer %}<!-- edited -->{% endblock %}'
        )
        served.wait_for("/2023/05/05/story-4/", b"<!-- edited -->", "template change not seen")
    finally:
        assert stop(process) == 0
    errors = stderr_of(process)
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors


def test_output_folder_stays_the_served_one_when_settings_change_it(served: Served) -> None:
    settings = served.root / "newsgen.yaml"
    settings.write_text(settings.read_text() + "output_dir: elsewhere\n")
    good = (served.root / ARTICLE).read_text()
    served.edit(good.replace("The first version", "A version after the settings change"))
    served.wait_for(PAGE, b"A version after the settings change", "the served folder went stale")
    assert not (served.root / "elsewhere").exists()
