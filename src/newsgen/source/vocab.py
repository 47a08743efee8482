"""Controlled vocabularies: the valid terms of a taxonomy, their labels and aliases."""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import yaml

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error, has_errors, warning
from newsgen.core.model import NameSpan
from newsgen.core.text import decode_text
from newsgen.core.urls import is_valid_slug, make_slug
from newsgen.core.yamlsource import compose_node, construct_value

ENTRY_KEYS = (
    "name",
    "slug",
    "labels",
    "aliases",
    "names",
    "successor",
    "predecessors",
    "dissolved",
    "parent",
    "roles",
)
KEY_HINTS = {  # what other tools' vocabularies call them
    "valid_until": "names: [{name, from, until}] or dissolved:",
    "valid_from": "names: [{name, from, until}]",
    "renamed_to": "successor:",
    "merged_into": "successor: (and dissolved:)",
    "parents": "parent:",
    "label": "labels: {zh: ...}",
    "alias": "aliases:",
}


@dataclass(frozen=True)
class VocabEntry:
    """One valid term: canonical name, slug, other-language labels, aliases, and what the
    vocabulary says of it over time (names, successor, predecessors, dissolved) and in its
    hierarchy (parent); other entries are named by their canonical names."""

    name: str
    slug: str
    labels: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]
    names: tuple[NameSpan, ...] = ()
    successor: str = ""
    predecessors: tuple[str, ...] = ()
    dissolved: date | None = None
    parent: str = ""
    line: int = 0
    roles: tuple[NameSpan, ...] = ()  # a person's roles over time (speakers)


@dataclass(frozen=True)
class Vocabulary:
    """A taxonomy's list of valid terms; any spelling it knows resolves to the canonical one."""

    key: str
    source_path: str
    entries: tuple[VocabEntry, ...]
    lookup: dict[str, VocabEntry]

    def is_canonical(self, name: str) -> bool:
        """Whether a name is an entry's canonical name, as spelt (nothing to resolve)."""
        return name in self.canonical_names

    @functools.cached_property
    def canonical_names(self) -> frozenset[str]:
        """Every entry's canonical name."""
        return frozenset(entry.name for entry in self.entries)

    def resolve(self, name: str) -> VocabEntry | None:
        """The entry a name, alias or label stands for (case-insensitive)."""
        return self.lookup.get(name.casefold())

    def suggest(self, name: str) -> str:
        """A did-you-mean hint for an unknown term."""
        spellings = {entry.name.casefold(): entry.name for entry in self.entries}
        spellings.update({k: v.name for k, v in self.lookup.items()})
        close = difflib.get_close_matches(name.casefold(), list(spellings), n=1, cutoff=0.6)
        if close:
            return f"did you mean '{spellings[close[0]]}'?"
        return f"add it to {self.source_path} or use a listed term"


def vocabulary_files(config: Config) -> dict[str, str]:
    """Which vocabulary file each taxonomy uses: explicit settings, else data/<path>.yaml."""
    files = dict(config.vocabularies)
    for taxonomy in config.taxonomies:
        candidate = f"{config.data_dir}/{taxonomy.path}.yaml"
        if taxonomy.key not in files and (config.site_root / candidate).is_file():
            files[taxonomy.key] = candidate
    return files


def load_vocabularies(config: Config) -> tuple[dict[str, Vocabulary], list[Diagnostic]]:
    """Read every vocabulary file the site has."""
    vocabularies: dict[str, Vocabulary] = {}
    diagnostics: list[Diagnostic] = []
    for key, rel in sorted(vocabulary_files(config).items()):
        path = config.site_root / rel
        if not path.is_file():
            diagnostics.append(error("newsgen.yaml", 0, "vocabularies", f"{rel} does not exist"))
            continue
        text, problems = decode_text(path.read_bytes(), rel)
        diagnostics.extend(problems)
        if text is None:
            continue
        items, problems = load_items(text, rel)
        diagnostics.extend(problems)
        if not has_errors(problems):
            vocabulary, problems = read_vocabulary(key, rel, items)
            diagnostics.extend(problems)
            vocabularies[key] = vocabulary
    return vocabularies, diagnostics


def load_items(text: str, rel: str) -> tuple[list[tuple[Any, int]], list[Diagnostic]]:
    """The file's list items (or its `terms:` list), each with its file line."""
    node, problems = compose_node(text, rel, 1)
    if problems or node is None:
        return [], problems
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if k.value == "terms"), node)
    if not isinstance(node, yaml.SequenceNode):
        return [], [error(rel, node.start_mark.line + 1, "", "expected a list of terms")]
    items: list[tuple[Any, int]] = []
    for item in node.value:
        value, errors = construct_value(item, rel, 1)
        problems.extend(errors)
        items.append((value, item.start_mark.line + 1))
    return items, problems


def read_entry(item: Any, rel: str, line: int = 0) -> tuple[VocabEntry | None, list[Diagnostic]]:
    """One list item: a plain name or {name, labels, aliases, slug, names, ...}."""
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None, [error(rel, line, "name", f"each entry needs a 'name' (got {item!r})")]
    name = item["name"].strip()
    problems = unknown_entry_keys(item, name, rel, line)
    labels = item.get("labels") or {}
    aliases = item.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(labels, dict) or not isinstance(aliases, list):
        message = f"'{name}': labels must be a mapping, aliases a list"
        return None, [*problems, error(rel, line, "labels", message)]
    slug = str(item.get("slug") or make_slug(name))
    if not is_valid_slug(slug):
        hint = make_slug(slug) or "lowercase-words-with-hyphens"
        message = f"'{name}': slug '{slug}' is not in slug form (use e.g. '{hint}')"
        return None, [*problems, error(rel, line, "slug", message)]
    spans, found = read_spans(item.get("names"), name, rel, line)
    roles, bad_roles = read_spans(item.get("roles"), name, rel, line, "roles", "role")
    found += bad_roles
    dissolved, bad_day = read_day(item.get("dissolved"), end=True)
    if bad_day:
        found.append(error(rel, line, "dissolved", f"'{name}': {bad_day}"))
    found += check_dissolved(name, spans, dissolved, rel, line)
    predecessors = item.get("predecessors") or []
    predecessors = [predecessors] if isinstance(predecessors, str) else predecessors
    pairs = tuple(sorted((str(k), str(v)) for k, v in labels.items()))
    entry = VocabEntry(
        name,
        slug,
        pairs,
        tuple(str(a) for a in aliases),
        spans,
        str(item.get("successor") or "").strip(),
        tuple(str(p).strip() for p in predecessors if str(p).strip()),
        dissolved,
        str(item.get("parent") or "").strip(),
        line,
        roles,
    )
    return entry, problems + found


def unknown_entry_keys(item: dict[str, Any], name: str, rel: str, line: int) -> list[Diagnostic]:
    """A key newsgen does not read is a warning: its meaning would be silently lost."""
    problems = []
    for key in item:
        if key in ENTRY_KEYS:
            continue
        hint = KEY_HINTS.get(str(key)) or next(
            iter(difflib.get_close_matches(str(key), ENTRY_KEYS, n=1)), ""
        )
        use = f" (use {hint})" if hint else f" (known: {', '.join(ENTRY_KEYS)})"
        problems.append(warning(rel, line, str(key), f"'{name}': unknown key '{key}'{use}"))
    return problems


def read_spans(
    value: Any, name: str, rel: str, line: int, field: str = "names", key: str = "name"
) -> tuple[tuple[NameSpan, ...], list[Diagnostic]]:
    """`names:` (the names a term had, each {name, from, until, labels}) or `roles:` (a
    person's, each {role, from, until, labels}), oldest first; spans that overlap or end
    before they start are errors."""
    if value in (None, []):
        return (), []
    if not isinstance(value, list):
        return (), [error(rel, line, field, f"'{name}': {field} must be a list")]
    spans, problems = [], []
    for raw in value:
        if not isinstance(raw, dict) or not isinstance(raw.get(key), str):
            message = f"'{name}': each of {field} needs a '{key}' (got {raw!r})"
            problems.append(error(rel, line, field, message))
            continue
        start, bad_start = read_day(raw.get("from"), end=False)
        end, bad_end = read_day(raw.get("until"), end=True)
        given = raw.get("labels")
        labels = (
            tuple(sorted((str(k), str(v)) for k, v in given.items()))
            if isinstance(given, dict)
            else ()
        )
        span = NameSpan(raw[key].strip(), start, end, labels)
        wrong = bad_start or bad_end or ("" if start or end else "give from:, until: or both")
        if not wrong and start and end and start > end:
            wrong = f"from {start} is after until {end}"
        if wrong:
            problems.append(error(rel, line, field, f"'{name}': '{span.name}': {wrong}"))
            continue
        spans.append(span)
    spans.sort(key=lambda s: (s.start or date.min, s.end or date.max))
    for first, second in itertools.pairwise(spans):
        if (first.end or date.max) >= (second.start or date.min):
            message = f"'{name}': '{first.name}' and '{second.name}' are dated to overlap"
            problems.append(error(rel, line, field, message))
    return tuple(spans), problems


def read_day(value: Any, end: bool) -> tuple[date | None, str]:
    """A vocabulary date: a day, a month (2019-06) or a year (2019), whose last day it is
    when `end`; (None, "") when not given, (None, why) when not a date."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return (date(int(text), 12, 31) if end else date(int(text), 1, 1)), ""
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(x) for x in text.split("-"))
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            return (last if end else first), ""
        return date.fromisoformat(text), ""
    except ValueError:
        return None, f"'{text}' is not a date (write 2019-06-30, 2019-06 or 2019)"


def check_dissolved(
    name: str, spans: tuple[NameSpan, ...], dissolved: date | None, rel: str, line: int
) -> list[Diagnostic]:
    """A term cannot carry a name after it was dissolved."""
    late = [s for s in spans if dissolved and s.start and s.start > dissolved]
    return [
        error(rel, line, "dissolved", f"'{name}': dissolved {dissolved}, before '{s.name}' began")
        for s in late
    ]


def read_vocabulary(
    key: str, rel: str, items: list[tuple[Any, int]] | list[Any]
) -> tuple[Vocabulary, list[Diagnostic]]:
    """Index a vocabulary's entries by every spelling; a spelling used twice is an error."""
    diagnostics: list[Diagnostic] = []
    entries: list[VocabEntry] = []
    lookup: dict[str, VocabEntry] = {}
    slugs: dict[str, tuple[str, int]] = {}
    for raw in items:
        item, line = raw if isinstance(raw, tuple) else (raw, 0)
        entry, problems = read_entry(item, rel, line)
        diagnostics.extend(problems)
        if entry is None:
            continue
        entries.append(entry)
        first = slugs.setdefault(entry.slug, (entry.name, line))
        if first[0] != entry.name:
            message = (
                f"'{first[0]}' (line {first[1]}) and '{entry.name}' have one slug, "
                f"'{entry.slug}': they would share one page (give one another slug)"
            )
            diagnostics.append(error(rel, line, "slug", message))
        for spelling in spellings_of(entry):
            other = lookup.setdefault(spelling.casefold(), entry)
            if other is not entry:
                message = f"'{spelling}' names both '{other.name}' and '{entry.name}'"
                diagnostics.append(error(rel, line, "aliases", message))
    linked, problems = link_entries(entries, lookup, rel)
    return Vocabulary(key, rel, tuple(linked), lookup), diagnostics + problems


def spellings_of(entry: VocabEntry) -> list[str]:
    """Every name an article may give the term: canonical, aliases, labels, earlier names."""
    found = [entry.name, *entry.aliases, *(label for _, label in entry.labels)]
    for span in entry.names:
        found += [span.name, *(label for _, label in span.labels)]
    return list(dict.fromkeys(found))


def link_entries(
    entries: list[VocabEntry], lookup: dict[str, VocabEntry], rel: str
) -> tuple[list[VocabEntry], list[Diagnostic]]:
    """Successor, predecessors and parent by canonical name; one naming no entry, or the
    entry itself, is an error, and so is a cycle of parents (naming every entry in it)."""
    problems: list[Diagnostic] = []

    def canonical(entry: VocabEntry, field: str, name: str) -> str:
        found = lookup.get(name.casefold())
        if found is None or found is entry:
            why = "is not an entry of this vocabulary" if found is None else "is the entry itself"
            problems.append(
                error(rel, entry.line, field, f"'{entry.name}': {field} '{name}' {why}")
            )
            return ""
        return found.name

    linked = [
        replace(
            entry,
            successor=canonical(entry, "successor", entry.successor) if entry.successor else "",
            predecessors=tuple(
                c for p in entry.predecessors if (c := canonical(entry, "predecessors", p))
            ),
            parent=canonical(entry, "parent", entry.parent) if entry.parent else "",
        )
        for entry in entries
    ]
    return linked, problems + parent_cycles(linked, rel)


def parent_cycles(entries: list[VocabEntry], rel: str) -> list[Diagnostic]:
    """One error per cycle of parents, at its first entry, naming every entry in it."""
    parent = {entry.name: entry.parent for entry in entries}
    line = {entry.name: entry.line for entry in entries}
    reported: set[str] = set()
    problems = []
    for start in parent:
        path: list[str] = []
        name = start
        while name and name not in path and name not in reported:
            path.append(name)
            name = parent.get(name, "")
        if name and name in path:
            cycle = path[path.index(name) :]
            reported.update(cycle)
            chain = " -> ".join([*cycle, cycle[0]])
            message = f"parents form a cycle: {chain} (one of them must be the top)"
            problems.append(error(rel, line[cycle[0]], "parent", message))
        reported.update(path)
    return problems
