"""`newsgen import`: bring existing articles in (plain-text releases, Hugo, Jekyll)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console

from newsgen.config import load_config
from newsgen.importforeign import ForeignOptions, import_foreign
from newsgen.importtext import import_text
from newsgen.importwrite import ImportReport, Status
from newsgen.parse import known_keys
from newsgen.progressbar import run_with_bar
from newsgen.reading import Progress as ProgressReport

EXIT_CONTENT = 1
PROGRESS_FROM = 20  # files: fewer than this import faster than a bar can be drawn

site_option = click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Site folder to import into (default: this folder).",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
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
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    for outcome in report.outcomes:
        if outcome.status is Status.ERROR:
            click.echo(f"{outcome.source}: error: {outcome.message}", err=True)
        elif quiet:
            continue
        elif outcome.status is Status.SKIPPED:
            where = f" as {outcome.target}" if outcome.target else ""
            click.echo(f"skipped {outcome.source}: {outcome.message}{where}")
        else:
            click.echo(f"imported {outcome.source} -> {outcome.target}")
            for note in outcome.notes:
                click.echo(f"  review: {note}")


def print_report(report: ImportReport, quiet: bool) -> None:
    """Every outcome, what could not be mapped, and the summary line."""
    print_outcomes(report, quiet)
    if quiet:
        return
    if report.unmapped:
        click.echo(
            "not mapped to newsgen fields, kept under their own names (article.extra): "
            + counted(report.unmapped)
        )
    if report.markup:
        click.echo("left as text (newsgen runs no shortcodes or Liquid): " + counted(report.markup))
    click.echo(
        f"{report.count(Status.IMPORTED)} imported, {report.count(Status.SKIPPED)} skipped, "
        f"{report.needs_review} need review, {report.count(Status.ERROR)} errors"
    )


def finish(report: ImportReport, quiet: bool) -> None:
    """Print the report; exit 1 when any file (or the site's settings) had an error."""
    print_report(report, quiet)
    if report.failed:
        sys.exit(EXIT_CONTENT)


def site_root_of(site: Path) -> Path:
    """The site folder, which must exist (a usage error otherwise)."""
    if not site.is_dir():
        raise click.UsageError(f"site folder {site} does not exist")
    return site.resolve()


@import_group.command("text")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@site_option
@quiet_option
def import_text_command(files: tuple[Path, ...], site: Path, quiet: bool) -> None:
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
    root = site_root_of(site)
    finish(run_with_progress(lambda progress: import_text(files, root, progress), quiet), quiet)


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


def import_foreign_command(
    kind: str, source: Path, site: Path, maps: tuple[str, ...], quiet: bool
) -> None:
    """Import a Hugo or Jekyll site's posts into the site."""
    root = site_root_of(site)
    options = ForeignOptions(kind, source.resolve(), read_maps(maps, root))
    finish(
        run_with_progress(lambda progress: import_foreign(options, root, progress), quiet), quiet
    )


source_argument = click.argument(
    "source", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@import_group.command("hugo")
@source_argument
@site_option
@map_option
@quiet_option
def import_hugo_command(source: Path, site: Path, maps: tuple[str, ...], quiet: bool) -> None:
    """Import a Hugo site's pages (SOURCE: the site or its content/ folder).

    YAML, TOML and JSON front matter are converted to newsgen's YAML; bodies are kept byte
    for byte (shortcodes stay as text and are listed). The old addresses (url:, aliases:, the
    permalinks setting or /<section>/<name>/) become aliases. Keys newsgen does not read are
    kept and listed.

    \b
    Examples:
      newsgen import hugo ../old-site
      newsgen import hugo ../old-site/content --map authors=speaker --map topics=units
    """
    import_foreign_command("hugo", source, site, maps, quiet)


@import_group.command("jekyll")
@source_argument
@site_option
@map_option
@quiet_option
def import_jekyll_command(source: Path, site: Path, maps: tuple[str, ...], quiet: bool) -> None:
    """Import a Jekyll site's _posts (and _drafts, as drafts).

    Dates come from the front matter or the file name (YYYY-MM-DD-title.md); the old
    addresses (permalink:, or _config.yml's permalink style) become aliases; bodies are kept
    byte for byte (Liquid tags stay as text and are listed).

    \b
    Examples:
      newsgen import jekyll ../blog
      newsgen import jekyll ../blog --map categories=event_type --map layout=
    """
    import_foreign_command("jekyll", source, site, maps, quiet)
