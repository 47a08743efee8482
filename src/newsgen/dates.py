"""Reading the date forms found in real archives, always into an aware datetime in the site zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DATE_PATTERN = re.compile(
    r"""^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
    (?:(?:[Tt]|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?
    \s*(?P<z>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$""",
    re.VERBOSE,
)
EXPECTED = "expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00"


def parse_offset(text: str) -> timezone:
    """Turn Z, UTC, +08, +0800 or +08:00 into a fixed offset."""
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_date(text: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """Parse a front-matter date; returns the datetime in `zone` and whether a time was given.

    Raises ValueError with a message fit for a diagnostic.
    """
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date ({EXPECTED})")
    parts = match.groupdict()
    has_time = parts["H"] is not None
    try:
        fraction = (parts["f"] or "0")[:6].ljust(6, "0")
        moment = datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"] or 0),
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            int(fraction),
        )
        offset = parse_offset(parts["z"]) if parts["z"] else None
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a date: {exc} ({EXPECTED})") from None
    if offset is None:
        return moment.replace(tzinfo=zone), has_time
    try:
        return moment.replace(tzinfo=offset).astimezone(zone), has_time
    except OverflowError:  # 0001-01-01 00:00 +01:00 is in year 0 in UTC
        raise ValueError(f"'{text}' is out of range in the site's time zone") from None
