"""The stages before any template runs: load -> parse/validate -> index -> plan.

Each stage returns its value and its diagnostics; none raises for bad input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.core.config import CONFIG_FILE, Config, did_you_mean
from newsgen.core.diagnostics import Diagnostic, UnsafeSetup, error, warning
from newsgen.core.model import Article, Media, PageSpec, SiteIndex, Unparsed
from newsgen.incremental.keys import layout_key, vocabularies_key
from newsgen.incremental.reuse import Parsed, ParseResult
from newsgen.pipeline.options import BuildOptions, Job, Schedule
from newsgen.publish.output import foreign_files_at
from newsgen.render.templating import THEME_STATIC, shortcode_names
from newsgen.site.index import build_index, select_published, sort_articles
from newsgen.site.plan import plan_pages
from newsgen.source.load import Scan, list_static_files, read_source, source_digest
from newsgen.source.parse import parse_source
from newsgen.source.resolve import check_unparsed, resolve_articles, written_terms
from newsgen.source.shortcodes import unknown_shortcodes
from newsgen.source.vocab import Vocabulary, load_vocabularies

StaticFiles = tuple[tuple[str, Path], ...]


@dataclass(frozen=True)
class Inputs:
    """What the site is made of besides its articles: vocabularies and static files."""

    vocabularies: Mapping[str, Vocabulary]
    static_files: StaticFiles


@dataclass(frozen=True)
class Site:
    """Everything read, indexed and planned before any template runs."""

    config: Config
    index: SiteIndex
    pages: tuple[PageSpec, ...]
    static_files: StaticFiles
    media: Media = field(default_factory=Media)  # lead photos and attachments


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


def load_inputs(config: Config) -> tuple[Inputs, list[Diagnostic]]:
    """Load stage: vocabularies, theme assets and the site's static files."""
    vocabularies, problems = load_vocabularies(config)
    files = {
        f"assets/{rel}": path for rel, path in list_static_files(THEME_STATIC.parent, "static")
    }
    files.update(dict(list_static_files(config.site_root, config.static_dir)))  # may replace
    return Inputs(vocabularies, tuple(sorted(files.items()))), problems


def make_parser(config: Config) -> Callable[[str], object]:
    """Read, hash and parse one file; runs in worker processes."""

    def parse_one(source_path: str) -> tuple[str, ParseResult]:
        try:
            source = read_source(config.site_root, source_path)
        except OSError as exc:  # gone since the scan, or not readable
            problem = error(source_path, 0, "", f"cannot be read: {exc.strerror or exc}")
            return source_digest(source_path, b"\x00unreadable"), (None, [problem])
        article, problems = parse_source(source, config)
        result = article or written_terms(source, config)  # the terms of a file that failed
        return source_digest(source_path, source.data), (result, problems)

    return parse_one


def parse_files(job: Job, scan: Scan) -> Parsed:
    """Every content file's parse result by path, reusing results for unchanged files."""
    from newsgen.pipeline.parallel import parse_paths

    parsed: Parsed = job.reuse.reusable_parses(scan)
    dirty = [path for path in scan.stats if path not in parsed]
    parser = make_parser(job.config)
    parsed.update(parse_paths(parser, dirty, job.options.jobs, job.progress))
    job.reuse.note_parses(parsed)
    return parsed


def parse_articles(job: Job, inputs: Inputs, scan: Scan) -> tuple[list[Article], list[Diagnostic]]:
    """Parse stage: every article file, reusing results for files that did not change."""
    config = job.config
    parsed = parse_files(job, scan)
    results = sorted(parsed.values(), key=lambda found: found[0])  # by digest: any file order
    parsed_articles = [item for _, (item, _) in results if isinstance(item, Article)]
    unparsed = [item for _, (item, _) in results if isinstance(item, Unparsed)]
    articles, unknown_terms = resolve_articles(parsed_articles, inputs.vocabularies)
    unknown_terms += check_unparsed(unparsed, inputs.vocabularies)
    problems = [*scan.problems, *(p for _, (_, found) in results for p in found), *unknown_terms]
    problems += unknown_shortcodes(articles, shortcode_names(config), config.templates_dir)
    return articles, problems


def index_site(
    job: Job, articles: Sequence[Article], inputs: Inputs
) -> tuple[SiteIndex, list[Diagnostic]]:
    """Index stage: published articles into taxonomies and date archives."""
    options = job.options
    now = options.moment()
    published = sort_articles(select_published(articles, options.drafts, options.future, now))
    static_paths = [rel for rel, _ in inputs.static_files]
    key = layout_key(published, static_paths, vocabularies_key(inputs.vocabularies))
    reused = job.reuse.reused_index(key, published)
    if reused is not None:
        return reused.index, list(reused.index_problems)
    index, problems = build_index(
        published, job.config, inputs.vocabularies, job.reuse.related_finder()
    )
    job.reuse.note_index(key, index, problems)
    return index, problems


def scheduled_articles(articles: Sequence[Article], options: BuildOptions) -> Schedule:
    """Articles held back for a future date (drafts aside), the soonest first: the site
    changes by itself when one becomes due, so the user is told when to build again."""
    if options.future:
        return ()
    now = options.moment()
    kept = (
        (a.source_path, a.date)
        for a in articles
        if a.date > now and (options.drafts or not a.draft)
    )
    return tuple(sorted(kept, key=lambda item: (item[1].timestamp(), item[0])))


def next_due(schedule: Schedule) -> float:
    """When the earliest held-back article becomes due (infinity: none is)."""
    return min((moment.timestamp() for _, moment in schedule), default=float("inf"))


def plan_site(
    job: Job, index: SiteIndex, inputs: Inputs, media: Media
) -> tuple[Site, list[Diagnostic]]:
    """Plan stage: every page with its URL; collisions and replaced foreign files are errors."""
    config, static_files = job.config, inputs.static_files
    reused = job.reuse.reused_plan(index)
    if reused is not None:
        pages, problems = reused.pages, list(reused.plan_problems)
    else:
        pages, problems = plan_pages(index, config, [rel for rel, _ in static_files])
        job.reuse.note_plan(pages, problems)
    problems += static_collisions(pages, static_files, config)
    if not config.base_url:
        message = "not set: feeds, sitemap and canonical links are skipped"
        problems.append(warning(CONFIG_FILE, 0, "base_url", message))
    problems += foreign_collisions(pages, static_files, index, job)
    problems += job.reuse.moved(index.articles)  # since the last build, without an alias
    return Site(config, index, pages, static_files, media), problems


def static_collisions(
    pages: tuple[PageSpec, ...], static_files: StaticFiles, config: Config
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


def foreign_collisions(
    pages: tuple[PageSpec, ...],
    static_files: StaticFiles,
    index: SiteIndex,
    job: Job,
) -> list[Diagnostic]:
    """A page or static file on a file of the output that newsgen did not make is an error
    naming who wants it: newsgen never replaces such a file."""
    config, real_output = job.config, Path(os.path.realpath(job.output_dir))
    owners = {p.output_path: p for p in pages}
    wanted = [*owners, *(rel for rel, _ in static_files)]
    problems = []
    for path, blocker in foreign_files_at(real_output, wanted, job.reuse.manifest_written()):
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
