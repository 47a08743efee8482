"""Watch a site's sources and rebuild after each burst of changes (for `newsgen serve`).

Rebuilds run in the calling (main) thread: that is where signals arrive, so Ctrl-C and the
per-article Markdown time limit work as in `newsgen build`. They publish the pages without
running Pagefind; the search follows in a background pass once saves pause (search_pass.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from newsgen.core.config import CONFIG_FILE, Config, load_config
from newsgen.pipeline.build import BuildResult, source_dirs
from newsgen.pipeline.options import BuildOptions
from newsgen.preview.search_pass import PassOutcome, SearchFollower, build_once
from newsgen.preview.server import LiveState
from newsgen.source.load import is_junk

QUIET_SECONDS = 0.2
IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})


class SourceChanges(FileSystemEventHandler):
    """Sets an event when a source file, a source folder or the settings change."""

    def __init__(self, config: Config, changed: threading.Event) -> None:
        self.roots = [folder.resolve() for folder in source_dirs(config)]
        self.settings = (config.site_root / CONFIG_FILE).resolve()
        self.changed = changed

    def is_source(self, raw_path: str | bytes) -> bool:
        """True for the settings file and anything inside a source folder but editor junk."""
        path = Path(raw_path.decode() if isinstance(raw_path, bytes) else raw_path)
        if path == self.settings or path in self.roots:
            return True
        return not is_junk(path.name) and any(path.is_relative_to(root) for root in self.roots)

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note a relevant change; reads and directory-metadata events are ignored."""
        if event.event_type in IGNORED_EVENTS:
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(path and self.is_source(path) for path in paths):
            self.changed.set()


@dataclass
class Watcher:
    """A watchdog observer on the site root (settings, new folders) and each source folder."""

    config: Config
    changed: threading.Event

    def __post_init__(self) -> None:
        self.handler = SourceChanges(self.config, self.changed)
        self.observer = Observer()
        self.observer.schedule(self.handler, str(self.config.site_root), recursive=False)
        self.watched: set[Path] = set()
        self.watch_new_folders()
        self.observer.start()

    def watch_new_folders(self) -> None:
        """Watch source folders that appeared since the last look (e.g. a first templates/)."""
        for folder in source_dirs(self.config):
            if folder not in self.watched and folder.is_dir():
                self.observer.schedule(self.handler, str(folder), recursive=True)
                self.watched.add(folder)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a change, then until changes pause (an editor's save is several
        events); False when `timeout` seconds passed without a change."""
        if not self.changed.wait(timeout):
            return False
        while True:
            self.changed.clear()
            if not self.changed.wait(QUIET_SECONDS):
                return True

    def stop(self) -> None:
        """Stop watching."""
        self.observer.stop()
        self.observer.join(timeout=5)


def rebuild(options: BuildOptions, state: LiveState) -> BuildResult:
    """Build once and tell open pages: reload when files changed, or show the errors."""
    result = build_once(options)
    record_result(result, state)
    return result


def record_result(result: BuildResult, state: LiveState) -> None:
    """Open pages reload when files changed, or show the build's errors."""
    errors = tuple(d.format() for d in result.diagnostics if d.is_error)
    stats = result.stats
    state.update(bool(stats.written or stats.removed) and not errors, errors)


def start_watching(options: BuildOptions) -> Watcher:
    """Start watching before the first build, so no edit made during it goes unseen."""
    config, _ = load_config(options.site_root)
    return Watcher(config, threading.Event())


def watch_and_rebuild(
    watcher: Watcher,
    options: BuildOptions,
    state: LiveState,
    report: Callable[[BuildResult], None],
    report_search: Callable[[PassOutcome], None],
) -> None:
    """Rebuild the pages after every burst of source changes, and the search once saves
    pause, until interrupted (KeyboardInterrupt): a save stops a running search pass first,
    so two builds never run at once and no save waits for Pagefind."""
    follower = SearchFollower(options, state, report_search)
    pages_only = replace(options, search_now=False)
    try:
        while True:
            if not watcher.wait(follower.timeout()):
                follower.start()
                continue
            follower.cancel()
            watcher.watch_new_folders()
            result = rebuild(pages_only, state)
            report(result)
            follower.after_rebuild(result)
    finally:
        follower.cancel()
        watcher.stop()
