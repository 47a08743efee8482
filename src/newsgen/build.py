"""The pipeline: load -> parse -> index -> plan -> render -> write, as a flat list of stages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsgen import output
from newsgen.config import Config, load_config
from newsgen.diagnostics import (
    BuildFailed,
    Diagnostic,
    error,
    has_errors,
    sort_diagnostics,
    warning,
)
from newsgen.index import build_index, select_published, sort_articles
from newsgen.load import list_static_files, load_sources
from newsgen.model import Article, PageSpec, RenderedPage, SiteIndex, Source
from newsgen.parse import parse_source
from newsgen.plan import plan_pages
from newsgen.render import Renderer
from newsgen.templating import THEME_STATIC, TemplateProblem
from newsgen.vocab import Vocabulary, load_vocabularies

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked for."""

    site_root: Path
    output_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    force: bool = False
    now: datetime | None = None


@dataclass
class BuildResult:
    """What a build or check found and did."""

    diagnostics: tuple[Diagnostic, ...] = ()
    output_dir: Path | None = None
    articles: int = 0
    pages: int = 0
    stats: output.WriteStats = field(default_factory=output.WriteStats)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not has_errors(list(self.diagnostics))


@dataclass(frozen=True)
class Site:
    """Everything read and indexed before any template runs."""

    config: Config
    index: SiteIndex
    pages: tuple[PageSpec, ...]
    static_files: tuple[tuple[str, Path], ...]
    diagnostics: tuple[Diagnostic, ...]


class Timer:
    """Collects how long each stage took."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.start = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap under `stage`."""
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.start
        self.start = now


def parse_all(
    sources: tuple[Source, ...], config: Config, vocabularies: Mapping[str, Vocabulary]
) -> tuple[tuple[Article, ...], list[Diagnostic]]:
    """Parse every source, collecting every file's problems."""
    articles: list[Article] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        article, problems = parse_source(source, config, vocabularies)
        diagnostics.extend(problems)
        if article is not None:
            articles.append(article)
    return tuple(articles), diagnostics


def collect_static(config: Config) -> tuple[tuple[str, Path], ...]:
    """Theme assets under assets/, then the site's static/ (which may replace them)."""
    files = {
        f"assets/{rel}": path for rel, path in list_static_files(THEME_STATIC.parent, "static")
    }
    files.update(dict(list_static_files(config.site_root, config.static_dir)))
    return tuple(sorted(files.items()))


def static_collisions(
    pages: tuple[PageSpec, ...], static_files: tuple[tuple[str, Path], ...], config: Config
) -> list[Diagnostic]:
    """A static file may not take the path of a generated page."""
    generated = {p.output_path for p in pages}
    return [
        error(f"{config.static_dir}/{rel}", 0, "", f"would overwrite the generated page {rel}")
        for rel, path in static_files
        if rel in generated and config.static_dir in path.parts
    ]


def read_site(options: BuildOptions, timer: Timer) -> Site:
    """load -> parse/validate -> index -> plan; raises BuildFailed listing every error."""
    config, diagnostics = load_config(options.site_root)
    vocabularies, problems = load_vocabularies(config)
    diagnostics += problems
    sources, problems = load_sources(config.site_root, config.content_dir)
    diagnostics += problems
    timer.lap("load")
    articles, problems = parse_all(sources, config, vocabularies)
    diagnostics += problems
    timer.lap("parse")
    now = options.now or datetime.now(UTC)
    published = sort_articles(select_published(articles, options.drafts, options.future, now))
    index, problems = build_index(published, config, vocabularies)
    diagnostics += problems
    timer.lap("index")
    pages, problems = plan_pages(index, config)
    static_files = collect_static(config)
    diagnostics += problems + static_collisions(pages, static_files, config)
    if not config.base_url:
        diagnostics.append(
            warning(
                "newsgen.yaml",
                0,
                "base_url",
                "not set: feeds, sitemap and canonical links are skipped",
            )
        )
    timer.lap("plan")
    if has_errors(diagnostics):
        raise BuildFailed(sort_diagnostics(diagnostics))
    return Site(config, index, pages, static_files, sort_diagnostics(diagnostics))


def check(options: BuildOptions) -> BuildResult:
    """The build pipeline without render and write: validate everything."""
    result = BuildResult()
    try:
        site = read_site(options, Timer(result.timings))
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    result.diagnostics, result.articles, result.pages = (
        site.diagnostics,
        len(site.index.articles),
        len(site.pages),
    )
    return result


def output_dir_of(options: BuildOptions, config: Config) -> Path:
    """-o, else the site's output_dir setting (default SITE/public)."""
    return options.output_dir or config.site_root / config.output_dir


def source_dirs(config: Config) -> list[Path]:
    """Folders whose files are the site's sources, which the output must never overlap."""
    names = (config.content_dir, config.templates_dir, config.static_dir, config.data_dir)
    return [config.site_root / name for name in names]


def track(
    pages: Iterator[RenderedPage], total: int, progress: Progress | None
) -> Iterator[RenderedPage]:
    """Report rendering progress as pages pass through."""
    for done, page in enumerate(pages, start=1):
        if progress and (done % 200 == 0 or done == total):
            progress("render", done, total)
        yield page


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site: nothing reaches the output folder unless every page rendered."""
    result = BuildResult()
    timer = Timer(result.timings)
    try:
        site = read_site(options, timer)
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    out = output_dir_of(options, site.config)
    output.check_output_safety(out, site.config.site_root, source_dirs(site.config))
    output.check_ownership(out, options.force)
    made_before = output.read_manifest(out)
    staging = output.open_staging(out)
    try:
        pages = Renderer(site.config, site.index).render_all(site.pages)
        output.write_pages(staging, out, track(pages, len(site.pages), progress), result.stats)
        output.copy_static(staging, out, site.static_files, result.stats)
        timer.lap("render")
        output.finish(out, staging, result.stats, made_before)
        timer.lap("write")
    except TemplateProblem as problem:
        output.discard(staging)
        result.diagnostics = (*site.diagnostics, problem.diagnostic)
        return result
    except BaseException:
        output.discard(staging)
        raise
    result.diagnostics, result.output_dir = site.diagnostics, out
    result.articles, result.pages = len(site.index.articles), len(site.pages)
    return result
