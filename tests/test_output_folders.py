"""The output folder as users really have it: a link, a mount point, a foreign folder, a
system folder, a tampered manifest; and search published in the same step as the pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import article_text, build_site, run_cli, settled, write_files
from hypothesis import given
from hypothesis import strategies as st
from test_faults import (
    FOREIGN,
    Spawn,
    edit_articles,
    edit_template,
    finish,
    make_site,
    snapshot,
    spawn,  # noqa: F401 (a fixture)
    wait_blocked,
    wait_stopped,
)

from newsgen.core import urls
from newsgen.pipeline.build import BuildOptions, build
from newsgen.publish import output, publish, search
from newsgen.publish.pagefind import PagefindFailed, PagefindService


def identity(path: Path) -> tuple[int, int, int, int]:
    """What must not change when newsgen publishes into a folder it does not own."""
    stat = path.stat()
    return stat.st_ino, stat.st_mode, stat.st_uid, stat.st_gid


@pytest.mark.cli
@pytest.mark.slow
def test_a_linked_output_folder_is_published_into_and_stays_a_link(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", 30)
    target = tmp_path / "www" / "news"
    target.mkdir(parents=True)
    (root / "public").symlink_to(target, target_is_directory=True)
    before = identity(target)
    for edit in (None, edit_template, edit_articles):
        if edit:
            edit(root, "linked")
        done = run_cli("build", str(root), "-q")
        assert done.returncode == 0, done.stderr
        assert (root / "public").is_symlink() and (target / "index.html").is_file()
        assert identity(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["news"]  # no working folders


@pytest.mark.cli
@pytest.mark.slow
def test_force_into_a_foreign_folder_keeps_its_folders_and_files_as_they_are(
    tmp_path: Path,
) -> None:
    root, out = make_site(tmp_path / "site", 60), tmp_path / "www"
    write_files(out, {**FOREIGN, "2023/own.txt": "mine\n"})
    os.chmod(out, 0o2775)
    os.chmod(out / "2023", 0o750)
    watched = [out, out / "2023", out / ".git", out / "CNAME", out / "2023/own.txt"]
    before = {path: identity(path) for path in watched}
    assert run_cli("build", str(root), "-o", str(out), "-q", "--force").returncode == 0
    for edit in (edit_template, edit_articles, edit_template):  # a swap would be due here
        edit(root, "in place")
        done = run_cli("build", str(root), "-o", str(out), "-q")
        assert done.returncode == 0, done.stderr
        assert {path: identity(path) for path in watched} == before
    assert (out / "CNAME").read_text() == FOREIGN["CNAME"]


@pytest.mark.cli
@pytest.mark.slow
def test_the_output_folder_is_swapped_whole_only_when_newsgen_owns_all_of_it(
    tmp_path: Path,
) -> None:
    root = make_site(tmp_path / "site", 60)
    assert run_cli("build", str(root), "-q").returncode == 0
    inode = (root / "public").stat().st_ino
    edit_template(root, "swap")
    assert run_cli("build", str(root), "-q").returncode == 0
    assert (root / "public").stat().st_ino != inode  # every page changed: one exchange


@pytest.mark.cli
@pytest.mark.parametrize(
    "folder",
    ["/etc", "/usr", "/var", "/boot", "/proc/self", "/usr/bin/news", "/etc/nginx/html", "/run"],
)
def test_system_folders_are_refused_even_with_force(tmp_path: Path, folder: str) -> None:
    root = make_site(tmp_path / "site", 2)
    done = run_cli("build", str(root), "-o", folder, "--force")
    assert done.returncode == 2
    assert "as the output folder: it is a system folder" in done.stderr
    assert not Path(folder, "index.html").exists()


@pytest.mark.unit
def test_web_roots_under_var_and_usr_share_are_not_system_folders() -> None:
    for folder in ("/var/www/html", "/usr/share/nginx/html", "/srv/www"):
        assert not output.is_system_folder(Path(folder))


@pytest.mark.site
def test_a_folder_that_cannot_be_swapped_is_published_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mount point (Docker volume, NFS) or another file system: working folders go inside
    the output and files are replaced one by one under the journal; nothing is left over."""
    root = make_site(tmp_path / "site", 30)
    out = root / "public"
    out.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(output.os.path, "ismount", lambda p: str(p) == str(out) or real_ismount(p))
    placement = publish.place_output(out)
    assert placement.inside and not placement.swappable
    assert placement.work("staging") == out / ".newsgen-staging"
    folder = identity(out)
    for edit in (None, edit_template, edit_articles):
        if edit:
            edit(root, "mounted")
        result = build_site(root)
        assert result.ok, [d.format() for d in result.diagnostics]
        assert identity(out) == folder
        assert not [
            p.name
            for p in out.iterdir()
            if p.name.startswith(".newsgen-") and p.name != output.MANIFEST
        ]
        assert not [p.name for p in root.iterdir() if p.name.startswith(".public.")]


def tmpfs(tmp_path: Path) -> Path:
    """A real mount point (tmpfs), or a skip where this machine may not mount."""
    disk = tmp_path / "mounted"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    return disk


@pytest.mark.cli
@pytest.mark.slow
def test_a_real_mount_point_on_another_file_system_is_published_in_place(tmp_path: Path) -> None:
    disk = tmpfs(tmp_path)
    try:
        root = make_site(tmp_path / "site", 30)
        folder = identity(disk)
        for edit in (None, edit_template, edit_articles):
            if edit:
                edit(root, "tmpfs")
            done = run_cli("build", str(root), "-o", str(disk), "-q")
            assert (
                done.returncode == 0 and "EXDEV" not in done.stderr and "EBUSY" not in done.stderr
            )
            assert identity(disk) == folder and (disk / "index.html").is_file()
        clean = tmp_path / "clean"
        assert build(BuildOptions(site_root=root, output_dir=clean, use_cache=False)).ok
        assert settled(snapshot(disk)) == settled(snapshot(clean))
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.cli
def test_two_sites_building_into_one_output_wait_for_each_other(
    tmp_path: Path,
    spawn: Spawn,  # noqa: F811
) -> None:
    first, second = make_site(tmp_path / "one", 10), make_site(tmp_path / "two", 10)
    out = tmp_path / "shared" / "www"
    holder = spawn(first, "-o", str(out), "-q", "--force", stop="locked")
    wait_stopped(holder)
    waiting = spawn(second, "-o", str(out), "-q", "--force")
    wait_blocked(waiting, out.parent)  # the folder above the output is what is locked
    os.killpg(holder.pid, 9)
    assert finish(waiting) == (0, "")


@pytest.mark.cli
def test_a_tampered_manifest_never_deletes_outside_the_output(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", 5)
    outside = write_files(tmp_path / "outside", {"victim.txt": "keep me\n", "dir/x.txt": "x\n"})
    assert run_cli("build", str(root), "-q").returncode == 0
    out = root / "public"
    (out / "link").symlink_to(outside / "dir", target_is_directory=True)
    manifest = json.loads((out / output.MANIFEST).read_text())
    manifest["files"] += ["../../outside/victim.txt", "/etc/hostname", "link/x.txt", 7]
    (out / output.MANIFEST).write_text(json.dumps(manifest))
    write_files(root, {"content/0/000.md": article_text("Changed.", title="Article 0")})
    done = run_cli("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "ignored 4 entries that are not plain paths inside the output" in done.stderr
    assert (outside / "victim.txt").read_text() == "keep me\n"
    assert (outside / "dir/x.txt").read_text() == "x\n"
    assert (out / "link").is_symlink()


@pytest.mark.site
def test_a_folder_made_a_link_after_the_build_is_never_written_through(tmp_path: Path) -> None:
    """The manifest is the one the last build wrote, so it is not looked through for links;
    publishing still refuses to write through one, and leaves the output as it was."""
    root = make_site(tmp_path / "site", 30)
    assert build_site(root).ok
    out = root / "public"
    folder = next(out.rglob("article-3/index.html")).parent
    outside = tmp_path / "outside"
    shutil.copytree(folder, outside)
    shutil.rmtree(folder)
    folder.symlink_to(outside, target_is_directory=True)
    kept, before = snapshot(outside), snapshot(out)
    assert build_site(root).ok  # nothing to write there: nothing refused
    edit_articles(root, "through a link")
    result = build_site(root)
    assert not result.ok
    assert "is a symbolic link inside the output" in "\n".join(
        d.format() for d in result.diagnostics
    )
    assert snapshot(outside) == kept and snapshot(out) == before


@pytest.mark.site
def test_a_pagefind_failure_leaves_the_previous_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path / "site", 10)
    assert build_site(root).ok
    before = snapshot(root / "public")
    edit_articles(root, "search fails")
    broken = write_files(tmp_path / "bin", {"pagefind": "#!/bin/sh\nexit 3\n"}) / "pagefind"
    broken.chmod(0o755)
    monkeypatch.setattr(search, "find_pagefind", lambda segment=False: broken)
    result = build_site(root)
    assert not result.ok
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "newsgen.yaml: error: search: Pagefind failed: the Pagefind service stopped before "
        "writing the index"
    ]
    assert snapshot(root / "public") == before


def alias_site(tmp_path: Path, aliases: str) -> Path:
    """A built-free site of one article with the given aliases."""
    return write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\nbase_url: https://x.org/\n",
            "content/a.md": f"---\ntitle: A\ndate: 2023-02-10\naliases: [{aliases}]\n---\nA.\n",
        },
    )


@pytest.mark.cli
@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("/.git/", "is a hidden path"),
        ("/.git/config/", "is a hidden path"),
        ("/.htaccess", "is a hidden path"),
        ("/.newsgen-manifest.json", "is a hidden path"),
        ("/news/.hg/", "is a hidden path"),
        ("/pagefind/2023/pagefind.js", "is inside the search bundle (pagefind/)"),
        ("/assets/newsgen.css", "is inside the theme's assets (assets/)"),
    ],
)
def test_an_alias_on_a_reserved_path_is_an_error_in_build_and_check(
    tmp_path: Path, alias: str, why: str
) -> None:
    root = alias_site(tmp_path, f"'{alias}'")
    out = write_files(root / "public", {".git/HEAD": "ref: refs/heads/pages\n"})
    before = snapshot(out)
    for command in ("build", "check"):
        done = run_cli(command, str(root))
        assert done.returncode == 1
        assert f"content/a.md:4: error: aliases: alias '{alias}' {why}" in done.stderr
    assert snapshot(out) == before


@pytest.mark.cli
def test_nothing_replaces_a_file_newsgen_did_not_make(tmp_path: Path) -> None:
    root = alias_site(tmp_path, "/CNAME, /about/")
    write_files(root, {"static/humans.txt": "Jintai press office\n"})
    out = write_files(
        tmp_path / "www", {"CNAME": "news.example.org\n", "about/index.html": "<p>ours</p>\n"}
    )
    before = snapshot(out)
    expected = [
        "content/a.md:4: error: aliases: /CNAME/ would replace CNAME in the output folder, "
        "which newsgen did not make (move that file away, or change what writes there)",
        "content/a.md:4: error: aliases: /about/ would replace about/index.html in the output "
        "folder, which newsgen did not make (move that file away, or change what writes there)",
    ]
    done = run_cli("build", str(root), "-o", str(out), "--force")
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if ": error: " in line] == expected
    assert snapshot(out) == before
    write_files(root, {"content/a.md": "---\ntitle: A\ndate: 2023-02-10\n---\nA.\n"})
    write_files(out, {"humans.txt": "theirs\n"})
    done = run_cli("build", str(root), "-o", str(out), "--force")
    assert done.returncode == 1
    assert (
        "static/humans.txt: error: /humans.txt would replace humans.txt in the output folder"
    ) in done.stderr
    (out / "humans.txt").unlink()
    assert run_cli("build", str(root), "-o", str(out), "--force").returncode == 0
    assert (out / "CNAME").read_text() == "news.example.org\n"


@pytest.mark.cli
@pytest.mark.slow
def test_a_missing_or_wrong_content_folder_touches_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", 20)
    assert run_cli("build", str(root), "-q").returncode == 0
    before = snapshot(root / "public")
    settings = (root / "newsgen.yaml").read_text()
    (root / "newsgen.yaml").write_text(settings + "content_dir: contnet\n")
    for command in ("build", "check"):
        done = run_cli(command, str(root))
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == (
            "error: the content folder contnet does not exist (did you mean 'content'?); "
            "set content_dir in newsgen.yaml, or create it"
        )
    write_files(root, {"notes.md": "a file"})
    (root / "newsgen.yaml").write_text(settings + "content_dir: notes.md\n")
    done = run_cli("build", str(root))
    assert done.returncode == 2 and "the content folder notes.md is a file" in done.stderr
    assert snapshot(root / "public") == before


@pytest.mark.cli
@pytest.mark.slow
def test_a_build_that_would_remove_most_articles_needs_allow_shrink(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", 20)
    assert run_cli("build", str(root), "-q").returncode == 0
    before = snapshot(root / "public")
    for n in range(11):
        (root / f"content/0/{n:03d}.md").unlink()
    done = run_cli("build", str(root))
    assert done.returncode == 1
    assert (
        "newsgen.yaml: error: content_dir: this build would remove 11 of the 20 articles "
        "published in the output folder; is the content folder (content_dir) right? Build with "
        "--allow-shrink if they really go"
    ) in done.stderr
    assert snapshot(root / "public") == before
    assert run_cli("build", str(root), "-q", "--allow-shrink").returncode == 0
    assert len(list((root / "public").glob("2023/*/*/*/index.html"))) == 9
    (root / "content/0/011.md").unlink()  # 8 of 9 stay: fine without the flag
    assert run_cli("build", str(root), "-q").returncode == 0


@pytest.mark.cli
@pytest.mark.parametrize("tag", ["staging", "journal", "backup", "old"])
def test_a_working_folder_that_is_a_link_is_never_followed(tmp_path: Path, tag: str) -> None:
    root = make_site(tmp_path / "site", 5)
    assert run_cli("build", str(root), "-q").returncode == 0
    target = write_files(tmp_path / "elsewhere", {"keep.txt": "keep\n"})
    (root / f".public.newsgen-{tag}").symlink_to(target, target_is_directory=True)
    edit_articles(root, "linked")
    done = run_cli("build", str(root), "-q")
    assert done.returncode == 0, done.stderr
    assert snapshot(target) == {"keep.txt": b"keep\n"}
    assert not (root / f".public.newsgen-{tag}").exists()


PATH_PARTS = st.sampled_from(
    ["a", "..", ".", "", ".x", "...", "b\\c", "n\x00", ".newsgen-manifest.json"]
)


@pytest.mark.unit
@given(parts=st.lists(PATH_PARTS, max_size=5), tail=st.sampled_from(["", "/"]))
def test_a_manifest_entry_is_plain_exactly_when_it_stays_inside(
    parts: list[str], tail: str
) -> None:
    rel = "/".join(parts) + tail
    expected = urls.is_safe_output_path(rel) and rel.split("/")[0] not in output.INTERNAL
    assert output.is_plain(rel) == expected


@pytest.mark.unit
def test_a_link_at_any_depth_on_the_way_is_seen(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a/b/c").mkdir(parents=True)
    (out / "a/b/link").symlink_to(tmp_path, target_is_directory=True)
    known: dict[str, bool] = {}
    assert output.leads_through_link(out, "a/b/link/d/e.html", known)
    assert output.leads_through_link(out, "a/b/link/x.html", known)
    assert not output.leads_through_link(out, "a/b/c/x.html", known)
    assert not output.leads_through_link(out, "top.html", known)
    assert known == {"a": False, "a/b": False, "a/b/link": True, "a/b/link/d": True, "a/b/c": False}


FLOODING_SERVICE = """#!{python}
import base64, json, sys
def answer(message_id, payload):
    data = json.dumps({{"message_id": message_id, "payload": payload}}).encode()
    sys.stdout.buffer.write(base64.b64encode(data) + b",")
    sys.stdout.buffer.flush()
pending = b""
while chunk := sys.stdin.buffer.read1(65536):
    pending += chunk
    while b"," in pending:
        message, pending = pending.split(b",", 1)
        request = json.loads(base64.b64decode(message))
        if request["payload"]["type"] == "NewIndex":
            answer(request["message_id"], {{"type": "IndexedFile", "index_id": 1}})
        elif request["payload"]["type"] == "AddFile" and request["message_id"] == 2:
            answer(request["message_id"], {{"type": "Error", "message": "cannot index"}})
        else:  # long answers nobody reads: this blocks once the pipe is full
            answer(request["message_id"], {{"type": "Note", "text": "x" * 100000}})
"""


@pytest.mark.unit
def test_a_pagefind_error_mid_index_does_not_hang_the_build(tmp_path: Path) -> None:
    """An error answer while pages are still being sent: the service, whose answers are no
    longer read, is stopped, so the thread sending it pages cannot wait for ever."""
    binary = write_files(tmp_path, {"service": FLOODING_SERVICE.format(python=sys.executable)})
    binary = binary / "service"
    binary.chmod(0o755)
    service = PagefindService(binary)
    failures: list[Exception] = []

    def index() -> None:
        try:
            pages = [f"{n}.html" for n in range(200)]
            service.index(lambda rel: b"<p>" + b"word " * 4000 + b"</p>", pages)
        except PagefindFailed as exc:
            failures.append(exc)

    worker = threading.Thread(target=index, daemon=True)
    worker.start()
    worker.join(timeout=60)
    stuck = worker.is_alive()
    service.process.kill()
    assert not stuck, "the index waited for ever on a service nobody read"
    assert [str(f) for f in failures] == ["cannot index"]
    service.close()
