"""Date forms of real Hugo and Jekyll posts, zone abbreviations and their site setting."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_source

from newsgen.core.config import Config, load_config
from newsgen.core.dates import EXPECTED, parse_date
from newsgen.core.model import Article
from newsgen.source.parse import parse_source

pytestmark = pytest.mark.unit

UTC = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIX = "(write the offset instead, e.g. +08:00, or set zone_abbreviations in newsgen.yaml)"


def utc(*parts: int) -> datetime:
    """An instant written in UTC: year, month, day[, hour, minute, second, microsecond]."""
    return datetime(*parts, tzinfo=UTC)


def site(*parts: int) -> datetime:
    """An instant written as local time in the site zone (Asia/Shanghai, +08:00)."""
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


FORMS = [
    # offsets, with and without a space before them
    ("2015-03-17 14:00:00 -4", utc(2015, 3, 17, 18), True),
    ("2015-03-17 14:00:00 +8", utc(2015, 3, 17, 6), True),
    ("2015-03-17 14:00:00 -04", utc(2015, 3, 17, 18), True),
    ("2015-03-17 14:00:00 -0400", utc(2015, 3, 17, 18), True),
    ("2015-03-17 14:00:00 -04:00", utc(2015, 3, 17, 18), True),
    ("2015-03-17 14:00:00 +0800", utc(2015, 3, 17, 6), True),
    ("2015-03-17 14:00:00 +08:00", utc(2015, 3, 17, 6), True),
    ("2015-03-17 14:00:00 +05:30", utc(2015, 3, 17, 8, 30), True),
    ("2015-03-17 14:00:00 -6:00", utc(2015, 3, 17, 20), True),
    ("2015-03-17 14:00:00 +14:00", utc(2015, 3, 17, 0), True),
    ("2015-03-17 14:00:00-04:00", utc(2015, 3, 17, 18), True),
    ("2015-03-17 14:00-4", utc(2015, 3, 17, 18), True),
    ("2015-03-17T14:00:00+0800", utc(2015, 3, 17, 6), True),
    ("2015-03-17T14:00:00Z", utc(2015, 3, 17, 14), True),
    ("2015-03-17t14:00:00z", utc(2015, 3, 17, 14), True),
    ("2015-03-17 14:00:00 UTC", utc(2015, 3, 17, 14), True),
    ("2015-03-17 14:00:00 GMT", utc(2015, 3, 17, 14), True),
    ("2015-03-17 14:00:00 UT", utc(2015, 3, 17, 14), True),
    # an offset beside an abbreviation wins, even over an ambiguous one (Go's String() form)
    ("2006-01-02 15:04:05.999999999 -0700 MST", utc(2006, 1, 2, 22, 4, 5, 999999), True),
    ("2015-03-17 14:00:00 +0800 CST", utc(2015, 3, 17, 6), True),
    ("2015-03-17 14:00:00 -0500 CDT", utc(2015, 3, 17, 19), True),
    ("2015-03-17 14:00:00 +0800 +08", utc(2015, 3, 17, 6), True),
    # Hugo: Go layouts read through spf13/cast
    ("2006-01-02T15:04:05Z", utc(2006, 1, 2, 15, 4, 5), True),
    ("2006-01-02T15:04:05-07:00", utc(2006, 1, 2, 22, 4, 5), True),
    ("2006-01-02T15:04:05", site(2006, 1, 2, 15, 4, 5), True),
    ("Mon, 02 Jan 2006 15:04:05 -0700", utc(2006, 1, 2, 22, 4, 5), True),
    ("Mon, 02 Jan 2006 15:04:05 MST", utc(2006, 1, 2, 22, 4, 5), True),
    ("02 Jan 06 15:04 MST", utc(2006, 1, 2, 22, 4), True),
    ("02 Jan 06 15:04 -0700", utc(2006, 1, 2, 22, 4), True),
    ("Monday, 02-Jan-06 15:04:05 MST", utc(2006, 1, 2, 22, 4, 5), True),
    ("Mon Jan  2 15:04:05 2006", site(2006, 1, 2, 15, 4, 5), True),
    ("Mon Jan  2 15:04:05 MST 2006", utc(2006, 1, 2, 22, 4, 5), True),
    ("Mon Jan 02 15:04:05 -0700 2006", utc(2006, 1, 2, 22, 4, 5), True),
    ("2006-01-02", site(2006, 1, 2), False),
    ("02 Jan 2006", site(2006, 1, 2), False),
    ("2006-01-02 15:04:05 -07:00", utc(2006, 1, 2, 22, 4, 5), True),
    ("2006-01-02 15:04:05 -0700", utc(2006, 1, 2, 22, 4, 5), True),
    ("2006-01-02 15:04:05Z", utc(2006, 1, 2, 15, 4, 5), True),
    ("2006-01-02 15:04:05-07:00", utc(2006, 1, 2, 22, 4, 5), True),
    # Jekyll: Ruby Time.parse
    ("2015-03-17 14:00 -0400", utc(2015, 3, 17, 18), True),
    ("March 17, 2015", site(2015, 3, 17), False),
    ("17 March 2015 2:00pm", site(2015, 3, 17, 14), True),
    ("Tue, 17 Mar 2015 14:00:00 +0000", utc(2015, 3, 17, 14), True),
    ("Tue Mar 17 2:00 pm EST 2015", utc(2015, 3, 17, 19), True),
    # times
    ("2015-03-17 9:05", site(2015, 3, 17, 9, 5), True),
    ("2015-03-17 2:05 PM", site(2015, 3, 17, 14, 5), True),
    ("2015-03-17 2:05pm", site(2015, 3, 17, 14, 5), True),
    ("2015-03-17 2:05 p.m.", site(2015, 3, 17, 14, 5), True),
    ("2015-03-17 2pm", site(2015, 3, 17, 14), True),
    ("2015-03-17 12:05 am", site(2015, 3, 17, 0, 5), True),
    ("2015-03-17 12:05 PM", site(2015, 3, 17, 12, 5), True),
    ("2015-03-17 2:05:09 AM -0400", utc(2015, 3, 17, 6, 5, 9), True),
    ("2015-03-17 14:00:00.000", site(2015, 3, 17, 14), True),
    ("2015-03-17 14:00:00,5", site(2015, 3, 17, 14, 0, 0, 500000), True),
    ("2015-03-17T14:00", site(2015, 3, 17, 14), True),
    ("2015-03-17   14:00", site(2015, 3, 17, 14), True),
    # English month names, any case, a leading weekday ignored (even a wrong one)
    ("Mar 17, 2015", site(2015, 3, 17), False),
    ("17 Mar 2015", site(2015, 3, 17), False),
    ("March 17 2015", site(2015, 3, 17), False),
    ("Tuesday, March 17, 2015", site(2015, 3, 17), False),
    ("Wed, 17 Mar 2015", site(2015, 3, 17), False),
    ("MARCH 17, 2015", site(2015, 3, 17), False),
    ("17 march 2015", site(2015, 3, 17), False),
    ("Sep. 3, 2015", site(2015, 9, 3), False),
    ("Sept 3, 2015", site(2015, 9, 3), False),
    ("17th March 2015", site(2015, 3, 17), False),
    ("March 17, 2015, 2:00 pm", site(2015, 3, 17, 14), True),
    # year first with slashes or dots, and Chinese
    ("2015/03/17", site(2015, 3, 17), False),
    ("2015.03.17", site(2015, 3, 17), False),
    ("2015/3/7", site(2015, 3, 7), False),
    ("2015/03/17 14:00", site(2015, 3, 17, 14), True),
    ("2015年3月17日", site(2015, 3, 17), False),
    ("2015年3月17日 14:00", site(2015, 3, 17, 14), True),
    ("2015年3月17日14:00", site(2015, 3, 17, 14), True),
    # two-digit years as Go reads them: 69-99 are 19xx, 00-68 are 20xx
    ("02 Jan 06", site(2006, 1, 2), False),
    ("02 Jan 68", site(2068, 1, 2), False),
    ("02 Jan 69", site(1969, 1, 2), False),
    ("02 Jan 99", site(1999, 1, 2), False),
    ("02 Jan 00", site(2000, 1, 2), False),
    ("  2015-03-17  ", site(2015, 3, 17), False),
]


@pytest.mark.parametrize(("text", "expected", "has_time"), FORMS)
def test_real_date_forms_are_read(text: str, expected: datetime, has_time: bool) -> None:
    moment, timed = parse_date(text, SHANGHAI)
    assert moment.astimezone(UTC) == expected
    assert moment.tzinfo is SHANGHAI and moment.utcoffset() == timedelta(hours=8)
    assert timed is has_time


UNAMBIGUOUS = [
    ("EST", "-05:00"),
    ("EDT", "-04:00"),
    ("MST", "-07:00"),
    ("MDT", "-06:00"),
    ("PDT", "-07:00"),
    ("PST", "-08:00"),  # as Ruby (Jekyll) reads it; Manila sites set zone_abbreviations
    ("CDT", "-05:00"),
    ("AKST", "-09:00"),
    ("AKDT", "-08:00"),
    ("HST", "-10:00"),
    ("ADT", "-03:00"),
    ("JST", "+09:00"),
    ("KST", "+09:00"),
    ("HKT", "+08:00"),
    ("SGT", "+08:00"),
    ("PHT", "+08:00"),
    ("WIB", "+07:00"),
    ("CET", "+01:00"),
    ("CEST", "+02:00"),
    ("EET", "+02:00"),
    ("EEST", "+03:00"),
    ("WET", "+00:00"),
    ("WEST", "+01:00"),
    ("MSK", "+03:00"),
    ("AEST", "+10:00"),
    ("AEDT", "+11:00"),
    ("ACST", "+09:30"),
    ("AWST", "+08:00"),
    ("NZST", "+12:00"),
    ("NZDT", "+13:00"),
    ("BJT", "+08:00"),
    ("est", "-05:00"),
]


@pytest.mark.parametrize(("abbreviation", "offset"), UNAMBIGUOUS)
def test_unambiguous_abbreviations_are_fixed_offsets(abbreviation: str, offset: str) -> None:
    for day in ("2015-01-17", "2015-07-17"):  # EDT is -04:00 even in January
        moment, _ = parse_date(f"{day} 14:00 {abbreviation}", UTC)
        assert moment == parse_date(f"{day} 14:00 {offset}", UTC)[0]


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        ("Asia/Shanghai", "2015-07-17 14:00 CST", utc(2015, 7, 17, 6)),
        ("America/Chicago", "2015-07-17 14:00 CST", utc(2015, 7, 17, 20)),  # CST even in July
        ("America/Chicago", "2015-01-17 14:00 CDT", utc(2015, 1, 17, 19)),
        ("Asia/Manila", "2015-01-17 14:00 PST", utc(2015, 1, 17, 6)),
        ("Europe/London", "2015-07-17 14:00 BST", utc(2015, 7, 17, 13)),
        ("Asia/Kolkata", "2015-07-17 14:00 IST", utc(2015, 7, 17, 8, 30)),
    ],
)
def test_the_sites_own_zone_says_what_its_abbreviations_mean(
    zone: str, text: str, expected: datetime
) -> None:
    """As Go (Hugo) reads them: an abbreviation the site's zone uses has that zone's offset."""
    moment, _ = parse_date(text, ZoneInfo(zone))
    assert moment == expected


def test_the_setting_wins_over_the_sites_own_zone() -> None:
    moment, _ = parse_date("2015-07-17 14:00 CST", SHANGHAI, {"CST": "-06:00"})
    assert moment == utc(2015, 7, 17, 20)


def test_error_messages_are_exact() -> None:
    cases = {
        "2015-03-17 14:00 CST": "'2015-03-17 14:00 CST' is not a date: CST is ambiguous: "
        f"US Central -06:00, China +08:00 or Cuba -05:00 {FIX}",
        "2015-03-17 14:00 XYZ": "'2015-03-17 14:00 XYZ' is not a date: "
        f"unknown time zone abbreviation 'XYZ' {FIX}",
        "03/04/2015": "'03/04/2015' is not a date: day and month order is ambiguous "
        "(write YYYY-MM-DD, e.g. 2023-02-10)",
        "2015-03-17 14:00 +15:00": "'2015-03-17 14:00 +15:00' is not a date: "
        f"offset +15:00 is out of range ({EXPECTED})",
        "March 2015": f"'March 2015' is not a date ({EXPECTED})",
        "2015-03-17 13:05 pm": "'2015-03-17 13:05 pm' is not a date: "
        f"hour must be in 1..12 with am/pm ({EXPECTED})",
        "0001-01-01 00:00 +01:00": "'0001-01-01 00:00 +01:00' is out of range in the site's "
        "time zone",
    }
    for text, message in cases.items():
        with pytest.raises(ValueError) as raised:
            parse_date(text, UTC)
        assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # ambiguous abbreviations name their meanings and both fixes
        ("2015-03-17 14:00 CST", "US Central -06:00, China +08:00 or Cuba -05:00"),
        ("2015-03-17 14:00 cst", "CST is ambiguous"),
        ("2015-03-17 14:00 IST", "India +05:30, Ireland +01:00 or Israel +02:00"),
        ("2015-03-17 14:00 BST", "British Summer +01:00 or Bangladesh +06:00"),
        ("2015-03-17 14:00 AST", f"Atlantic -04:00 or Arabia +03:00 {FIX}"),
        ("2015-03-17 14:00 XYZ", "unknown time zone abbreviation 'XYZ'"),
        # offsets out of range or malformed
        ("2015-03-17 14:00 -15", "offset -15 is out of range"),
        ("2015-03-17 14:00 +14:30", "offset +14:30 is out of range"),
        ("2015-03-17 14:00 +05:60", "offset +05:60 is out of range"),
        ("2015-03-17 14:00 -1500", "offset -1500 is out of range"),
        ("2015-03-17 14:00 -430", "is not a date (expected"),
        # day-first or month-first numbers are never guessed
        ("03/04/2015", "day and month order is ambiguous (write YYYY-MM-DD"),
        ("17/03/2015", "day and month order is ambiguous"),
        ("3.4.2015", "day and month order is ambiguous"),
        ("03-04-15 14:00", "day and month order is ambiguous"),
        # a missing year, month or day is never filled in
        ("March 17", "is not a date (expected"),
        ("17 March", "is not a date (expected"),
        ("17 Mar 15:00", "is not a date (expected"),
        ("March 2015", "is not a date (expected"),
        ("2015-03", "is not a date (expected"),
        ("2015", "is not a date (expected"),
        ("Tuesday", "is not a date (expected"),
        ("", "is not a date (expected"),
        ("yesterday", "is not a date (expected"),
        # words that are not understood
        ("2015-03-17 14:00 tomorrow", "is not a date (expected"),
        ("March 17, 2015 noon", "is not a date (expected"),
        ("2015-03-17 14:00:00 -0400 in the morning", "is not a date (expected"),
        ("2015-03-17 UTC", "is not a date (expected"),
        ("2015-03-17 14", "is not a date (expected"),
        ("Foo 17, 2015", "'Foo' is not a month"),
        # impossible values
        ("2015-02-30 14:00", "day is out of range for month"),
        ("2015-03-17 24:00", "hour must be in 0..23"),
        ("2015-03-17 0:05 am", "hour must be in 1..12 with am/pm"),
        ("2015-13-17", "month must be in 1..12"),
        ("9999-12-31 23:00 -05:00", "out of range in the site's time zone"),
    ],
)
def test_bad_dates_are_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_date(text, UTC)  # a site in UTC: no abbreviation of its own resolves CST
    message = str(raised.value)
    assert fragment in message
    assert message.startswith(f"'{text}' ") and "\n" not in message


@pytest.mark.parametrize(
    ("text", "setting", "expected"),
    [
        ("2015-03-17 14:00 CST", {"CST": "-06:00"}, utc(2015, 3, 17, 20)),
        ("2015-03-17 14:00 CST", {"CST": "+08:00"}, utc(2015, 3, 17, 6)),
        ("2015-03-17 14:00 CST", {"CST": "Asia/Shanghai"}, utc(2015, 3, 17, 6)),
        ("2015-03-17 14:00 cst", {"cst": "+0800"}, utc(2015, 3, 17, 6)),
        # an IANA name means local time there on that date: Chicago is -05:00 in July
        ("2015-07-17 14:00 CST", {"CST": "America/Chicago"}, utc(2015, 7, 17, 19)),
        ("2015-01-17 14:00 CST", {"CST": "America/Chicago"}, utc(2015, 1, 17, 20)),
        ("2015-03-17 14:00 IST", {"IST": "Asia/Kolkata"}, utc(2015, 3, 17, 8, 30)),
        # the setting may override an unambiguous one (Australian EST) ...
        ("2015-03-17 14:00 EST", {"EST": "+10:00"}, utc(2015, 3, 17, 4)),
        # ... but a written offset still wins
        ("2015-03-17 14:00 -0600 CST", {"CST": "+08:00"}, utc(2015, 3, 17, 20)),
    ],
)
def test_zone_abbreviations_setting_resolves(
    text: str, setting: dict[str, str], expected: datetime
) -> None:
    moment, timed = parse_date(text, SHANGHAI, setting)
    assert moment.astimezone(UTC) == expected and moment.tzinfo is SHANGHAI and timed


def write_settings(root: Path, text: str) -> tuple[Config, list[str]]:
    (root / "newsgen.yaml").write_text(text, encoding="utf-8")
    config, problems = load_config(root)
    return config, [p.format() for p in problems]


def test_setting_is_read_as_written(tmp_path: Path) -> None:
    config, problems = write_settings(
        tmp_path,
        "title: T\nzone_abbreviations:\n  CST: -0600\n  ist: Asia/Kolkata\n"
        "  BST: +1\n  AST: -6:00\n",  # unquoted: YAML alone reads -0600 as octal, -6:00 as -360
    )
    assert problems == []
    assert config.zone_abbreviations == (
        ("AST", "-6:00"),
        ("BST", "+1"),
        ("CST", "-0600"),
        ("IST", "Asia/Kolkata"),
    )
    assert config.zone_abbreviation_map["IST"] == "Asia/Kolkata"
    assert hash(config) == hash(config) and "zone_abbreviations=" in repr(config)
    moment, _ = parse_date("2015-03-17 14:00 CST", UTC, config.zone_abbreviation_map)
    assert moment == utc(2015, 3, 17, 20)


def test_flow_mapping_setting(tmp_path: Path) -> None:
    config, problems = write_settings(tmp_path, 'zone_abbreviations: {CST: "+08:00"}\n')
    assert problems == [] and config.zone_abbreviations == (("CST", "+08:00"),)


def test_bad_setting_values_are_errors_at_their_line(tmp_path: Path) -> None:
    config, problems = write_settings(
        tmp_path,
        "title: T\n"
        "zone_abbreviations:\n"
        '  CST: "+08:00"\n'
        "  XST: Mars/Olympus\n"
        '  C5T: "+01:00"\n'
        '  EST: "+15:00"\n'
        "  Q: UTC\n"
        '  LONGABBR: "+01:00"\n'
        "timezone: Asia/Shanghai\n",
    )
    prefix = "newsgen.yaml:{}: error: zone_abbreviations: "
    assert problems == [
        prefix.format(4) + "'Mars/Olympus' is neither an offset such as +08:00 nor a time "
        "zone such as Asia/Shanghai",
        prefix.format(5) + "'C5T' is not a time zone abbreviation (2 to 6 letters)",
        prefix.format(6) + "offset +15:00 is out of range",
        prefix.format(7) + "'Q' is not a time zone abbreviation (2 to 6 letters)",
        prefix.format(8) + "'LONGABBR' is not a time zone abbreviation (2 to 6 letters)",
    ]
    assert config.zone_abbreviations == () and config.timezone == "Asia/Shanghai"


@pytest.mark.parametrize("value", ["CST", "[CST, IST]", "\n  CST: [+08:00]", ""])
def test_setting_must_be_a_mapping_of_plain_values(tmp_path: Path, value: str) -> None:
    _, problems = write_settings(tmp_path, f"title: T\nzone_abbreviations: {value}\n")
    assert problems == [
        "newsgen.yaml:2: error: zone_abbreviations: expected a mapping of abbreviation: "
        'offset or time zone, e.g. {CST: "+08:00"}'
    ]


def parse_article(date: str, config: Config) -> tuple[Article | None, list[str]]:
    text = f"---\ntitle: Review\ndate: {date}\n---\n\nBody.\n"
    article, problems = parse_source(make_source(data=text), config)
    return article, [p.format() for p in problems]


def test_front_matter_dates_in_jekyll_form() -> None:
    article, problems = parse_article("2015-03-17 14:00:00 -4", Config(site_root=Path(".")))
    assert problems == []
    assert article is not None and article.date == utc(2015, 3, 17, 18)


def test_front_matter_ambiguous_abbreviation_is_an_error_with_the_hint() -> None:
    article, problems = parse_article("2015-03-17 14:00 CST", Config(site_root=Path(".")))
    assert article is None
    assert problems == [
        "content/a.md:3:7: error: date: '2015-03-17 14:00 CST' is not a date: CST is "
        f"ambiguous: US Central -06:00, China +08:00 or Cuba -05:00 {FIX}"
    ]


def test_front_matter_abbreviation_resolved_by_the_setting(tmp_path: Path) -> None:
    config, settings = write_settings(tmp_path, 'zone_abbreviations: {CST: "-06:00"}\n')
    assert settings == []
    article, problems = parse_article("2015-03-17 14:00 CST", config)
    assert problems == []
    assert article is not None and article.date == utc(2015, 3, 17, 20)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("offset", "label"),
    [(8 * 60, "UTC+08:00"), (-5 * 60, "UTC-05:00"), (5 * 60 + 30, "UTC+05:30"), (0, "UTC")],
)
def test_a_time_is_labelled_by_its_offset_never_an_abbreviation(offset: int, label: str) -> None:
    from datetime import datetime, timedelta, timezone

    from newsgen.render.viewmodels import format_date

    moment = datetime(2024, 5, 30, 9, 30, tzinfo=timezone(timedelta(minutes=offset), "CST"))
    assert format_date(moment, True, "en") == f"30 May 2024 09:30 {label}"
    assert format_date(moment, True, "zh") == f"2024年5月30日 09:30 {label}"
    assert format_date(moment, True, "en", "Beijing time") == "30 May 2024 09:30 Beijing time"
    assert format_date(moment, False, "en") == "30 May 2024"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        ("2024", "2024", "2024年"),
        ("2024-05", "May 2024", "2024年5月"),
        ("2024-05-28", "28 May 2024", "2024年5月28日"),
    ],
)
def test_archive_names_are_written_for_the_pages_language(
    name: str, english: str, chinese: str
) -> None:
    from newsgen.core.dates import date_title
    from newsgen.render.viewmodels import TermView

    term = TermView("month", name, name, "", 0)
    assert (date_title(term), date_title(term, "en"), date_title(term, "zh-Hant")) == (
        english,
        english,
        chinese,
    )


@pytest.mark.site
def test_pages_call_the_zone_what_timezone_name_says(tmp_path: Path) -> None:
    from conftest import build_site, write_files

    root = write_files(
        tmp_path / "site",
        {
            "newsgen.yaml": "title: T\ntimezone: Asia/Shanghai\ntimezone_name: Beijing time\n",
            "content/a.md": "---\ntitle: A\ndate: 2024-05-30 09:30\n---\nBody.\n",
        },
    )
    assert build_site(root).ok
    page = (root / "public/2024/05/30/a/index.html").read_text("utf-8")
    assert ">30 May 2024 09:30 Beijing time</time>" in page and "CST" not in page
