"""`newsgen import text`: plain-text releases become articles; doubtful facts marked for review."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from newsgen.core.config import primary_language
from newsgen.core.diagnostics import has_errors
from newsgen.core.model import Progress
from newsgen.core.text import decode_text
from newsgen.core.urls import make_slug, shorten_slug
from newsgen.importers.report import ImportReport, Outcome, Status
from newsgen.importers.write import (
    Draft,
    SiteContent,
    read_site_content,
    source_digest,
    write_draft,
)

DATE_TEXT = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
FIRST_LINE = re.compile(rf"^(?:date|日期)\s*[:：]?\s*(?P<date>{DATE_TEXT})\s*(?P<title>.*)$", re.I)
RELEASE_LINE = re.compile(
    rf"^(?:release\s*(?:time|date)|published|发布时间|发布日期)\s*[:：]?\s*(?P<date>{DATE_TEXT})",
    re.I,
)
LATIN = "0-9A-Za-z\u00c0-\u024f"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ROLE_AFTER_NAME = re.compile(
    r",\s*(?P<role>[^,.;:!?()\n“”\"]{3,160}?)\s*,\s*(?:attended|delivered|presided|chaired"
    r"|spoke|addressed|hosted|inspected|visited|led|took part)\b",
    re.I,
)
# Chinese: "区委常委、组织部部长张伟出席会议" (a title run ending in a post, then the name, a verb).
ROLE_BEFORE_NAME = re.compile(
    r"(?:^|[，。；：！？\s“”])(?P<role>[\u4e00-\u9fff、]{0,28}(?:书记|部长|局长|区长|主任|主席|常委|委员|校长))$"
)
ROLE_VERBS = ("出席", "主持", "讲话", "参加", "带队", "指出", "强调")
ROLE_STOPS = re.compile("[由在和与及对向了是的]")
IMPORTED_SLUG_MAX = 80  # characters; a longer title's slug is cut at a word and written out
# Python-Markdown reads these at the start of a line as structure, not text.
BLOCK_START = re.compile(r"^(?:#|>|[-+*](?=\s)|\d+(?=\.\s)|\[(?=[^\]]*\]:)|`{3})")
# Characters Python-Markdown cannot backslash-escape are written as entities.
ENTITY_START = ((r"~~~", "&#126;"), (r"=+\s*$", "&#61;"))


@dataclass(frozen=True)
class Release:
    """A plain-text release as written: title, both dates it may give, raw paragraphs."""

    title: str
    first_date: str
    release_date: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """A known term found in the text: its canonical name, the words as written, and where."""

    name: str
    words: str
    start: int
    end: int


def parse_release(text: str) -> Release:
    """Title and date from the first line, the 'Release time' line, then the paragraphs."""
    lines = text.split("\n")
    rest = [n for n, line in enumerate(lines) if line.strip()]
    if not rest:
        return Release("", "", "", ())
    first = lines[rest[0]].strip()
    match = FIRST_LINE.match(first)
    title, first_date = (match["title"].strip(), match["date"]) if match else (first, "")
    used = {rest[0]}
    if not title:
        spare = [n for n in rest[1:] if not RELEASE_LINE.match(lines[n].strip())]
        title = lines[spare[0]].strip() if spare else ""
        used.update(spare[:1])
    release_date = ""
    for n in rest[1:]:
        found = RELEASE_LINE.match(lines[n].strip())
        if found and n not in used:
            release_date = found["date"]
            used.add(n)
            break
    body = [line for n, line in enumerate(lines) if n not in used and n > rest[0]]
    return Release(title, first_date, release_date, split_paragraphs(body))


def split_paragraphs(lines: Sequence[str]) -> tuple[str, ...]:
    """Blank lines (or, without any, every line) separate paragraphs; indented lines start one."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    if not filled:
        return ()
    inner = lines[filled[0] : filled[-1] + 1]
    one_per_line = all(line.strip() for line in inner)
    paragraphs: list[list[str]] = [[]]
    for line in inner:
        if not line.strip():
            paragraphs.append([])
            continue
        if paragraphs[-1] and (one_per_line or line[:1].isspace()):
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return tuple("\n".join(p) for p in paragraphs if p)


def escape_line(line: str) -> str:
    """Keep a line of plain text from being read as a Markdown heading, list, quote or fence."""
    for pattern, entity in ENTITY_START:
        if re.match(pattern, line):
            return entity + line[1:]
    if re.fullmatch(r"[-*_](?:\s*[-*_]){2,}\s*", line):
        return "\\" + line
    match = BLOCK_START.match(line)
    if match is None:
        return line
    if line[0].isdigit():
        return line[: match.end()] + "\\" + line[match.end() :]
    return "\\" + line


def escape_markup(line: str) -> str:
    """A line of text as Markdown that shows it unchanged: structure at its start escaped, and
    what would be read as HTML (a tag, a comment, an entity) written with entities."""
    line = re.sub(r"&(?=#?\w+;)", "&amp;", line)
    return escape_line(re.sub(r"<(?=[A-Za-z/!?])", "&lt;", line))


def markdown_body(paragraphs: Sequence[str]) -> str:
    """Paragraphs as Markdown paragraphs, the text otherwise untouched."""
    escaped = ("\n".join(escape_markup(line) for line in p.split("\n")) for p in paragraphs)
    return "\n" + "\n\n".join(escaped) + "\n"


def to_date(text: str) -> date | None:
    """A date from 2023-02-10, 2023/2/10 or 2023年2月10日 (None when it is not a real day)."""
    numbers = [int(n) for n in re.findall(r"\d+", text)[:3]]
    try:
        return date(*numbers)
    except (TypeError, ValueError):
        return None


def choose_date(release: Release) -> tuple[date | None, list[str]]:
    """The first line's date, cross-checked with the Release time line; doubts become notes."""
    first, second = to_date(release.first_date), to_date(release.release_date)
    notes = [
        f"'{text}' is not a real date"
        for text, day in ((release.first_date, first), (release.release_date, second))
        if text and day is None
    ]
    if first and second and first != second:
        notes.append(f"date in first line {first} differs from Release time {second}")
    elif first and not second:
        notes.append("no Release time line to confirm the date of the first line")
    elif second and not first:
        notes.append("no date in the first line; date taken from the Release time line")
    return first or second, notes


def phrase_pattern(words: str) -> str:
    """A regex for a phrase: any white space between words, whole words at Latin ends."""
    body = r"\s+".join(re.escape(w) for w in words.split())
    start = rf"(?<![{LATIN}])" if re.match(f"[{LATIN}]", words) else ""
    end = rf"(?![{LATIN}])" if re.search(f"[{LATIN}]$", words) else ""
    return start + body + end


def find_terms(text: str, spellings: Mapping[str, str]) -> list[Found]:
    """Known spellings in the text, case-insensitively, the longest at each place first."""
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    if not ordered:
        return []
    names = {" ".join(s.split()).casefold(): spellings[s] for s in reversed(ordered)}
    pattern = re.compile("|".join(phrase_pattern(s) for s in ordered), re.I)
    found = []
    for match in pattern.finditer(text):
        name = names.get(" ".join(match.group().split()).casefold())
        if name:
            found.append(Found(name, match.group(), match.start(), match.end()))
    return found


def known_spellings(key: str, site: SiteContent) -> dict[str, str]:
    """Every spelling of the taxonomy's terms: vocabulary names, labels, aliases, terms in use."""
    spellings: dict[str, str] = {}
    vocabulary = site.vocabularies.get(key)
    for entry in vocabulary.entries if vocabulary else ():
        for spelling in (entry.name, *entry.aliases, *(label for _, label in entry.labels)):
            spellings.setdefault(spelling.strip(), entry.name)
    for name in sorted(site.terms.get(key, ())):
        spellings.setdefault(name, name)
    return {s: name for s, name in spellings.items() if s}


def choose_one(what: str, title: list[Found], text: list[Found]) -> tuple[str, list[str]]:
    """One term for a single-valued key: the title's, else the text's most named; doubts noted."""
    named = list(dict.fromkeys(f.name for f in title))
    if len(named) == 1:
        return named[0], []
    if named:
        return named[0], [f"title names several: {', '.join(named)}; {what} '{named[0]}' chosen"]
    counts = Counter(f.name for f in text)
    if not counts:
        return "", [f"no {what} recognised"]
    chosen = counts.most_common(1)[0][0]
    words = next(f.words for f in text if f.name == chosen)
    return chosen, [f"{what} '{chosen}' guessed from '{words}' in the text (not in the title)"]


def partial_notes(text: str, found: list[Found], spellings: Mapping[str, str]) -> list[str]:
    """Units named only by the head of their name ('X Department' of 'X Department of Y')."""
    matched = {f.name for f in found}
    notes: dict[str, str] = {}
    for spelling, name in sorted(spellings.items()):
        head = spelling.split(" of ", 1)[0]
        if name in matched or head == spelling or len(head.split()) < 2 or name in notes:
            continue
        for match in re.finditer(phrase_pattern(head), text, re.I):
            if not any(f.start <= match.start() < f.end for f in found):
                notes[name] = f"unit '{match.group()}' partly matches '{name}'"
                break
    return [notes[name] for name in sorted(notes)]


def speaker_role(text: str, found: Found) -> str:
    """The role the text gives a speaker, in the two forms that are reliable; else nothing."""
    english = ROLE_AFTER_NAME.match(text, found.end)
    if english:
        return " ".join(english["role"].split())
    chinese = ROLE_BEFORE_NAME.search(text[max(0, found.start - 40) : found.start])
    if (
        chinese
        and text.startswith(ROLE_VERBS, found.end)
        and not ROLE_STOPS.search(chinese["role"])
    ):
        return chinese["role"]
    return ""


def speaker_entries(text: str, found: list[Found]) -> list[Any]:
    """Speakers in order of mention, each with the first role the text reliably gives them."""
    roles: dict[str, str] = {}
    for item in found:
        roles[item.name] = roles.get(item.name) or speaker_role(text, item)
    return [{"name": name, "role": role} if role else name for name, role in roles.items()]


def outside(found: list[Found], names: list[Found]) -> list[Found]:
    """Matches that are not words inside a unit's name ('Inspection' in '... Inspection Bureau')."""
    return [f for f in found if not any(n.start <= f.start < n.end for n in names)]


def recognise_terms(release: Release, site: SiteContent) -> tuple[dict[str, Any], list[str]]:
    """District, event type, speakers and units the site knows, found in the release."""
    text = "\n\n".join((release.title, *release.paragraphs))  # the title's offsets stay the same
    keys = {t.key: t.singular.lower() for t in site.config.taxonomies}
    fields: dict[str, Any] = {}
    notes: list[str] = []
    unit_spellings = known_spellings("units", site) if "units" in keys else {}
    units = find_terms(text, unit_spellings)
    for key in ("district", "event_type"):
        if key in keys:
            found = outside(find_terms(text, known_spellings(key, site)), units)
            in_title = [f for f in found if f.end <= len(release.title)]
            fields[key], doubts = choose_one(keys[key], in_title, found)
            notes += doubts
    if "speaker" in keys:
        speakers = find_terms(text, known_spellings("speaker", site))
        fields["speaker"] = speaker_entries(text, speakers)
    if "units" in keys:
        fields["units"] = list(dict.fromkeys(f.name for f in units))
        notes += partial_notes(text, units, unit_spellings)
    return fields, notes


def release_language(release: Release, site: SiteContent) -> str:
    """`lang: zh` for a Chinese release on a site whose default language is another."""
    text = release.title + "".join(release.paragraphs)
    letters = sum(c.isalpha() for c in text) or 1
    chinese = len(CJK.findall(text)) / letters > 0.3
    default = primary_language(site.config.language)
    if chinese and default != "zh":
        return "zh"
    others = [lang for lang in site.config.site_languages if primary_language(lang) != "zh"]
    return others[0] if not chinese and default == "zh" and others else ""


def draft_release(name: str, data: bytes, site: SiteContent) -> Draft | str:
    """The article for one release, or why there can be none."""
    text, problems = decode_text(data, name)
    if text is None:
        return problems[0].message
    release = parse_release(text)
    if not release.title:
        return "no title (the first line should carry the title)"
    day, notes = choose_date(release)
    if day is None:
        return (
            "no date found (expected 'date YYYY-MM-DD' at the start of the first line "
            "or a 'Release time: YYYY-MM-DD' line)"
        )
    slug = shorten_slug(make_slug(release.title), IMPORTED_SLUG_MAX)  # releases have long titles
    if not slug:
        return f"the title {release.title!r} gives an empty slug"
    fields: dict[str, Any] = {"title": release.title, "date": day.isoformat()}
    fields["lang"] = release_language(release, site)
    terms, term_notes = recognise_terms(release, site)
    fields.update(terms)
    moment = datetime(day.year, day.month, day.day, tzinfo=site.config.tz)
    body = markdown_body(release.paragraphs)
    return Draft(name, source_digest(data), fields, body, moment, slug, (*notes, *term_notes))


def import_text(
    paths: Sequence[Path], site_root: Path, progress: Progress | None = None
) -> ImportReport:
    """Import each release file; a file that fails is reported and the others still go in."""
    site, problems = read_site_content(site_root)
    report = ImportReport(problems=problems)
    if has_errors(problems):
        return report
    ordered = sorted(dict.fromkeys(paths), key=str)
    for done, path in enumerate(ordered, 1):
        report.outcomes.append(import_release(path, site))
        if progress:
            progress("importing", done, len(ordered))
    return report


def import_release(path: Path, site: SiteContent) -> Outcome:
    """Read, convert and write one release file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Outcome(str(path), Status.ERROR, message=f"cannot be read: {exc.strerror}")
    draft = draft_release(path.name, data, site)
    if isinstance(draft, str):
        return Outcome(str(path), Status.ERROR, message=draft)
    return replace(write_draft(draft, site), source=str(path))
