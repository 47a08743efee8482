"""Vocabularies applied to parsed articles: aliases and labels become canonical names.

Parsing keeps terms as written (and is cached by file content); this runs every build on
the parsed articles, so editing a vocabulary costs a dictionary lookup per term, not a parse
of every article again. A file that failed to parse has its terms checked too, so an unknown
term is listed with its other problems.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Article, Source, Speaker, Unparsed
from newsgen.core.text import decode_text
from newsgen.core.yamlsource import fold_key_case, parse_mapping
from newsgen.source.fields import Place
from newsgen.source.frontmatter import split_front_matter
from newsgen.source.parse import Values, known_keys, note_term_lines, read_field, term_values
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
    problems += unknown_terms(article, vocabularies)
    terms = dict(article.terms)
    canonical: dict[tuple[str, str], str] = {}
    for key, vocabulary in sorted(vocabularies.items()):
        names = terms.get(key, ())
        for name in names:
            entry = vocabulary.resolve(name)
            canonical[(key, name)] = entry.name if entry else name
        terms[key] = tuple(dict.fromkeys(canonical[(key, name)] for name in names))
    if terms == article.terms:
        return article, problems
    return with_terms(article, terms, canonical), problems


def unknown_terms(
    item: Article | Unparsed, vocabularies: Mapping[str, Vocabulary]
) -> list[Diagnostic]:
    """A name that is no entry of its taxonomy's vocabulary is an error at its place."""
    problems = []
    for key, vocabulary in sorted(vocabularies.items()):
        for n, name in enumerate(item.terms.get(key, ())):
            if vocabulary.resolve(name) is None:
                line, column = item.term_place(key, n)
                message = f"unknown term '{name}' ({vocabulary.suggest(name)})"
                problems.append(error(item.source_path, line, key, message, column))
    return problems


def written_terms(source: Source, config: Config) -> Unparsed | None:
    """The terms a file that failed to parse names, and where (None: it has no front matter
    to read): vocabularies check them too, so an unknown term is listed with the file's other
    problems. Read again only for such files; their problems were reported already."""
    path = source.source_path
    if len(source.data) > config.max_article_mb * 1_000_000:
        return None
    text, _ = decode_text(source.data, path)
    split = split_front_matter(text, path)[0] if text is not None else None
    mapping = parse_mapping(split.yaml_text, path, split.yaml_line)[0] if split else None
    if split is None or mapping is None:
        return None
    mapping, _ = fold_key_case(mapping, known_keys(config), path)
    values = Values()
    for taxonomy in config.taxonomies:
        item = mapping.get(taxonomy.key)
        if item is not None:
            place = Place(path, split.yaml_line, taxonomy.key)
            read_field(taxonomy.key, item.node, place, values, config)
    note_term_lines(mapping, values, config, split.yaml_line)
    terms = {t.key: term_values(t.key, values) for t in config.taxonomies}
    lines = {item.key: item.line for item in mapping.fields}
    return Unparsed(path, terms, lines, ";".join(values.term_lines))


def check_unparsed(
    unparsed: Sequence[Unparsed], vocabularies: Mapping[str, Vocabulary]
) -> list[Diagnostic]:
    """The unknown terms of files that failed to parse (listed with their other problems)."""
    return [p for item in unparsed for p in unknown_terms(item, vocabularies)]


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
