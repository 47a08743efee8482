"""What an import did, per file and in total: for the terminal and the `--report` file."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from newsgen.core.diagnostics import Diagnostic, has_errors, shown

KINDS = {"text": "plain-text releases", "hugo": "Hugo", "jekyll": "Jekyll"}
BASES = {
    "text": "as given on the command line",
    "hugo": "relative to the Hugo site's content folder",
    "jekyll": "relative to the Jekyll site's root folder",
}


class Status(StrEnum):
    """What happened to one source file."""

    IMPORTED = "imported"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class Details:
    """How one post was converted: keys, old addresses, markup converted and left."""

    mapped: tuple[tuple[str, str], ...] = ()  # (old key, newsgen field)
    kept: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    conversions: tuple[tuple[str, int], ...] = ()  # (kind, how many), sorted
    no_template: tuple[str, ...] = ()  # shortcode names without a template
    liquid: tuple[str, ...] = ()  # Liquid tags left as text
    unresolved: tuple[str, ...] = ()  # links to other posts left as they were


@dataclass(frozen=True)
class Outcome:
    """One source file's result, for the report."""

    source: str
    status: Status
    target: str = ""
    message: str = ""
    notes: tuple[str, ...] = ()
    url: str = ""
    details: Details = Details()


@dataclass
class ImportReport:
    """Everything an import did and found, for the command line to print."""

    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    kind: str = "text"
    fatal: str = ""  # why nothing could be imported at all (no post found)
    templates_dir: str = "templates"

    def count(self, status: Status) -> int:
        """How many sources ended with this status."""
        return sum(o.status is status for o in self.outcomes)

    @property
    def needs_review(self) -> int:
        """Imported articles marked `review: true`."""
        return sum(o.status is Status.IMPORTED and bool(o.notes) for o in self.outcomes)

    @property
    def failed(self) -> bool:
        """True when any source (or the site itself) had an error, or nothing was found."""
        return bool(self.fatal) or self.count(Status.ERROR) > 0 or has_errors(self.problems)

    def tally(self, pick: Callable[[Details], Iterable[str]]) -> Counter[str]:
        """How many imported files have each item `pick` finds in their details."""
        counter: Counter[str] = Counter()
        for outcome in self.outcomes:
            if outcome.status is Status.IMPORTED:
                counter.update(set(pick(outcome.details)))
        return counter

    def sources_with(self, pick: Callable[[Details], Iterable[str]]) -> dict[str, list[str]]:
        """Each item `pick` finds -> the imported files that have it (sorted)."""
        found: dict[str, list[str]] = {}
        for outcome in sorted(self.outcomes, key=lambda o: o.source):
            if outcome.status is Status.IMPORTED:
                for item in sorted(set(pick(outcome.details))):
                    found.setdefault(item, []).append(outcome.source)
        return dict(sorted(found.items()))


def kept_keys(details: Details) -> tuple[str, ...]:
    """Keys kept under their own names (for `tally`)."""
    return details.kept


def conversion_kinds(details: Details) -> list[str]:
    """Kinds of markup converted (for `tally`)."""
    return [kind for kind, _ in details.conversions]


def template_path(report: ImportReport, name: str) -> str:
    """The template a shortcode without one needs."""
    return f"{report.templates_dir}/shortcodes/{name}.html"


def report_data(report: ImportReport) -> dict[str, Any]:
    """The whole report as plain values (the JSON report; the Markdown one is made from it)."""
    todo = {
        "shortcodes_without_template": [
            {"name": name, "articles": count, "template": template_path(report, name)}
            for name, count in sorted(report.tally(lambda d: d.no_template).items())
        ],
        "liquid_left_as_text": [
            {"tag": tag, "articles": count}
            for tag, count in sorted(report.tally(lambda d: d.liquid).items())
        ],
        "unresolved_links": [
            {"link": link, "sources": sources}
            for link, sources in report.sources_with(lambda d: d.unresolved).items()
        ],
        "unmapped_keys": [
            {"key": key, "files": count} for key, count in sorted(report.tally(kept_keys).items())
        ],
    }
    return {
        "kind": report.kind,
        "sources": f"paths {BASES.get(report.kind, '')}; targets relative to the site",
        "error": shown(report.fatal),
        "problems": [shown(p.format()) for p in sorted(report.problems)],
        "counts": {
            "imported": report.count(Status.IMPORTED),
            "skipped": report.count(Status.SKIPPED),
            "errors": report.count(Status.ERROR),
            "need_review": report.needs_review,
        },
        "todo": todo,
        "files": [outcome_data(o) for o in sorted(report.outcomes, key=lambda o: o.source)],
    }


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """One file's entry of the report."""
    details = outcome.details
    return {
        "source": shown(outcome.source),
        "status": outcome.status.value,
        "target": outcome.target,
        "url": f"/{outcome.url}" if outcome.url else "",
        "message": shown(outcome.message),
        "keys_mapped": dict(details.mapped),
        "keys_kept": list(details.kept),
        "aliases": list(details.aliases),
        "conversions": dict(details.conversions),
        "review_notes": [shown(note) for note in outcome.notes],
    }


def render_json(report: ImportReport) -> str:
    """The report as JSON (UTF-8, keys in a fixed order)."""
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def code(text: str) -> str:
    """Inline code in Markdown, whatever backticks the text holds."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def plural(count: int, word: str) -> str:
    """'1 file', '2 files'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def markdown_todo(data: dict[str, Any]) -> list[str]:
    """The "to do" part: what a person must still do, grouped, with counts."""
    todo = data["todo"]
    groups = [
        (
            "Shortcodes without a template",
            [
                f"- {code(t['name'])}: {plural(t['articles'], 'article')}: write "
                f"{code(t['template'])}"
                for t in todo["shortcodes_without_template"]
            ],
        ),
        (
            "Liquid left as text",
            [
                f"- {code(t['tag'])}: {plural(t['articles'], 'article')}"
                for t in todo["liquid_left_as_text"]
            ],
        ),
        (
            "Links to other posts not resolved (left as written)",
            [
                f"- {code(t['link'])} in {', '.join(code(s) for s in t['sources'])}"
                for t in todo["unresolved_links"]
            ],
        ),
        (
            "Keys not mapped to newsgen fields (kept under their own names)",
            [f"- {code(t['key'])}: {plural(t['files'], 'file')}" for t in todo["unmapped_keys"]],
        ),
    ]
    lines = ["## To do", ""]
    for title, items in groups:
        lines += [f"### {title}", "", *(items or ["- none"]), ""]
    return lines


def markdown_file(entry: dict[str, Any]) -> list[str]:
    """One file's entry: where it went and what was done to it."""
    lines = [f"### {code(entry['source'])}", "", f"- status: {entry['status']}"]
    fields = [
        ("target", code(entry["target"]) if entry["target"] else ""),
        ("URL", code(entry["url"]) if entry["url"] else ""),
        ("message", entry["message"]),
        (
            "keys mapped",
            ", ".join(f"{code(k)} -> {code(v)}" for k, v in entry["keys_mapped"].items()),
        ),
        ("keys kept", ", ".join(code(k) for k in entry["keys_kept"])),
        ("aliases", ", ".join(code(a) for a in entry["aliases"])),
        ("converted", ", ".join(f"{k} ({n})" for k, n in entry["conversions"].items())),
    ]
    lines += [f"- {name}: {value}" for name, value in fields if value]
    if entry["review_notes"]:
        lines += ["- review:", *(f"  - {note}" for note in entry["review_notes"])]
    return [*lines, ""]


def render_markdown(report: ImportReport) -> str:
    """The report as Markdown: counts, what to do, then one entry per source file."""
    data = report_data(report)
    counts = data["counts"]
    lines = [f"# Import report: {KINDS.get(report.kind, report.kind)}", ""]
    lines += [f"Source {data['sources']}.", ""]
    if data["error"]:
        lines += [f"**Error:** {data['error']}", ""]
    if data["problems"]:
        lines += [*(f"- {code(problem)}" for problem in data["problems"]), ""]
    lines += ["| imported | skipped | errors | need review |", "|---:|---:|---:|---:|"]
    lines += [
        f"| {counts['imported']} | {counts['skipped']} | {counts['errors']} "
        f"| {counts['need_review']} |",
        "",
    ]
    lines += markdown_todo(data)
    lines += ["## Files", ""]
    for entry in data["files"]:
        lines += markdown_file(entry)
    return "\n".join(lines).rstrip("\n") + "\n"
