"""The shape of the code: small modules and functions, layers that only import downwards."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "newsgen"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LAYERS = ("core", "source", "site", "render", "publish", "incremental", "checks", "pipeline")


def modules() -> list[Path]:
    """Every Python module of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): n
        for path in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long


def test_no_function_is_over_60_lines() -> None:
    too_long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not too_long


def test_every_module_lives_in_a_layer_folder() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert not loose


def test_the_build_recipe_names_every_stage_on_one_screen() -> None:
    source = (PACKAGE / "pipeline" / "build.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    recipe = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run_build")
    assert (recipe.end_lineno or 0) - recipe.lineno + 1 <= 40
    body = ast.get_source_segment(source, recipe) or ""
    stages = ("scan_content", "load_inputs", "parse_articles", "index_site", "plan_site")
    stages += ("render_site", "search_site", "publish_site", "remember_build")
    positions = [body.index(stage) for stage in stages]
    assert positions == sorted(positions)


@pytest.mark.cli
@pytest.mark.parametrize(
    ("lower", "higher"), [("core", "source"), ("render", "incremental"), ("source", "site")]
)
def test_an_upward_import_breaks_the_layer_contract(
    tmp_path: Path, lower: str, higher: str
) -> None:
    """import-linter (run by the test command) really refuses an import against the layers."""
    copy = tmp_path / "src" / "newsgen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    intruder = copy / lower / "intruder.py"
    intruder.write_text(f"import newsgen.{higher}\n", encoding="utf-8")
    pyproject = PACKAGE.parent.parent / "pyproject.toml"
    (tmp_path / "pyproject.toml").write_text(pyproject.read_text(encoding="utf-8"))
    env = {"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"}
    run = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    command = [sys.executable, "-c", run, "--no-cache"]
    broken = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert broken.returncode != 0
    assert f"newsgen.{lower}.intruder -> newsgen.{higher}" in broken.stdout
    intruder.unlink()
    kept = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout
