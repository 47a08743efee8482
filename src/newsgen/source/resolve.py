"""Vocabularies applied to parsed articles: aliases and labels become canonical names.

Parsing keeps terms as written (and is cached by file content); this runs every build on
the parsed articles, so editing a vocabulary costs a dictionary lookup per term, not a parse
of every article again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Article, Speaker
from newsgen.source.vocab import Vocabulary


def resolve_articles(
    articles: Sequence[Article], vocabularies: Mapping[str, Vocabulary]
) -> tuple[list[Article], list[Diagnostic]]:
    """Every article with canonical term names; unknown terms of a vocabulary are errors."""
    if not vocabularies:
        return list(articles), []
    resolved, problems = [], []
    for article in articles:
        found, errors = resolve_article(article, vocabularies)
        resolved.append(found)
        problems += errors
    return resolved, problems


def resolve_article(
    article: Article, vocabularies: Mapping[str, Vocabulary]
) -> tuple[Article, list[Diagnostic]]:
    """One article's terms in canonical spelling (itself when nothing changes)."""
    problems = check_roles(article, vocabularies["speaker"]) if "speaker" in vocabularies else []
    if all(
        vocabulary.is_canonical(name)
        for key, vocabulary in vocabularies.items()
        for name in article.terms.get(key, ())
    ):
        return article, problems  # most articles: every term already in canonical spelling
    terms = dict(article.terms)
    canonical: dict[tuple[str, str], str] = {}
    for key, vocabulary in sorted(vocabularies.items()):
        names = terms.get(key, ())
        for n, name in enumerate(names):
            entry = vocabulary.resolve(name)
            if entry is None:
                line, column = article.term_place(key, n)
                message = f"unknown term '{name}' ({vocabulary.suggest(name)})"
                problems.append(error(article.source_path, line, key, message, column))
            canonical[(key, name)] = entry.name if entry else name
        terms[key] = tuple(dict.fromkeys(canonical[(key, name)] for name in names))
    if terms == article.terms:
        return article, problems
    return with_terms(article, terms, canonical), problems


def with_terms(
    article: Article, terms: dict[str, tuple[str, ...]], canonical: Mapping[tuple[str, str], str]
) -> Article:
    """An article naming other terms; its card hash follows (listings show its terms)."""
    speakers: dict[str, Speaker] = {}
    for speaker in article.speakers:
        name = canonical.get(("speaker", speaker.name), speaker.name)
        speakers.setdefault(name, Speaker(name, speaker.role))
    card = f"{article.card_hash}\x00{sorted(terms.items())!r}"
    return replace(
        article,
        terms=terms,
        speakers=tuple(speakers.values()),
        units=terms.get("units", ()),
        tags=terms.get("tags", ()),
        district=next(iter(terms.get("district", ())), ""),
        event_type=next(iter(terms.get("event_type", ())), ""),
        card_hash=hashlib.blake2b(card.encode("utf-8"), digest_size=16).hexdigest(),
    )


def check_roles(article: Article, vocabulary: Vocabulary) -> list[Diagnostic]:
    """A role written in an article that is not the one the speakers' vocabulary gives for
    the article's date (in any of its languages) is a warning: one of them is wrong."""
    problems = []
    day = article.date.date()
    for n, speaker in enumerate(article.speakers):
        if not speaker.role:
            continue
        entry = vocabulary.resolve(speaker.name)
        span = next((s for s in entry.roles if s.covers(day)), None) if entry else None
        if span is None:
            continue
        known = {span.name.casefold(), *(label.casefold() for _, label in span.labels)}
        if speaker.role.strip().casefold() not in known:
            line, column = article.term_place("speaker", n)
            message = (
                f"{speaker.name}'s role '{speaker.role}' is not the one {vocabulary.source_path} "
                f"gives for {day}: '{span.name}' (correct one of them, or leave the role out)"
            )
            problems.append(warning(article.source_path, line, "speaker", message, column))
    return problems
