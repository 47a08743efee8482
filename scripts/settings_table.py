"""Regenerate the README's table of newsgen.yaml keys from the settings declared on Config.

python scripts/settings_table.py          # exit 1 when README.md is out of date
python scripts/settings_table.py --write  # rewrite the table in README.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # this checkout's newsgen, installed or not

from newsgen.core.settings_doc import update_settings_table  # noqa: E402


def main() -> int:
    """Check or rewrite the table; the exit status says whether README.md was up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args()
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    updated = update_settings_table(readme)
    if updated == readme:
        print("README.md: the settings table is up to date")
        return 0
    if args.write:
        readme_path.write_text(updated, encoding="utf-8")
        print("README.md: settings table regenerated")
        return 0
    print(
        "README.md: the settings table is out of date; run python scripts/settings_table.py --write"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
