"""Spread parsing and rendering over a pool of forked worker processes (-j/--jobs).

Workers are forked after the site is read, so they share the index without copying it; each
writes its pages straight into the staging folder. The parent is one of the -j workers (it
takes batches too). Output never depends on the worker count.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import PageSpec, Progress
from newsgen.incremental.stores import reset_connections
from newsgen.publish.publish import Staging
from newsgen.render import templating
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


class Claims:
    """Which batches have been taken, shared by the parent and its forked workers: each
    batch is done once, by whoever claims it first."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.taken = context.RawArray(ctypes.c_bool, count)
        self.lock = context.Lock()

    def claim(self, index: int) -> bool:
        """Take a batch unless someone has; True if this process must do it."""
        with self.lock:
            if self.taken[index]:
                return False
            self.taken[index] = True
            return True


def claimed_batch(index: int) -> tuple[int, bool, Any]:
    """A worker's task: the batch at `index`, unless the parent took it first."""
    claims: Claims = _job["claims"]
    if not claims.claim(index):
        return index, False, None
    return index, True, _job["function"](_job["work"][index])


def run_batches(
    function: Callable[[Any], Any],
    work: Sequence[Any],
    jobs: int,
    stage: str,
    progress: Progress | None,
    weight: Callable[[Any], int] = len,
) -> Iterator[Any]:
    """Run batches in-process or in a pool, reporting progress; results in any order.

    With a pool, the parent is one of the `jobs` workers: it takes batches from the end while
    the pool's `jobs - 1` forked workers take them from the start. Every process that renders
    copies the pages of the parent's memory it touches (reference counts are writes), so a
    parent that only waited added a third copy: 100 MB of a 10,000-article build."""
    total, done = sum(weight(batch) for batch in work), 0
    forks = "fork" in multiprocessing.get_all_start_methods()  # else all here, as with -j 1
    pooled = forks and jobs > 1 and total >= MIN_PARALLEL and len(work) > 1
    if pooled:
        _job.update(claims=Claims(len(work)), function=function, work=work)  # before the fork
    pool = fork_pool(jobs - 1) if pooled else None
    try:
        for index, result in batch_results(function, work, pool):
            done += weight(work[index])
            if progress:
                progress(stage, min(done, total), total)
            yield result
    finally:
        if pool:
            pool.terminate()
            pool.join()
        for name in ("claims", "function", "work"):
            _job.pop(name, None)


def batch_results(
    function: Callable[[Any], Any], work: Sequence[Any], pool: Any
) -> Iterator[tuple[int, Any]]:
    """(index, result) of every batch: all here without a pool; else the parent's, from the
    end, with the pool's in between as they come, and the pool's remaining ones last."""
    if pool is None:
        yield from ((index, function(batch)) for index, batch in enumerate(work))
        return
    claims: Claims = _job["claims"]
    theirs = pool.imap_unordered(claimed_batch, range(len(work)))
    answered = 0
    for index in reversed(range(len(work))):
        if not claims.claim(index):
            break  # the workers have come this far: the rest is theirs
        yield index, function(work[index])
        while answered < len(work):  # what the workers finished meanwhile
            try:
                found = theirs.next(timeout=0)
            except multiprocessing.TimeoutError:
                break
            answered += 1
            if found[1]:
                yield found[0], found[2]
    for index, done_here, result in theirs:
        if done_here:
            yield index, result


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
    templating.COMPILED.take()  # the helper's templates, before workers fork (sharing its pipe)
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


class Helper:
    """A forked process working out a value the parent needs later, on another core: its
    answer comes back pickled through a pipe (its own child: trusted, unlike the cache)."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader = pid, reader

    def result(self) -> Any:
        """The helper's value, waited for; None if it failed or was already taken."""
        if self.reader < 0:
            return None
        chunks = []
        try:
            while chunk := os.read(self.reader, 1 << 20):
                chunks.append(chunk)
        finally:
            self.close()
        try:
            return pickle.loads(b"".join(chunks)) if chunks else None
        except (pickle.UnpicklingError, EOFError, ValueError):
            return None

    def close(self) -> None:
        """Stop listening and reap the process (a helper never outlives its use)."""
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
            with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
                os.waitpid(self.pid, 0)


def start_helper(function: Callable[[], Any], jobs: int) -> Helper | None:
    """Fork a helper computing `function()` while this process goes on; None with -j 1 or
    where processes cannot be forked (the caller does the work itself)."""
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    reader, writer = os.pipe()
    with contextlib.suppress(OSError):  # else the helper waits until its answer is read
        fcntl.fcntl(writer, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)  # no waiting to exit
    parent, pid = os.getpid(), os.fork()
    if pid == 0:
        os.close(reader)
        run_helper(function, writer, parent)
    os.close(writer)
    return Helper(pid, reader)


def run_helper(function: Callable[[], Any], writer: int, parent: int) -> NoReturn:
    """The helper's life: set up as a pool worker is, compute, answer, exit (no cleanup of
    the parent's objects)."""
    code = 1
    try:
        start_worker(parent)
        data = memoryview(pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(writer, data) :]
        code = 0
    finally:
        os._exit(code)
