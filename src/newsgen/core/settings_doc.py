"""The README's table of newsgen.yaml keys, generated from the settings declared on Config so
the documentation cannot drift from the code (scripts/settings_table.py writes it)."""

from __future__ import annotations

from newsgen.core.config import SETTINGS
from newsgen.core.settings import describe_default

# The start marker's comment may go on to say where the table comes from (it is kept as it is).
START_MARKER = "<!-- settings-table:start"
END_MARKER = "<!-- settings-table:end -->"
HEADER = "| key | default | meaning |\n| --- | --- | --- |\n"


def render_settings_table() -> str:
    """The Markdown table of every setting, in declaration order, one row each."""
    rows = [
        f"| `{key}` | {cell(describe_default(spec))} | {cell(spec.doc)} |\n"
        for key, spec in SETTINGS.items()
    ]
    return HEADER + "".join(rows)


def cell(text: str) -> str:
    """Text made safe for one table cell: a pipe would start a new column."""
    return text.replace("|", "\\|")


def update_settings_table(readme: str) -> str:
    """The README with the text between the settings-table markers regenerated."""
    start = readme.find(START_MARKER)
    opened = readme.find("-->", start) + len("-->") if start >= 0 else -1
    end = readme.find(END_MARKER, opened) if opened > start >= 0 else -1
    if end < 0:
        raise ValueError(f"the README needs {START_MARKER} ... --> and then {END_MARKER}")
    return f"{readme[:opened]}\n\n{render_settings_table()}\n{readme[end:]}"
