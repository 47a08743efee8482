"""Spread parsing and rendering over a pool of forked worker processes (-j/--jobs).

Workers are forked after the site is read, so they share the index without copying it; each
writes its pages straight into the staging folder. Output never depends on the worker count.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import PageSpec, Progress
from newsgen.incremental.stores import reset_connections
from newsgen.publish.publish import Staging
from newsgen.render.bodies import BodyProblem
from newsgen.render.renderer import Renderer
from newsgen.render.templating import TemplateProblem

CHUNK = 64
MIN_PARALLEL = 200
PR_SET_PDEATHSIG = 1

_job: dict[str, Any] = {}


@dataclass
class RenderOutcome:
    """What rendering a batch of pages did."""

    staged: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    reads: dict[int, str] = field(default_factory=dict)  # by position: what each render read


def default_jobs() -> int:
    """All cores."""
    return os.cpu_count() or 1


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Split work into batches."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def fork_pool(jobs: int) -> Any:
    """A pool of forked workers (None where fork is not available)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    return context.Pool(jobs, initializer=start_worker, initargs=(os.getpid(),))


def start_worker(parent: int) -> None:
    """Ctrl-C is the parent's to handle (no worker tracebacks), and a worker dies with its
    parent, so none outlives a killed build to write into the next build's staging folder."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends workers so; serve remaps it
    reset_connections()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: the worker notices the parent is gone when it next reports
    if os.getppid() != parent:
        os._exit(1)  # the parent died before prctl took effect


def run_batches(
    function: Callable[[Any], Any],
    work: Sequence[Any],
    jobs: int,
    stage: str,
    progress: Progress | None,
    weight: Callable[[Any], int] = len,
) -> Iterator[Any]:
    """Run batches in-process or in a pool, reporting progress; results in any order."""
    total = sum(weight(batch) for batch in work)
    done = 0
    pool = fork_pool(jobs) if jobs > 1 and total >= MIN_PARALLEL and len(work) > 1 else None
    try:
        results = pool.imap_unordered(function, work) if pool else map(function, work)
        for batch, result in zip(work, results, strict=False):
            done += weight(batch)
            if progress:
                progress(stage, min(done, total), total)
            yield result
    finally:
        if pool:
            pool.terminate()
            pool.join()


def render_batch(indices: Sequence[int]) -> RenderOutcome:
    """Render some pages (by position in the plan) into staging."""
    renderer: Renderer = _job["renderer"]
    pages: Sequence[PageSpec] = _job["pages"]
    staging: Staging = _job["staging"]
    outcome = RenderOutcome()
    for index in indices:
        try:
            page = renderer.render(pages[index])
        except BodyProblem as problem:
            outcome.problems.append(problem.diagnostic)
            continue
        except TemplateProblem as problem:
            outcome.problems.append(problem.diagnostic)
            break
        outcome.reads[index] = page.reads
        if staging.put(page.output_path, page.data):
            outcome.staged.append(page.output_path)
        else:
            outcome.unchanged += 1
    renderer.bodies.flush()
    return outcome


def render_pages(
    renderer: Renderer,
    pages: Sequence[PageSpec],
    todo: Sequence[int],
    staging: Staging,
    jobs: int,
    progress: Progress | None,
) -> RenderOutcome:
    """Render the pages that need it; a template problem stops a batch, a bad body only its page."""
    _job.update(renderer=renderer, pages=pages, staging=staging)
    total = RenderOutcome()
    try:
        for outcome in run_batches(render_batch, chunks(todo, CHUNK), jobs, "render", progress):
            total.staged.extend(outcome.staged)
            total.unchanged += outcome.unchanged
            total.problems.extend(outcome.problems)
            total.reads.update(outcome.reads)
    finally:
        _job.clear()
    total.staged.sort()
    return total


def parse_batch(paths: Sequence[str]) -> list[tuple[str, Any]]:
    """Parse some content files (the parser is set up by the parent before forking)."""
    parse_one: Callable[[str], Any] = _job["parse_one"]
    return [(path, parse_one(path)) for path in paths]


def parse_paths(
    parse_one: Callable[[str], Any], paths: Sequence[str], jobs: int, progress: Progress | None
) -> dict[str, Any]:
    """Parse files, in parallel when there are many."""
    _job.update(parse_one=parse_one)
    results: dict[str, Any] = {}
    try:
        for batch in run_batches(parse_batch, chunks(paths, CHUNK), jobs, "parse", progress):
            results.update(batch)
    finally:
        _job.clear()
    return results
