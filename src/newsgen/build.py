"""The pipeline: load -> parse -> index -> plan -> render -> write, as a flat list of stages."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsgen import __version__, output
from newsgen.bodies import body_key
from newsgen.cache import BuildCache, CacheUnusable
from newsgen.config import CONFIG_FILE, Config, load_config
from newsgen.diagnostics import (
    BuildFailed,
    Diagnostic,
    error,
    has_errors,
    sort_diagnostics,
    warning,
)
from newsgen.index import build_index, select_published, sort_articles
from newsgen.load import list_static_files, read_source, scan_sources, stat_tree
from newsgen.model import Article, PageSpec, SiteIndex
from newsgen.parse import parse_source
from newsgen.plan import plan_pages
from newsgen.templating import THEME_STATIC, TemplateProblem
from newsgen.vocab import Vocabulary, load_vocabularies, vocabulary_files

Progress = Callable[[str, int, int], None]
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


@dataclass
class BuildResult:
    """What a build or check found and did."""

    diagnostics: tuple[Diagnostic, ...] = ()
    output_dir: Path | None = None
    articles: int = 0
    pages: int = 0
    rendered: int = 0
    up_to_date: bool = False
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
        source = read_source(config.site_root, source_path)
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
    from newsgen.parallel import parse_paths

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
        error(f"{config.static_dir}/{rel}", 0, "", f"would overwrite the generated page {rel}")
        for rel, path in static_files
        if rel in generated and config.static_dir in path.parts
    ]


def next_change_time(articles: list[Article], now: datetime, future: bool) -> float:
    """When the earliest future article becomes due (the site changes then by itself)."""
    due = [a.date.timestamp() for a in articles if a.date > now and not future]
    return min(due, default=float("inf"))


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
    timer.lap("parse")
    now = options.now or datetime.now(timezone.utc)
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
                CONFIG_FILE,
                0,
                "base_url",
                "not set: feeds, sitemap and canonical links are skipped",
            )
        )
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


def check(options: BuildOptions) -> BuildResult:
    """The build pipeline without render and write: validate everything."""
    result = BuildResult()
    config, diagnostics = load_config(options.site_root)
    try:
        site = read_site(options, config, diagnostics, None, Timer(result.timings))
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    result.diagnostics, result.articles = site.diagnostics, len(site.index.articles)
    result.pages = len(site.pages)
    return result


def output_dir_of(options: BuildOptions, config: Config) -> Path:
    """-o, else the site's output_dir setting (default SITE/public)."""
    return options.output_dir or config.site_root / config.output_dir


def source_dirs(config: Config) -> list[Path]:
    """Folders whose files are the site's sources, which the output must never overlap."""
    names = (config.content_dir, config.templates_dir, config.static_dir, config.data_dir)
    return [config.site_root / name for name in names]


@functools.cache
def code_digest() -> str:
    """newsgen's own files (code and built-in theme): an upgrade or a local change of newsgen
    invalidates the cache even when its version number stays the same."""
    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".html", ".xml", ".txt", ".css"} and path.is_file():
            hasher.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return hasher.hexdigest()


def cache_key(config: Config) -> str:
    """Settings, vocabularies and newsgen itself: what parsed articles depend on besides
    their own file."""
    settings = repr(replace(config, site_root=Path("."))) + code_digest()
    hasher = hashlib.blake2b(settings.encode(), digest_size=16)
    for rel in sorted(vocabulary_files(config).values()):
        path = config.site_root / rel
        hasher.update(rel.encode() + (path.read_bytes() if path.is_file() else b""))
    return hasher.hexdigest()


def inputs_digest(options: BuildOptions, config: Config, out: Path, scan: Scan) -> tuple[str, int]:
    """Every input's path, size and mtime, and the options (unchanged: nothing to do), with
    the newest mtime among them."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(
        repr((__version__, code_digest(), options.drafts, options.future, str(out))).encode()
    )
    hasher.update(repr(sorted(scan.stats.items())).encode())
    newest = max((mtime for mtime, _ in scan.stats.values()), default=0)
    for folder in (config.templates_dir, config.static_dir, config.data_dir):
        entries = stat_tree(config.site_root, folder)
        newest = max([newest, *(mtime for _, mtime, _ in entries)])
        hasher.update(repr(entries).encode())
    config_file = config.site_root / CONFIG_FILE
    hasher.update(config_file.read_bytes() if config_file.is_file() else b"")
    return hasher.hexdigest(), newest


def open_cache(options: BuildOptions, config: Config) -> BuildCache | None:
    """The site's build cache, or none when disabled or unusable."""
    if not options.use_cache:
        return None
    try:
        return BuildCache(config.site_root, cache_key(config))
    except (OSError, CacheUnusable):
        return None


def is_up_to_date(cache: BuildCache, digest: str, out: Path, now: datetime) -> bool:
    """Nothing changed since the last build and its output is still in place."""
    signature = output.manifest_signature(out)
    next_change = float(cache.meta("next_change") or "inf")
    return (
        cache.meta("inputs") == digest
        and bool(signature)
        and cache.meta("manifest") == signature
        and now.timestamp() < next_change
    )


def pages_to_render(
    renderer: Any,
    pages: tuple[PageSpec, ...],
    previous: Mapping[str, str],
    out: Path,
    clean: bool,
    output_intact: bool,
) -> tuple[list[int], dict[str, str]]:
    """Pages whose fingerprint changed, or whose file is missing from the output."""
    fingerprints: dict[str, str] = {}
    todo: list[int] = []
    for position, page in enumerate(pages):
        fingerprint = renderer.fingerprint(page)
        fingerprints[page.output_path] = fingerprint
        if (
            clean
            or previous.get(page.output_path) != fingerprint
            or (not output_intact and not (out / page.output_path).is_file())
        ):
            todo.append(position)
    return todo, fingerprints


def write_site(
    site: Site,
    options: BuildOptions,
    out: Path,
    cache: BuildCache | None,
    result: BuildResult,
    timer: Timer,
    progress: Progress | None,
) -> dict[str, str]:
    """Render what changed into staging, add static files, then publish; returns fingerprints."""
    from newsgen.parallel import render_pages
    from newsgen.render import Renderer

    keys = {path: stat[2] for path, stat in site.sources.items()}
    renderer = Renderer(
        site.config, site.index, cache.path if cache else None, keys, cache_key(site.config)
    )
    previous = cache.pages() if cache else {}
    signature = output.manifest_signature(out)
    intact = bool(cache and signature and cache.meta("manifest") == signature)
    todo, fingerprints = pages_to_render(renderer, site.pages, previous, out, options.clean, intact)
    timer.lap("fingerprint")
    staging = output.Staging(out)
    try:
        outcome = render_pages(renderer, site.pages, todo, staging, options.jobs, progress)
        timer.lap("render")
        if outcome.problem:
            raise TemplateProblem(outcome.problem)
        static_data = {rel: path.read_bytes() for rel, path in site.static_files}
        staged = outcome.staged + [
            rel for rel, data in static_data.items() if staging.put(rel, data)
        ]
        made = {p.output_path for p in site.pages} | set(static_data)
        output.publish(staging, made, staged, result.stats)
        timer.lap("publish")
    except BaseException:
        staging.discard()
        raise
    result.rendered, result.stats.written = len(todo), len(staged)
    result.stats.unchanged = len(made) - len(staged)
    result.stats.changed_paths = staged
    if cache:
        save_cache(cache, site, fingerprints, output.manifest_signature(out))
        timer.lap("cache")
    return fingerprints


def save_cache(
    cache: BuildCache,
    site: Site,
    fingerprints: dict[str, str],
    manifest: str,
) -> None:
    """Remember this build: sources, parse results, new bodies, page fingerprints."""
    parsed = {
        digest: (article, tuple(problems)) for digest, (article, problems) in site.parsed.items()
    }
    meta = {
        "manifest": manifest,
        "next_change": repr(site.next_change),
        "scanned": str(site.scanned_ns),
    }
    body_keys = {body_key(a, site.config.sanitize_html) for a, _ in site.parsed.values() if a}
    cache.save(site.sources, parsed, body_keys, fingerprints, meta)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site: nothing reaches the output folder unless every page rendered."""
    result = BuildResult()
    timer = Timer(result.timings)
    config, diagnostics = load_config(options.site_root)
    out = output_dir_of(options, config)
    output.check_output_safety(out, config.site_root, source_dirs(config))
    output.check_ownership(out, options.force)
    output.recover(out)
    cache = open_cache(options, config)
    scan = scan_content(config)
    digest, newest_ns = inputs_digest(options, config, out, scan)
    now = options.now or datetime.now(timezone.utc)
    if cache and not options.clean and is_up_to_date(cache, digest, out, now):
        result.output_dir, result.up_to_date = out, True
        result.articles = int(cache.meta("articles") or 0)
        return result
    try:
        site = read_site(options, config, diagnostics, cache, timer, progress, scan)
        write_site(site, options, out, cache, result, timer, progress)
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    except TemplateProblem as problem:
        result.diagnostics = (*sort_diagnostics(diagnostics), problem.diagnostic)
        return result
    except CacheUnusable:
        if cache:
            cache.discard()
        return build(BuildOptions(**{**options.__dict__, "use_cache": False}), progress)
    if cache:
        # Inputs changed moments before the scan may change again unseen: no shortcut then.
        trusted = newest_ns < site.scanned_ns - RACY_NS
        cache.save_meta(
            {"inputs": digest if trusted else "", "articles": str(len(site.index.articles))}
        )
    result.diagnostics, result.output_dir = site.diagnostics, out
    result.articles, result.pages = len(site.index.articles), len(site.pages)
    return result
