"""The recipe: load -> parse -> index -> plan -> render -> search -> publish, stage by stage.

`build` and `check` read as flat lists of stage calls; every stage returns its value and its
diagnostics (pipeline/read.py, pipeline/write.py), and one Incremental object decides what the
last build's work can be reused for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from newsgen.checks.links import broken_links, site_targets
from newsgen.checks.translations import missing_translations
from newsgen.core.config import Config, load_config
from newsgen.core.diagnostics import BuildFailed, Diagnostic, has_errors, sort_diagnostics
from newsgen.core.model import Progress
from newsgen.incremental.cache import CACHE_DIR, CacheUnusable
from newsgen.incremental.reuse import Incremental, Published
from newsgen.pipeline.options import (
    BuildOptions,
    BuildResult,
    Timer,
    output_dir_of,
    source_dirs,
)
from newsgen.pipeline.read import (
    Site,
    check_content_folder,
    index_site,
    load_inputs,
    next_due,
    parse_articles,
    plan_site,
)
from newsgen.pipeline.write import publish_site, render_site, search_site, staging_folder
from newsgen.publish import output, publish
from newsgen.render.templating import TemplateProblem, compile_templates
from newsgen.source.load import scan_content

__all__ = ["BuildOptions", "BuildResult", "build", "check", "output_dir_of", "source_dirs"]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site: nothing reaches the output folder unless every page rendered."""
    config, settings_problems = load_config(options.site_root)
    out = output_dir_of(options, config)
    check_content_folder(config)
    output.check_output_safety(out, config.site_root, source_dirs(config))
    output.check_ownership(out, options.force)
    site_lock = output.build_lock(config.site_root / CACHE_DIR / "build.lock")
    with site_lock, output.output_lock(out):
        output.stop_for_test("locked")
        placement = publish.place_output(out)
        publish.recover(placement)
        reuse = Incremental.open(config, options.use_cache)
        try:
            return run_build(options, config, settings_problems, placement, reuse, progress)
        except CacheUnusable:  # a cache that fails mid-build: start again without it
            reuse = reuse.discard()
            return run_build(options, config, settings_problems, placement, reuse, progress)


def run_build(
    options: BuildOptions,
    config: Config,
    settings_problems: Sequence[Diagnostic],
    placement: publish.Placement,
    reuse: Incremental,
    progress: Progress | None,
) -> BuildResult:
    """Every stage in order; problems stop the build before anything is published."""
    timer, out = Timer(), placement.output_dir
    scan = timer.run("load", scan_content, config)
    reuse.note_inputs(config, (options.drafts, options.future), out, scan)
    if not (options.clean or options.strict) and reuse.is_up_to_date(out, options.moment()):
        return BuildResult(output_dir=out, up_to_date=True, articles=reuse.article_count())
    inputs, loaded = timer.run("load", load_inputs, config)
    articles, parsed = timer.run(
        "parse", parse_articles, config, inputs, scan, reuse, options, progress
    )
    index, indexed = timer.run("index", index_site, articles, config, inputs, reuse, options)
    site, planned = timer.run("plan", plan_site, index, config, inputs, out)
    found = [*settings_problems, *loaded, *parsed, *indexed, *planned, *reuse.moved(index.articles)]
    if stop := stop_before_writing(found, site, options, out):
        return BuildResult(diagnostics=stop, timings=timer.timings)
    try:
        with staging_folder(placement) as staging:
            rendered, problems = timer.run(
                "render", render_site, site, articles, reuse, staging, options, progress
            )
            stop_if_failed(found, problems)  # the staging folder is discarded, the output kept
            search, searched = timer.run(
                "search", search_site, site, rendered, reuse, staging, options.jobs
            )
            stop_if_failed(found, searched)
            stats = timer.run("publish", publish_site, rendered, search, reuse, staging)
    except BuildFailed as failed:
        return BuildResult(failed.diagnostics, timings=timer.timings)
    except TemplateProblem as problem:
        return BuildResult((*sort_diagnostics(found), problem.diagnostic))
    except OSError as failure:
        return BuildResult((*sort_diagnostics(found), output.write_failure(failure)))
    published = Published(
        out,
        index.articles,
        rendered.fingerprints,
        rendered.body_keys,
        search.digests,
        next_due(articles, options),
    )
    timer.run("cache", reuse.after_publish, published)
    tampered = [output.manifest_warning(out, stats.ignored)] if stats.ignored else []
    summary = (len(index.articles), len(site.pages), rendered.rendered)
    return BuildResult(
        sort_diagnostics([*found, *tampered]), out, *summary, False, stats, timer.timings
    )


def stop_if_failed(found: list[Diagnostic], problems: list[Diagnostic]) -> None:
    """A stage that failed ends the build with every problem found so far."""
    if problems:
        raise BuildFailed(sort_diagnostics([*found, *problems]))


def stop_before_writing(
    found: list[Diagnostic], site: Site, options: BuildOptions, out: Path
) -> tuple[Diagnostic, ...]:
    """What stops a build before it writes: errors, any warning under --strict, or taking away
    more than half of the published articles without --allow-shrink."""
    if has_errors(found) or (options.strict and found):
        return sort_diagnostics(found)
    shrink = output.shrink_problem(out, len(site.index.articles))
    if shrink and not options.allow_shrink:
        return sort_diagnostics([*found, shrink])
    return ()


def check(options: BuildOptions) -> BuildResult:
    """The build pipeline without render and write: validate everything."""
    config, settings_problems = load_config(options.site_root)
    check_content_folder(config)
    timer, reuse = Timer(), Incremental.off(config)
    templates = compile_templates(config)
    scan = timer.run("load", scan_content, config)
    inputs, loaded = timer.run("load", load_inputs, config)
    articles, parsed = timer.run(
        "parse", parse_articles, config, inputs, scan, reuse, options, None
    )
    index, indexed = timer.run("index", index_site, articles, config, inputs, reuse, options)
    site, planned = timer.run(
        "plan", plan_site, index, config, inputs, output_dir_of(options, config)
    )
    found = [*settings_problems, *templates, *loaded, *parsed, *indexed, *planned]
    if has_errors(found):
        return BuildResult(sort_diagnostics(found), timings=timer.timings)
    untranslated = missing_translations(index, config)
    targets = site_targets(site.pages, (rel for rel, _ in site.static_files))
    broken = broken_links(index.articles, targets)
    found += [*untranslated, *broken, *reuse.moved(index.articles)]
    summary = (len(index.articles), len(site.pages))
    return BuildResult(sort_diagnostics(found), None, *summary, timings=timer.timings)
