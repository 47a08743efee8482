"""An article's history: when it last changed, from `updated:` and `updates:`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import Update

# `updated:`, and the names Hugo (lastmod) and Jekyll (last_modified_at) give it.
UPDATED_KEYS = ("updated", "lastmod", "last_modified_at")


def last_change(
    updated: Mapping[str, datetime],
    updates: Sequence[Update],
    published: datetime,
    path: str,
    lines: Mapping[str, int],
) -> tuple[datetime | None, list[Diagnostic]]:
    """When the article last changed: `updated:` (or lastmod, last_modified_at) or its latest
    update, whichever is later; a change dated before the article is ignored, with a warning."""
    key = next((k for k in UPDATED_KEYS if k in updated), "")
    given = updated.get(key)
    problems = []
    if given is not None and given < published:
        message = f"{given.isoformat()} is before the article's date; it is ignored (correct it)"
        problems.append(warning(path, lines.get(key, 0), key, message))
        given = None
    for update in updates:
        if update.date < published:
            message = f"an update dated {update.date.date()} is before the article's date"
            problems.append(warning(path, lines.get("updates", 0), "updates", message))
    moments = [m for m in (given, *(u.date for u in updates)) if m and m > published]
    return max(moments, default=None), problems
