"""The build cache is input, not trust: a poisoned cache (a CI cache shared between jobs)
cannot publish script."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import article_text, build_site, write_files

from newsgen.incremental.cache import CACHE_DIR, CACHE_FILE

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
