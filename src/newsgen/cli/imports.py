"""`newsgen import`: bring existing articles in (plain-text releases, Hugo, Jekyll)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from newsgen.cli.common import site_root_of
from newsgen.cli.progress import run_with_bar
from newsgen.core.config import load_config
from newsgen.core.diagnostics import shown
from newsgen.core.model import Progress as ProgressReport
from newsgen.importers.find import would_read
from newsgen.importers.foreign import ForeignOptions, import_foreign
from newsgen.importers.report import (
    ImportReport,
    Status,
    conversion_kinds,
    kept_keys,
    render_json,
    render_markdown,
)
from newsgen.importers.text import import_text
from newsgen.source.parse import known_keys

EXIT_CONTENT = 1
PROGRESS_FROM = 20  # files: fewer than this import faster than a bar can be drawn

site_option = click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Site folder to import into (default: this folder).",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
report_option = click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a report of every file to FILE (replaced if it exists).",
)
format_option = click.option(
    "--format",
    "report_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    help="The report file's format (default markdown); the terminal output is the same.",
)
map_option = click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="KEY=FIELD",
    help="Write the old front-matter KEY as newsgen's FIELD (repeat; KEY= drops KEY).",
)


@click.group("import")
def import_group() -> None:
    """Bring existing articles into the site's content/ folder; never overwrites."""


def run_with_progress(
    task: Callable[[ProgressReport | None], ImportReport], quiet: bool
) -> ImportReport:
    """Run the import with a progress bar on a terminal (long imports only)."""
    return run_with_bar(task, Console(stderr=True), quiet, "importing", PROGRESS_FROM)


def plural(count: int, word: str) -> str:
    """'1 file', '2 files'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def counted(counter: Counter[str]) -> str:
    """'a (2 files), b (1 file)', most frequent first."""
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} ({plural(count, 'file')})" for name, count in ordered)


def print_outcomes(report: ImportReport, quiet: bool) -> None:
    """One line per source (errors on stderr), review notes indented below."""
    if report.fatal:
        click.echo(f"error: {shown(report.fatal)}", err=True)
    for problem in report.problems:
        click.echo(shown(problem.format()), err=True)
    for outcome in report.outcomes:
        source = shown(outcome.source)
        if outcome.status is Status.ERROR:
            click.echo(f"{source}: error: {shown(outcome.message)}", err=True)
        elif quiet:
            continue
        elif outcome.status is Status.SKIPPED:
            where = f" as {outcome.target}" if outcome.target else ""
            click.echo(f"skipped {source}: {shown(outcome.message)}{shown(where)}")
        else:
            click.echo(f"imported {source} -> {shown(outcome.target)}")
            for note in outcome.notes:
                click.echo(f"  review: {shown(note)}")


def print_todo(report: ImportReport) -> None:
    """What was converted and what a person must still do, counted in files."""
    groups = [
        (
            "not mapped to newsgen fields, kept under their own names (article.extra): ",
            report.tally(kept_keys),
        ),
        ("converted: ", report.tally(conversion_kinds)),
        (
            f"shortcodes without a template (write {report.templates_dir}/shortcodes/NAME.html): ",
            report.tally(lambda d: d.no_template),
        ),
        ("Liquid left as text (newsgen does not run it): ", report.tally(lambda d: d.liquid)),
        ("links to other posts not resolved: ", report.tally(lambda d: d.unresolved)),
    ]
    for title, counter in groups:
        if counter:
            click.echo(shown(title + counted(counter)))


def print_report(report: ImportReport, quiet: bool) -> None:
    """Every outcome, what could not be mapped or converted, and the summary line."""
    print_outcomes(report, quiet)
    if quiet:
        return
    print_todo(report)
    click.echo(
        f"{report.count(Status.IMPORTED)} imported, {report.count(Status.SKIPPED)} skipped, "
        f"{report.needs_review} need review, {report.count(Status.ERROR)} errors"
    )


def write_report(report: ImportReport, report_file: Path | None, report_format: str) -> bool:
    """Write the report file (replacing one that is there); False when it cannot be written."""
    if report_file is None:
        return True
    text = render_json(report) if report_format == "json" else render_markdown(report)
    try:
        report_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(
            f"error: cannot write the report {shown(str(report_file))}: {exc.strerror}", err=True
        )
        return False
    return True


def finish(
    report: ImportReport, quiet: bool, report_file: Path | None = None, report_format: str = ""
) -> None:
    """Print the report (and write its file); exit 1 when any file (or the site's settings)
    had an error, or nothing was found to import."""
    print_report(report, quiet)
    written = write_report(report, report_file, report_format)
    if report.failed or not written:
        sys.exit(EXIT_CONTENT)


def check_report_file(report_file: Path | None, root: Path, read: Callable[[Path], bool]) -> None:
    """The report must not land where it would be read as an article or as a source."""
    if report_file is None:
        return
    path = report_file.resolve()
    if not path.parent.is_dir():
        where = shown(str(path.parent))
        raise click.BadParameter(f"folder {where} does not exist", param_hint="--report")
    content = (root / load_config(root)[0].content_dir).resolve()
    if content in path.parents or read(path):
        raise click.BadParameter(
            f"{shown(str(report_file))} would be read as an article or a source: write it "
            "elsewhere",
            param_hint="--report",
        )


@import_group.command("text")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@site_option
@report_option
@format_option
@quiet_option
def import_text_command(
    files: tuple[Path, ...],
    site: Path,
    report_file: Path | None,
    report_format: str,
    quiet: bool,
) -> None:
    """Import plain-text press releases as articles under content/YYYY/MM/.

    The first line carries "date YYYY-MM-DD" and the title, a "Release time: YYYY-MM-DD"
    (or 发布时间：) line confirms the date, then come the paragraphs. District, event type,
    speakers and units are recognised from the site's vocabularies and articles; whatever is
    uncertain gets `review: true` and `review_notes`. Files already imported are skipped.

    \b
    Examples:
      newsgen import text releases/*.txt
      newsgen import text 2023-02-10.txt --site path/to/archive -q
    """
    root = import_site_root(site)
    sources = {path.resolve() for path in files}
    check_report_file(report_file, root, lambda path: path in sources)
    report = run_with_progress(lambda progress: import_text(files, root, progress), quiet)
    finish(report, quiet, report_file, report_format)


def import_site_root(site: Path) -> Path:
    """The site to import into; its content folder may be missing (it is made) but not a file."""
    root = site_root_of(site)
    config, _ = load_config(root)
    content = root / config.content_dir
    if content.exists() and not content.is_dir():
        raise click.UsageError(
            f"the content folder {config.content_dir} is a file, not a folder; "
            "set content_dir in newsgen.yaml, or move the file"
        )
    return root


def read_maps(maps: tuple[str, ...], root: Path) -> tuple[tuple[str, str], ...]:
    """KEY=FIELD pairs; FIELD must be a key newsgen reads (or empty, to drop KEY)."""
    config, _ = load_config(root)
    fields = known_keys(config)
    pairs = []
    for item in maps:
        key, equals, field = (part.strip() for part in item.partition("="))
        if not equals or not key:
            raise click.BadParameter(f"'{item}' is not KEY=FIELD", param_hint="--map")
        if field and field not in fields:
            known = ", ".join(fields)
            raise click.BadParameter(
                f"'{field}' is not a newsgen field ({known})", param_hint="--map"
            )
        pairs.append((key, field))
    return tuple(pairs)


def import_foreign_command(kind: str, source: Path, site: Path, **options: Any) -> None:
    """Import a Hugo or Jekyll site's posts into the site."""
    root = import_site_root(site)
    given = source.resolve()
    report_file = options["report_file"]
    check_report_file(report_file, root, lambda path: would_read(kind, given, path))
    choice = ForeignOptions(kind, given, read_maps(options["maps"], root))
    quiet = options["quiet"]
    report = run_with_progress(lambda progress: import_foreign(choice, root, progress), quiet)
    finish(report, quiet, report_file, options["report_format"])


source_argument = click.argument(
    "source", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@import_group.command("hugo")
@source_argument
@site_option
@map_option
@report_option
@format_option
@quiet_option
def import_hugo_command(source: Path, site: Path, **options: Any) -> None:
    """Import a Hugo site's pages (SOURCE: the site, its content/ folder or a folder in it).

    YAML, TOML and JSON front matter are converted to newsgen's YAML. ref/relref become
    relative links to the imported pages; other shortcodes stay (newsgen renders them with
    templates/shortcodes/NAME.html or the theme's). The old addresses (url:, aliases:, the
    permalinks setting or /<section>/<name>/) become aliases. Dates without an offset are
    read in the Hugo site's timeZone (UTC when unset). Keys newsgen does not read are kept
    and listed. Exit 1 when a file had an error or no page was found.

    \b
    Examples:
      newsgen import hugo ../old-site
      newsgen import hugo ../old-site/content/posts --map authors=speaker --map topics=units
      newsgen import hugo ../old-site --report import-report.md
    """
    import_foreign_command("hugo", source, site, **options)


@import_group.command("jekyll")
@source_argument
@site_option
@map_option
@report_option
@format_option
@quiet_option
def import_jekyll_command(source: Path, site: Path, **options: Any) -> None:
    """Import a Jekyll site's _posts (and _drafts, as drafts). SOURCE: the site or its
    _posts or _drafts folder.

    Dates come from the front matter or the file name (YYYY-MM-DD-title.md), read in
    _config.yml's timezone; the old addresses (permalink:, or _config.yml's permalink style)
    become aliases. post_url and link become relative links, image includes figures, highlight
    fenced code; site.baseurl is removed and raw unwrapped. Other Liquid stays as text
    and is listed. Exit 1 when a file had an error or no post was found.

    \b
    Examples:
      newsgen import jekyll ../blog
      newsgen import jekyll ../blog/_posts --map categories=event_type --map layout=
      newsgen import jekyll ../blog --report report.json --format json
    """
    import_foreign_command("jekyll", source, site, **options)
