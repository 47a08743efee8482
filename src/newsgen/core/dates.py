"""Reading the date forms found in real archives (ISO, Hugo's Go layouts, Jekyll's Ruby
Time.parse), always into an aware datetime in the site zone."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXPECTED = "expected YYYY-MM-DD or ISO 8601, e.g. 2023-02-10 or 2023-02-10 09:30:00 +08:00"
ZONE_FIX = "write the offset instead, e.g. +08:00, or set zone_abbreviations in newsgen.yaml"
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS = tuple(name.lower() for name in MONTH_NAMES)
WEEKDAY = re.compile(
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?,?\s+",
    re.IGNORECASE,
)
DAY_MONTH_ORDER = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2,4}(?!\d)")
MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
ORDINAL = r"(?:st|nd|rd|th)?"
DATE_FORMS = tuple(
    re.compile(form)
    for form in (
        r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?P<rest>.*)",
        r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?P<rest>.*)",
        rf"(?P<d>\d{{1,2}}){ORDINAL}[\s-]+{MONTH},?[\s-]+(?P<y>\d{{4}}|\d{{2}})(?P<rest>.*)",
        # ANSIC, UnixDate and RubyDate put the year last: "Mar 17 14:00:00 MST 2015"
        rf"{MONTH}\s+(?P<d>\d{{1,2}})"
        r"(?P<rest>\s+\d{1,2}:\d{2}\S*(?:\s+\S+){0,2})\s+(?P<y>\d{4})",
        rf"{MONTH}\s+(?P<d>\d{{1,2}}){ORDINAL},?\s+(?P<y>\d{{4}})(?P<rest>.*)",
    )
)
OFFSET = r"[+-](?:\d{1,2}:\d{2}|\d{4}|\d{1,2})(?![\d:])"
TIME_AND_ZONE = re.compile(
    rf"""(?:[Tt]|,?\s+)
    (?P<H>\d{{1,2}})(?::(?P<M>\d{{2}})(?::(?P<S>\d{{2}})(?:[.,](?P<f>\d+))?)?)?
    (?:\s*(?P<half>[AaPp])\.?[Mm]\.?(?![A-Za-z]))?
    (?:\s*(?P<offset>{OFFSET})(?:\s+\(?(?:[A-Za-z]{{1,6}}|[+-]\d{{2,4}})\)?)?
      |\s*\(?(?P<abbr>[A-Za-z]{{1,6}})\)?)?""",
    re.VERBOSE,
)
UTC_NAMES = {"Z", "UT", "UTC", "GMT"}
# Abbreviations with one meaning in current use (tzdata and common writing): fixed offsets, so
# EDT is -04:00 whatever the date. (MSK was +04:00 from 2011 to 2014: write offsets for those.)
# PST and CDT are read as Jekyll (Ruby) and US sites read them; a Philippine or Cuban archive
# says otherwise with `zone_abbreviations`.
ZONE_OFFSETS: dict[str, str] = dict(
    re.findall(
        r"(\w+)=(\S+)",
        """
        Z=+00:00 UT=+00:00 UTC=+00:00 GMT=+00:00 WET=+00:00 WEST=+01:00 CET=+01:00 CEST=+02:00
        EET=+02:00 EEST=+03:00 MSK=+03:00 WAT=+01:00 CAT=+02:00 SAST=+02:00 EAT=+03:00
        PKT=+05:00 NPT=+05:45 ICT=+07:00 WIB=+07:00 WITA=+08:00 WIT=+09:00 BJT=+08:00
        HKT=+08:00 SGT=+08:00 MYT=+08:00 PHT=+08:00 AWST=+08:00 JST=+09:00 KST=+09:00
        ACST=+09:30 ACDT=+10:30 AEST=+10:00 AEDT=+11:00 NZST=+12:00 NZDT=+13:00
        EST=-05:00 EDT=-04:00 MST=-07:00 MDT=-06:00 PDT=-07:00 AKST=-09:00 AKDT=-08:00
        HST=-10:00 HDT=-09:00 ADT=-03:00 NST=-03:30 NDT=-02:30 PST=-08:00 CDT=-05:00
        """,
    )
)
# Abbreviations in current use with more than one meaning: never guessed.
AMBIGUOUS = {
    "CST": "US Central -06:00, China +08:00 or Cuba -05:00",
    "IST": "India +05:30, Ireland +01:00 or Israel +02:00",
    "BST": "British Summer +01:00 or Bangladesh +06:00",
    "AST": "Atlantic -04:00 or Arabia +03:00",
}


class HintedError(ValueError):
    """A date problem whose message carries its own hint (no generic 'expected ...')."""


def parse_offset(text: str) -> timezone:
    """Turn +8, -04, +0800 or +08:00 into a fixed offset; no zone is over 14 hours from UTC."""
    match = re.fullmatch(r"[+-](\d{1,2}):?(\d{2})?", text)
    if not match:
        raise ValueError(f"'{text}' is not an offset")
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(match[1]), int(match[2] or 0)
    if minutes > 59 or hours * 60 + minutes > 14 * 60:
        raise ValueError(f"offset {text} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def read_zone(value: str) -> tzinfo:
    """Read a zone_abbreviations value: a fixed offset, or an IANA name (its local time)."""
    text = value.strip()
    if re.fullmatch(OFFSET, text):
        return parse_offset(text)
    if text.upper() in UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        message = (
            f"'{value}' is neither an offset such as +08:00 nor a time zone such as Asia/Shanghai"
        )
        raise ValueError(message) from None


def find_zone(
    offset: str | None, abbreviation: str | None, abbreviations: Mapping[str, str]
) -> tzinfo | None:
    """The zone a date names; a written offset wins over an abbreviation beside it."""
    if offset:
        return parse_offset(offset)
    if not abbreviation:
        return None
    name = abbreviation.upper()
    if name in abbreviations:
        return read_zone(abbreviations[name])
    if name in ZONE_OFFSETS:
        return parse_offset(ZONE_OFFSETS[name])
    if name in AMBIGUOUS:
        raise HintedError(f"{name} is ambiguous: {AMBIGUOUS[name]} ({ZONE_FIX})")
    raise HintedError(f"unknown time zone abbreviation '{abbreviation}' ({ZONE_FIX})")


def read_year(text: str) -> int:
    """Widen a two-digit year as Go does (69-99 are 19xx, 00-68 are 20xx)."""
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= 69 else 2000)
    return year


def read_month(text: str) -> int:
    """Month number of an English month name, full or abbreviated, any case."""
    word = text.lower()
    for number, name in enumerate(MONTHS, 1):
        if word in (name, name[:3]) or (word == "sept" and number == 9):
            return number
    raise ValueError(f"'{text}' is not a month")


def split_date(text: str) -> tuple[int, int, int, str]:
    """Year, month and day of a date in any accepted form, and the text after it."""
    weekday = WEEKDAY.match(text)  # ignored, as Hugo and Jekyll do, even when it is wrong
    text = re.sub(r"日(?=\S)", "日 ", text[weekday.end() :] if weekday else text)
    if DAY_MONTH_ORDER.match(text):
        raise HintedError("day and month order is ambiguous (write YYYY-MM-DD, e.g. 2023-02-10)")
    for form in DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            parts = match.groupdict()
            month = read_month(parts["mon"]) if parts.get("mon") else int(parts["m"])
            return read_year(parts["y"]), month, int(parts["d"]), parts["rest"]
    raise ValueError("")


def read_hour(text: str, half: str | None) -> int:
    """The 24-hour hour of an hour that may be followed by am or pm."""
    hour = int(text)
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError("hour must be in 1..12 with am/pm")
    return hour % 12 + (12 if half.lower() == "p" else 0)


def read_moment(text: str, abbreviations: Mapping[str, str]) -> tuple[datetime, bool]:
    """The datetime a text gives (aware when it names a zone) and whether it has a time."""
    year, month, day, rest = split_date(text)
    if not rest:
        return datetime(year, month, day), False
    match = TIME_AND_ZONE.fullmatch(rest)
    if not match or (match["M"] is None and match["half"] is None):
        raise ValueError("")
    fraction = (match["f"] or "0")[:6].ljust(6, "0")
    moment = datetime(
        year,
        month,
        day,
        read_hour(match["H"], match["half"]),
        int(match["M"] or 0),
        int(match["S"] or 0),
        int(fraction),
    )
    zone = find_zone(match["offset"], match["abbr"], abbreviations)
    return (moment.replace(tzinfo=zone) if zone else moment), True


@functools.cache
def local_abbreviations(zone_name: str) -> dict[str, str]:
    """The abbreviations a zone itself uses, with their offsets there (Asia/Shanghai: CST
    +08:00; America/Chicago: CST -06:00, CDT -05:00), as Go (Hugo) reads them: a site in
    China writing CST means China Standard Time."""
    zone = ZoneInfo(zone_name)
    found: dict[str, str] = {}
    for year in range(2000, 2040):  # the names in use now, not those of the 1980s
        for month in (1, 7):
            moment = datetime(year, month, 15, 12, tzinfo=zone)
            name, offset = moment.tzname() or "", moment.utcoffset()
            if name.isalpha() and offset is not None:  # the latest offset of the name wins
                minutes = int(offset.total_seconds()) // 60
                found[name.upper()] = (
                    f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
                )
    return found


def parse_date(
    text: str, zone: ZoneInfo, abbreviations: Mapping[str, str] | None = None
) -> tuple[datetime, bool]:
    """Parse a front-matter date; returns the datetime in `zone` and whether a time was given.

    `abbreviations` (the site's zone_abbreviations) maps an abbreviation to an offset or an
    IANA name. Raises ValueError with a message fit for a diagnostic.
    """
    given = {key.upper(): value for key, value in (abbreviations or {}).items()}
    names = {**local_abbreviations(zone.key), **given}
    try:
        moment, has_time = read_moment(text.strip(), names)
    except HintedError as exc:
        raise ValueError(f"'{text}' is not a date: {exc}") from None
    except ValueError as exc:
        detail = f": {exc}" if str(exc) else ""
        raise ValueError(f"'{text}' is not a date{detail} ({EXPECTED})") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone), has_time
    try:
        return moment.astimezone(zone), has_time
    except OverflowError:  # 0001-01-01 00:00 +01:00 is in year 0 in UTC
        raise ValueError(f"'{text}' is out of range in the site's time zone") from None


class Named(Protocol):
    """Anything with a name (a Term or a TermView)."""

    @property
    def name(self) -> str: ...


def date_title(term: Named, lang: str = "") -> str:
    """Readable title of a year, month or day archive (its name is 2023, 2023-02 or
    2023-02-10), in the reader's language: May 2024, or 2024年5月 on a Chinese page."""
    parts = [int(p) for p in term.name.split("-")]
    if lang.lower().startswith("zh"):
        return "".join(f"{p}{unit}" for p, unit in zip(parts, "年月日", strict=False))
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{MONTH_NAMES[parts[1] - 1]} {parts[0]}"
    return f"{parts[2]} {MONTH_NAMES[parts[1] - 1]} {parts[0]}"


def offset_label(moment: datetime) -> str:
    """A time's zone as its offset, UTC+08:00: unlike CST (China, US Central or Cuba?) it
    means one thing everywhere."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
