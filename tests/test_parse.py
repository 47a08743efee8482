"""Parse/validate stage: every field form of the content model, and its diagnostics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_source

from newsgen.core.config import Config
from newsgen.core.dates import parse_date
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, Speaker
from newsgen.source.parse import digest_text, parse_source
from newsgen.source.resolve import resolve_article
from newsgen.source.summary import derive_summary
from newsgen.source.vocab import read_vocabulary

pytestmark = pytest.mark.unit

UTC = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse(
    text: str | bytes,
    config: Config | None = None,
    vocab: dict | None = None,
    path: str = "content/a.md",
) -> tuple[Article | None, list[Diagnostic]]:
    source = make_source(source_path=path, data=text)
    article, problems = parse_source(source, config or Config(site_root=Path(".")))
    if article is not None and vocab:  # applied after parsing, as a build does
        article, unknown = resolve_article(article, vocab)
        problems += unknown
        article = None if unknown else article
    return article, problems


def messages(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.format() for d in diagnostics]


def test_full_front_matter_is_read() -> None:
    article, problems = parse(
        "---\ntitle: Jintai District reviews party building\ndate: 2023-02-10\n"
        "district: Jintai District\nevent_type: meeting\nspeaker:\n  - name: Zhang Wei\n"
        "    role: Director of the Organization Department\nunits:\n"
        "  - Organization Department of the District Committee\n  - Party School\n"
        'tags: [party building, "four excellent"]\nsummary: Short.\nslug: jintai-review\n'
        "lang: en\ntranslation_key: k1\ndraft: false\ncolour: red\n---\n\nBody **text**.\n"
    )
    assert problems == []
    assert article is not None
    assert article.title == "Jintai District reviews party building"
    assert article.date == datetime(2023, 2, 10, tzinfo=UTC)
    assert not article.has_time
    assert article.speakers == (Speaker("Zhang Wei", "Director of the Organization Department"),)
    assert article.units == ("Organization Department of the District Committee", "Party School")
    assert article.tags == ("party building", "four excellent")
    assert article.terms["district"] == ("Jintai District",)
    assert article.terms["speaker"] == ("Zhang Wei",)
    assert article.url == "2023/02/10/jintai-review/"
    assert article.translation_key == "k1"
    assert article.extra == {"colour": "red"}
    assert article.body_hash == digest_text("\nBody **text**.\n")
    assert article.body_line == 20


@pytest.mark.parametrize(
    ("speaker_yaml", "expected"),
    [
        ("speaker: Zhang Wei", (Speaker("Zhang Wei"),)),
        ("speaker: [Zhang Wei, Li Jun]", (Speaker("Zhang Wei"), Speaker("Li Jun"))),
        ("speaker:\n  name: Li Jun\n  role: Mayor", (Speaker("Li Jun", "Mayor"),)),
        (
            "speaker:\n  - Zhang Wei\n  - name: Li Jun\n    role: Mayor",
            (Speaker("Zhang Wei"), Speaker("Li Jun", "Mayor")),
        ),
    ],
)
def test_speaker_forms(speaker_yaml: str, expected: tuple[Speaker, ...]) -> None:
    article, problems = parse(f"---\ntitle: T\ndate: 2023-01-01\n{speaker_yaml}\n---\n")
    assert problems == []
    assert article is not None and article.speakers == expected


def test_units_and_tags_accept_a_single_value() -> None:
    article, problems = parse(
        "---\ntitle: T\ndate: 2023-01-01\nunits: Finance Bureau\ntags: budget\n---\n"
    )
    assert problems == []
    assert article is not None
    assert article.units == ("Finance Bureau",)
    assert article.tags == ("budget",)


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2023-02-10", datetime(2023, 2, 10, tzinfo=SHANGHAI), False),
        ("2023-02-10 09:30", datetime(2023, 2, 10, 9, 30, tzinfo=SHANGHAI), True),
        ("2023-02-10T09:30:15", datetime(2023, 2, 10, 9, 30, 15, tzinfo=SHANGHAI), True),
        ("2023-02-10T01:30:00Z", datetime(2023, 2, 10, 9, 30, tzinfo=SHANGHAI), True),
        ("2017-03-08 2:05:17 -0400", datetime(2017, 3, 8, 14, 5, 17, tzinfo=SHANGHAI), True),
        ("2015-08-20 11:00:12 -0400", datetime(2015, 8, 20, 23, 0, 12, tzinfo=SHANGHAI), True),
        ("2023-02-10 09:30:00 +08:00", datetime(2023, 2, 10, 9, 30, tzinfo=SHANGHAI), True),
        (
            "2023-02-10 09:30:00.250 UTC",
            datetime(2023, 2, 10, 17, 30, 0, 250000, tzinfo=SHANGHAI),
            True,
        ),
    ],
)
def test_date_forms_are_read_in_the_site_timezone(
    text: str, expected: datetime, has_time: bool
) -> None:
    moment, timed = parse_date(text, SHANGHAI)
    assert moment == expected
    assert moment.utcoffset() == timedelta(hours=8)
    assert timed is has_time


@pytest.mark.parametrize(
    "text", ["2024-13-45", "2024-02-30", "2023-01-01 25:00", "yesterday", "10/02/2023"]
)
def test_impossible_dates_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text, UTC)


def test_offset_dates_keep_the_instant() -> None:
    moment, _ = parse_date("2023-02-10 23:30:00 -0500", SHANGHAI)
    assert moment.astimezone(timezone.utc) == datetime(2023, 2, 11, 4, 30, tzinfo=timezone.utc)
    assert (moment.year, moment.month, moment.day) == (2023, 2, 11)


def test_date_error_names_file_line_and_column() -> None:
    article, problems = parse(
        "---\ntitle: Review\ndate: 2024-13-45\n---\n", path="content/2023/02/review.md"
    )
    assert article is None
    assert messages(problems)[0].startswith(
        "content/2023/02/review.md:3:7: error: date: '2024-13-45' is not a date"
    )
    assert "expected YYYY-MM-DD or ISO 8601" in messages(problems)[0]


def test_misspelt_key_warns_and_unknown_key_is_kept() -> None:
    article, problems = parse(
        "---\ntitle: T\ndate: 2023-01-01\n\nevnet_type: meeting\nsource_url: x\n---\n"
    )
    assert article is not None
    assert messages(problems) == [
        "content/a.md:5: warning: unknown key 'evnet_type' (did you mean 'event_type'?)"
    ]
    assert article.extra == {"evnet_type": "meeting", "source_url": "x"}


def test_every_problem_in_a_file_is_reported() -> None:
    config = Config(site_root=Path("."), required=("title", "date", "district", "event_type"))
    article, problems = parse(
        "---\ntitle: [a, b]\ndate: nope\nspeaker: {role: x}\ndraft: maybe\n---\n", config
    )
    assert article is None
    text = "\n".join(messages(problems))
    assert "content/a.md:2:8: error: title: expected text, got a list" in text
    assert "content/a.md:3:7: error: date: 'nope' is not a date" in text
    assert "content/a.md:4:10: error: speaker: a speaker mapping needs a 'name'" in text
    assert "content/a.md:5:8: error: draft: expected true or false, got 'maybe'" in text
    assert "content/a.md:1: error: district: required field is missing" in text
    assert "content/a.md:1: error: event_type: required field is missing" in text


def test_yaml_11_traps_stay_text() -> None:
    article, problems = parse(
        "---\ntitle: NO\ndate: 2023-01-01\nsummary: 010\nevent_type: 1:30\n---\n"
    )
    assert problems == []
    assert article is not None
    assert (article.title, article.summary, article.event_type) == ("NO", "010", "1:30")


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ('"false"', False), ("no", False), ("yes", True)]
)
def test_draft_forms(value: str, expected: bool) -> None:
    article, problems = parse(f"---\ntitle: T\ndate: 2023-01-01\ndraft: {value}\n---\n")
    assert problems == []
    assert article is not None and article.draft is expected


def test_bom_crlf_and_leading_blank_lines_are_fine() -> None:
    data = b"\xef\xbb\xbf\r\n\r\n---\r\ntitle: T\r\ndate: 2023-01-01\r\n---\r\nLine one\r\n"
    article, problems = parse(data)
    assert problems == []
    assert article is not None and article.body_hash == digest_text("Line one\n")


def test_not_utf8_names_file_and_line() -> None:
    data = b"---\ntitle: ok\ndate: 2023-01-01\n---\n\n" + "金台区".encode("gbk")
    article, problems = parse(data)
    assert article is None
    assert messages(problems)[0].startswith("content/a.md:6:1: error: file is not UTF-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "content/a.md:1: error: file is empty"),
        ("title: x\n", "content/a.md:1: error: no front matter"),
        ("---\ntitle: x\n", "content/a.md:1: error: front matter is not closed"),
        ("---\n- a\n- b\n---\n", "content/a.md:2:1: error: front matter is a list, not a mapping"),
        (
            "---\ntitle: !!python/object/apply:os.system [ls]\ndate: 2023-01-01\n---\n",
            "content/a.md:2:8: error: title: YAML tag !!python/object/apply:os.system is not allowed",
        ),
        (
            "---\ntitle: T\ndate: 2023-01-01\nx: !!python/name:os.system\n---\n",
            "content/a.md:4:4: error: x: YAML tag !!python/name:os.system is not allowed",
        ),
    ],
)
def test_structural_errors(text: str, message: str) -> None:
    article, problems = parse(text)
    assert article is None
    assert messages(problems)[0].startswith(message)


def test_slug_defaults_to_slugified_title_and_chinese_is_transliterated() -> None:
    article, _ = parse("---\ntitle: 金台区召开会议\ndate: 2023-01-01\n---\n")
    assert article is not None and article.slug == "jin-tai-qu-zhao-kai-hui-yi"


@pytest.mark.parametrize("slug", ["../../etc", "a/b", "%2e%2e", "a\\b", "..", "!!!"])
def test_unsafe_slugs_are_errors(slug: str) -> None:
    article, problems = parse(f"---\ntitle: T\ndate: 2023-01-01\nslug: '{slug}'\n---\n")
    assert article is None
    assert "is not a valid slug" in messages(problems)[0]


def test_title_without_slug_characters_is_an_error() -> None:
    article, problems = parse("---\ntitle: '!!!'\ndate: 2023-01-01\n---\n")
    assert article is None
    assert messages(problems) == [
        "content/a.md:2: error: title: title gives an empty slug (add 'slug: ...')"
    ]


def test_vocabulary_resolves_aliases_and_rejects_unknown_terms() -> None:
    vocab, problems = read_vocabulary(
        "units",
        "data/units.yaml",
        [
            {
                "name": "Organization Department",
                "labels": {"zh": "区委组织部"},
                "aliases": ["Org Dept"],
            },
            {"name": "Finance Bureau"},
        ],
    )
    assert problems == []
    text = "---\ntitle: T\ndate: 2023-01-01\nunits:\n  - 区委组织部\n  - org dept\n  - Finance Bureu\n---\n"
    article, problems = parse(text, vocab={"units": vocab})
    assert article is None
    assert messages(problems) == [
        "content/a.md:7:5: error: units: unknown term 'Finance Bureu' (did you mean 'Finance Bureau'?)"
    ]
    article, problems = parse(
        text.replace("Finance Bureu", "Finance Bureau"), vocab={"units": vocab}
    )
    assert problems == []
    assert article is not None
    assert article.units == ("Organization Department", "Finance Bureau")


def test_summary_is_derived_from_the_first_paragraph() -> None:
    body = "## Heading\n\nThe **district** held a [meeting](x.html) on `Monday`.\n\nMore."
    assert derive_summary(body) == "The district held a meeting on Monday."
    long = "word " * 100
    assert derive_summary(long).endswith("…") and len(derive_summary(long)) <= 221


def test_custom_taxonomy_key_is_read() -> None:
    from newsgen.core.config import DEFAULT_TAXONOMIES, TaxonomyConfig

    config = Config(
        site_root=Path("."),
        taxonomies=(*DEFAULT_TAXONOMIES, TaxonomyConfig("topics", "topics", "Topics", "Topic")),
    )
    article, problems = parse(
        "---\ntitle: T\ndate: 2023-01-01\ntopics: [Education, Health]\n---\n", config
    )
    assert problems == []
    assert article is not None and article.terms["topics"] == ("Education", "Health")
    assert article.extra == {}


@pytest.mark.parametrize("key", ["units", "speaker", "tags"])
def test_object_tags_on_lists_are_errors(key: str) -> None:
    article, problems = parse(
        f"---\ntitle: T\ndate: 2023-01-01\n{key}: !!python/object/apply:os.system [ls]\n---\n"
    )
    assert article is None
    assert (
        f"error: {key}: YAML tag !!python/object/apply:os.system is not allowed"
        in messages(problems)[0]
    )


def test_slug_not_in_slug_form_is_normalised_with_a_warning() -> None:
    article, problems = parse("---\ntitle: T\ndate: 2023-01-01\nslug: Budget_Report 2015\n---\n")
    assert article is not None and article.slug == "budget-report-2015"
    assert messages(problems) == [
        "content/a.md:4: warning: slug: 'Budget_Report 2015' is not in slug form; using "
        "'budget-report-2015'; its old address stays as an alias (write slug: budget-report-2015)"
    ]
    assert article.aliases == ("2023/01/01/Budget_Report 2015/",)


def test_vocabulary_file_problems_name_their_line(tmp_path: Path) -> None:
    from newsgen.source.vocab import load_vocabularies

    (tmp_path / "data").mkdir()
    (tmp_path / "data/units.yaml").write_text(
        "- name: Finance Bureau\n  aliases: [FB]\n- labels: {zh: x}\n- name: Health Commission\n  aliases: [fb]\n",
        "utf-8",
    )
    vocabularies, problems = load_vocabularies(Config(site_root=tmp_path))
    assert [p.format() for p in problems] == [
        "data/units.yaml:3: error: name: each entry needs a 'name' (got {'labels': {'zh': 'x'}})",
        "data/units.yaml:4: error: aliases: 'fb' names both 'Finance Bureau' and 'Health Commission'",
    ]
    assert vocabularies["units"].resolve("fb") is not None


def test_derived_summaries_keep_underscores_inside_words() -> None:
    body = "Use `file_name.md`, snake_case words, _emphasis_ and __strong__ text."
    assert derive_summary(body) == "Use file_name.md, snake_case words, emphasis and strong text."
