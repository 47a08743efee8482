"""Command line: thin; maps library results to the spec's exit codes (0, 1, 2, 130)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from newsgen import __version__
from newsgen.cli.common import (
    EXIT_CONTENT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    due_time,
    jobs_option,
    options_for,
    print_diagnostics,
    print_summary,
    refuse,
    run_with_progress,
    schedule_line,
    shrink_option,
    site_argument,
    site_root_of,
)
from newsgen.core.config import load_config
from newsgen.core.diagnostics import Diagnostic, UnsafeSetup
from newsgen.importers.scaffold import NewArticle, ScaffoldRefused, create_article
from newsgen.pipeline.build import BuildOptions, check


class LazyGroup(click.Group):
    """A group whose `import` and `serve` commands are loaded only when they run (or help lists
    them): their modules would slow every `build` and `check` down at start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "import", "serve"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "import":
            from newsgen.cli.imports import import_group

            return import_group
        if cmd_name == "serve":
            from newsgen.cli.serve import serve_command

            return serve_command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsgen")
def cli() -> None:
    """newsgen: turn a folder of Markdown press releases into a static news archive."""


@cli.command("build")
@site_argument
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Output folder (default SITE/public)."
)
@click.option("--drafts", is_flag=True, help="Also build articles marked draft: true.")
@click.option("--future", is_flag=True, help="Also build articles dated in the future.")
@click.option("--clean", is_flag=True, help="Render every page again, ignoring the build cache.")
@jobs_option
@click.option("--force", is_flag=True, help="Build into a non-empty folder newsgen did not make.")
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1, nothing published) on warnings too, e.g. in CI."
)
@shrink_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print the time of each stage.")
@click.option(
    "--report-schedule",
    is_flag=True,
    help="Print on stdout when the next article held back for a future date is due "
    "(RFC 3339, or 'none'): for a cron job that builds again then.",
)
def build_command(
    site: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    clean: bool,
    jobs: int | None,
    force: bool,
    strict: bool,
    allow_shrink: bool,
    quiet: bool,
    verbose: bool,
    report_schedule: bool,
) -> None:
    """Build the site in SITE (default: this folder) into SITE/public.

    \b
    Examples:
      newsgen build
      newsgen build path/to/archive -o /tmp/site --drafts
    """
    console = Console(stderr=True)
    options = options_for(
        site,
        output,
        jobs,
        drafts=drafts,
        future=future,
        force=force,
        clean=clean,
        strict=strict,
        allow_shrink=allow_shrink,
    )
    try:
        result = run_with_progress(options, quiet, console)
    except UnsafeSetup as exc:
        refuse(console, exc)
    print_diagnostics(result, console, quiet and not strict)
    if not result.ok:
        sys.exit(EXIT_CONTENT)
    if result.output_dir is None:  # --strict stopped it before anything was written
        message = "warnings fail the build (--strict); the output is unchanged"
        console.print(message, style="bold red", highlight=False)
        sys.exit(EXIT_CONTENT)
    if not quiet:
        print_summary(result, console, verbose)
    if report_schedule:
        click.echo(due_time(result))


@cli.command("check")
@site_argument
@click.option("--drafts", is_flag=True, help="Also check articles marked draft: true.")
@click.option("--future", is_flag=True, help="Also check articles dated in the future.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text: one line per problem on stderr; json: a list of objects on stdout (for editors).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, e.g. in CI.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--report-schedule",
    is_flag=True,
    help="Print on stdout when the next article held back for a future date is due "
    "(RFC 3339, or 'none'): for a cron job that builds again then.",
)
@click.option(
    "--missing-labels",
    "report_labels",
    is_flag=True,
    help="Print on stdout, per site language, the terms whose vocabulary gives no name in it "
    "(their pages show the canonical name).",
)
def check_command(
    site: Path,
    drafts: bool,
    future: bool,
    output_format: str,
    strict: bool,
    quiet: bool,
    report_schedule: bool,
    report_labels: bool,
) -> None:
    """Validate the site without writing anything; exit 1 on errors (or warnings, --strict).

    \b
    Examples:
      newsgen check && echo "all good"
      newsgen check --strict            # in CI: warnings fail too
      newsgen check --format json | jq '.[] | select(.severity == "error")'
      newsgen check --missing-labels    # terms without a Chinese name, say
    """
    console = Console(stderr=True)
    try:
        result = check(BuildOptions(site_root_of(site), drafts=drafts, future=future))
    except UnsafeSetup as exc:
        refuse(console, exc)
    failed = not result.ok or (strict and bool(result.diagnostics))
    if output_format == "json":
        click.echo(json.dumps([diagnostic_record(d) for d in result.diagnostics], indent=1))
        sys.exit(EXIT_CONTENT if failed else EXIT_OK)
    print_diagnostics(result, console, quiet and not strict)
    if failed:
        if result.ok:
            console.print("warnings fail the check (--strict)", style="bold red", highlight=False)
        sys.exit(EXIT_CONTENT)
    if not quiet:
        console.print(
            f"{result.articles} articles, {result.pages} pages: no errors", highlight=False
        )
        if line := schedule_line(result):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    if report_schedule:
        click.echo(due_time(result))
    if report_labels:
        for lang, key, name, count in result.missing_labels:
            click.echo(f"{lang}\t{key}\t{name}\t{count} article{'' if count == 1 else 's'}")


@cli.command("new")
@click.argument("title")
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Site folder (default: this folder).",
)
@click.option("--district", default="", help="District the article belongs to.")
@click.option("--event-type", default="", help="Event type: meeting, inspection, training, ...")
@click.option("--speaker", multiple=True, help="A speaker (repeat for several).")
@click.option("--unit", multiple=True, help="An organisational unit (repeat for several).")
@click.option("--lang", default="", help="Language of the article (default: the site's).")
def new_command(
    title: str,
    site: Path,
    district: str,
    event_type: str,
    speaker: tuple[str, ...],
    unit: tuple[str, ...],
    lang: str,
) -> None:
    """Start an article: content/YYYY/MM/<slug>.md, dated now in the site's time zone.

    Required fields not given are written empty, marked "required: fill in". An existing
    file is never overwritten.

    \b
    Example:
      newsgen new "Jintai District reviews party-building work" \\
        --district "Jintai District" --event-type meeting \\
        --speaker "Zhang Wei" --unit "Organization Department of the District Committee"
    """
    config, _ = load_config(site_root_of(site))
    if lang and not config.accepts_language(lang):
        known = ", ".join(config.site_languages)
        raise click.BadParameter(
            f"'{lang}' is not one of the site's languages ({known})", param_hint="--lang"
        )
    article = NewArticle(title, district, event_type, speaker, unit, lang)
    try:
        path = create_article(article, config)
    except ScaffoldRefused as refused:
        raise click.UsageError(str(refused)) from None
    click.echo(path.relative_to(config.site_root).as_posix())


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, object]:
    """One diagnostic as JSON for editors and CI tools."""
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity.value,
        "field": diagnostic.field,
        "message": diagnostic.message,
        "text": diagnostic.format(),
    }


def exit_fast(code: int) -> None:
    """Exit without tearing down every object of a large build one by one (it takes a while)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    """Entry point: Ctrl-C exits 130 with the previous output intact."""
    try:
        cli(standalone_mode=False)
        exit_fast(EXIT_OK)
    except SystemExit as exc:
        exit_fast(exc.code if isinstance(exc.code, int) else EXIT_CONTENT if exc.code else EXIT_OK)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        Console(stderr=True).print("interrupted; the previous output is unchanged", style="yellow")
        sys.exit(EXIT_INTERRUPTED)
