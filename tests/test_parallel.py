"""The worker pool: every batch done once, and the parent takes batches as one of the -j."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from typing import Any

import pytest

from newsgen.pipeline import parallel

pytestmark = pytest.mark.unit


def run_all(work: Sequence[Any], jobs: int, function: Any) -> list[Any]:
    """Every result of run_batches, with the pool forced on for small work."""
    return list(parallel.run_batches(function, work, jobs, "test", None))


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [1, 2, 7, 40])
def test_every_batch_is_done_exactly_once(
    jobs: int, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    work = [[n] for n in range(count)]
    results = run_all(work, jobs, lambda batch: (batch[0], os.getpid()))
    assert sorted(index for index, _ in results) == list(range(count))
    assert parallel._job == {}  # nothing of this run is left for the next


def test_the_parent_renders_beside_one_worker_for_two_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """-j 2 forks one worker, not two: the parent takes batches too (from the end). Each waits
    in its first batch for the other to start one, so the test does not depend on who is
    faster."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    started: list[int] = []
    real_fork_pool = parallel.fork_pool

    def traced_fork_pool(jobs: int) -> Any:
        started.append(jobs)
        return real_fork_pool(jobs)

    monkeypatch.setattr(parallel, "fork_pool", traced_fork_pool)
    context = multiprocessing.get_context("fork")
    parent, parent_went, worker_went = os.getpid(), context.Event(), context.Event()

    def work_on(batch: list[int]) -> tuple[int, int]:
        mine, theirs = (
            (parent_went, worker_went) if os.getpid() == parent else (worker_went, parent_went)
        )
        mine.set()
        assert theirs.wait(timeout=60)  # each takes a batch before either goes on
        return batch[0], os.getpid()

    results = run_all([[n] for n in range(6)], 2, work_on)
    assert started == [1]
    assert sorted(index for index, _ in results) == list(range(6))
    by_parent = sorted(index for index, pid in results if pid == parent)
    by_worker = sorted(index for index, pid in results if pid != parent)
    assert by_parent and by_parent[-1] == 5  # its first batch is the last one
    assert by_worker and by_worker[0] == 0


def test_without_fork_every_batch_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where processes cannot be forked (Windows), the batches run in this process, as with
    -j 1, and nothing that needs fork is made."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(parallel, "Claims", None)  # would fail if it were made
    results = run_all([[n] for n in range(5)], 2, lambda batch: (batch[0], os.getpid()))
    assert sorted(results) == [(n, os.getpid()) for n in range(5)]


def test_a_helper_computes_in_another_process_and_is_reaped() -> None:
    helper = parallel.start_helper(lambda: {"pid": os.getpid(), "data": b"x" * 300_000}, 2)
    assert helper is not None
    found = helper.result()
    assert found["pid"] != os.getpid() and found["data"] == b"x" * 300_000
    assert helper.result() is None  # taken once
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, os.WNOHANG)  # reaped: no zombie left behind


def test_a_failing_helper_gives_none_and_one_job_starts_none() -> None:
    def fail() -> None:
        raise ValueError("broken")

    helper = parallel.start_helper(fail, 2)
    assert helper is not None and helper.result() is None
    assert parallel.start_helper(lambda: 1, 1) is None  # -j 1: one process


def test_a_helper_whose_answer_is_never_read_is_stopped_by_close() -> None:
    """An answer larger than the pipe: the helper waits to write it; closing ends it."""
    helper = parallel.start_helper(lambda: b"y" * (8 << 20), 2)
    assert helper is not None
    helper.close()  # returns: the helper's write failed and it exited
    assert helper.result() is None
