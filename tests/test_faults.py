"""Faults: kills and interrupts at any moment, full disks, unsafe output folders, --force,
the build lock and file modes; every build is the real CLI in a subprocess.

Kills at exact steps of publishing start the build through tests/fault_launcher.py, which
makes it stop itself (SIGSTOP) at one of `newsgen.publish.output.checkpoint`'s steps; the test
then kills or interrupts it there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from conftest import article_text, run_cli, settled, write_files

from newsgen.pipeline.build import BuildOptions, build

pytestmark = [pytest.mark.cli, pytest.mark.slow]

Tree = dict[str, bytes]
Spawn = Callable[..., "subprocess.Popen[str]"]
FOREIGN = {"CNAME": "news.example.org\n", ".git/HEAD": "ref: main\n", "2023/own.txt": "mine\n"}
BROKEN = "---\ntitle: Broken\ndate: 2024-13-45\n---\n"
FAULT_LAUNCHER = Path(__file__).with_name("fault_launcher.py")
INTERRUPTED = "interrupted; the previous output is unchanged"


def article(n: int, note: str = "") -> str:
    """A small article; `note` changes its summary, so its listings change too."""
    return article_text(
        f"Body {n} {note}.\n\nA second paragraph.",
        title=f"Article {n}",
        date=f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        units=[f"Unit {n % 7}"],
        tags=[f"tag {n % 5}"],
    )


def template(version: str) -> str:
    """An article template override; a new version changes every article page."""
    return (
        "{% extends 'theme/article.html' %}\n{% block article_footer %}<p>"
        + version
        + "</p>{{ super() }}{% endblock %}\n"
    )


def make_site(root: Path, count: int) -> Path:
    """A site of `count` small articles with a template, a static file and a vocabulary."""
    files: dict[str, str | bytes] = {
        f"content/{n // 100}/{n:03d}.md": article(n) for n in range(count)
    }
    files["newsgen.yaml"] = "base_url: https://x.org/\npage_size: 10\n"
    files["templates/article.html"] = template("v0")
    files["static/css/site.css"] = "body { color: black; }\n"
    files["data/tags.yaml"] = "".join(f"- name: tag {n}\n" for n in range(5))
    return write_files(root, files)


def edit_template(root: Path, version: str) -> None:
    """Change every article page: most files change, so publishing swaps the whole tree."""
    write_files(root, {"templates/article.html": template(version)})


def edit_articles(root: Path, version: str) -> None:
    """Change three articles: few files change, so publishing replaces them under a journal."""
    write_files(root, {f"content/0/{n:03d}.md": article(n, version) for n in (3, 14, 25)})


def whole(tree: Tree, previous: Tree, current: Tree) -> bool:
    """A tree seen after a kill is whole: the previous output or the current one, pages and
    search bundles together (they are published in one step, so they always agree)."""
    return settled(tree) in (settled(previous), settled(current))


def snapshot(root: Path) -> Tree:
    """Every file's bytes, folder and link below root, to compare whole trees."""
    tree: Tree = {}
    for path in sorted(root.rglob("*")) if root.exists() else []:
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            tree[rel] = b"link:" + os.fsencode(os.readlink(path))
        elif path.is_dir():
            tree[rel] = b"folder"
        else:
            tree[rel] = path.read_bytes()
    return tree


def without(tree: Tree, names: Mapping[str, str]) -> Tree:
    """A tree minus the given files and the folders only they need."""
    return {
        rel: data
        for rel, data in tree.items()
        if rel not in names and rel != ".git" and not rel.startswith(".git/")
    }


def clean_snapshot(root: Path, tmp: Path) -> Tree:
    """The same input built from scratch, without cache, into a fresh folder."""
    fresh = tmp / "clean-build"
    shutil.rmtree(fresh, ignore_errors=True)
    result = build(BuildOptions(site_root=root, output_dir=fresh, use_cache=False))
    assert result.ok, [d.format() for d in result.diagnostics]
    return settled(snapshot(fresh))


def leftovers(root: Path) -> list[str]:
    """Working folders and journals beside the output that a finished build must not leave."""
    return sorted(p.name for p in root.glob(".public.newsgen-*"))


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start `newsgen build` in its own process group; kill whatever is left at the end.
    With `stop=POINT` the build stops itself at that checkpoint (tests/fault_launcher.py)."""
    started: list[subprocess.Popen[str]] = []

    def start(
        root: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        preexec: Callable[[], None] | None = None,
        stop: str | None = None,
    ) -> subprocess.Popen[str]:
        newsgen = [str(FAULT_LAUNCHER), stop] if stop else ["-m", "newsgen"]
        proc = subprocess.Popen(
            [sys.executable, *newsgen, "build", str(root), *args],
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=preexec,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    """Wait for a build; its exit status and stderr."""
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def wait_stopped(proc: subprocess.Popen[str]) -> None:
    """Wait until the build stopped itself at its checkpoint (spawn's `stop`)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"build ended before its stop point: {finish(proc)}")
        stat = Path(f"/proc/{proc.pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "T":
            return
        time.sleep(0.005)
    raise AssertionError("build never reached its stop point")


def build_ok(root: Path, *args: str) -> None:
    """A build that must succeed."""
    result = run_cli("build", str(root), "-q", *args)
    assert result.returncode == 0, result.stderr


def recover_with_failing_build(root: Path) -> Tree:
    """Let a build that fails on a content error recover the output; what it then holds."""
    write_files(root, {"content/broken.md": BROKEN})
    result = run_cli("build", str(root), "-q")
    (root / "content/broken.md").unlink()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "1 error(s); nothing was written" in result.stderr
    return snapshot(root / "public")


# Kills and interrupts at random moments ---------------------------------------------------

# (jobs, edit before the build, SIGKILL the whole group or only the parent, when)
KILLS = [
    ("2", None, "group", "any"),
    ("1", edit_template, "group", "rendering"),
    ("2", edit_articles, "parent", "any"),
    ("2", edit_template, "parent", "rendering"),
    ("1", edit_articles, "group", "any"),
    ("2", edit_template, "group", "rendering"),
]


def wait_rendering(proc: subprocess.Popen[str], root: Path) -> None:
    """Wait until the build renders into its staging folder (or has finished)."""
    while proc.poll() is None and not (root / ".public.newsgen-staging").exists():
        time.sleep(0.002)


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_output_whole(
    tmp_path: Path, spawn: Spawn
) -> None:
    """Whatever the moment of a SIGKILL, the output is the previous or the next one, whole."""
    root, rng = make_site(tmp_path / "site", 300), random.Random(20240601)
    out, previous, struck = root / "public", {}, 0
    # Every kind of kill once, then more turns until enough kills landed before publishing
    # (how many do depends on the machine's speed; what a kill leaves must not).
    for turn, (jobs, edit, who, when) in enumerate(itertools.islice(itertools.cycle(KILLS), 30)):
        if turn >= len(KILLS) and struck >= 3:
            break
        if edit:
            edit(root, f"k{turn}")
        proc = spawn(root, "-q", "-j", jobs)
        if when == "rendering":
            wait_rendering(proc, root)
        time.sleep(rng.uniform(0, 0.1) if when == "rendering" else rng.uniform(0.05, 0.5))
        (os.killpg if who == "group" else os.kill)(proc.pid, signal.SIGKILL)
        status, err = finish(proc)
        assert status in (0, -signal.SIGKILL) and "Traceback" not in err, err
        journal = (root / ".public.newsgen-journal").exists()
        after_kill = recover_with_failing_build(root) if journal else snapshot(out)
        build_ok(root, "-j", jobs)
        current = snapshot(out)
        assert whole(after_kill, previous, current), f"turn {turn}: a mixed output"
        assert leftovers(root) == []
        struck += status == -signal.SIGKILL and after_kill == previous != current
        previous = current
    assert settled(previous) == clean_snapshot(root, tmp_path)
    assert struck >= 3, "too few kills landed before publishing to prove anything"


def test_ctrl_c_during_a_build_exits_130_and_keeps_the_previous_output(
    tmp_path: Path, spawn: Spawn
) -> None:
    """Ctrl-C (SIGINT to the whole process group) stops cleanly: 130, one message, old output."""
    root, rng = make_site(tmp_path / "site", 300), random.Random(7)
    build_ok(root)
    unchanged = 0
    for turn in range(20):  # four kinds, then more until enough landed before publishing
        if turn >= 4 and unchanged >= 2:
            break
        previous, jobs = snapshot(root / "public"), "21"[turn % 2]
        (edit_template if turn % 4 < 2 else edit_articles)(root, f"i{turn}")
        proc = spawn(root, "-q", "-j", jobs)
        wait_rendering(proc, root)
        time.sleep(rng.uniform(0, 0.1))
        os.killpg(proc.pid, signal.SIGINT)
        status, err = finish(proc)
        after = snapshot(root / "public")
        build_ok(root, "-j", jobs)
        assert leftovers(root) == []
        assert status == 0 or (status == 130 and err.strip() == INTERRUPTED), (status, err)
        assert whole(after, previous, snapshot(root / "public"))
        unchanged += status == 130 and after == previous != snapshot(root / "public")
    assert unchanged >= 2, "too few interrupts landed before publishing to prove anything"
    assert settled(snapshot(root / "public")) == clean_snapshot(root, tmp_path)


# Kills and interrupts at each step of publishing ------------------------------------------

# stop point, edit that makes the build publish the way the point needs, committed there?
POINTS = {
    "publish": (edit_template, False),
    "journal": (edit_articles, False),
    "swap": (edit_template, False),
    "swapped": (edit_template, True),
    "cache": (edit_articles, True),
}


def foreign_site(tmp_path: Path, foreign: Mapping[str, str] = FOREIGN) -> tuple[Path, Tree]:
    """A built site whose output also holds files newsgen did not make; its output tree."""
    root = make_site(tmp_path / "site", 60)
    build_ok(root)
    write_files(root / "public", foreign)
    return root, snapshot(root / "public")


def site_for(tmp_path: Path, point: str) -> tuple[Path, Tree, Mapping[str, str]]:
    """A built site for a stop point: an output holding files newsgen did not make is
    published in place (never swapped), so the swap points get an output of newsgen's own."""
    foreign = {} if point in ("swap", "swapped") else FOREIGN
    root, before = foreign_site(tmp_path, foreign)
    return root, before, foreign


def stop_at(spawn: Spawn, root: Path, point: str) -> subprocess.Popen[str]:
    """Start a build that stops itself at checkpoint `point`."""
    proc = spawn(root, "-q", stop=point)
    wait_stopped(proc)
    return proc


@pytest.mark.parametrize("point", sorted(POINTS))
def test_sigkill_at_each_publish_step_is_recovered(
    tmp_path: Path, spawn: Spawn, point: str
) -> None:
    """A SIGKILL at any step of publishing: the next run restores a whole output, foreign
    files included, and the cache never keeps a page the output does not hold."""
    root, before, foreign = site_for(tmp_path, point)
    edit, committed = POINTS[point]
    edit(root, "new")
    os.killpg(stop_at(spawn, root, point).pid, signal.SIGKILL)
    recovered = recover_with_failing_build(root)
    assert all(recovered.get(rel) == text.encode() for rel, text in foreign.items())
    if not committed:
        assert recovered == before
        build_ok(root)
        assert settled(without(snapshot(root / "public"), foreign)) == clean_snapshot(
            root, tmp_path
        )
    # Undo the edit: the output must come back exactly, even after a commit the cache missed.
    edit_template(root, "v0")
    edit_articles(root, "")
    build_ok(root)
    assert snapshot(root / "public") == before
    assert leftovers(root) == []


@pytest.mark.parametrize("point", ["publish", "journal", "swap"])
def test_ctrl_c_at_each_publish_step_restores_the_previous_output_at_once(
    tmp_path: Path, spawn: Spawn, point: str
) -> None:
    """SIGINT before the commit point: exit 130, the message, the old output, no leftovers."""
    root, before, foreign = site_for(tmp_path, point)
    POINTS[point][0](root, "new")
    proc = stop_at(spawn, root, point)
    os.killpg(proc.pid, signal.SIGINT)
    os.killpg(proc.pid, signal.SIGCONT)
    status, err = finish(proc)
    assert (status, err.strip()) == (130, INTERRUPTED)
    assert snapshot(root / "public") == before
    assert leftovers(root) == []
    build_ok(root)
    assert settled(without(snapshot(root / "public"), foreign)) == clean_snapshot(root, tmp_path)


def test_a_killed_roll_back_is_resumed_by_the_next_run(tmp_path: Path, spawn: Spawn) -> None:
    """A run killed while rolling back a killed commit: the run after still restores it all."""
    root, before = foreign_site(tmp_path)
    edit_articles(root, "new")
    os.killpg(stop_at(spawn, root, "journal").pid, signal.SIGKILL)
    os.killpg(stop_at(spawn, root, "rollback").pid, signal.SIGKILL)
    assert (root / ".public.newsgen-journal").exists()
    assert recover_with_failing_build(root) == before


# Full disks --------------------------------------------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """In the child: files may not grow past `limit` bytes; writes then fail with EFBIG."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def error_lines(stderr: str) -> list[str]:
    """The error lines of a build's stderr (not the count at the end)."""
    return [line for line in stderr.splitlines() if ": error: " in line or line.startswith("error")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_write_that_fails_with_efbig_fails_the_build_cleanly(
    tmp_path: Path, spawn: Spawn, jobs: str
) -> None:
    """A file that cannot be written: exit 1, one line naming it and the OS error, old output."""
    root = make_site(tmp_path / "site", 220)
    write_files(
        root, {"content/big.md": article_text("word " * 40_000, title="Big", date="2023-05-05")}
    )
    build_ok(root)
    before = snapshot(root / "public")
    edit_template(root, "full")  # every article page, the big one too, must be written again
    status, err = finish(spawn(root, "-q", "-j", jobs, preexec=file_size_limit(150_000)))
    assert status == 1 and "Traceback" not in err, err
    [line] = error_lines(err)
    assert "2023/05/05/big/index.html" in line and "File too large" in line
    assert snapshot(root / "public") == before
    assert leftovers(root) == []
    build_ok(root, "-j", jobs)
    assert settled(snapshot(root / "public")) == clean_snapshot(root, tmp_path)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """A tmpfs of a given size in KiB (remountable); skipped where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = False

    def mount(size_kib: int) -> Path:
        nonlocal mounted
        options = f"{'remount,' if mounted else ''}size={size_kib}k"
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(disk)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode and not mounted:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        assert result.returncode == 0, result.stderr
        mounted = True
        return disk

    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    yield mount
    if mounted:
        subprocess.run(["umount", str(disk)], check=False)


def used_kib(folder: Path) -> int:
    """KiB in use on the file system holding `folder`."""
    stat = os.statvfs(folder)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024


def test_no_space_left_on_the_output_disk_fails_cleanly(
    tmp_path: Path, small_disk: Callable[[int], Path]
) -> None:
    """ENOSPC on a real (tiny) disk: exit 1, one line with the OS error, old output, space
    given back, and once there is room again the next build works."""
    root = make_site(tmp_path / "site", 120)
    disk = small_disk(64 * 1024)
    out = disk / "public"
    build_ok(root, "-o", str(out))
    before = snapshot(out)
    small_disk(used_kib(disk) + 256)  # room for a few changed pages, not for all of them
    edit_template(root, "x" * 4000)
    result = run_cli("build", str(root), "-q", "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith(str(disk)) and "No space left on device" in line
    assert snapshot(out) == before
    assert sorted(p.name for p in disk.iterdir()) == ["public"]
    small_disk(64 * 1024)
    build_ok(root, "-o", str(out))
    assert settled(snapshot(out)) == clean_snapshot(root, tmp_path)


def fill(disk: Path) -> None:
    """Use up every free byte of a disk."""
    with open(disk / "filler", "ab", buffering=0) as handle:  # unbuffered: close cannot fail
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass


def test_a_full_disk_under_the_build_cache_drops_the_cache_not_the_build(
    tmp_path: Path, small_disk: Callable[[int], Path]
) -> None:
    """The site and its cache on a full disk, the output elsewhere: builds still succeed
    without a traceback, and once there is room the cache works again."""
    disk = small_disk(16 * 1024)
    root, out = make_site(disk / "site", 120), tmp_path / "out"
    build_ok(root, "-o", str(out))
    write_files(root, {f"content/new/{n}.md": article(n) for n in range(1000, 1100)})
    for _ in range(2):  # the second build finds no cache and no room to make one
        fill(disk)
        result = run_cli("build", str(root), "-q", "-o", str(out))
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert settled(snapshot(out)) == clean_snapshot(root, tmp_path)
    (disk / "filler").unlink()
    build_ok(root, "-o", str(out))
    assert settled(snapshot(out)) == clean_snapshot(root, tmp_path)
    again = run_cli("build", str(root), "-o", str(out))  # the cache works again: no rendering
    assert again.returncode == 0, again.stderr
    assert "is up to date" in again.stderr or re.search(": 0 of [0-9]+ pages", again.stderr)


# Output folders that overlap the sources --------------------------------------------------

OVERLAPS = {
    "the site": "work/site",
    "content": "work/site/content",
    "inside content": "work/site/content/0",
    "templates": "work/site/templates",
    "static": "work/site/static",
    "data": "work/site/data",
    "the config file": "work/site/newsgen.yaml",
    "a parent of the site": "work",
    "the parent of that": ".",
    "a link to the site": "link-to-site",
    "a link to content": "link-to-content",
    "a link to a parent": "link-to-work",
    "the home folder": "home",
    "the root": "/",
}


@pytest.mark.parametrize("name", sorted(OVERLAPS))
def test_an_output_folder_overlapping_the_sources_is_refused_and_nothing_deleted(
    tmp_path: Path, name: str
) -> None:
    """-o pointing at the site, a source folder, a parent, home or / (also through a link)."""
    root = make_site(tmp_path / "work/site", 3)
    write_files(tmp_path, {"home/notes.txt": "mine\n", "work/other/keep.txt": "keep\n"})
    for link, target in [("link-to-site", root), ("link-to-content", root / "content")]:
        (tmp_path / link).symlink_to(target)
    (tmp_path / "link-to-work").symlink_to(tmp_path / "work")
    before = snapshot(tmp_path)
    output = tmp_path / OVERLAPS[name] if OVERLAPS[name] != "/" else Path("/")
    result = run_cli("build", str(root), "-o", str(output), env={"HOME": str(tmp_path / "home")})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert str(output) in result.stderr or name.startswith("a link")
    assert snapshot(tmp_path) == before


def test_an_output_setting_that_links_into_the_sources_is_refused(tmp_path: Path) -> None:
    """SITE/public itself a symbolic link to content/ (no -o): refused, content intact."""
    root = make_site(tmp_path / "site", 3)
    (root / "public").symlink_to(root / "content")
    before = snapshot(root)
    result = run_cli("build", str(root))
    assert result.returncode == 2 and "refusing" in result.stderr, result.stderr
    assert snapshot(root) == before


# Output folders newsgen did not make ------------------------------------------------------


def test_a_foreign_output_folder_needs_force_and_its_files_survive_every_kind_of_build(
    tmp_path: Path,
) -> None:
    """Without --force: exit 2, untouched; with it: built, and whatever newsgen did not make
    (top level, nested, .git, inside a folder whose article goes away) is never deleted."""
    root, out = make_site(tmp_path / "site", 60), tmp_path / "www"
    write_files(out, {**FOREIGN, "old/page.html": "<p>old</p>\n"})
    before = snapshot(out)
    refused = run_cli("build", str(root), "-o", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr, refused.stderr
    assert snapshot(out) == before
    build_ok(root, "-o", str(out), "--force")
    doomed = next(out.glob("2023/*/*/article-7"))
    write_files(doomed, {"attachment.pdf": "%PDF\n"})
    foreign = {
        rel: data for rel, data in snapshot(out).items() if rel in before or "attachment" in rel
    }
    for edit in (
        edit_template,
        edit_articles,
        lambda root, _: (root / "content/0/007.md").unlink(),
    ):
        edit(root, "f")
        build_ok(root, "-o", str(out))  # the manifest now marks the folder as newsgen's
        tree = snapshot(out)
        assert {rel: tree.get(rel) for rel in foreign} == foreign
    assert not (doomed / "index.html").exists()
    assert settled(files_of(snapshot(out), foreign)) == files_of(
        clean_snapshot(root, tmp_path), foreign
    )


def files_of(tree: Tree, skip: Mapping[str, object]) -> Tree:
    """The files of a tree, less some (folders differ where they hold only foreign files)."""
    return {rel: data for rel, data in tree.items() if data != b"folder" and rel not in skip}


def test_an_output_folder_holding_only_a_git_checkout_needs_no_force(tmp_path: Path) -> None:
    """A fresh gh-pages checkout (just .git) is not foreign content; .git is kept."""
    root, out = make_site(tmp_path / "site", 5), tmp_path / "pages"
    write_files(out, {".git/HEAD": "ref: refs/heads/gh-pages\n"})
    build_ok(root, "-o", str(out))
    assert (out / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / "index.html").is_file()


# The build lock ---------------------------------------------------------------------------


def lock_waiters(lock: Path) -> set[int]:
    """Processes blocked waiting for a flock on `lock` (from /proc/locks)."""
    inode = str(lock.stat().st_ino)
    waiting = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and fields[-3].rsplit(":", 1)[-1] == inode:
            waiting.add(int(fields[fields.index("->") + 4]))
    return waiting


def wait_blocked(proc: subprocess.Popen[str], lock: Path) -> None:
    """Wait until the build waits for the lock (proof that another build holds it)."""
    deadline = time.monotonic() + 30
    while proc.pid not in lock_waiters(lock):
        assert proc.poll() is None, finish(proc)
        assert time.monotonic() < deadline, "the build never waited for the lock"
        time.sleep(0.01)


def test_concurrent_builds_of_one_site_both_succeed_and_equal_a_clean_build(
    tmp_path: Path, spawn: Spawn
) -> None:
    """Two builds started together (after an edit) are serialised; both succeed."""
    root = make_site(tmp_path / "site", 300)
    build_ok(root)
    edit_template(root, "together")
    builds = [spawn(root, "-q", "-j", jobs) for jobs in ("2", "1")]
    assert [finish(proc) for proc in builds] == [(0, ""), (0, "")]
    assert settled(snapshot(root / "public")) == clean_snapshot(root, tmp_path)
    assert leftovers(root) == []


def test_a_build_killed_while_holding_the_lock_does_not_block_the_next(
    tmp_path: Path, spawn: Spawn
) -> None:
    """A build stopped inside the lock makes others wait (Ctrl-C while waiting: 130); once
    it is killed with SIGKILL the kernel frees the lock and the waiting build completes."""
    root = make_site(tmp_path / "site", 40)
    build_ok(root)
    before = snapshot(root / "public")
    edit_template(root, "locked")
    lock = root / ".newsgen-cache/build.lock"
    holder = spawn(root, "-q", stop="locked")
    wait_stopped(holder)
    impatient, waiting = spawn(root, "-q"), spawn(root, "-q")
    wait_blocked(impatient, lock)
    wait_blocked(waiting, lock)
    os.killpg(impatient.pid, signal.SIGINT)
    status, err = finish(impatient)
    assert (status, err.strip()) == (130, INTERRUPTED)
    assert waiting.poll() is None and snapshot(root / "public") == before
    os.killpg(holder.pid, signal.SIGKILL)
    assert finish(waiting) == (0, "")
    assert settled(snapshot(root / "public")) == clean_snapshot(root, tmp_path)


# File modes -------------------------------------------------------------------------------


def test_output_is_world_readable_under_umask_022_whichever_way_it_was_published(
    tmp_path: Path, spawn: Spawn
) -> None:
    """First build (rename), tree swap and journaled replace: files o+r, folders o+rx.
    newsgen honours the umask (as cp does): under 077 the output is private to its owner."""
    root, out = make_site(tmp_path / "site", 60), tmp_path / "site/public"
    for edit in (None, edit_template, edit_articles):
        if edit:
            edit(root, "m")
        assert finish(spawn(root, "-q", preexec=lambda: os.umask(0o022))) == (0, "")
        for path in [out, *out.rglob("*")]:
            need = 0o005 if path.is_dir() else 0o004
            assert path.stat().st_mode & need == need, oct(path.stat().st_mode)
    edit_template(root, "private")
    shutil.rmtree(out)
    assert finish(spawn(root, "-q", preexec=lambda: os.umask(0o077))) == (0, "")
    assert all(path.stat().st_mode & 0o077 == 0 for path in [out, *out.rglob("*")])
