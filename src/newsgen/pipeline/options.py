"""What a build is asked to do (BuildOptions) and what it reports (BuildResult)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, has_errors
from newsgen.core.model import Progress
from newsgen.incremental.reuse import Incremental
from newsgen.publish.output import WriteStats

T = TypeVar("T")


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked for."""

    site_root: Path
    output_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    force: bool = False
    clean: bool = False
    jobs: int = 1
    use_cache: bool = True
    now: datetime | None = None
    strict: bool = False  # warnings stop the build before anything is written
    allow_shrink: bool = False  # a build may take away more than half of the articles
    # False (serve's rebuilds): publish the pages without waiting for Pagefind; the search
    # bundles stay as published, flagged as behind, until a build with it catches up.
    search_now: bool = True

    def moment(self) -> datetime:
        """The time articles are published against (future ones wait)."""
        return self.now or datetime.now(timezone.utc)


Schedule = tuple[tuple[str, datetime], ...]
"""(source path, date) of articles held back for a future date, the soonest first."""


@dataclass(frozen=True)
class BuildResult:
    """What a build or check found and did; output_dir is None when nothing was written."""

    diagnostics: tuple[Diagnostic, ...] = ()
    output_dir: Path | None = None
    articles: int = 0
    pages: int = 0
    rendered: int = 0
    up_to_date: bool = False
    stats: WriteStats = field(default_factory=WriteStats)
    timings: dict[str, float] = field(default_factory=dict)
    search_pending: bool = False  # published with the search bundles behind the pages
    scheduled: Schedule = ()  # articles held back for a future date, the soonest first
    # (language, taxonomy key, term name, articles): terms shown without a name of their own
    # in a site language (check --missing-labels)
    missing_labels: tuple[tuple[str, str, str, int], ...] = ()

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not has_errors(list(self.diagnostics))


@dataclass(frozen=True)
class Job:
    """One build's fixed facts, handed to every stage: options, settings, where the output
    goes, the reuse decisions and who hears about progress."""

    options: BuildOptions
    config: Config
    output_dir: Path
    reuse: Incremental
    progress: Progress | None = None


class Timer:
    """Runs stages and records how long each took (for `build -v`)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, stage: str, function: Callable[..., T], *args: Any) -> T:
        """Call one stage, adding its time under its name."""
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent = time.perf_counter() - start
            self.timings[stage] = self.timings.get(stage, 0.0) + spent


def output_dir_of(options: BuildOptions, config: Config) -> Path:
    """-o, else the site's output_dir setting (default SITE/public)."""
    return options.output_dir or config.site_root / config.output_dir


def source_dirs(config: Config) -> list[Path]:
    """Folders whose files are the site's sources, which the output must never overlap."""
    names = (config.content_dir, config.templates_dir, config.static_dir, config.data_dir)
    return [config.site_root / name for name in names]
