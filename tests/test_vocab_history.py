"""Vocabularies that know time, hierarchy and language: renamed and merged units, nested
districts, joint releases, labels everywhere, and a vocabulary edit that renders again only
the pages that show the term."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import (
    FIXED_NOW,
    article_text,
    build_site,
    read_tree,
    run_cli,
    same_output,
    write_files,
)

from newsgen.pipeline import read_stages
from newsgen.pipeline.build import BuildOptions, build, check
from newsgen.render.renderer import Renderer
from newsgen.source.vocab import read_vocabulary

pytestmark = pytest.mark.site

UNITS = """\
- name: District Education and Sports Bureau
  labels: {zh: 区教育体育局}
  names:
    - {name: District Education Bureau, until: 2019, labels: {zh: 区教育局}}
- name: District Market Supervision Bureau
  labels: {zh: 区市场监督管理局}
- name: Food Office
  successor: District Market Supervision Bureau
  dissolved: 2020-06-30
- name: Trade Office
  successor: District Market Supervision Bureau
  dissolved: 2020-06-30
"""
DISTRICTS = """\
- name: Baoji City
  labels: {zh: 宝鸡市}
- name: Jintai District
  labels: {zh: 金台区}
  parent: Baoji City
- name: Weibin District
  labels: {zh: 渭滨区}
  parent: Baoji City
- name: Dongfeng Road Sub-district
  labels: {zh: 东风路街道}
  parent: Jintai District
"""
EVENT_TYPES = """\
- name: meeting
  labels: {en: Meeting, zh: 会议}
- name: inspection
  labels: {en: Inspection}
"""


def archive(root: Path) -> Path:
    """A small archive with a renamed unit, a merger, nested districts and a joint release."""
    files = {
        "newsgen.yaml": "title: T\nbase_url: https://x.org/\nlanguages: [en, zh]\n",
        "data/units.yaml": UNITS,
        "data/districts.yaml": DISTRICTS,
        "data/event-types.yaml": EVENT_TYPES,
        "content/old.md": article_text(
            "Old.",
            title="Schools open",
            date="2015-09-01",
            units=["District Education Bureau"],
            district="Dongfeng Road Sub-district",
            event_type="meeting",
        ),
        "content/old-zh.md": article_text(
            "旧。",
            title="学校开学",
            date="2015-09-01",
            lang="zh",
            slug="old-zh",
            units=["区教育局"],
            district="东风路街道",
            event_type="meeting",
        ),
        "content/new.md": article_text(
            "New.",
            title="Sports week",
            date="2023-05-01",
            units=["District Education and Sports Bureau"],
            district="Jintai District",
            event_type="inspection",
        ),
        "content/food.md": article_text(
            "Food.", title="Market checks", date="2019-03-01", units=["Food Office", "Trade Office"]
        ),
        "content/market.md": article_text(
            "Market.",
            title="Market rules",
            date="2021-01-05",
            units=["District Market Supervision Bureau"],
        ),
        "content/joint.md": article_text(
            "Joint.",
            title="Joint drill",
            date="2024-06-12",
            district=["Jintai District", "Weibin District"],
        ),
    }
    return write_files(root, files)


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text("utf-8")


def section(html: str, start: str, end: str) -> str:
    """The part of a page from a marker to the next end marker."""
    return html.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = archive(tmp_path_factory.mktemp("vocab") / "site")
    result = build_site(root)
    assert result.ok, [d.format() for d in result.diagnostics]
    return root / "public"


def test_an_article_shows_the_unit_name_of_its_date_linking_the_one_unit_page(built: Path) -> None:
    old = section(page(built, "2015/09/01/schools-open"), 'class="article-meta"', "</dl>")
    assert ">District Education Bureau</a>" in old
    assert 'href="../../../../units/district-education-and-sports-bureau/index.html"' in old
    new = section(page(built, "2023/05/01/sports-week"), 'class="article-meta"', "</dl>")
    assert ">District Education and Sports Bureau</a>" in new
    zh = section(page(built, "2015/09/01/old-zh"), 'class="article-meta"', "</dl>")
    assert ">区教育局</a>" in zh and "Education" not in zh


def test_a_renamed_unit_lists_the_articles_of_both_names_with_its_history(built: Path) -> None:
    unit = page(built, "units/district-education-and-sports-bureau")
    history = section(unit, 'class="term-history"', "</section>")
    assert "Formerly" in history and "District Education Bureau" in history
    assert "(until 2019)" in history
    assert "Schools open" in unit and "Sports week" in unit and "学校开学" in unit
    assert not (built / "units/district-education-bureau").exists()


def test_merged_units_say_what_they_became_and_it_names_them(built: Path) -> None:
    food = section(page(built, "units/food-office"), 'class="term-history"', "</section>")
    assert "Merged into" in food and "(in 2020)" in food
    assert "District Market Supervision Bureau" in food
    merged = page(built, "units/district-market-supervision-bureau")
    formed = section(merged, 'class="term-history"', "</section>")
    assert "Formed from" in formed
    assert 'href="../../units/food-office/index.html">Food Office</a>' in formed
    assert 'href="../../units/trade-office/index.html">Trade Office</a>' in formed


def test_a_district_leads_to_its_sub_districts_and_all_their_articles(built: Path) -> None:
    jintai = page(built, "districts/jintai-district")
    history = section(jintai, 'class="term-history"', "</section>")
    assert "Part of" in history and ">Baoji City<" in history
    assert "Includes" in history and ">Dongfeng Road Sub-district</a>" in history
    assert "Schools open" not in section(jintai, 'class="cards"', "</ol>")
    everything = page(built, "districts/jintai-district/all")
    listed = section(everything, 'class="cards"', "</ol>")
    for title in ("Schools open", "学校开学", "Sports week", "Joint drill"):
        assert title in listed
    assert listed.count(">Joint drill<") == 1
    assert not (built / "districts/baoji-city").exists()  # no article names the city itself
    crumbs = section(page(built, "districts/dongfeng-road-sub-district"), "breadcrumbs", "</nav>")
    assert crumbs.index("Districts") < crumbs.index("Jintai District") < crumbs.index("Dongfeng")
    assert "Baoji City" not in crumbs  # no page to link


def test_search_filters_show_the_tree_in_labels_and_a_district_finds_its_parts(
    built: Path,
) -> None:
    options = section(page(built, "search"), 'data-filter="district"', "</select>")
    assert options.index(">Jintai District") < options.index(">— Dongfeng Road Sub-district")
    assert options.index(">— Dongfeng Road Sub-district") < options.index(">Weibin District")
    events = section(page(built, "search"), 'data-filter="event_type"', "</select>")
    assert ">Meeting (2)<" in events and ">meeting" not in events
    zh_events = section(page(built, "zh/search"), 'data-filter="event_type"', "</select>")
    assert ">会议 (2)<" in zh_events
    meta = section(page(built, "2015/09/01/schools-open"), 'data-pagefind-meta="f_district"', "<")
    slugs = json.loads(meta.split(">", 1)[1])
    assert slugs == ["baoji-city", "jintai-district", "dongfeng-road-sub-district"]


def test_a_joint_release_is_listed_once_on_each_district(built: Path) -> None:
    for district in ("jintai-district", "weibin-district"):
        cards = section(page(built, f"districts/{district}"), 'class="cards"', "</ol>")
        assert cards.count(">Joint drill<") == 1, district
    meta = section(page(built, "2024/06/12/joint-drill"), 'class="article-meta"', "</dl>")
    assert "Districts" in meta and "Jintai District" in meta and "Weibin District" in meta


def test_event_types_and_districts_show_their_labels_on_listings_in_each_language(
    built: Path,
) -> None:
    home = section(page(built, ""), 'class="cards"', "</ol>")
    assert "<span>Meeting</span>" in home and "<span>meeting</span>" not in home
    zh_home = section(page(built, "zh"), 'class="cards"', "</ol>")
    assert "<span>会议</span>" in zh_home and "<span>东风路街道</span>" in zh_home
    assert "<title>Meeting" in page(built, "event-types/meeting")


def test_check_lists_terms_without_a_label_in_a_site_language(tmp_path: Path) -> None:
    root = archive(tmp_path / "site")
    done = run_cli("check", str(root), "--missing-labels")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "zh\tevent_type\tinspection\t1 article" in lines
    assert "zh\tunits\tFood Office\t1 article" in lines
    assert not any("\tmeeting\t" in line or "Jintai" in line for line in lines)


@pytest.mark.unit
def test_vocabulary_dates_links_and_keys_are_checked_at_their_line() -> None:
    items = [
        ({"name": "A", "names": [{"name": "Old A", "from": 2019, "until": 2015}]}, 1),
        ({"name": "B", "names": [{"name": "B1", "until": 2018}, {"name": "B2", "from": 2017}]}, 2),
        ({"name": "C", "successor": "Nobody", "valid_until": 2020}, 3),
        ({"name": "D", "parent": "E"}, 4),
        ({"name": "E", "parent": "F"}, 5),
        ({"name": "F", "parent": "D"}, 6),
        ({"name": "G", "names": [{"name": "G0", "from": 2021}], "dissolved": 2020}, 7),
        ({"name": "H", "parent": "H"}, 8),
    ]
    _, problems = read_vocabulary("units", "data/units.yaml", items)
    lines = sorted(p.format() for p in problems)
    assert lines == [
        "data/units.yaml:1: error: names: 'A': 'Old A': from 2019-01-01 is after until 2015-12-31",
        "data/units.yaml:2: error: names: 'B': 'B1' and 'B2' are dated to overlap",
        "data/units.yaml:3: error: successor: 'C': successor 'Nobody' is not an entry of this "
        "vocabulary",
        "data/units.yaml:3: warning: valid_until: 'C': unknown key 'valid_until' (use names: "
        "[{name, from, until}] or dissolved:)",
        "data/units.yaml:4: error: parent: parents form a cycle: D -> E -> F -> D (one of them "
        "must be the top)",
        "data/units.yaml:7: error: dissolved: 'G': dissolved 2020-12-31, before 'G0' began",
        "data/units.yaml:8: error: parent: 'H': parent 'H' is the entry itself",
    ]


def test_an_unknown_term_is_an_error_at_its_line_after_parsing(tmp_path: Path) -> None:
    root = archive(tmp_path / "site")
    write_files(
        root,
        {"content/bad.md": "---\ntitle: Bad\ndate: 2023-01-01\nunits:\n  - Food Ofice\n---\nX.\n"},
    )
    result = build_site(root)
    assert [d.format() for d in result.diagnostics if d.is_error] == [
        "content/bad.md:5:5: error: units: unknown term 'Food Ofice' (did you mean 'Food Office'?)"
    ]


def test_an_unknown_term_is_listed_with_the_other_problems_of_a_file_that_fails(
    tmp_path: Path,
) -> None:
    """A file with a bad date is not an article, but its terms are still checked: every
    problem of the build at once, by build and by check alike."""
    root = archive(tmp_path / "site")
    text = "---\ntitle: Bad\ndate: 2023-13-45\nunits:\n  - Food Ofice\n  - Food Office\n---\nX.\n"
    write_files(root, {"content/bad.md": text})
    for result in (build_site(root), check(BuildOptions(site_root=root))):
        errors = [d.format() for d in result.diagnostics if d.is_error]
        assert [e.split(": error: ")[1].split(":")[0] for e in errors] == ["date", "units"]
        assert errors[1] == (
            "content/bad.md:5:5: error: units: unknown term 'Food Ofice' "
            "(did you mean 'Food Office'?)"
        )


def test_a_vocabulary_edit_parses_nothing_and_renders_only_the_pages_showing_the_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = archive(tmp_path / "site")
    for path in (root / "content").iterdir():  # older than the last scan, as real edits are
        os.utime(path, (1_600_000_000, 1_600_000_000))
    assert build_site(root, jobs=1).ok
    parsed: list[str] = []
    real = read_stages.parse_source
    monkeypatch.setattr(
        read_stages, "parse_source", lambda s, c: parsed.append(s.source_path) or real(s, c)
    )
    before = read_tree(root / "public")
    write_files(root, {"data/event-types.yaml": EVENT_TYPES.replace("Inspection", "Site visit")})
    result = build_site(root, jobs=1)
    assert result.ok and parsed == []
    after = read_tree(root / "public")
    changed = sorted(p for p in after if before.get(p) != after[p] and p.endswith(".html"))
    assert changed and all("Site visit" in after[p].decode() for p in changed)
    assert "event-types/inspection/index.html" in changed
    assert "2023/05/01/sports-week/index.html" in changed  # the one inspection
    assert "2015/09/01/schools-open/index.html" not in changed
    chinese = EVENT_TYPES.replace("Inspection", "Site visit").replace("会议", "会晤")
    write_files(root, {"data/event-types.yaml": chinese})  # a label in one language only
    rendered: list[str] = []
    render = Renderer.render
    monkeypatch.setattr(
        Renderer,
        "render",
        lambda self, spec: rendered.append(spec.output_path) or render(self, spec),
    )
    assert build_site(root, jobs=1).ok
    assert "2015/09/01/old-zh/index.html" in rendered
    assert "2015/09/01/schools-open/index.html" not in rendered  # shows it in English only
    again = read_tree(root / "public")
    changed = sorted(p for p in again if after.get(p) != again[p] and p.endswith(".html"))
    assert changed and all("会晤" in again[p].decode() for p in changed)
    fresh = tmp_path / "clean"
    done = build(BuildOptions(root, output_dir=fresh, use_cache=False, now=FIXED_NOW))
    assert done.ok
    same_output(root / "public", fresh)
