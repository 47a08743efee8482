"""Run the newsgen CLI so that it stops itself at one step, for the kill tests.

    python tests/fault_launcher.py POINT build SITE [OPTIONS...]

is `newsgen build SITE [OPTIONS...]`, except that when the build reaches the checkpoint named
POINT (`locked`, `publish`, `journal`, `swap`, `swapped`, `cache`, `rollback`: the calls of
`newsgen.publish.output.checkpoint`) it stops itself with SIGSTOP, so that the test can kill
or interrupt it at that exact step. Production's `checkpoint` does nothing and reads nothing
from the environment; this launcher replaces it before the CLI starts.

    python tests/fault_launcher.py search:POINT serve SITE [OPTIONS...]

is `newsgen serve`, whose own rebuilds run as usual but whose background search passes stop
at POINT: the launcher replaces `newsgen.preview.search_pass.PROGRAM`, the command that starts
a pass, by `python tests/fault_launcher.py POINT -m newsgen.preview.search_pass`, this
launcher's third form (a module run as `python -m MODULE ARGS...`, stopping at POINT).
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from pathlib import Path

from newsgen.cli.main import main
from newsgen.publish import output

SEARCH = "search:"


def stop_at(point: str) -> None:
    """Make every later `output.checkpoint(point)` stop this process (SIGSTOP)."""

    def checkpoint(reached: str) -> None:
        if reached == point:
            os.kill(os.getpid(), signal.SIGSTOP)

    output.checkpoint = checkpoint


def stop_search_passes_at(point: str) -> None:
    """Start serve's background search passes through this launcher, stopping at `point`
    (imported here only: the pass itself runs the module as __main__)."""
    from newsgen.preview import search_pass

    launcher = str(Path(__file__).resolve())
    search_pass.PROGRAM = [sys.executable, launcher, point, "-m", search_pass.__name__]


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(f"usage: {sys.argv[0]} [search:]POINT COMMAND [ARGS...] | POINT -m MODULE ...")
    point, command = sys.argv[1], sys.argv[2:]
    if point.startswith(SEARCH):
        stop_search_passes_at(point.removeprefix(SEARCH))
    else:
        stop_at(point)
    if command[0] == "-m":
        sys.argv = command[1:]
        runpy.run_module(command[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["newsgen", *command]
        main()
