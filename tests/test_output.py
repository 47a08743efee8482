"""Write stage and safety: atomic swap, write-if-changed, stale removal, refusals, determinism."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import article_text, build_site, read_tree, run_cli, write_files
from hypothesis import given
from hypothesis import strategies as st

from newsgen.core.diagnostics import UnsafeSetup
from newsgen.publish.output import MANIFEST, manifest_bytes

SITE = {
    "newsgen.yaml": "base_url: https://x.org/\n",
    "content/a.md": article_text(title="Alpha", units=["Unit A"]),
    "content/b.md": article_text(title="Beta", date="2022-05-01", units=["Unit B"]),
    "static/css/extra.css": "body{}",
}


@pytest.mark.site
def test_unchanged_files_keep_bytes_and_mtime(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    page = root / "public/2023/02/10/alpha/index.html"
    os.utime(page, (1_000_000, 1_000_000))
    result = build_site(root)
    assert result.ok and result.stats.written == 0
    assert page.stat().st_mtime == 1_000_000


@pytest.mark.site
def test_changed_article_rewrites_its_pages_only(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    other = root / "public/2022/05/01/beta/index.html"
    os.utime(other, (1_000_000, 1_000_000))
    (root / "content/a.md").write_text(
        article_text("New body.", title="Alpha", units=["Unit A"]), "utf-8"
    )
    result = build_site(root)
    assert result.ok and 0 < result.stats.written < result.stats.unchanged
    assert "New body." in (root / "public/2023/02/10/alpha/index.html").read_text("utf-8")
    assert other.stat().st_mtime == 1_000_000


@pytest.mark.site
def test_stale_files_are_removed_and_foreign_files_kept(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    out = root / "public"
    (out / "CNAME").write_text("news.example.org")
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref")
    (out / "units/mine.txt").write_text("keep me")
    (root / "content/b.md").unlink()
    result = build_site(root)
    assert result.ok and result.stats.removed > 0
    assert not (out / "2022/05/01/beta").exists()
    assert not (out / "units/unit-b").exists()
    assert (out / "CNAME").read_text() == "news.example.org"
    assert (out / ".git/HEAD").read_text() == "ref"
    assert (out / "units/mine.txt").read_text() == "keep me"


@pytest.mark.site
def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    before = read_tree(root / "public")
    (root / "content/c.md").write_text("---\ntitle: Broken\ndate: 2024-13-45\n---\n", "utf-8")
    result = build_site(root)
    assert not result.ok
    assert read_tree(root / "public") == before
    assert sorted(p.name for p in root.iterdir()) == [
        ".newsgen-cache",
        "content",
        "newsgen.yaml",
        "public",
        "static",
    ]


@pytest.mark.site
def test_template_error_leaves_previous_output_untouched(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    before = read_tree(root / "public")
    write_files(
        root,
        {
            "templates/article.html": "{% extends 'theme/article.html' %}\n{% block article_body %}\n{{ article.speakr }}\n{% endblock %}\n"
        },
    )
    result = build_site(root)
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "templates/article.html:3: error: 'Article' has no attribute 'speakr'"
    ]
    assert read_tree(root / "public") == before
    assert not list(root.glob(".public.newsgen-*"))


@pytest.mark.site
def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    assert build_site(root).ok
    before = read_tree(root / "public")
    # A build killed between the two renames leaves only the backup.
    os.rename(root / "public", root / ".public.newsgen-old")
    (root / ".public.newsgen-staging").mkdir()
    assert build_site(root).ok
    assert read_tree(root / "public") == before
    assert not (root / ".public.newsgen-old").exists()
    assert not (root / ".public.newsgen-staging").exists()


@pytest.mark.site
@pytest.mark.parametrize(
    "target", [".", "content", "content/out", "static", "templates", "..", "/"]
)
def test_unsafe_output_folders_are_refused(tmp_path: Path, target: str) -> None:
    root = write_files(tmp_path / "site", {**SITE, "templates/x.html": "x"})
    before = read_tree(root)
    output = Path(target) if target == "/" else root / target
    with pytest.raises(UnsafeSetup):
        build_site(root, output_dir=output)
    assert read_tree(root) == before


@pytest.mark.site
def test_home_folder_and_symlinks_to_sources_are_refused(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    link = tmp_path / "link-to-content"
    link.symlink_to(root / "content")
    with pytest.raises(UnsafeSetup):
        build_site(root, output_dir=link)
    with pytest.raises(UnsafeSetup):
        build_site(root, output_dir=Path.home())
    assert (root / "content/a.md").is_file()


@pytest.mark.cli
def test_cli_refusal_exits_2(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    result = run_cli("build", str(root), "-o", str(root / "content"))
    assert result.returncode == 2
    assert "refusing" in result.stderr
    assert (root / "content/a.md").is_file()


@pytest.mark.site
def test_foreign_non_empty_output_needs_force(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    out = tmp_path / "elsewhere"
    write_files(out, {"notes.txt": "mine"})
    with pytest.raises(UnsafeSetup, match="--force"):
        build_site(root, output_dir=out)
    assert build_site(root, output_dir=out, force=True).ok
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / MANIFEST).is_file()


@pytest.mark.site
def test_output_is_world_readable(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", SITE)
    old = os.umask(0o022)
    try:
        assert build_site(root).ok
    finally:
        os.umask(old)
    for path in (root / "public").rglob("*"):
        assert path.stat().st_mode & 0o004, path


@pytest.mark.cli
@pytest.mark.slow
def test_output_is_identical_across_file_order_hash_seed_and_time_zone(tmp_path: Path) -> None:
    files = {
        f"content/{n:02d}.md": article_text(
            f"Body {n}",
            title=f"Article {n % 4}",
            date=f"2023-0{n % 3 + 1}-1{n % 5}",
            units=[f"Unit {n % 3}"],
            tags=[f"t{n % 2}", "Tag"],
        )
        for n in range(12)
    }
    files["newsgen.yaml"] = "base_url: https://x.org/\ntimezone: Asia/Shanghai\npage_size: 3\n"
    first = write_files(tmp_path / "one", files)
    second = write_files(tmp_path / "two", dict(reversed(list(files.items()))))
    runs = [
        run_cli("build", str(first), "-q", env={"PYTHONHASHSEED": "1", "TZ": "UTC"}),
        run_cli(
            "build", str(second), "-q", env={"PYTHONHASHSEED": "999", "TZ": "America/New_York"}
        ),
    ]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert read_tree(first / "public") == read_tree(second / "public")
    shutil.rmtree(first / "public")
    assert (
        run_cli(
            "build", str(first), "-q", env={"PYTHONHASHSEED": "7", "TZ": "Asia/Tokyo"}
        ).returncode
        == 0
    )
    assert read_tree(first / "public") == read_tree(second / "public")


@pytest.mark.site
def test_symlinks_outside_the_site_are_not_followed(tmp_path: Path) -> None:
    secret = write_files(tmp_path / "secret", {"leak.md": article_text(title="Leaked")})
    root = write_files(tmp_path / "site", SITE)
    (root / "content/link.md").symlink_to(secret / "leak.md")
    (root / "content/dir").symlink_to(secret)
    (root / "content/loop").symlink_to(root / "content")
    result = build_site(root)
    assert result.ok
    warnings = sorted(d.format() for d in result.diagnostics if not d.is_error)
    assert (
        "content/link.md: warning: symbolic link points outside the site or nowhere; not followed"
        in warnings
    )
    assert (
        "content/dir: warning: symbolic link points outside the site or nowhere; not followed"
        in warnings
    )
    assert not (root / "public/2023/02/10/leaked").exists()


@pytest.mark.site
def test_editor_and_os_junk_is_ignored(tmp_path: Path) -> None:
    junk = {
        f"content/{name}": b"\x00\xff junk"
        for name in ("._a.md", ".#a.md", "a.md~", ".DS_Store", "#a.md#")
    }
    root = write_files(tmp_path / "site", {**SITE, **junk})
    assert build_site(root).ok


@pytest.mark.cli
@pytest.mark.slow
def test_concurrent_builds_are_serialised_and_a_killed_build_leaves_no_stuck_lock(
    tmp_path: Path,
) -> None:
    import signal
    import subprocess
    import sys

    from test_faults import wait_blocked

    from newsgen.incremental.cache import CACHE_DIR

    root = write_files(tmp_path / "site", SITE)
    lock = root / CACHE_DIR / "build.lock"
    lock.parent.mkdir()
    # A process that takes the lock and is then killed: the kernel releases the lock.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import fcntl, sys, time; h = open(sys.argv[1], 'a+b'); fcntl.flock(h, fcntl.LOCK_EX);"
                "print('locked', flush=True); time.sleep(60)"
            ),
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    waiting = subprocess.Popen(
        [sys.executable, "-m", "newsgen", "build", str(root), "-q"], text=True
    )
    wait_blocked(waiting, lock)  # it waits for the lock (seen in /proc/locks)
    assert waiting.poll() is None
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert waiting.wait(timeout=60) == 0
    assert (root / "public/index.html").is_file()


@pytest.mark.unit
@given(st.sets(st.text(max_size=8)))
def test_the_manifest_is_the_json_it_always_was(files: set[str]) -> None:
    """Made with the C string encoder, the manifest is byte for byte what json.dumps with an
    indent writes (earlier outputs compare equal, and readers see the same JSON)."""
    data = {"generator": "newsgen", "files": sorted(files)}
    expected = json.dumps(data, indent=0, ensure_ascii=False) + "\n"
    try:
        expected_bytes = expected.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: neither form can be written
        with pytest.raises(UnicodeEncodeError):
            manifest_bytes(files)
        return
    assert manifest_bytes(files) == expected_bytes
