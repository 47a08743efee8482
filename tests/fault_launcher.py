"""Run the newsgen CLI so that it stops itself at one step, for the kill tests.

    python tests/fault_launcher.py POINT build SITE [OPTIONS...]

is `newsgen build SITE [OPTIONS...]`, except that when the build reaches the checkpoint named
POINT (`locked`, `publish`, `journal`, `swap`, `swapped`, `cache`, `rollback`: the calls of
`newsgen.publish.output.checkpoint`) it stops itself with SIGSTOP, so that the test can kill
or interrupt it at that exact step. Production's `checkpoint` does nothing and reads nothing
from the environment; this launcher replaces it before the CLI starts.
"""

from __future__ import annotations

import os
import signal
import sys

from newsgen.cli.main import main
from newsgen.publish import output


def stop_at(point: str) -> None:
    """Make every later `output.checkpoint(point)` stop this process (SIGSTOP)."""

    def checkpoint(reached: str) -> None:
        if reached == point:
            os.kill(os.getpid(), signal.SIGSTOP)

    output.checkpoint = checkpoint


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(f"usage: {sys.argv[0]} POINT COMMAND [ARGS...]")
    stop_at(sys.argv[1])
    sys.argv = ["newsgen", *sys.argv[2:]]
    main()
