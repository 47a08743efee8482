"""Inputs the fuzzers (fuzz/) found or that guard edge cases, re-checked with the same properties.

One file per case in tests/fuzz_regressions/<harness>/. A name starting with `open-` is a
finding reported but not yet fixed: it must still fail (strict xfail) until it is fixed,
then lose its prefix.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "fuzz_regressions"


def load_checks() -> ModuleType:
    """fuzz/checks.py, the fuzzers' properties (fuzz/ is not a package)."""
    spec = importlib.util.spec_from_file_location("fuzz_checks", ROOT / "fuzz" / "checks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


checks = load_checks()


def cases(harness: str) -> list[Any]:
    """Every file of one harness, open findings marked as expected failures."""
    params = []
    for path in sorted((CASES / harness).iterdir()):
        marks = []
        if path.name.startswith("open-"):
            reason = "reported finding, not fixed yet"
            marks.append(pytest.mark.xfail(raises=AssertionError, strict=True, reason=reason))
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


def test_cases_exist() -> None:
    """Both harnesses keep regression inputs (an empty folder would test nothing)."""
    assert cases("front_matter") and cases("markdown")


@pytest.mark.parametrize("path", cases("front_matter"))
def test_front_matter_case(path: Path) -> None:
    """parse_source returns (Article | None, placed one-line diagnostics), never raises."""
    checks.check_front_matter(path.read_bytes())


@pytest.mark.parametrize("path", cases("markdown"))
def test_markdown_case(path: Path) -> None:
    """Sanitised HTML has no script, event handler or javascript: URL."""
    checks.check_markdown(path.read_bytes().decode("utf-8", "replace"))


def test_unsafe_html_is_detected() -> None:
    """The sanitiser check itself finds what it looks for (else every case passes vacuously)."""
    unsafe = '<script>x</script><p onclick="x"><a href=" java\tscript:x">a</a></p>'
    assert len(checks.find_unsafe_html(unsafe)) == 3
    assert not checks.find_unsafe_html('<a href="javas\x04cript:x">a</a>')
