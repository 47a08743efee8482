"""`newsgen serve` for real: a subprocess on a socket, raw HTTP requests and headless Chromium."""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    article_text,
    build_site,
    run_cli,
    search_documents,
    search_state,
    write_files,
)
from test_faults import FAULT_LAUNCHER, leftovers, lock_waiters

from newsgen.publish.output import MANIFEST

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


def start(
    root: Path, *args: str, stop_search_at: str | None = None
) -> tuple[subprocess.Popen[str], int]:
    """Start `newsgen serve --port 0` and read the address it prints. With `stop_search_at`,
    its background search passes stop themselves at that checkpoint (tests/fault_launcher.py)."""
    newsgen = (
        [str(FAULT_LAUNCHER), f"search:{stop_search_at}"] if stop_search_at else ["-m", "newsgen"]
    )
    process = subprocess.Popen(
        [sys.executable, *newsgen, "serve", str(root), "--port", "0", *args],
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


# The search follows the pages ------------------------------------------------------------

SEARCHED = "content/2022/05/budget.md"  # a second article, in another year's bundle


def searchable_site(root: Path) -> Path:
    """make_site with search on: two articles in two years' bundles."""
    make_site(root)
    settings = root / "newsgen.yaml"
    settings.write_text(settings.read_text().replace("search: false\n", ""), "utf-8")
    budget = article_text("The budget was approved.", title="Budget hearing", date="2022-05-03")
    return write_files(root, {SEARCHED: budget})


def status_of(served: Served) -> dict[str, Any]:
    status: dict[str, Any] = json.loads(served.get("/__newsgen__/status")[2])
    return status


def wait_status(
    served: Served, done: Callable[[dict[str, Any]], bool], failure: str
) -> dict[str, Any]:
    """Poll serve's status until it satisfies `done` (a state it reaches, not a time)."""
    deadline = time.monotonic() + 120
    while not done(status := status_of(served)):
        assert served.process.poll() is None, stderr_of(served.process)
        assert time.monotonic() < deadline, f"{failure}: {status}"
        time.sleep(0.05)
    return status


def search_pass_of(served: Served) -> int:
    """The running background search pass of a serve process (its child process), once it
    has stopped itself at its stop point (fault_launcher's search:POINT)."""
    deadline = time.monotonic() + 120
    while True:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                command = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            ours = int(fields[1]) == served.process.pid and b"search_pass" in command
            if ours and fields[0] == "T":
                return int(stat.parent.name)
        assert served.process.poll() is None, stderr_of(served.process)
        assert time.monotonic() < deadline, "no search pass stopped at its stop point"
        time.sleep(0.02)


def pending(out: Path) -> bool:
    """Whether the published search says it is behind the pages (pagefind/delta.json)."""
    return bool(json.loads((out / "pagefind/delta.json").read_text("utf-8")).get("pending"))


def clean_search(root: Path, tmp: Path) -> dict[str, dict[str, Any]]:
    """What a search finds after a clean build of the same sources."""
    copy = tmp / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", ".newsgen-cache"))
    assert build_site(copy).ok
    return search_documents(copy / "public")


def assert_whole_output(root: Path) -> None:
    """An output as a finished build leaves it: no working folders, every listed file there."""
    assert leftovers(root) == []
    out = root / "public"
    listed = json.loads((out / MANIFEST).read_text("utf-8"))["files"]
    assert [rel for rel in listed if not (out / rel).is_file()] == []


def test_a_save_is_published_at_once_and_the_search_follows(tmp_path: Path) -> None:
    """The rebuild publishes the page without Pagefind: the bundles and their saved state stay
    as they were and delta.json says the search is behind; the search pass then catches up
    (held at its first step here, so the page is seen before it)."""
    root = searchable_site(tmp_path / "site")
    process, port = start(root, stop_search_at="locked")
    served = Served(root, process, port)
    try:
        state = search_state(root)
        served.edit(article_text("Ripe pears for the review.", title="Party building review"))
        served.wait_for(PAGE, b"Ripe pears", "the edit was not published")
        assert pending(root / "public") and search_state(root) == state
        assert "pears" not in str(search_documents(root / "public"))
        assert_whole_output(root)
        os.kill(search_pass_of(served), signal.SIGCONT)
        wait_status(served, lambda s: s["search_passes_finished"] == 1, "no search pass ended")
        status = wait_status(served, lambda s: s["search"] == "current", "the search stayed behind")
        assert status["search_passes_started"] == 1 and status["errors"] == []
        assert not pending(root / "public") and search_state(root) != state
        assert search_documents(root / "public") == clean_search(root, tmp_path)
    finally:
        assert stop(process) == 0
    assert "Search index updated" in stderr_of(process)


def test_a_save_during_a_search_pass_cancels_it_and_nothing_is_lost(tmp_path: Path) -> None:
    """Each save stops the running pass (here: held at its first step), is published, and
    schedules another pass; only the last one runs to the end."""
    root = searchable_site(tmp_path / "site")
    process, port = start(root, stop_search_at="locked")
    served = Served(root, process, port)
    try:
        for fruit in ("pears", "plums", "quinces"):
            served.edit(article_text(f"Ripe {fruit} today.", title="Party building review"))
            served.wait_for(PAGE, f"Ripe {fruit}".encode(), f"the {fruit} edit was lost")
            held = search_pass_of(served)  # a new pass, stopped inside the build lock
            assert pending(root / "public")
        os.kill(held, signal.SIGCONT)
        status = wait_status(served, lambda s: s["search_passes_finished"] == 1, "no pass ended")
        assert status["search_passes_started"] >= 3
        wait_status(served, lambda s: s["search"] == "current", "the search stayed behind")
        documents = search_documents(root / "public")
        assert documents == clean_search(root, tmp_path)
        assert "quinces" in documents[PAGE + "index.html"]["content"]
    finally:
        assert stop(process) == 0
    assert "Traceback" not in stderr_of(process)


def test_a_burst_of_saves_runs_one_search_pass(tmp_path: Path) -> None:
    """Saves made while a rebuild waits (the test holds the build lock, as another build
    would) are all published, and the search is updated once, not once per save."""
    root = searchable_site(tmp_path / "site")
    process, port = start(root)
    served = Served(root, process, port)
    lock = root / ".newsgen-cache/build.lock"
    try:
        with open(lock, "a+b") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            served.edit(article_text("Ripe pears.", title="Party building review"))
            deadline = time.monotonic() + 120
            while process.pid not in lock_waiters(lock):  # the rebuild has started
                assert time.monotonic() < deadline, "serve never rebuilt"
                time.sleep(0.02)
            for n, fruit in enumerate(("plums", "quinces", "figs", "limes")):
                served.edit(article_text(f"Ripe {fruit}.", title="Party building review"))
                budget = article_text(
                    f"Budget {n} {fruit}.", title="Budget hearing", date="2022-05-03"
                )
                write_files(root, {SEARCHED: budget})
        served.wait_for(PAGE, b"Ripe limes", "the last save was not published")
        status = wait_status(
            served,
            lambda s: s["search"] == "current" and s["search_passes_finished"] >= 1,
            "the search never caught up",
        )
        assert (status["search_passes_started"], status["search_passes_finished"]) == (1, 1)
        assert search_documents(root / "public") == clean_search(root, tmp_path)
    finally:
        assert stop(process) == 0


@pytest.mark.parametrize("point", ["publish", "cache"])
def test_ctrl_c_during_a_search_pass_leaves_a_good_output(tmp_path: Path, point: str) -> None:
    """Ctrl-C while the pass is held before publishing its bundles, or after publishing them
    but before its cache is written: serve stops the pass and exits 0, the output is whole,
    and the next build's search finds what a clean build's does."""
    root = searchable_site(tmp_path / "site")
    process, port = start(root, stop_search_at=point)
    served = Served(root, process, port)
    served.edit(article_text("Ripe pears for the review.", title="Party building review"))
    served.wait_for(PAGE, b"Ripe pears", "the edit was not published")
    search_pass_of(served)
    assert stop(process) == 0
    assert "Traceback" not in stderr_of(process)
    assert_whole_output(root)
    assert pending(root / "public") == (point == "publish")
    assert b"Ripe pears" in (root / "public" / PAGE.strip("/") / "index.html").read_bytes()
    built = run_cli("build", str(root), "-q")
    assert built.returncode == 0, built.stderr
    assert not pending(root / "public")
    assert search_documents(root / "public") == clean_search(root, tmp_path)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed")
def test_the_search_page_says_while_its_results_may_be_behind(tmp_path: Path) -> None:
    """While the pass is held, the search page shows the notice (and the old results); once
    the pass has published, the page reloads by itself without the notice."""
    from playwright.sync_api import expect, sync_playwright

    root = searchable_site(tmp_path / "site")
    process, port = start(root, stop_search_at="locked")
    served = Served(root, process, port)
    search = f"http://127.0.0.1:{port}/search/?q=pears"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(search)
                status, notice = page.locator(".search-status"), page.locator(".search-notice")
                expect(status).to_contain_text("0 articles found")
                expect(notice).to_be_hidden()
                served.edit(
                    article_text("Ripe pears for the review.", title="Party building review")
                )
                served.wait_for(PAGE, b"Ripe pears", "the edit was not published")
                page.goto(search)
                expect(notice).to_be_visible()
                expect(notice).to_contain_text("results may not yet include the latest changes")
                expect(status).to_contain_text("0 articles found")
                os.kill(search_pass_of(served), signal.SIGCONT)
                expect(status).to_contain_text("1 article found", timeout=REBUILD_MS)
                expect(notice).to_be_hidden()
            finally:
                browser.close()
    finally:
        assert stop(process) == 0
