"""Time whole-process ``newsgen build`` runs on synthetic archives.

Usage::

    python benchmarks/bench.py [--sizes 1000 10000] [--runs 3]
        [--workdir /tmp/newsgen-bench] [--out benchmarks/RESULTS.md]
        [--seed 1] [--newsgen-cmd CMD]

For each size N the corpus ``WORKDIR/site-N`` is generated once with
``generate.py`` (and reused while its marker file matches N, the seed and the
generator version).  Each run then deletes ``WORKDIR/out-N`` (timed apart, not
counted), starts ``python -m newsgen build WORKDIR/site-N -o WORKDIR/out-N -q``
as a child process and measures its wall time (``time.perf_counter`` around the
whole process) and its peak resident set size (``ru_maxrss`` from ``os.wait4``).

The results (median, min and max wall time, peak RSS, output files) are printed
as a Markdown table and written into the ``--out`` file between
``<!-- bench:start -->`` and ``<!-- bench:end -->``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import generate  # benchmarks/generate.py: this script's folder is on sys.path

HERE = Path(__file__).resolve().parent
GENERATE_PY = HERE / "generate.py"
DEFAULT_OUT = HERE / "RESULTS.md"
START_MARK = "<!-- bench:start -->"
END_MARK = "<!-- bench:end -->"


@dataclass
class Run:
    wall: float  # seconds, whole process
    cleanup: float  # seconds spent deleting the previous output (not counted)
    maxrss_kib: int  # peak resident set size of the build process
    files: int  # files in the output folder after the build
    out_bytes: int  # their total size


@dataclass
class SizeResult:
    size: int
    gen_cmd: list[str]
    generated_in: float | None  # None: an existing corpus was reused
    build_cmd: list[str]
    runs: list[Run] = field(default_factory=list)


class BuildFailed(Exception):
    pass


def cpu_count() -> int:
    """What ``nproc`` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def git_commit() -> str:
    """The checked-out commit of this repository (read-only), or "unknown"."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


def ensure_corpus(site: Path, n: int, seed: int) -> tuple[list[str], float | None]:
    """Generate the corpus unless a complete one for (n, seed) is already there.

    Returns the generator command and the time it took (None if reused).
    """
    cmd = [sys.executable, str(GENERATE_PY), str(n), str(site), "--seed", str(seed), "--force"]
    marker = site / generate.MARKER_NAME
    try:
        if marker.read_text(encoding="utf-8") == generate.marker_text(n, seed):
            return cmd, None
    except OSError:
        pass
    print(f"[{n}] generating corpus: {shlex.join(cmd)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BuildFailed(f"generate.py exited with status {proc.returncode}")
    return cmd, elapsed


def build_command(prefix: Sequence[str], site: Path, out: Path) -> list[str]:
    """``prefix build SITE -o OUT -q``, or ``prefix`` with {site}/{out} filled in."""
    if any("{site}" in a or "{out}" in a for a in prefix):
        return [a.format(site=site, out=out) for a in prefix]
    return [*prefix, "build", str(site), "-o", str(out), "-q"]


def remove_tree(path: Path) -> float:
    """Delete ``path`` if it exists; return the seconds it took."""
    t0 = time.perf_counter()
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    return time.perf_counter() - t0


def count_files(path: Path) -> tuple[int, int]:
    """Number and total size of the regular files under ``path``."""
    files = size = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(root, name))
            files += 1
            size += st.st_size
    return files, size


def timed_run(cmd: Sequence[str]) -> tuple[float, int, int, bytes, bytes]:
    """Run ``cmd`` to completion: (wall seconds, peak RSS KiB, exit code, stdout, stderr).

    The child is reaped with ``os.wait4`` so that its own resource usage is
    available.  On Linux ``ru_maxrss`` is in KiB and is the peak of the largest
    single process among the child and the descendants it waited for (not a sum).
    Output goes to temporary files, not pipes, so a chatty child cannot block.
    """
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_f, stderr=err_f)
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped here: tell Popen, so it does not wait again
        maxrss = usage.ru_maxrss
        if sys.platform == "darwin":  # bytes there
            maxrss //= 1024
        out_f.seek(0)
        err_f.seek(0)
        return wall, maxrss, code, out_f.read(), err_f.read()


def bench_size(size: int, runs: int, workdir: Path, seed: int, prefix: Sequence[str]) -> SizeResult:
    site = workdir / f"site-{size}"
    out = workdir / f"out-{size}"
    gen_cmd, generated_in = ensure_corpus(site, size, seed)
    cmd = build_command(prefix, site, out)
    result = SizeResult(size, gen_cmd, generated_in, cmd)
    for i in range(1, runs + 1):
        cleanup = remove_tree(out)
        wall, maxrss, code, stdout, stderr = timed_run(cmd)
        if code != 0:
            sys.stderr.write(stderr.decode("utf-8", "replace"))
            if stdout:
                sys.stderr.write(stdout.decode("utf-8", "replace")[-4000:])
            raise BuildFailed(f"[{size}] run {i}: {shlex.join(cmd)} exited with status {code}")
        files, out_bytes = count_files(out)
        result.runs.append(Run(wall, cleanup, maxrss, files, out_bytes))
        print(
            f"[{size}] run {i}/{runs}: {wall:.3f} s, peak RSS {maxrss / 1024:.1f} MiB, "
            f"{files} files (cleanup {cleanup:.3f} s, not counted)",
            file=sys.stderr,
            flush=True,
        )
    counts = {r.files for r in result.runs}
    if len(counts) > 1:
        print(f"[{size}] warning: runs wrote different numbers of files: {counts}", file=sys.stderr)
    return result


def results_table(results: Sequence[SizeResult]) -> str:
    lines = [
        "| articles | runs | median (s) | min (s) | max (s) | articles/s (median) "
        "| peak RSS (MiB) | output files | output (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        walls = [run.wall for run in r.runs]
        median = statistics.median(walls)
        last = r.runs[-1]
        lines.append(
            f"| {r.size} | {len(walls)} | {median:.3f} | {min(walls):.3f} | {max(walls):.3f} "
            f"| {r.size / median:.0f} | {max(run.maxrss_kib for run in r.runs) / 1024:.1f} "
            f"| {last.files} | {last.out_bytes / 2**20:.1f} |"
        )
    return "\n".join(lines)


def run_details(results: Sequence[SizeResult]) -> str:
    lines = []
    for r in results:
        walls = ", ".join(f"{run.wall:.3f}" for run in r.runs)
        cleanups = ", ".join(f"{run.cleanup:.3f}" for run in r.runs)
        corpus = "reused" if r.generated_in is None else f"generated in {r.generated_in:.1f} s"
        lines.append(
            f"- {r.size} articles: runs {walls} s; deleting the previous output before "
            f"each run (not counted) {cleanups} s; corpus {corpus}."
        )
    return "\n".join(lines)


def report_section(
    results: Sequence[SizeResult],
    bench_cmd: Sequence[str],
    started: dt.datetime,
    load_before: str,
    load_after: str,
) -> str:
    commands = [shlex.join(bench_cmd)]
    for r in results:
        commands.append(shlex.join(r.gen_cmd))
    for r in results:
        commands.append(shlex.join(r.build_cmd))
    return "\n".join(
        [
            START_MARK,
            f"## Results of {started:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Machine: `nproc` = {cpu_count()}, {cpu_model()}, "
            f"{platform.system()} {platform.release()} ({platform.machine()})",
            f"- Load average (1, 5, 15 min): {load_before} before, {load_after} after",
            f"- Python {platform.python_version()} ({sys.executable})",
            f"- newsgen: git commit {git_commit()}",
            "- Wall time of the whole `newsgen build` process (interpreter start-up "
            "included), output folder deleted before each run (deletion timed apart, "
            "not counted); peak RSS from `os.wait4`.",
            "",
            "Commands (the benchmark, then the corpus generator and the timed build for each "
            "size):",
            "",
            "```sh",
            *commands,
            "```",
            "",
            results_table(results),
            "",
            run_details(results),
            END_MARK,
        ]
    )


def write_report(path: Path, section: str) -> None:
    """Replace the marked section of ``path``, append one, or create the file."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        start = text.find(START_MARK)
        end = text.find(END_MARK, start + len(START_MARK)) if start >= 0 else -1
        if start >= 0 and end >= 0:
            text = text[:start] + section + text[end + len(END_MARK) :]
        elif START_MARK in text or END_MARK in text:
            raise ValueError(f"{path}: unmatched {START_MARK} / {END_MARK} markers")
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = (
            "# newsgen benchmark results\n\n"
            "Written by `benchmarks/bench.py`; see `benchmarks/README.md`.\n\n" + section + "\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time whole-process `newsgen build` runs on synthetic archives."
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=positive_int,
        default=[1000, 10000],
        metavar="N",
        help="numbers of articles (default: 1000 10000)",
    )
    parser.add_argument(
        "--runs", type=positive_int, default=3, help="timed builds per size (default: 3)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/newsgen-bench"),
        help="where corpora and outputs go (default: /tmp/newsgen-bench)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="Markdown report to update (default: benchmarks/RESULTS.md)",
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument(
        "--newsgen-cmd",
        help="command to run instead of `python -m newsgen` (split like a shell would); "
        "`build SITE -o OUT -q` is appended unless it contains {site} or {out}",
    )
    args = parser.parse_args(argv)

    prefix = (
        shlex.split(args.newsgen_cmd) if args.newsgen_cmd else [sys.executable, "-m", "newsgen"]
    )
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    load_before = load_average()
    results: list[SizeResult] = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args.runs, workdir, args.seed, prefix))
    except BuildFailed as exc:
        print(f"bench.py: {exc}", file=sys.stderr)
        return 1

    table = results_table(results)
    print(table)
    bench_cmd = [sys.executable, sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    section = report_section(results, bench_cmd, started, load_before, load_average())
    try:
        write_report(args.out, section)
    except (OSError, ValueError) as exc:
        print(f"bench.py: cannot write the report: {exc}", file=sys.stderr)
        return 1
    print(f"\nReport written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
