"""Index stage: taxonomies, date archives and related articles, computed once for the site."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import zip_longest

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import Article, SiteIndex, Taxonomy, Term
from newsgen.core.urls import code_point_slug, day_url, make_slug, month_url, term_url, year_url
from newsgen.source.shortcodes import REF_NAMES
from newsgen.source.vocab import Vocabulary

RELATED_KEYS = ("units", "speaker")


def sort_articles(articles: Iterable[Article]) -> tuple[Article, ...]:
    """Newest first; ties broken by source path so any file order gives the same site."""
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.source_path)))


def select_published(
    articles: Iterable[Article], drafts: bool, future: bool, now: datetime
) -> tuple[Article, ...]:
    """Drop drafts and future articles unless asked to build them."""
    return tuple(a for a in articles if (drafts or not a.draft) and (future or a.date <= now))


MoreFrom = tuple[tuple[tuple[str, str, tuple[int, ...]], ...], ...]
RelatedLists = tuple[tuple[tuple[int, ...], ...], MoreFrom]  # related, "more from", by article
RelatedFinder = Callable[
    [Sequence[Article], Sequence[Taxonomy], Mapping[tuple[str, str], str], int], RelatedLists
]


def build_index(
    articles: tuple[Article, ...],
    config: Config,
    vocabularies: Mapping[str, Vocabulary],
    find_related: RelatedFinder | None = None,
) -> tuple[SiteIndex, list[Diagnostic]]:
    """Group sorted articles into every taxonomy and date archive."""
    diagnostics: list[Diagnostic] = []
    taxonomies = []
    term_slugs: dict[tuple[str, str], str] = {}
    for taxonomy_config in config.taxonomies:
        key = taxonomy_config.key
        terms, slugs, problems = group_terms(
            articles, key, taxonomy_config.path, vocabularies.get(key)
        )
        diagnostics.extend(problems)
        term_slugs.update(((key, name), slug) for name, slug in slugs.items())
        taxonomies.append(
            Taxonomy(
                key,
                taxonomy_config.path,
                taxonomy_config.title,
                taxonomy_config.singular,
                terms,
                taxonomy_config.feeds,
            )
        )
    years, months, days = group_dates(articles)
    find = find_related or compute_related_lists
    related, more = find(articles, taxonomies, term_slugs, config.related_items)
    translations: dict[str, list[int]] = defaultdict(list)
    for article_id, article in enumerate(articles):
        if article.translation_key:
            translations[article.translation_key].append(article_id)
    order = {lang: n for n, lang in enumerate(config.site_languages)}

    def language_order(i: int) -> tuple[int, str, str]:
        return (order.get(articles[i].lang, len(order)), articles[i].lang, articles[i].url)

    versions = {key: tuple(sorted(ids, key=language_order)) for key, ids in translations.items()}
    ref_urls = find_ref_urls(articles, config.content_dir)
    diagnostics.extend(check_refs(articles, ref_urls))
    index = SiteIndex(
        articles,
        tuple(taxonomies),
        years,
        months,
        days,
        related,
        term_slugs,
        more,
        versions,
        ref_urls,
        {(t.taxonomy, t.slug): t for x in (*taxonomies, years, months, days) for t in x.terms},
        months_by_year(months),
    )
    return index, diagnostics


def months_by_year(months: Taxonomy) -> dict[str, tuple[Term, ...]]:
    """Each year's months, newest first (what a year's first page lists)."""
    found: dict[str, list[Term]] = {}
    for term in months.terms:
        found.setdefault(term.name[:4], []).append(term)
    return {year: tuple(terms) for year, terms in found.items()}


def ref_key(target: str) -> str:
    """A ref/relref target without its #anchor, ./ or surrounding blanks."""
    path = target.strip().split("#", 1)[0].strip()
    return path[2:] if path.startswith("./") else path


def ref_keys(source_path: str, content_dir: str) -> list[str]:
    """The ways a ref may name an article file (Hugo's): path in content/, with or without
    a leading / and the .md, its file name, and a page bundle's folder."""
    rel = source_path.removeprefix(f"{content_dir}/")
    stem = rel.rsplit(".", 1)[0]
    keys = [source_path, rel, f"/{rel}", stem, f"/{stem}", rel.rsplit("/", 1)[-1]]
    keys.append(stem.rsplit("/", 1)[-1])
    if stem.endswith(("/index", "/_index")):  # a page bundle: named by its folder
        folder = stem.rsplit("/", 1)[0]
        keys += [folder, f"/{folder}", folder.rsplit("/", 1)[-1]]
    return keys


def find_ref_urls(articles: Sequence[Article], content_dir: str) -> dict[str, str]:
    """Every name a ref may use -> that article's site URL; names two files share are left out."""
    found: dict[str, str] = {}
    shared: set[str] = set()
    for article in articles:
        for key in dict.fromkeys(ref_keys(article.source_path, content_dir)):
            if key in found and found[key] != article.url:
                shared.add(key)
            found[key] = article.url
    return {key: url for key, url in found.items() if key not in shared}


def check_refs(articles: Sequence[Article], ref_urls: Mapping[str, str]) -> list[Diagnostic]:
    """A ref/relref that names no published article is a broken link: a warning."""
    problems = []
    for article in articles:
        for use in article.shortcodes:
            if use.name in REF_NAMES and ref_key(use.target) not in ref_urls:
                message = (
                    f"{use.name} '{use.target}' names no published article (give its path in "
                    "the content folder, e.g. 2023/02/review.md); the link goes nowhere"
                )
                problems.append(warning(article.source_path, use.line, "body", message, use.column))
    return problems


def group_terms(
    articles: Sequence[Article], key: str, path: str, vocabulary: Vocabulary | None
) -> tuple[tuple[Term, ...], dict[str, str], list[Diagnostic]]:
    """Terms of one taxonomy; names whose slugs are equal share one term."""
    members: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    slugs: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for article_id, article in enumerate(articles):
        for name in article.term_names(key):
            slug = slugs.get(name) or term_slug(name, vocabulary)
            if not slug:  # emoji or punctuation only: Hugo publishes it, so a page it gets
                slug = code_point_slug(name)
                message = f"'{name}' has no letters or digits for a URL; its page is {path}/{slug}/"
                problems.append(warning(article.source_path, article.line_of(key), key, message))
            slugs[name] = slug
            if not members[slug] or members[slug][-1] != article_id:
                members[slug].append(article_id)
            spellings[slug][name] += 1
    terms = [
        make_term(key, path, slug, ids, spellings[slug], vocabulary)
        for slug, ids in members.items()
    ]
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    return tuple(terms), slugs, problems


def term_slug(name: str, vocabulary: Vocabulary | None) -> str:
    """A vocabulary's slug for a term, else python-slugify's."""
    entry = vocabulary.resolve(name) if vocabulary else None
    return entry.slug if entry else make_slug(name)


def make_term(
    key: str,
    path: str,
    slug: str,
    ids: list[int],
    spellings: Counter[str],
    vocabulary: Vocabulary | None,
) -> Term:
    """Name a merged term by its canonical name, else the spelling used most."""
    name = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))[0][0]
    entry = vocabulary.resolve(name) if vocabulary else None
    labels = entry.labels if entry else ()
    return Term(key, entry.name if entry else name, slug, term_url(path, slug), tuple(ids), labels)


def group_dates(articles: Sequence[Article]) -> tuple[Taxonomy, Taxonomy, Taxonomy]:
    """Year, month and day archives, newest first, in the site time zone."""
    groups: dict[str, dict[tuple[int, ...], list[int]]] = {"y": {}, "m": {}, "d": {}}
    for article_id, article in enumerate(articles):
        date = article.date
        groups["y"].setdefault((date.year,), []).append(article_id)
        groups["m"].setdefault((date.year, date.month), []).append(article_id)
        groups["d"].setdefault((date.year, date.month, date.day), []).append(article_id)
    years = [
        Term("year", f"{k[0]:04d}", f"{k[0]:04d}", year_url(*k), tuple(v))
        for k, v in groups["y"].items()
    ]
    months = [
        Term("month", f"{k[0]:04d}-{k[1]:02d}", f"{k[0]:04d}-{k[1]:02d}", month_url(*k), tuple(v))
        for k, v in groups["m"].items()
    ]
    days = [
        Term(
            "day",
            "{:04d}-{:02d}-{:02d}".format(*k),
            "{:04d}-{:02d}-{:02d}".format(*k),
            day_url(*k),
            tuple(v),
        )
        for k, v in groups["d"].items()
    ]
    return (
        Taxonomy("year", "", "Years", "Year", tuple(years), feeds=False),
        Taxonomy("month", "", "Months", "Month", tuple(months), feeds=False),
        Taxonomy("day", "", "Days", "Day", tuple(days), feeds=False),
    )


def nearest(ids: Sequence[int], position: int, limit: int) -> tuple[int, ...]:
    """Up to `limit` other entries of a newest-first list, the closest in time first (the
    one before, the one after, two before, ...)."""
    before = ids[max(0, position - limit) : position][::-1]
    after = ids[position + 1 : position + 1 + limit]
    merged = [i for pair in zip_longest(before, after) for i in pair if i is not None]
    return tuple(merged[:limit])


def compute_more(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    term_slugs: Mapping[tuple[str, str], str],
    limit: int,
    related: Sequence[tuple[int, ...]],
) -> MoreFrom:
    """For each article, other articles of its first unit and first speaker (the first that
    has others to show), nearest in time; none that a list above already shows (related, the
    unit's list, its language versions).

    Each term's position list is built once, so this is linear in the memberships."""
    terms = {(t.key, term.slug): term for t in taxonomies for term in t.terms}
    positions = {
        key: {article_id: n for n, article_id in enumerate(term.article_ids)}
        for key, term in terms.items()
        if key[0] in RELATED_KEYS
    }
    versions = same_release(articles)
    result = []
    for article_id, article in enumerate(articles):
        shown = {article_id, *related[article_id], *versions.get(article.translation_key, ())}
        lists = []
        for key in RELATED_KEYS:
            for name in article.term_names(key):  # the first of its terms with others to show
                slug = term_slugs.get((key, name), "")
                ids = terms[(key, slug)].article_ids if (key, slug) in terms else ()
                if len(ids) <= 1:
                    continue
                near = nearest(ids, positions[(key, slug)][article_id], limit + len(shown))
                picked = tuple(i for i in near if i not in shown)[:limit]
                if picked:
                    lists.append((key, slug, picked))
                    shown.update(picked)
                    break
        result.append(tuple(lists))
    return tuple(result)


def same_release(articles: Sequence[Article]) -> dict[str, tuple[int, ...]]:
    """The language versions of each release (by translation_key): never "related" to each
    other, as the article already links them ("Also in")."""
    versions: dict[str, list[int]] = defaultdict(list)
    for article_id, article in enumerate(articles):
        if article.translation_key:
            versions[article.translation_key].append(article_id)
    return {key: tuple(ids) for key, ids in versions.items() if len(ids) > 1}


def compute_related_lists(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    term_slugs: Mapping[tuple[str, str], str],
    limit: int,
) -> RelatedLists:
    """Each article's related articles and its "more from" lists."""
    related = compute_related(articles, taxonomies, limit)
    return related, compute_more(articles, taxonomies, term_slugs, limit, related)


def related_key(
    articles: Sequence[Article],
    taxonomies: Sequence[Taxonomy],
    term_slugs: Mapping[tuple[str, str], str],
    limit: int,
) -> str:
    """Everything related and "more from" lists depend on: who shares which unit or speaker,
    in order, the order each article names its units and speakers in, and their slugs."""
    lists = [t.article_ids for tax in taxonomies if tax.key in RELATED_KEYS for t in tax.terms]
    names = [article.term_names(key) for article in articles for key in RELATED_KEYS]
    slugs = sorted(item for item in term_slugs.items() if item[0][0] in RELATED_KEYS)
    versions = [article.translation_key for article in articles]  # never related to each other
    text = repr((limit, lists, names, slugs, versions))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def compute_related(
    articles: Sequence[Article], taxonomies: Sequence[Taxonomy], limit: int
) -> tuple[tuple[int, ...], ...]:
    """Articles sharing units or speakers, near in time; linear in the archive, not quadratic."""
    memberships: dict[int, list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for taxonomy in taxonomies:
        if taxonomy.key not in RELATED_KEYS:
            continue
        for term in taxonomy.terms:
            for position, article_id in enumerate(term.article_ids):
                memberships[article_id].append((term.article_ids, position))
    versions = same_release(articles)
    related = []
    for article_id, article in enumerate(articles):
        scores: dict[int, int] = {}
        for ids, position in memberships.get(article_id, ()):
            for other in ids[max(0, position - limit) : position + limit + 1]:
                scores[other] = scores.get(other, 0) + 1
        scores.pop(article_id, None)
        for other in versions.get(article.translation_key, ()):  # linked as "Also in"
            scores.pop(other, None)
        # Most shared terms first, then nearest in time, then position: packed into one int.
        keys = sorted(
            ((-count) << 48) | (abs(other - article_id) << 24) | other
            for other, count in scores.items()
        )
        related.append(tuple(key & 0xFFFFFF for key in keys[:limit]))
    return tuple(related)
