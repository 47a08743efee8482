"""Command line: thin; maps library results to the spec's exit codes (0, 1, 2, 130)."""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from newsgen import __version__
from newsgen.build import BuildOptions, BuildResult, build, check, output_dir_of
from newsgen.cli_common import site_root_of
from newsgen.config import load_config
from newsgen.diagnostics import Diagnostic, Severity, UnsafeSetup
from newsgen.progressbar import run_with_bar
from newsgen.scaffold import NewArticle, ScaffoldRefused, create_article

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
    """A short summary: pages rendered; files written, unchanged, removed; stage times with -v."""
    stats = result.stats
    if result.up_to_date:
        console.print(
            f"{result.output_dir} is up to date ({result.articles} articles)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return
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


class LazyGroup(click.Group):
    """A group whose `import` command is loaded only when it runs (or help lists it): the
    importers' modules would slow every `build` and `check` down at start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "import"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "import":
            from newsgen.cli_import import import_group

            return import_group
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
        console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(EXIT_USAGE)
    print_diagnostics(result, console, quiet and not strict)
    if not result.ok:
        sys.exit(EXIT_CONTENT)
    if result.output_dir is None:  # --strict stopped it before anything was written
        message = "warnings fail the build (--strict); the output is unchanged"
        console.print(message, style="bold red", highlight=False)
        sys.exit(EXIT_CONTENT)
    if not quiet:
        print_summary(result, console, verbose)


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
def check_command(
    site: Path, drafts: bool, future: bool, output_format: str, strict: bool, quiet: bool
) -> None:
    """Validate the site without writing anything; exit 1 on errors (or warnings, --strict).

    \b
    Examples:
      newsgen check && echo "all good"
      newsgen check --strict            # in CI: warnings fail too
      newsgen check --format json | jq '.[] | select(.severity == "error")'
    """
    console = Console(stderr=True)
    try:
        result = check(BuildOptions(site_root_of(site), drafts=drafts, future=future))
    except UnsafeSetup as exc:
        console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(EXIT_USAGE)
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


@cli.command("serve")
@site_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback is reachable by others.",
)
@click.option(
    "--allow-host",
    multiple=True,
    help="Also answer requests for this host name (e.g. a LAN name); repeatable.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Output folder (default SITE/public)."
)
@click.option("--drafts", is_flag=True, help="Also build articles marked draft: true.")
@click.option("--future", is_flag=True, help="Also build articles dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@jobs_option
@shrink_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def serve_command(
    site: Path,
    port: int,
    host: str,
    allow_host: tuple[str, ...],
    output: Path | None,
    drafts: bool,
    future: bool,
    open_browser: bool,
    jobs: int | None,
    allow_shrink: bool,
    quiet: bool,
) -> None:
    """Build, serve the output for preview, and rebuild and reload pages as files change.

    Watches content/, templates/, static/, data/ and newsgen.yaml. A build error shows in
    the browser with file and line, while the last good pages stay served. The reload
    script is added only while serving, never to the output. Ctrl-C stops.

    \b
    Examples:
      newsgen serve                      # http://127.0.0.1:8000/
      newsgen serve path/to/archive --port 8080 --drafts
      newsgen serve --host 0.0.0.0 --allow-host press-pc.local   # visible on the LAN
    """
    from newsgen.serve import LiveState, is_loopback, server_url, start_server
    from newsgen.watching import record_result, start_watching, watch_and_rebuild

    console = Console(stderr=True)
    options = options_for(
        site, output, jobs, drafts=drafts, future=future, allow_shrink=allow_shrink
    )
    state = LiveState()

    def report(result: BuildResult) -> None:
        print_diagnostics(result, console, quiet)
        if result.ok and not quiet:
            print_summary(result, console, False)

    watcher = start_watching(options)
    out = output_dir_of(options, watcher.config)
    options = replace(options, output_dir=out)  # the folder served is the one rebuilt
    try:
        first = run_with_progress(options, quiet, console)
    except UnsafeSetup as exc:
        console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(EXIT_USAGE)
    record_result(first, state)
    report(first)
    out.mkdir(parents=True, exist_ok=True)
    if not is_loopback(host):
        console.print(
            f"warning: listening on {host}: other machines can reach this preview",
            style="yellow",
            highlight=False,
            markup=False,
        )
    try:
        server = start_server(host, port, out, state, frozenset(h.lower() for h in allow_host))
    except OSError as exc:
        console.print(
            f"error: cannot listen on {host}:{port}: {exc.strerror} (try --port)",
            style="red",
            highlight=False,
            markup=False,
        )
        sys.exit(EXIT_USAGE)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl-C
    try:  # from before the address is printed: a Ctrl-C right after it still stops cleanly
        url = server_url(server)
        click.echo(f"Serving {out} at {url} (Ctrl-C to stop)")
        if open_browser:
            click.launch(url)
        watch_and_rebuild(watcher, options, state, report)
    except KeyboardInterrupt:
        state.stop()
        server.shutdown()
        server.server_close()
        console.print("stopped", highlight=False)


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
