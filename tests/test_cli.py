"""The command line as a user runs it: exit codes, diagnostics listing, version, check."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import article_text, run_cli, write_files

from newsgen import __version__

pytestmark = pytest.mark.cli


def test_the_cli_runs_the_code_under_test(tmp_path: Path) -> None:
    """A subprocess started anywhere imports the newsgen these tests import (not another copy)."""
    import newsgen

    done = subprocess.run(
        [sys.executable, "-c", "import newsgen; print(newsgen.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()).resolve() == Path(newsgen.__file__).resolve()


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_build_success_prints_summary(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/a.md": article_text(title="A")})
    result = run_cli("build", str(root))
    assert result.returncode == 0, result.stderr
    assert "Built 1 articles" in result.stderr
    quiet = run_cli("build", str(root), "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_build_lists_every_error_in_every_file_and_exits_1(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "required: [district, event_type]\nbase_url: https://x.org/\n",
            "content/2023/02/review.md": "---\ntitle: Review\ndate: 2024-13-45\ndistrict: Jintai\nevnet_type: meeting\n---\n",
            "content/b.md": "---\ntitle: [unclosed\n---\n",
            "content/c.md": article_text(title="C", district="D", event_type="E"),
        },
    )
    result = run_cli("build", str(root))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:4] == [
        "content/2023/02/review.md:1: error: event_type: required field is missing (add 'event_type: ...' to the front matter)",
        "content/2023/02/review.md:3:7: error: date: '2024-13-45' is not a date: month must be in 1..12 "
        "(expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00)",
        "content/2023/02/review.md:5: warning: unknown key 'evnet_type' (did you mean 'event_type'?)",
        "content/b.md:3:1: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence (started on line 2)",
    ]
    assert "3 error(s)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "public").exists()


def test_quiet_hides_warnings_but_not_errors(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site", {"content/a.md": "---\ntitle: A\ndate: 2023-01-01\nevnet_type: x\n---\n"}
    )
    assert run_cli("build", str(root), "-q").stderr == ""
    write_files(root, {"content/b.md": "---\ntitle: B\n---\n"})
    result = run_cli("build", str(root), "-q")
    assert (
        result.returncode == 1
        and "content/b.md:1: error: date: required field is missing" in result.stderr
    )
    assert "warning" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("build", "--no-such-flag").returncode == 2
    assert run_cli("build", str(tmp_path / "missing")).returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_check_validates_without_writing(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/a.md": article_text(title="A")})
    result = run_cli("check", str(root))
    assert result.returncode == 0 and "no errors" in result.stderr
    assert not (root / "public").exists()
    write_files(root, {"content/b.md": "---\ntitle: B\ndate: 2023-02-30\n---\n"})
    bad = run_cli("check", str(root))
    assert bad.returncode == 1
    assert "content/b.md:3:7: error: date: '2023-02-30' is not a date" in bad.stderr


def test_duplicate_urls_name_both_files(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "content/a.md": article_text(title="Same title"),
            "content/b.md": article_text(title="Same Title!"),
        },
    )
    result = run_cli("build", str(root))
    assert result.returncode == 1
    assert "content/a.md" in result.stderr and "content/b.md" in result.stderr
    assert "2023/02/10/same-title/index.html" in result.stderr


def test_bad_settings_are_reported_with_content_errors(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\ntimezone: Mars/Base\npage_size: many\npagesize: 3\n",
            "content/a.md": "---\ntitle: A\n---\n",
        },
    )
    result = run_cli("build", str(root))
    assert result.returncode == 1
    assert "newsgen.yaml:2: error: timezone: unknown time zone 'Mars/Base'" in result.stderr
    assert "newsgen.yaml:3: error: page_size: expected a whole number, got 'many'" in result.stderr
    assert (
        "newsgen.yaml:4: warning: pagesize: unknown setting (did you mean 'page_size'?)"
        in result.stderr
    )
    assert "content/a.md:1: error: date: required field is missing" in result.stderr


def test_default_site_is_the_current_folder(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/a.md": article_text(title="A")})
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "public/index.html").is_file()


def run_on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal, as in an interactive shell."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsgen", *args], stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def colour_codes(text: str) -> list[str]:
    """The SGR parameters that set a colour (30-38, 40-48, 90-97, 100-107); bold is not colour."""
    found = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        for param in params.split(";"):
            if param.isdigit() and (30 <= int(param) <= 48 or 90 <= int(param) <= 107):
                found.append(param)
    return found


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "site",
        {"newsgen.yaml": "title: T\n", "content/a.md": article_text(date="2023-13-45")},
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    coloured = run_on_terminal(["build", str(root)], env)
    assert "error: date:" in coloured and colour_codes(coloured)
    plain = run_on_terminal(["build", str(root)], {**env, "NO_COLOR": "1"})
    assert "error: date:" in plain and not colour_codes(plain)
    piped = run_cli("build", str(root), env={"TERM": "xterm-256color"})
    assert "error: date:" in piped.stderr and "\x1b[" not in piped.stderr


@pytest.mark.slow
def test_every_command_has_help_with_examples() -> None:
    commands = ("build", "check", "new", "serve", "import text", "import hugo", "import jekyll")
    for command in commands:
        done = run_cli(*command.split(), "--help")
        assert done.returncode == 0 and "Example" in done.stdout, command
        assert f"newsgen {command}" in done.stdout.split("Example", 1)[1], command
