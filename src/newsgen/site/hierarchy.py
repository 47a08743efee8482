"""What vocabularies say of terms over time and in their hierarchy, attached to the terms.

A unit renamed in 2022 keeps one page (its articles under either name); a merged unit's
page says what it became; a district's page lists its sub-districts and leads to the
articles of all of them. Computed once per build from the vocabulary and the terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from newsgen.core.model import Term, TermHistory, TermLink
from newsgen.source.vocab import VocabEntry, Vocabulary


def with_histories(terms: Sequence[Term], vocabulary: Vocabulary | None) -> tuple[Term, ...]:
    """The terms, each with the history and hierarchy its vocabulary entry gives."""
    if vocabulary is None or not any(has_history(e) for e in vocabulary.entries):
        return tuple(terms)
    entries = {entry.name: entry for entry in vocabulary.entries}
    pages = {term.slug: term for term in terms}
    children: dict[str, list[str]] = defaultdict(list)
    formed_from: dict[str, list[str]] = defaultdict(list)
    for entry in vocabulary.entries:
        if entry.parent:
            children[entry.parent].append(entry.name)
        if entry.successor:
            formed_from[entry.successor].append(entry.name)
        formed_from[entry.name].extend(entry.predecessors)

    def link(name: str) -> TermLink:
        entry = entries[name]
        page = pages.get(entry.slug)
        return TermLink(entry.name, entry.slug, page.url if page else "", entry.labels)

    found = []
    for term in terms:
        own = vocabulary.resolve(term.name)
        if own is None:
            found.append(term)
            continue
        below = descendants(own.name, children)
        ids = sorted(
            {i for name in below if (t := pages.get(entries[name].slug)) for i in t.article_ids}
        )
        history = TermHistory(
            own.names,
            link(own.successor) if own.successor else None,
            tuple(link(name) for name in dict.fromkeys(formed_from[own.name])),
            own.dissolved,
            tuple(link(name) for name in ancestors(own.name, entries)),
            tuple(link(name) for name in children[own.name]),
            tuple(ids),
            bool(own.successor) and len(set(formed_from[own.successor])) > 1,
            own.roles,
        )
        found.append(replace(term, history=history) if history != TermHistory() else term)
    return tuple(found)


def has_history(entry: VocabEntry) -> bool:
    """Whether an entry says anything over time or in a hierarchy."""
    told = (entry.names, entry.successor, entry.predecessors, entry.dissolved, entry.parent)
    return any(told) or bool(entry.roles)


def ancestors(name: str, entries: dict[str, VocabEntry]) -> list[str]:
    """Parent, its parent, ...: the top one first (a cycle, an error already, stops it)."""
    chain: list[str] = []
    parent = entries[name].parent
    while parent and parent in entries and parent not in chain and parent != name:
        chain.append(parent)
        parent = entries[parent].parent
    return chain[::-1]


def descendants(name: str, children: dict[str, list[str]]) -> list[str]:
    """Children, their children, ... (each once, whatever cycles the vocabulary has)."""
    found: list[str] = []
    stack = list(children.get(name, ()))
    while stack:
        child = stack.pop()
        if child != name and child not in found:
            found.append(child)
            stack.extend(children.get(child, ()))
    return found
