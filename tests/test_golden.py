"""Golden output: the fixture site in tests/golden/site must build to exactly tests/golden/expected.

Update the golden files after an intended change with:

    NEWSGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

then review the diff (git diff tests/golden/expected) before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import build_site, copy_fixture_site, read_tree

pytestmark = [pytest.mark.site, pytest.mark.slow]

GOLDEN = Path(__file__).parent / "golden"


def built_tree(tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "out"
    site = copy_fixture_site(GOLDEN / "site", tmp_path / "site")
    result = build_site(site, output_dir=out)
    assert result.ok, [d.format() for d in result.diagnostics]
    tree = read_tree(out)
    # The theme's stylesheet is a plain copy; its design changes are not output changes.
    tree.pop("assets/newsgen.css")
    # The search bundle is Pagefind's output and the search script a plain copy; the browser
    # tests check that search works.
    return {k: v for k, v in tree.items() if not k.startswith(("pagefind/", "assets/"))}


def test_golden_site_output_is_unchanged(tmp_path: Path) -> None:
    tree = built_tree(tmp_path)
    expected_root = GOLDEN / "expected"
    if os.environ.get("NEWSGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_root, ignore_errors=True)
        for rel, data in tree.items():
            path = expected_root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    expected = read_tree(expected_root)
    assert sorted(tree) == sorted(expected)
    changed = [rel for rel in tree if tree[rel] != expected[rel]]
    assert changed == [], f"output differs from tests/golden/expected in {changed}"
