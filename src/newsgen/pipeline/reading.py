"""Reading a site: load -> parse/validate -> index -> plan, before any template runs."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsgen.core.config import CONFIG_FILE, Config, did_you_mean
from newsgen.core.diagnostics import (
    BuildFailed,
    Diagnostic,
    UnsafeSetup,
    error,
    has_errors,
    sort_diagnostics,
    warning,
)
from newsgen.core.model import Article, PageSpec, Progress, SiteIndex, Taxonomy
from newsgen.incremental.cache import BuildCache
from newsgen.publish.output import foreign_files_at
from newsgen.render.templating import THEME_STATIC, shortcode_names
from newsgen.site.index import (
    RelatedFinder,
    build_index,
    compute_related,
    related_key,
    select_published,
    sort_articles,
)
from newsgen.site.plan import plan_pages
from newsgen.source.load import list_static_files, read_source, scan_sources
from newsgen.source.parse import parse_source
from newsgen.source.shortcodes import unknown_shortcodes
from newsgen.source.vocab import Vocabulary, load_vocabularies

ParseResult = tuple[Article | None, list[Diagnostic]]
# A file changed within this long before the last scan may have changed again without its
# size or mtime changing (timestamps are coarse): such files are read again.
RACY_NS = 2_000_000_000


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


@dataclass(frozen=True)
class Site:
    """Everything read and indexed before any template runs."""

    config: Config
    index: SiteIndex
    pages: tuple[PageSpec, ...]
    static_files: tuple[tuple[str, Path], ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, tuple[int, int, str]]
    parsed: dict[str, ParseResult]
    next_change: float
    scanned_ns: int


@dataclass(frozen=True)
class Scan:
    """The content files' sizes and mtimes, and when they were looked at."""

    stats: dict[str, tuple[int, int]]
    problems: tuple[Diagnostic, ...]
    started_ns: int


def scan_content(config: Config) -> Scan:
    """Look at every content file's size and mtime (reading none)."""
    started = time.time_ns()
    stats, problems = scan_sources(config.site_root, config.content_dir)
    return Scan(stats, tuple(problems), started)


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


def content_hash(source_path: str, data: bytes) -> str:
    """Cache key of a parse result (the path is part of it: diagnostics name the file)."""
    return hashlib.blake2b(source_path.encode() + b"\x00" + data, digest_size=16).hexdigest()


def make_parser(config: Config, vocabularies: Mapping[str, Vocabulary]) -> Callable[[str], Any]:
    """Read, hash and parse one file; runs in worker processes."""

    def parse_one(source_path: str) -> tuple[str, ParseResult]:
        try:
            source = read_source(config.site_root, source_path)
        except OSError as exc:  # gone since the scan, or not readable
            problem = error(source_path, 0, "", f"cannot be read: {exc.strerror or exc}")
            return content_hash(source_path, b"\x00unreadable"), (None, [problem])
        article, problems = parse_source(source, config, vocabularies)
        return content_hash(source_path, source.data), (article, problems)

    return parse_one


def parse_all(
    config: Config,
    vocabularies: Mapping[str, Vocabulary],
    cache: BuildCache | None,
    jobs: int,
    scan: Scan,
    progress: Progress | None,
) -> tuple[dict[str, tuple[int, int, str]], dict[str, ParseResult], list[Diagnostic]]:
    """Parse every article, reusing the cache for files whose size and mtime did not change."""
    from newsgen.pipeline.parallel import parse_paths

    stats, diagnostics = scan.stats, list(scan.problems)
    cached_sources = cache.sources() if cache else {}
    trusted_before = int(cache.meta("scanned") or 0) - RACY_NS if cache else 0
    known = {
        p: v[2]
        for p, v in cached_sources.items()
        if stats.get(p) == (v[0], v[1]) and v[0] < trusted_before
    }
    cached = cache.parsed() if cache else {}
    parsed: dict[str, ParseResult] = {}
    sources: dict[str, tuple[int, int, str]] = {}
    for path, digest in known.items():
        if digest in cached:
            article, problems = cached[digest]
            parsed[digest] = (article, list(problems))
            sources[path] = (*stats[path], digest)
    dirty = [p for p in stats if p not in sources]
    for path, (digest, result) in parse_paths(
        make_parser(config, vocabularies), dirty, jobs, progress
    ).items():
        parsed[digest] = result
        sources[path] = (*stats[path], digest)
    return dict(sorted(sources.items())), parsed, diagnostics


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
        error(
            f"{config.static_dir}/{rel}",
            0,
            "",
            f"would overwrite the generated page {rel} (rename or remove the static file)",
        )
        for rel, path in static_files
        if rel in generated and config.static_dir in path.parts
    ]


def output_dir_of(options: BuildOptions, config: Config) -> Path:
    """-o, else the site's output_dir setting (default SITE/public)."""
    return options.output_dir or config.site_root / config.output_dir


def check_content_folder(config: Config) -> None:
    """A content folder that does not exist or is a file is refused (exit 2) before anything
    is touched: a misspelt content_dir must not publish an empty site."""
    folder = config.site_root / config.content_dir
    if folder.is_dir():
        return
    what = "is a file, not a folder" if folder.exists() else "does not exist"
    here = (
        sorted(p.name for p in config.site_root.iterdir() if p.is_dir())
        if config.site_root.is_dir()
        else []
    )
    hint = did_you_mean(config.content_dir, here) or f" (folders here: {', '.join(here) or 'none'})"
    raise UnsafeSetup(
        f"the content folder {config.content_dir} {what}{hint}; set content_dir in "
        f"{CONFIG_FILE}, or create it"
    )


def foreign_collisions(
    pages: tuple[PageSpec, ...],
    static_files: tuple[tuple[str, Path], ...],
    index: SiteIndex,
    config: Config,
    output_dir: Path,
) -> list[Diagnostic]:
    """A page or static file on a file of the output that newsgen did not make is an error
    naming who wants it: newsgen never replaces such a file."""
    owners = {p.output_path: p for p in pages}
    wanted = [*owners, *(rel for rel, _ in static_files)]
    problems = []
    for path, blocker in foreign_files_at(Path(os.path.realpath(output_dir)), wanted):
        page = owners.get(path)
        who, line, field = f"{config.static_dir}/{path}", 0, ""
        if page and page.kind in ("article", "alias") and page.article_id is not None:
            article = index.articles[page.article_id]
            field = "aliases" if page.kind == "alias" else "slug"
            who, line = article.source_path, article.line_of(field, "title")
        elif page:
            who = CONFIG_FILE
        message = (
            f"/{page.url if page else path} would replace {blocker} in the output folder, "
            "which newsgen did not make (move that file away, or change what writes there)"
        )
        problems.append(error(who, line, field, message))
    return problems


def next_change_time(articles: list[Article], now: datetime, future: bool) -> float:
    """When the earliest future article becomes due (the site changes then by itself)."""
    due = [a.date.timestamp() for a in articles if a.date > now and not future]
    return min(due, default=float("inf"))


def related_finder(cache: BuildCache | None) -> RelatedFinder | None:
    """Reuse the last build's related articles when nobody's units or speakers changed."""
    if cache is None:
        return None

    def find(articles: Sequence[Article], taxonomies: Sequence[Taxonomy], limit: int) -> Any:
        key = related_key(taxonomies, limit)
        related = cache.related(key)
        if related is None or len(related) != len(articles):
            related = compute_related(articles, taxonomies, limit)
            cache.remember_related(key, related)
        return related

    return find


def read_site(
    options: BuildOptions,
    config: Config,
    diagnostics: list[Diagnostic],
    cache: BuildCache | None,
    timer: Timer,
    progress: Progress | None = None,
    scan: Scan | None = None,
) -> Site:
    """load -> parse/validate -> index -> plan; raises BuildFailed listing every error."""
    vocabularies, problems = load_vocabularies(config)
    diagnostics += problems
    scan = scan or scan_content(config)
    timer.lap("load")
    sources, parsed, problems = parse_all(config, vocabularies, cache, options.jobs, scan, progress)
    diagnostics += problems
    articles = [article for _, (article, _) in sorted(parsed.items()) if article is not None]
    for _, problems in parsed.values():
        diagnostics += problems
    names = shortcode_names(config)
    diagnostics += unknown_shortcodes(articles, names, config.templates_dir)
    timer.lap("parse")
    now = options.now or datetime.now(timezone.utc)
    published = sort_articles(select_published(articles, options.drafts, options.future, now))
    index, problems = build_index(published, config, vocabularies, related_finder(cache))
    diagnostics += problems
    timer.lap("index")
    static_files = collect_static(config)
    pages, problems = plan_pages(index, config, [rel for rel, _ in static_files])
    diagnostics += problems + static_collisions(pages, static_files, config)
    if not config.base_url:
        diagnostics.append(
            warning(
                CONFIG_FILE,
                0,
                "base_url",
                "not set: feeds, sitemap and canonical links are skipped",
            )
        )
    out = output_dir_of(options, config)
    diagnostics += foreign_collisions(pages, static_files, index, config, out)
    timer.lap("plan")
    if has_errors(diagnostics):
        raise BuildFailed(sort_diagnostics(diagnostics))
    return Site(
        config,
        index,
        pages,
        static_files,
        sort_diagnostics(diagnostics),
        sources,
        parsed,
        next_change_time(articles, now, options.future),
        scan.started_ns,
    )
