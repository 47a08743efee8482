"""Search at scale: how long Pagefind takes, how much memory it needs and how big the bundle is.

    python benchmarks/search.py --sizes 10000 100000

For each size it generates the synthetic archive (benchmarks/generate.py), runs one cold
`newsgen build -v` and reports the whole build, the search stage, the peak memory of
Pagefind's service and of newsgen, and the bundle's size and file count. It then forces a
second index of the same pages (to time indexing alone) and writes benchmarks/SEARCH.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def service_peak_kib(stop: threading.Event, peak: list[int]) -> None:
    """Poll /proc for Pagefind's service and keep its peak resident memory (VmHWM)."""
    while not stop.is_set():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"pagefind" in command and b"--service" in command:
                    status = Path(f"/proc/{pid}/status").read_text()
                    found = re.search(r"VmHWM:\s+(\d+) kB", status)
                    if found:
                        peak[0] = max(peak[0], int(found.group(1)))
            except OSError:
                continue
        time.sleep(0.2)


def timed_build(site: Path, *args: str) -> tuple[float, float, int]:
    """Whole build seconds, search stage seconds, and Pagefind's peak KiB."""
    peak, stop = [0], threading.Event()
    watcher = threading.Thread(target=service_peak_kib, args=(stop, peak), daemon=True)
    watcher.start()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "newsgen", "build", str(site), "-v", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    stop.set()
    watcher.join()
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    stage = re.search(r"^\s+search\s+([\d.]+)s", done.stderr, re.M)
    return elapsed, float(stage.group(1)) if stage else 0.0, peak[0]


def bundle_size(bundle: Path) -> tuple[int, int]:
    """Bytes and files of the search bundle."""
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def measure(size: int, work: Path) -> str:
    """One row of the report."""
    site = work / f"search-{size}"
    if not (site / "content").is_dir():
        generate(size, site, force=True)
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".newsgen-cache", ignore_errors=True)
    total, stage, service_kib = timed_build(site)
    newsgen_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    shutil.rmtree(site / "public" / "pagefind")
    _, again, _ = timed_build(site, "--clean")  # --clean: past the no-change shortcut
    size_bytes, files = bundle_size(site / "public" / "pagefind")
    return (
        f"| {size:,} | {total:.1f} s | {stage:.1f} s | {again:.1f} s | "
        f"{service_kib / 1024:,.0f} MiB | {newsgen_kib / 1024:,.0f} MiB | "
        f"{size_bytes / 1e6:,.1f} MB | {files:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsgen-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "SEARCH.md")
    options = parser.parse_args()
    options.work.mkdir(parents=True, exist_ok=True)
    rows = [measure(size, options.work) for size in options.sizes]
    header = (
        "| articles | cold build | search stage | index again | Pagefind peak RSS "
        "| newsgen peak RSS | bundle | files |\n|---|---|---|---|---|---|---|---|\n"
    )
    report = "\n".join(rows)
    print(header + report)
    with options.out.open("a", encoding="utf-8") as handle:
        handle.write(f"\n### {time.strftime('%Y-%m-%d')}\n\n{header}{report}\n")
    print(f"appended to {options.out}")


if __name__ == "__main__":
    main()
