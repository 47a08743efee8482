"""atheris harness: text -> newsgen.render.markdown_html.render_markdown with sanitising; escapes are findings."""

from __future__ import annotations

import signal
import sys

import atheris

with atheris.instrument_imports(include=["newsgen", "markdown"]):
    import newsgen.render.markdown_html  # noqa: F401  (instrumented before checks imports it)

from checks import check_markdown


def test_one_input(data: bytes) -> None:
    """One input as UTF-8 text: convert, sanitise, check the HTML."""
    text = data.decode("utf-8", "replace")
    # render_markdown's own time limit takes over SIGALRM and disarms libFuzzer's -timeout
    # timer; put that timer back so a hang after the conversion is still reported.
    timer = signal.getitimer(signal.ITIMER_REAL)
    try:
        check_markdown(text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, *timer)


def main() -> None:
    """Run libFuzzer with the command-line options given (see fuzz/run.sh)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
