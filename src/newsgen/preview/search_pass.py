"""The search pass of `newsgen serve`: once saves pause, a full build in a child process
brings the search bundles up to the pages that serve's rebuilds published without them.

The pass is a normal build (it renders nothing new and runs the search stage) in its own
process group, so a save or Ctrl-C stops it as Ctrl-C stops `newsgen build`, Pagefind with
it, and the build lock keeps it from ever running beside a rebuild. Run as a module, this is
that child: one build, its outcome as JSON on stdout, 130 when interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsgen.core.config import CONFIG_FILE
from newsgen.core.diagnostics import UnsafeSetup, error
from newsgen.pipeline.build import BuildOptions, BuildResult, build
from newsgen.preview.server import LiveState

# How the child is started. tests/fault_launcher.py replaces it (to stop the pass at a step),
# so it is read through the module at each start; nothing here reads the environment.
PROGRAM = [sys.executable, "-m", "newsgen.preview.search_pass"]
DEBOUNCE_SECONDS = 1.0  # the pass starts once no save has come for this long
PASSED_OPTIONS = ("drafts", "future", "force", "jobs", "allow_shrink")


@dataclass(frozen=True)
class PassOutcome:
    """What a finished pass reports: its errors, whether it changed files, its time."""

    errors: tuple[str, ...] = ()
    changed: bool = False
    seconds: float = 0.0


def build_once(options: BuildOptions) -> BuildResult:
    """One build; a refused setup (e.g. the output folder now overlaps the sources) is an
    error like any other, so the preview goes on."""
    try:
        return build(options)
    except UnsafeSetup as refused:
        return BuildResult(diagnostics=(error(CONFIG_FILE, 0, "", str(refused)),))


def options_argument(options: BuildOptions) -> str:
    """The child's options, as JSON on its command line (folders absolute, as serve's)."""
    record: dict[str, object] = {name: getattr(options, name) for name in PASSED_OPTIONS}
    record["site_root"] = str(options.site_root)
    record["output_dir"] = str(options.output_dir) if options.output_dir else None
    return json.dumps(record)


def options_of(argument: str) -> BuildOptions:
    """The options serve gave the child: a full build, search included."""
    record = json.loads(argument)
    output = record.pop("output_dir")
    site_root = Path(record.pop("site_root"))
    return BuildOptions(site_root, Path(output) if output else None, **record)


def outcome_of(returncode: int, stdout: str, stderr: str) -> PassOutcome:
    """A finished child's outcome; a child that crashed reports its last line of stderr."""
    try:
        record = json.loads(stdout)
        return PassOutcome(tuple(record["errors"]), bool(record["changed"]), record["seconds"])
    except (ValueError, KeyError, TypeError):
        last = stderr.strip().splitlines()[-1:] or [f"exit status {returncode}"]
        failed = error(CONFIG_FILE, 0, "search", f"the search update failed: {last[0]}")
        return PassOutcome((failed.format(),))


class RunningPass:
    """One pass: the child process, and a thread that waits for it and hands its outcome on
    (unless the pass was cancelled)."""

    def __init__(self, options: BuildOptions, finished: Callable[[PassOutcome], None]) -> None:
        self.cancelled = False
        self.process = subprocess.Popen(
            [*PROGRAM, options_argument(options)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: a signal reaches Pagefind too
        )
        self.waiter = threading.Thread(target=self.wait, args=(finished,), daemon=True)
        self.waiter.start()

    def wait(self, finished: Callable[[PassOutcome], None]) -> None:
        """Collect the child's output; report it unless the pass was cancelled."""
        stdout, stderr = self.process.communicate()
        if not self.cancelled:
            finished(outcome_of(self.process.returncode, stdout, stderr))

    def cancel(self) -> None:
        """Interrupt the pass like Ctrl-C (waking it should it be stopped) and wait until it
        has ended: its build leaves the output as it was, or as it published it."""
        self.cancelled = True
        for signum in (signal.SIGINT, signal.SIGCONT):
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signum)
        self.waiter.join()


class SearchFollower:
    """Keeps the search following the pages: a pass is due once saves pause, is cancelled by
    the next save, and is scheduled again after each rebuild that left the search behind."""

    def __init__(
        self, options: BuildOptions, state: LiveState, report: Callable[[PassOutcome], None]
    ) -> None:
        self.options, self.state, self.report = options, state, report
        self.behind = False  # the published bundles are behind the published pages
        self.due: float | None = None  # when the next pass starts (time.monotonic)
        self.running: RunningPass | None = None

    def timeout(self) -> float | None:
        """How long to wait for a save before the pass is due (None: no pass is due)."""
        if self.running is not None or self.due is None:
            return None
        return max(0.0, self.due - time.monotonic())

    def after_rebuild(self, result: BuildResult) -> None:
        """A rebuild that published tells whether the search is behind; a pass is due once
        saves pause (never after a failed rebuild: the pass would fail the same way)."""
        if result.ok and result.output_dir is not None and not result.up_to_date:
            self.behind = result.search_pending
        self.due = time.monotonic() + DEBOUNCE_SECONDS if self.behind and result.ok else None
        self.state.note_search("behind" if self.behind else "current")

    def start(self) -> None:
        """Start the due pass."""
        self.due = None
        self.state.note_search("updating", started=True)
        self.running = RunningPass(self.options, self.finished)

    def finished(self, outcome: PassOutcome) -> None:
        """A pass ended (in its waiter thread): open pages reload, or show its errors."""
        if not outcome.errors:
            self.behind = False
        self.state.note_search("behind" if outcome.errors else "current", finished=True)
        self.state.update(outcome.changed and not outcome.errors, outcome.errors)
        self.report(outcome)

    def cancel(self) -> None:
        """Stop a running pass (a save came, or Ctrl-C) and wait for it to end."""
        running, self.running = self.running, None
        if running is not None:
            running.cancel()
            self.state.note_search("behind" if self.behind else "current")


def main() -> None:
    """The child: one full build, its outcome as JSON on stdout; 130 when interrupted."""
    try:
        start = time.monotonic()
        result = build_once(options_of(sys.argv[1]))
        errors = [d.format() for d in result.diagnostics if d.is_error]
        changed = bool(result.stats.written or result.stats.removed)
        record = {"errors": errors, "changed": changed, "seconds": time.monotonic() - start}
        sys.stdout.write(json.dumps(record))
        sys.stdout.flush()
    except KeyboardInterrupt:
        os._exit(130)
    os._exit(0)  # without tearing down a large build's objects one by one


if __name__ == "__main__":
    main()
