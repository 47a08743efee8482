"""One rich progress bar for long builds and imports, shown only on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from newsgen.core.model import Progress as ProgressReport

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


def run_with_bar(
    work: Callable[[ProgressReport | None], T],
    console: Console,
    quiet: bool,
    label: str,
    show_from: int = 0,
) -> T:
    """Run `work`, drawing a bar from its reports; none with -q, off a terminal or below show_from."""
    if quiet or not console.is_terminal:
        return work(None)
    # imported here: a quiet build or one off a terminal (CI, benchmarks) never draws a bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, visible=show_from == 0)

        def report(stage: str, done: int, total: int) -> None:
            visible = total >= show_from
            bar.update(task, completed=done, total=total, description=stage, visible=visible)

        return work(report)
