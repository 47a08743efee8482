"""The pipeline: load -> parse -> index -> plan -> render -> write, as a flat list of stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from newsgen.checks.links import broken_links, site_targets
from newsgen.checks.translations import missing_translations
from newsgen.core.config import Config, load_config
from newsgen.core.diagnostics import BuildFailed, Diagnostic, has_errors, sort_diagnostics
from newsgen.core.model import Progress
from newsgen.incremental.cache import CACHE_DIR, BuildCache, CacheUnusable, peek_meta
from newsgen.incremental.decisions import (
    cache_key,
    inputs_digest,
    is_up_to_date,
    open_cache,
    pages_to_render,
    save_cache,
)
from newsgen.incremental.url_history import moved_articles, read_url_map, url_map
from newsgen.pipeline.reading import (
    RACY_NS,
    BuildOptions,
    Site,
    Timer,
    check_content_folder,
    output_dir_of,
    read_site,
    scan_content,
)
from newsgen.publish import output, publish
from newsgen.publish.search import stage_search
from newsgen.render.templating import TemplateProblem, compile_templates

__all__ = ["BuildOptions", "BuildResult", "build", "check", "output_dir_of"]


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


def check(options: BuildOptions) -> BuildResult:
    """The build pipeline without render and write: validate everything."""
    result = BuildResult()
    config, diagnostics = load_config(options.site_root)
    check_content_folder(config)
    diagnostics.extend(compile_templates(config))
    try:
        site = read_site(options, config, diagnostics, None, Timer(result.timings))
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    untranslated = missing_translations(site.index, config)
    targets = site_targets(site.pages, (rel for rel, _ in site.static_files))
    broken = broken_links(config.site_root, site.index.articles, targets)
    moved = moved_articles(site.index.articles, read_url_map(peek_meta(config.site_root, "urls")))
    result.diagnostics = sort_diagnostics([*site.diagnostics, *untranslated, *broken, *moved])
    result.articles, result.pages = len(site.index.articles), len(site.pages)
    return result


def source_dirs(config: Config) -> list[Path]:
    """Folders whose files are the site's sources, which the output must never overlap."""
    names = (config.content_dir, config.templates_dir, config.static_dir, config.data_dir)
    return [config.site_root / name for name in names]


def write_site(
    site: Site,
    options: BuildOptions,
    placement: publish.Placement,
    cache: BuildCache | None,
    result: BuildResult,
    timer: Timer,
    progress: Progress | None,
) -> None:
    """Render what changed into staging, add static files and the search bundle, then
    publish it all in one step."""
    from newsgen.pipeline.parallel import render_pages
    from newsgen.render.renderer import Renderer

    keys = {path: stat[2] for path, stat in site.sources.items()}
    renderer = Renderer(
        site.config, site.index, cache.path if cache else None, keys, cache_key(site.config)
    )
    previous = cache.pages() if cache else {}
    out = placement.output_dir
    signature = output.manifest_signature(out)
    intact = bool(cache and signature and cache.meta("manifest") == signature)
    todo, fingerprints = pages_to_render(renderer, site.pages, previous, out, options.clean, intact)
    timer.lap("fingerprint")
    staging = publish.Staging(placement)
    try:
        outcome = render_pages(renderer, site.pages, todo, staging, options.jobs, progress)
        timer.lap("render")
        if outcome.problems:
            raise BuildFailed(sort_diagnostics([*site.diagnostics, *outcome.problems]))
        static_data = {rel: path.read_bytes() for rel, path in site.static_files}
        staged = outcome.staged + [
            rel for rel, data in static_data.items() if staging.put(rel, data)
        ]
        search = stage_search(site.config, site.pages, staging, fingerprints, cache, options.jobs)
        timer.lap("search")
        if search.problems:
            raise BuildFailed(sort_diagnostics([*site.diagnostics, *search.problems]))
        made = {p.output_path for p in site.pages} | set(static_data) | search.files
        staged += sorted(f for f in search.files if (staging.dir / f).is_file())
        if cache:  # a build killed after publishing must not trust what it replaced
            cache.forget_pages(staged)
            cache.save_meta({f"search:{year}": "" for year in search.indexed})
        publish.publish(staging, made, staged, result.stats)
        timer.lap("publish")
    except BaseException:
        staging.discard()
        raise
    result.rendered, result.stats.written = len(todo), len(staged)
    result.stats.unchanged = len(made) - len(staged)
    result.stats.changed_paths = staged
    if cache:
        output.checkpoint("cache")
        body_keys = {renderer.bodies.key(a) for a, _ in site.parsed.values() if a}
        save_cache(cache, site, fingerprints, output.manifest_signature(out), body_keys)
        cache.save_meta(search.digests)  # only now: the bundles they describe are published
        timer.lap("cache")


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site: nothing reaches the output folder unless every page rendered."""
    config, diagnostics = load_config(options.site_root)
    out = output_dir_of(options, config)
    check_content_folder(config)
    output.check_output_safety(out, config.site_root, source_dirs(config))
    output.check_ownership(out, options.force)
    site_lock = output.build_lock(config.site_root / CACHE_DIR / "build.lock")
    with site_lock, output.output_lock(out):
        return build_locked(options, progress, config, diagnostics, out)


def build_locked(
    options: BuildOptions,
    progress: Progress | None,
    config: Config,
    diagnostics: list[Diagnostic],
    out: Path,
) -> BuildResult:
    """The build proper, while holding the output folder's lock."""
    result = BuildResult()
    timer = Timer(result.timings)
    output.checkpoint("locked")
    placement = publish.place_output(out)
    publish.recover(placement)
    cache = open_cache(options, config)
    scan = scan_content(config)
    digest, newest_ns = inputs_digest(options, config, out, scan)
    now = options.now or datetime.now(timezone.utc)
    shortcut = cache and not options.clean and not options.strict
    if shortcut and cache and is_up_to_date(cache, digest, out, now):
        result.output_dir, result.up_to_date = out, True
        result.articles = int(cache.meta("articles") or 0)
        return result
    previous_urls = read_url_map(cache.meta("urls") if cache else None)
    try:
        site = read_site(options, config, diagnostics, cache, timer, progress, scan)
        moved = moved_articles(site.index.articles, previous_urls)
        shrink = output.shrink_problem(placement.output_dir, len(site.index.articles))
        if shrink and not options.allow_shrink:
            result.diagnostics = sort_diagnostics([*site.diagnostics, shrink])
            return result
        if options.strict and (site.diagnostics or moved):
            result.diagnostics = sort_diagnostics([*site.diagnostics, *moved])
            return result  # no output_dir: nothing was written
        write_site(site, options, placement, cache, result, timer, progress)
    except BuildFailed as failed:
        result.diagnostics = failed.diagnostics
        return result
    except TemplateProblem as problem:
        result.diagnostics = (*sort_diagnostics(diagnostics), problem.diagnostic)
        return result
    except OSError as failure:
        result.diagnostics = (*sort_diagnostics(diagnostics), output.write_failure(failure))
        return result
    except CacheUnusable:
        if cache:
            cache.discard()
        no_cache = BuildOptions(**{**options.__dict__, "use_cache": False})
        return build_locked(no_cache, progress, config, diagnostics, out)
    if cache:
        # Inputs changed moments before the scan may change again unseen: no shortcut then.
        trusted = newest_ns < site.scanned_ns - RACY_NS
        cache.save_meta(
            {
                "inputs": digest if trusted else "",
                "articles": str(len(site.index.articles)),
                "urls": url_map(site.index.articles, previous_urls),
            }
        )
    ignored = result.stats.ignored
    tampered = [output.manifest_warning(placement.output_dir, ignored)] if ignored else []
    result.diagnostics = sort_diagnostics([*site.diagnostics, *moved, *tampered])
    result.output_dir = out
    result.articles, result.pages = len(site.index.articles), len(site.pages)
    return result
