"""What every command of the command line shares (kept small: it is imported at start-up)."""

from __future__ import annotations

from pathlib import Path

import click

from newsgen.diagnostics import shown


def site_root_of(site: Path) -> Path:
    """The site folder, which must exist (a usage error otherwise)."""
    if not site.is_dir():
        raise click.UsageError(f"site folder {shown(str(site))} does not exist")
    return site.resolve()
