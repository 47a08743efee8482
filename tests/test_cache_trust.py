"""The build cache is input, not trust: a poisoned cache (a CI cache shared between jobs)
cannot publish script or run code."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import article_text, build_site, read_tree, write_files
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from newsgen.core.config import load_config
from newsgen.incremental.cache import CACHE_DIR, CACHE_FILE, dumps, loads
from newsgen.incremental.keys import code_digest
from newsgen.publish import search
from newsgen.render.templating import make_environment

pytestmark = pytest.mark.site

POISON = '<p>Poisoned</p><script>alert("cache")</script><img src=x onerror="alert(2)">'


@pytest.mark.parametrize("sanitize", [True, False])
def test_a_poisoned_body_cache_cannot_publish_script(tmp_path: Path, sanitize: bool) -> None:
    settings = "title: T\n" + ("" if sanitize else "sanitize_html: false\n")
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": settings, "content/a.md": article_text("Plain **body**.", title="A")},
    )
    assert build_site(root).ok
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as connection:
        connection.execute("UPDATE bodies SET html = ?", (POISON,))
    shutil.rmtree(root / "public")  # every page is rendered again, bodies from the cache
    assert build_site(root).ok
    page = (root / "public/2023/02/10/a/index.html").read_text()
    assert "alert" not in page and "onerror" not in page
    assert ("Poisoned" in page) == sanitize  # cleaned on use, or never read back
    assert ("<strong>body</strong>" in page) != sanitize


def poison_compiled_templates(root: Path, folder: Path, marker: Path) -> int:
    """Jinja bytecode for every template, valid for its source, that also writes `marker`."""
    env = make_environment(load_config(root)[0])
    disk = FileSystemBytecodeCache(str(folder))
    names = env.list_templates()
    for name in names:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        bucket = Bucket(env, disk.get_cache_key(name, filename), disk.get_source_checksum(source))
        code = f"open({str(marker)!r}, 'w').close()\n" + env.compile(
            source, name, filename, raw=True
        )
        bucket.code = compile(code, filename or name, "exec")
        disk.dump_bytecode(bucket)
    return len(names)


def test_compiled_templates_in_the_cache_folder_are_never_run(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": "title: T\n", "content/a.md": article_text("Body.", title="A")},
    )
    assert build_site(root).ok
    folder = root / CACHE_DIR / f"templates-{code_digest()[:16]}"  # where newsgen 0.1 kept them
    folder.mkdir(exist_ok=True)
    marker = tmp_path / "ran"
    assert poison_compiled_templates(root, folder, marker) > 10
    shutil.rmtree(root / "public")  # every page is rendered again
    assert build_site(root).ok
    assert (root / "public/2023/02/10/a/index.html").is_file()
    assert not marker.exists()
    assert not folder.exists()  # dropped, as bytecode is code


def poison_store(root: Path, poison: str) -> int:
    """Change every search bundle kept in the cache as a hostile job could."""
    with sqlite3.connect(root / CACHE_DIR / CACHE_FILE) as connection:
        rows = connection.execute("SELECT name, digest, files FROM bundles").fetchall()
        for name, digest, data in rows:
            files = loads(data)
            if poison == "none":
                continue
            if poison == "code":
                files["pagefind.js"] += b"\nwindow.pwned = 1;\n"
            elif poison == "wasm":
                wasm = next(p for p in files if p.startswith("wasm."))
                middle = len(files[wasm]) // 2
                files[wasm] = (
                    files[wasm][:middle]
                    + bytes([files[wasm][middle] ^ 1])
                    + files[wasm][middle + 1 :]
                )
            elif poison == "extra file":
                files["index.html"] = b"<script>alert(1)</script>"
            elif poison == "entry":
                entry = json.loads(files["pagefind-entry.json"])
                entry["languages"]["en"]["wasm"] = "../../evil"
                files["pagefind-entry.json"] = json.dumps(entry).encode()
            update = "UPDATE bundles SET files = ? WHERE name = ? AND digest = ?"
            connection.execute(update, (dumps(files), name, digest))
    return len(rows)


@pytest.mark.parametrize("poison", ["none", "code", "wasm", "extra file", "entry"])
def test_a_poisoned_search_bundle_in_the_cache_is_indexed_again(
    tmp_path: Path, poison: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "newsgen.yaml": "title: T\nlanguages: [en, zh]\n",
        "content/a.md": article_text("Orchards in Jintai.", title="A", date="2023-02-10"),
        "content/b.md": article_text("Vineyards.", title="B", date="2024-03-01"),
        "content/c.md": article_text("金台区果园。", title="金台区", date="2024-03-02", lang="zh"),
    }
    root = write_files(tmp_path / "site", files)
    assert build_site(root).ok
    genuine = read_tree(root / "public/pagefind")
    assert any(p.endswith("wasm.en.pagefind") for p in genuine)
    assert poison_store(root, poison) == 1  # one bundle: the 2020s
    shutil.rmtree(root / "public")  # the bundles come back from the cache, if they may
    indexed: list[object] = []
    run_pagefind = search.run_pagefind
    monkeypatch.setattr(search, "run_pagefind", lambda *a: indexed.append(a) or run_pagefind(*a))
    assert build_site(root).ok
    assert read_tree(root / "public/pagefind") == genuine
    assert len(indexed) == (0 if poison == "none" else 1)  # a genuine bundle is kept as it is
