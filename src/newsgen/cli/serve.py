"""`newsgen serve`: build, serve the output for preview, rebuild and reload as files change."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from newsgen.cli.common import (
    EXIT_USAGE,
    jobs_option,
    options_for,
    print_diagnostics,
    print_summary,
    refuse,
    run_with_progress,
    shrink_option,
    site_argument,
)
from newsgen.core.diagnostics import UnsafeSetup
from newsgen.pipeline.build import BuildResult, output_dir_of

if TYPE_CHECKING:
    from newsgen.preview.search_pass import PassOutcome


@click.command("serve")
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

    Watches content/, templates/, static/, data/ and newsgen.yaml. A save is published at
    once; the search index follows in the background once saves pause. A build error shows
    in the browser with file and line, while the last good pages stay served. The reload
    script is added only while serving, never to the output. Ctrl-C stops.

    \b
    Examples:
      newsgen serve                      # http://127.0.0.1:8000/
      newsgen serve path/to/archive --port 8080 --drafts
      newsgen serve --host 0.0.0.0 --allow-host press-pc.local   # visible on the LAN
    """
    from newsgen.preview.server import LiveState, server_url
    from newsgen.preview.watching import record_result, start_watching, watch_and_rebuild

    console = Console(stderr=True)
    options = options_for(
        site, output, jobs, drafts=drafts, future=future, allow_shrink=allow_shrink
    )
    state = LiveState()
    report, report_search = reporters(console, quiet)
    watcher = start_watching(options)
    out = output_dir_of(options, watcher.config)
    options = replace(options, output_dir=out)  # the folder served is the one rebuilt
    try:
        first = run_with_progress(options, quiet, console)
    except UnsafeSetup as exc:
        refuse(console, exc)
    record_result(first, state)
    report(first)
    out.mkdir(parents=True, exist_ok=True)
    server = listen(console, host, port, out, state, allow_host)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl-C
    try:  # from before the address is printed: a Ctrl-C right after it still stops cleanly
        url = server_url(server)
        click.echo(f"Serving {out} at {url} (Ctrl-C to stop)")
        if open_browser:
            click.launch(url)
        watch_and_rebuild(watcher, options, state, report, report_search)
    except KeyboardInterrupt:
        stop_serving(server, state, console)


def reporters(
    console: Console, quiet: bool
) -> tuple[Callable[[BuildResult], None], Callable[[PassOutcome], None]]:
    """What serve prints after each rebuild, and after each background search pass."""

    def report(result: BuildResult) -> None:
        print_diagnostics(result, console, quiet)
        if result.ok and not quiet:
            print_summary(result, console, False)

    def report_search(outcome: PassOutcome) -> None:
        for line in outcome.errors:
            console.print(line, style="red", markup=False, highlight=False, soft_wrap=True)
        if outcome.errors:
            message = "the search index was not updated (it is tried again after the next save)"
            console.print(message, style="bold red", highlight=False)
        elif not quiet:
            console.print(f"Search index updated in {outcome.seconds:.2f}s", highlight=False)

    return report, report_search


def stop_serving(server: Any, state: Any, console: Console) -> None:
    """Ctrl-C: stop the watcher and the server, and say so."""
    state.stop()
    server.shutdown()
    server.server_close()
    console.print("stopped", highlight=False)


def listen(
    console: Console, host: str, port: int, out: Path, state: Any, allow_host: tuple[str, ...]
) -> Any:
    """Start the preview's HTTP server (a taken port is exit 2), warning when others can reach it."""
    from newsgen.preview.server import is_loopback, start_server

    if not is_loopback(host):
        console.print(
            f"warning: listening on {host}: other machines can reach this preview",
            style="yellow",
            highlight=False,
            markup=False,
        )
    try:
        return start_server(host, port, out, state, frozenset(h.lower() for h in allow_host))
    except OSError as exc:
        console.print(
            f"error: cannot listen on {host}:{port}: {exc.strerror} (try --port)",
            style="red",
            highlight=False,
            markup=False,
        )
        raise SystemExit(EXIT_USAGE) from None
