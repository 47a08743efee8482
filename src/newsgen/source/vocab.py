"""Controlled vocabularies: the valid terms of a taxonomy, their labels and aliases."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error, has_errors
from newsgen.core.text import decode_text
from newsgen.core.urls import is_valid_slug, make_slug
from newsgen.core.yamlsource import compose_node, construct_value


@dataclass(frozen=True)
class VocabEntry:
    """One valid term: canonical name, slug, other-language labels, aliases."""

    name: str
    slug: str
    labels: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """A taxonomy's list of valid terms; any spelling it knows resolves to the canonical one."""

    key: str
    source_path: str
    entries: tuple[VocabEntry, ...]
    lookup: dict[str, VocabEntry]

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
    """One list item: a plain name or {name, labels, aliases, slug}."""
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None, [error(rel, line, "name", f"each entry needs a 'name' (got {item!r})")]
    labels = item.get("labels") or {}
    aliases = item.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(labels, dict) or not isinstance(aliases, list):
        message = f"'{item['name']}': labels must be a mapping, aliases a list"
        return None, [error(rel, line, "labels", message)]
    name = item["name"].strip()
    slug = str(item.get("slug") or make_slug(name))
    if not is_valid_slug(slug):
        hint = make_slug(slug) or "lowercase-words-with-hyphens"
        message = f"'{name}': slug '{slug}' is not in slug form (use e.g. '{hint}')"
        return None, [error(rel, line, "slug", message)]
    pairs = tuple(sorted((str(k), str(v)) for k, v in labels.items()))
    return VocabEntry(name, slug, pairs, tuple(str(a) for a in aliases)), []


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
        for spelling in (entry.name, *entry.aliases, *(label for _, label in entry.labels)):
            other = lookup.setdefault(spelling.casefold(), entry)
            if other is not entry:
                message = f"'{spelling}' names both '{other.name}' and '{entry.name}'"
                diagnostics.append(error(rel, line, "aliases", message))
    return Vocabulary(key, rel, tuple(entries), lookup), diagnostics
