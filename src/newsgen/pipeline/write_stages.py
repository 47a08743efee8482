"""The stages after planning: render -> search -> publish, all through one staging folder.

Nothing reaches the output folder until every page rendered and the search bundle is made;
a failure discards the staging folder and leaves the last good output as it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, SiteIndex
from newsgen.incremental.keys import cache_key
from newsgen.incremental.records import Prints, Published
from newsgen.pipeline.media_stages import make_images
from newsgen.pipeline.options import Job, Schedule
from newsgen.pipeline.read_stages import Site, next_due, scheduled_articles
from newsgen.publish import output, publish
from newsgen.publish.search import SearchResult, stage_search


@dataclass(frozen=True)
class Rendered:
    """What the render stage staged, and every page's fingerprint (what the next build reuses)."""

    prints: Prints  # fingerprints of the pages, and search prints of the article pages
    rendered: int
    staged: tuple[str, ...]
    made: frozenset[str]
    body_keys: set[str]


@contextmanager
def staging_folder(placement: publish.Placement) -> Iterator[publish.Staging]:
    """A staging folder beside the output; discarded unless it was published."""
    staging = publish.Staging(placement)
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise


def precompile_templates(job: Job) -> None:
    """A helper process compiles the templates while this one reads the archive (0.1 s of
    an addition); the first build of a process only, and not with -j 1."""
    from newsgen.pipeline.parallel import start_helper
    from newsgen.render import templating

    if templating.COMPILED.is_empty():
        work = partial(templating.precompiled_templates, job.config)
        helper = start_helper(work, job.options.jobs)
        if helper is not None:
            templating.COMPILED.expect(helper)


def render_site(
    job: Job, site: Site, articles: Sequence[Article], staging: publish.Staging
) -> tuple[Rendered, list[Diagnostic]]:
    """Render stage: pages whose fingerprint changed, then static files, into staging."""
    from newsgen.pipeline.parallel import render_pages
    from newsgen.render.renderer import Renderer

    reuse, options = job.reuse, job.options
    keys = reuse.article_keys()
    reuse.drop_compiled_templates()
    key = cache_key(site.config)
    renderer = Renderer(site.config, site.index, reuse.body_cache(), keys, key, media=site.media)
    renderer.template_names.update(reuse.template_names(renderer.base_digest))
    prints = reuse.fingerprints(site.pages, renderer)
    todo = reuse.pages_to_render(site.pages, prints.pages, staging.output_dir, options.clean)
    outcome = render_pages(renderer, site.pages, todo, staging, options.jobs, job.progress)
    prints = reuse.settle_prints(prints, site.pages, outcome.reads, renderer)
    reuse.note_template_names(renderer.base_digest, renderer.template_names)
    static = [rel for rel, path in site.static_files if staging.put(rel, path.read_bytes())]
    images = site.media.images
    pictures, picture_problems = make_images(job, images, site.index.articles, staging)
    made = {page.output_path for page in site.pages} | {rel for rel, _ in site.static_files}
    made |= {name for image in images.values() for name in image.files}
    body_keys = {renderer.bodies.key(article) for article in articles}
    staged = (*outcome.staged, *static, *pictures)
    done = Rendered(prints, len(todo), staged, frozenset(made), body_keys)
    return done, outcome.problems + picture_problems


def search_site(
    job: Job, site: Site, rendered: Rendered, staging: publish.Staging
) -> tuple[SearchResult, list[Diagnostic]]:
    """Search stage: each year's Pagefind bundle into staging (kept where nothing changed);
    without `search_now`, the published bundles are kept behind the pages if Pagefind must run."""
    reuse, options = job.reuse, job.options
    saved, store = reuse.search_state(), reuse.bundle_store()
    prints, defer = rendered.prints.search, not options.search_now
    found = stage_search(
        site.config, site.pages, staging, prints, saved, store, options.jobs, defer
    )
    return found, found.problems


def publish_site(
    job: Job, rendered: Rendered, search: SearchResult, staging: publish.Staging
) -> output.WriteStats:
    """Publish stage: pages, static files and search bundle replace the output in one step."""
    made = set(rendered.made) | search.files
    staged = [*rendered.staged, *sorted(search.staged)]
    job.reuse.before_publish(staged, search.forget)
    stats = output.WriteStats()
    publish.publish(staging, made, staged, stats)
    stats.written, stats.unchanged = len(staged), len(made) - len(staged)
    stats.changed_paths = staged
    return stats


def remember_build(
    job: Job,
    articles: Sequence[Article],
    index: SiteIndex,
    rendered: Rendered,
    search: SearchResult,
) -> Schedule:
    """Remember stage: once published, what the next build may reuse is handed over; returns
    the articles held back for a future date (the build reports them)."""
    schedule = scheduled_articles(articles, job.options)
    kept = (rendered.prints, rendered.body_keys, search.state, next_due(schedule), search.pending)
    job.reuse.after_publish(Published(job.output_dir, index.articles, *kept, schedule))
    return schedule
