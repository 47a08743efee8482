"""The recipe: load -> parse -> index -> plan -> render -> search -> publish, stage by stage.

`build` and `check` read as flat lists of stage calls; every stage returns its value and its
diagnostics (pipeline/read_stages.py, pipeline/write_stages.py), and one Incremental object decides what the
last build's work can be reused for.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from newsgen.checks.links import broken_links, site_targets
from newsgen.checks.translations import missing_labels, missing_translations
from newsgen.core.config import load_config
from newsgen.core.diagnostics import BuildFailed, Diagnostic, has_errors, sort_diagnostics
from newsgen.core.model import Progress
from newsgen.incremental.cache import CACHE_DIR, CacheUnusable
from newsgen.incremental.reuse import Incremental
from newsgen.pipeline.media_stages import read_media
from newsgen.pipeline.options import (
    BuildOptions,
    BuildResult,
    Job,
    Timer,
    output_dir_of,
    source_dirs,
)
from newsgen.pipeline.read_stages import (
    Site,
    check_content_folder,
    index_site,
    load_inputs,
    parse_articles,
    plan_site,
    scheduled_articles,
)
from newsgen.pipeline.write_stages import (
    precompile_templates,
    publish_site,
    remember_build,
    render_site,
    search_site,
    staging_folder,
)
from newsgen.publish import output, publish
from newsgen.render import templating
from newsgen.render.templating import TemplateProblem, compile_templates
from newsgen.source.load import Scan, scan_content

__all__ = ["BuildOptions", "BuildResult", "build", "check", "output_dir_of", "source_dirs"]


GC_THRESHOLD = 100_000  # allocations between young collections (Python's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A build keeps millions of objects alive; at Python's default thresholds the cycle
    collector walked them over and over (5 of the 17 s of a 100,000-article edit)."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()  # what settle() kept out of collections is collectable again (serve)


def settle() -> None:
    """What the stages up to the plan made lives to the end of the build: the cycle collector
    stops walking it (it did, over and over: 0.1-0.2 s of an edit at 10,000 articles; the
    parse snapshot is frozen as it is loaded), and forked render workers do not copy the
    memory it would have touched."""
    gc.freeze()


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site: nothing reaches the output folder unless every page rendered."""
    config, settings_problems = load_config(options.site_root)
    out = output_dir_of(options, config)
    check_content_folder(config)
    output.check_output_safety(out, config.site_root, source_dirs(config))
    output.check_ownership(out, options.force)
    site_lock = output.build_lock(config.site_root / CACHE_DIR / "build.lock")
    with site_lock, output.output_lock(out), fewer_collections():
        output.checkpoint("locked")
        placement = publish.place_output(out)
        publish.recover(placement)
        job = Job(options, config, out, Incremental.open(config, options.use_cache), progress)
        try:
            return run_build(job, settings_problems, placement)
        except CacheUnusable:  # a cache that fails mid-build: start again without it
            job = replace(job, reuse=job.reuse.discard())
            return run_build(job, settings_problems, placement)
        finally:
            templating.COMPILED.drop()  # a build stopped before rendering ends the helper


def run_build(
    job: Job, settings_problems: Sequence[Diagnostic], placement: publish.Placement
) -> BuildResult:
    """Every stage in order; any problem stops the build before anything is published."""
    timer = Timer()
    scan = timer.run("load", scan_content, job.config)
    if is_up_to_date(job, scan):
        return up_to_date_result(job)
    precompile_templates(job)
    inputs, loaded = timer.run("load", load_inputs, job.config)
    articles, parsed = timer.run("parse", parse_articles, job, inputs, scan)
    index, indexed = timer.run("index", index_site, job, articles, inputs)
    media, pictured = timer.run("media", read_media, job, index)
    site, planned = timer.run("plan", plan_site, job, index, inputs, media)
    settle()
    found = [*settings_problems, *loaded, *parsed, *indexed, *pictured, *planned]
    if stop := stop_before_writing(job, found, site):
        return BuildResult(stop, timings=timer.timings)
    try:
        with staging_folder(placement) as staging:
            rendered, problems = timer.run("render", render_site, job, site, articles, staging)
            stop_if_failed(found, problems)  # the staging folder is discarded, the output kept
            search, searched = timer.run("search", search_site, job, site, rendered, staging)
            stop_if_failed(found, searched)
            stats = timer.run("publish", publish_site, job, rendered, search, staging)
    except (BuildFailed, TemplateProblem, OSError) as failure:
        return BuildResult(failure_diagnostics(failure, found), timings=timer.timings)
    schedule = timer.run("remember", remember_build, job, articles, index, rendered, search)
    tampered = [output.manifest_warning(job.output_dir, stats.ignored)] if stats.ignored else []
    found, counts = [*found, *tampered], (len(index.articles), len(site.pages), rendered.rendered)
    return BuildResult(
        sort_diagnostics(found),
        job.output_dir,
        *counts,
        False,
        stats,
        timer.timings,
        search_pending=search.pending,
        scheduled=schedule,
    )


def is_up_to_date(job: Job, scan: Scan) -> bool:
    """Nothing changed since the last build (--clean and --strict always build)."""
    options = job.options
    job.reuse.note_inputs(job.config, (options.drafts, options.future), job.output_dir, scan)
    forced = options.clean or options.strict
    return not forced and job.reuse.is_up_to_date(job.output_dir, options.moment())


def up_to_date_result(job: Job) -> BuildResult:
    """Nothing to do: the last build's article count and schedule still hold."""
    reuse = job.reuse
    return BuildResult(
        output_dir=job.output_dir,
        up_to_date=True,
        articles=reuse.article_count(),
        scheduled=reuse.last_schedule(),
    )


def failure_diagnostics(
    failure: BuildFailed | TemplateProblem | OSError, found: list[Diagnostic]
) -> tuple[Diagnostic, ...]:
    """What a stage that failed while writing says, after everything found before it."""
    if isinstance(failure, BuildFailed):
        return failure.diagnostics
    if isinstance(failure, TemplateProblem):
        return (*sort_diagnostics(found), failure.diagnostic)
    return (*sort_diagnostics(found), output.write_failure(failure))


def stop_if_failed(found: list[Diagnostic], problems: list[Diagnostic]) -> None:
    """A stage that failed ends the build with every problem found so far."""
    if problems:
        raise BuildFailed(sort_diagnostics([*found, *problems]))


def stop_before_writing(job: Job, found: list[Diagnostic], site: Site) -> tuple[Diagnostic, ...]:
    """What stops a build before it writes: errors, any warning under --strict, or taking away
    more than half of the published articles without --allow-shrink."""
    if has_errors(found) or (job.options.strict and found):
        return sort_diagnostics(found)
    shrink = output.shrink_problem(job.output_dir, len(site.index.articles))
    if shrink and not job.options.allow_shrink:
        return sort_diagnostics([*found, shrink])
    return ()


def check(options: BuildOptions) -> BuildResult:
    """The build pipeline without render and write: validate everything."""
    config, settings_problems = load_config(options.site_root)
    check_content_folder(config)
    job = Job(options, config, output_dir_of(options, config), Incremental.off(config))
    timer, templates = Timer(), compile_templates(config)
    scan = timer.run("load", scan_content, config)
    inputs, loaded = timer.run("load", load_inputs, config)
    articles, parsed = timer.run("parse", parse_articles, job, inputs, scan)
    index, indexed = timer.run("index", index_site, job, articles, inputs)
    media, pictured = timer.run("media", read_media, job, index)
    site, planned = timer.run("plan", plan_site, job, index, inputs, media)
    found = [*settings_problems, *templates, *loaded, *parsed, *indexed, *pictured, *planned]
    if has_errors(found):
        return BuildResult(sort_diagnostics(found), timings=timer.timings)
    untranslated = missing_translations(index, config)
    targets = site_targets(site.pages, (rel for rel, _ in site.static_files))
    broken = broken_links(index.articles, targets)
    found += [*untranslated, *broken, *job.reuse.moved(index.articles)]
    counts = (len(index.articles), len(site.pages))
    schedule = scheduled_articles(articles, options)
    return BuildResult(
        sort_diagnostics(found),
        None,
        *counts,
        timings=timer.timings,
        scheduled=schedule,
        missing_labels=missing_labels(index, config),
    )
