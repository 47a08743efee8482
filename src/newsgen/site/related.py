"""Related articles: one ranked list per article, found again only where something changed.

An article's related articles come from the windows around it (its `limit` neighbours on
either side) in the lists of its units, speakers and district. They are ranked by how many
of those terms they share with it, then by closeness in time, then newest first. Only the
windows matter, so when articles are added, removed or edited, only the articles whose
windows hold one of them (before or after) get their list made again: an addition at
10,000 articles remakes about fifty lists instead of every one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from newsgen.core.model import Article, Taxonomy

RELATED_KEYS = ("units", "speaker", "district")

# What an article's place in the related windows depends on: its time, the names it gives
# each related taxonomy and its language versions' key. Equal records (and equal slugs for
# the names), equal windows around it.
Record = tuple[float, tuple[tuple[str, ...], ...], str]
Related = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class RelatedMemo:
    """The last build's related lists by source path, and the records they came from."""

    limit: int = -1
    slugs: dict[tuple[str, str], str] = field(default_factory=dict)  # related keys' only
    records: dict[str, Record] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)


def same_release(articles: Sequence[Article]) -> dict[str, tuple[int, ...]]:
    """The language versions of each release (by translation_key): never "related" to each
    other, as the article already links them ("Also in")."""
    versions: dict[str, list[int]] = defaultdict(list)
    for article_id, article in enumerate(articles):
        if article.translation_key:
            versions[article.translation_key].append(article_id)
    return {key: tuple(ids) for key, ids in versions.items() if len(ids) > 1}


def related_lists(taxonomies: Sequence[Taxonomy]) -> dict[tuple[str, str], tuple[int, ...]]:
    """(taxonomy key, slug) -> the term's articles, newest first, for the related keys."""
    return {
        (taxonomy.key, term.slug): term.article_ids
        for taxonomy in taxonomies
        if taxonomy.key in RELATED_KEYS
        for term in taxonomy.terms
    }


def find_related(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    limit: int,
    wanted: Sequence[int] | None = None,
) -> dict[int, tuple[int, ...]]:
    """The related list of each wanted article (all by default); linear in the archive."""
    wanted_set = None if wanted is None else set(wanted)
    windows: dict[int, list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for ids in related_lists(taxonomies).values():
        for position, article_id in enumerate(ids):
            if wanted_set is None or article_id in wanted_set:
                windows[article_id].append((ids, position))
    versions = same_release(articles)
    seconds = [int(a.date.timestamp()) for a in articles]
    return {
        article_id: rank(
            article_id,
            windows.get(article_id, ()),
            seconds,
            limit,
            versions.get(articles[article_id].translation_key, ()),  # linked as "Also in"
        )
        for article_id in (range(len(articles)) if wanted is None else wanted)
    }


def rank(
    article_id: int,
    windows: Sequence[tuple[tuple[int, ...], int]],
    seconds: Sequence[int],
    limit: int,
    excluded: tuple[int, ...],
) -> tuple[int, ...]:
    """Most shared terms first, then nearest in time, then newest (by position)."""
    scores: dict[int, int] = {}
    for ids, position in windows:
        for other in ids[max(0, position - limit) : position + limit + 1]:
            scores[other] = scores.get(other, 0) + 1
    scores.pop(article_id, None)
    for other in excluded:
        scores.pop(other, None)
    moment = seconds[article_id]
    # Packed into one int (a sort of tuples is three times slower): count, distance, position.
    keys = sorted(
        ((-count) << 64) | (min(abs(seconds[other] - moment), MAX_DISTANCE) << 24) | other
        for other, count in scores.items()
    )
    return tuple(key & POSITION_MASK for key in keys[:limit])


MAX_DISTANCE = (1 << 40) - 1  # seconds: 34,000 years
POSITION_MASK = (1 << 24) - 1  # 16 million articles


def record_of(article: Article) -> Record:
    """What an article's place in the windows of others depends on."""
    terms = article.terms
    names = (terms.get("units", ()), terms.get("speaker", ()), terms.get("district", ()))
    return (article.date.timestamp(), names, article.translation_key)


def update_related(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    slugs: Mapping[tuple[str, str], str],
    limit: int,
    memo: RelatedMemo,
) -> tuple[Related, RelatedMemo]:
    """Every article's related list: the last build's where no window around it changed,
    made again for the rest (see the module's docstring)."""
    records = {a.source_path: record_of(a) for a in articles}
    paths = [a.source_path for a in articles]
    position = {path: n for n, path in enumerate(paths)}
    related_slugs = {k: slug for k, slug in slugs.items() if k[0] in RELATED_KEYS}
    if memo.limit != limit or memo.slugs != related_slugs or len(paths) >= POSITION_MASK:
        remade = set(range(len(articles)))
    else:
        remade = touched(articles, taxonomies, limit, records, memo, position)
    found = find_related(articles, taxonomies, limit, sorted(remade))
    lists = {
        path: tuple(paths[i] for i in found[n]) if n in found else memo.lists[path]
        for n, path in enumerate(paths)
    }
    related = tuple(tuple(position[p] for p in lists[path]) for path in paths)
    return related, RelatedMemo(limit, related_slugs, records, lists)


def touched(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    limit: int,
    records: Mapping[str, Record],
    memo: RelatedMemo,
    position: Mapping[str, int],
) -> set[int]:
    """Articles whose windows hold an article that is new, gone or changed: near where it is
    now in each of its term lists, or near where it was (its gap in the list now)."""
    lists = related_lists(taxonomies)
    found: set[int] = set()
    for path, record in records.items():
        if memo.records.get(path) != record or path not in memo.lists:
            article_id = position[path]
            found.add(article_id)
            for term in terms_of(record, memo.slugs):
                ids = lists.get(term, ())
                at = bisect_left(ids, article_id)
                found.update(ids[max(0, at - limit) : at + limit + 1])
    gone = [(path, old) for path, old in memo.records.items() if records.get(path) != old]
    if gone:
        order = [(-a.date.timestamp(), a.source_path) for a in articles]
        for path, old in gone:
            for term in terms_of(old, memo.slugs):
                ids = lists.get(term, ())
                gap = bisect_left(ids, (-old[0], path), key=order.__getitem__)
                found.update(ids[max(0, gap - limit) : gap + limit])
    return found


def terms_of(record: Record, slugs: Mapping[tuple[str, str], str]) -> list[tuple[str, str]]:
    """The (taxonomy key, slug) of each term a record names."""
    return [
        (key, slugs.get((key, name), ""))
        for key, names in zip(RELATED_KEYS, record[1], strict=True)
        for name in names
    ]
