"""atheris harness: bytes -> newsgen's decode, split, YAML and field parsing (parse_source)."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["newsgen", "yaml", "slugify"]):
    import newsgen.source.parse  # noqa: F401  (instrumented before checks imports it)

from checks import check_front_matter


def test_one_input(data: bytes) -> None:
    """One input: parse_source must not raise and must keep its promises."""
    check_front_matter(data)


def main() -> None:
    """Run libFuzzer with the command-line options given (see fuzz/run.sh)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
