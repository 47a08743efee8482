"""What the commands of the command line share: exit codes, options, printing results."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from newsgen.cli.progress import run_with_bar
from newsgen.core.diagnostics import Severity, UnsafeSetup, shown
from newsgen.pipeline.build import BuildOptions, BuildResult, build


def site_root_of(site: Path) -> Path:
    """The site folder, which must exist (a usage error otherwise)."""
    if not site.is_dir():
        raise click.UsageError(f"site folder {shown(str(site))} does not exist")
    return site.resolve()


EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def print_diagnostics(result: BuildResult, console: Console, quiet: bool) -> None:
    """Every diagnostic, one line each; -q shows errors only."""
    for diagnostic in result.diagnostics:
        if quiet and diagnostic.severity is Severity.WARNING:
            continue
        style = "red" if diagnostic.is_error else "yellow"
        console.print(
            diagnostic.format(), style=style, markup=False, highlight=False, soft_wrap=True
        )
    errors = sum(d.is_error for d in result.diagnostics)
    if errors:
        console.print(f"{errors} error(s); nothing was written", style="bold red", highlight=False)


def print_summary(result: BuildResult, console: Console, verbose: bool) -> None:
    """A short summary: pages rendered; files written, unchanged, removed; stage times with -v;
    articles held back for a future date."""
    if result.up_to_date:
        console.print(
            f"{result.output_dir} is up to date ({result.articles} articles)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    else:
        print_built(result, console, verbose)
    if line := schedule_line(result):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def print_built(result: BuildResult, console: Console, verbose: bool) -> None:
    """What a build did: pages rendered, files written, stage times with -v."""
    stats = result.stats
    total = sum(result.timings.values())
    console.print(
        f"Built {result.articles} articles into {result.output_dir}: {result.rendered} of "
        f"{result.pages} pages rendered; files: {stats.written} written, {stats.unchanged} "
        f"unchanged, {stats.removed} removed in {total:.2f}s",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if verbose:
        for stage, seconds in result.timings.items():
            console.print(f"  {stage:<10} {seconds:8.3f}s", highlight=False)


def schedule_line(result: BuildResult) -> str:
    """ "1 article scheduled for 2024-03-05 09:00 +08:00 (content/x.md): build again then";
    empty when no article is held back for a future date."""
    if not result.scheduled:
        return ""
    path, moment = result.scheduled[0]
    when = f"{moment:%Y-%m-%d %H:%M} {moment.isoformat()[19:] or '+00:00'}"
    count = len(result.scheduled)
    if count == 1:
        return f"1 article scheduled for {when} ({path}): build again then"
    return f"{count} articles scheduled; the next for {when} ({path}): build again then"


def due_time(result: BuildResult) -> str:
    """When the next held-back article is due, in RFC 3339 (for a cron job), or 'none'."""
    return result.scheduled[0][1].isoformat() if result.scheduled else "none"


def run_with_progress(options: BuildOptions, quiet: bool, console: Console) -> BuildResult:
    """Run the build with a progress bar on a terminal."""
    return run_with_bar(lambda report: build(options, report), console, quiet, "rendering")


site_argument = click.argument(
    "site",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)

jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for parsing and rendering (default: all cores).",
)


def options_for(
    site: Path,
    output: Path | None,
    jobs: int | None,
    *,
    drafts: bool,
    future: bool,
    force: bool = False,
    clean: bool = False,
    strict: bool = False,
    allow_shrink: bool = False,
) -> BuildOptions:
    """What build or serve was asked for: absolute folders, -j defaulting to all cores."""
    output_dir = output.resolve() if output else None
    return BuildOptions(
        site_root_of(site),
        output_dir,
        drafts,
        future,
        force,
        clean,
        jobs=jobs or os.cpu_count() or 1,
        strict=strict,
        allow_shrink=allow_shrink,
    )


shrink_option = click.option(
    "--allow-shrink",
    is_flag=True,
    help="Allow a build that takes away more than half of the published articles.",
)


def refuse(console: Console, exc: UnsafeSetup) -> NoReturn:
    """A refused unsafe setup: one line, exit 2."""
    console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(EXIT_USAGE)
