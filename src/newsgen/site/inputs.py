"""What a page shows: the one rule that plan, template context and fingerprint all read."""

from __future__ import annotations

from typing import NamedTuple

from newsgen.core.model import PageSpec, SiteIndex, Term


class PageInputs(NamedTuple):
    """The articles, terms and URLs one page shows besides its own spec.

    Kept in one place so a page's context and its fingerprint cannot drift apart: a page is
    rendered again exactly when something listed here (or its spec) changed. A named tuple,
    not a frozen dataclass: an addition makes one for every page, and it is made 3x faster.
    """

    article_id: int | None = None
    newer: int | None = None
    older: int | None = None
    related: tuple[int, ...] = ()
    translations: tuple[int, ...] = ()
    items: tuple[int, ...] = ()
    term: Term | None = None
    months: tuple[Term, ...] = ()
    terms: tuple[Term, ...] = ()
    urls: tuple[str, ...] = ()

    def shown(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """The articles shown, by the role they have on the page (a fingerprint hashes both)."""
        roles = [
            ("article", (self.article_id,) if self.article_id is not None else ()),
            ("newer", (self.newer,) if self.newer is not None else ()),
            ("older", (self.older,) if self.older is not None else ()),
            ("related", self.related),
            ("items", self.items),
            ("translations", self.translations),
        ]
        return tuple((role, ids) for role, ids in roles if ids)

    @property
    def article_ids(self) -> tuple[int, ...]:
        """Every article the page shows anything of (its own first), without repeats."""
        return tuple(dict.fromkeys(i for _, ids in self.shown() for i in ids))


def article_inputs(spec: PageSpec, index: SiteIndex) -> PageInputs:
    """An article page: the article, its neighbours, related articles and translations."""
    article_id = spec.article_id
    assert article_id is not None
    article = index.articles[article_id]
    versions = (
        index.translations.get(article.translation_key, ()) if article.translation_key else ()
    )
    return PageInputs(
        article_id=article_id,
        newer=article_id - 1 if article_id > 0 else None,
        older=article_id + 1 if article_id + 1 < len(index.articles) else None,
        related=index.related[article_id],
        translations=tuple(i for i in versions if i != article_id),
    )


def page_inputs(spec: PageSpec, index: SiteIndex) -> PageInputs:
    """What a page shows, by kind; O(1) per page (the index holds every lookup)."""
    if spec.kind == "article":
        return article_inputs(spec, index)
    if spec.kind == "alias":
        return PageInputs(article_id=spec.article_id)
    if spec.kind in ("sitemap", "sitemap-index"):
        return PageInputs(urls=spec.sources)
    if spec.kind == "terms":
        taxonomy = index.taxonomy(spec.taxonomy)
        return PageInputs(terms=taxonomy.terms if taxonomy else ())
    term = index.term(spec.taxonomy, spec.term_slug) if spec.term_slug else None
    on_first_page = spec.kind != "feed" and spec.page_number == 1 and spec.taxonomy == "year"
    months = index.year_months.get(term.name, ()) if term and on_first_page else ()
    return PageInputs(items=spec.item_ids, term=term, months=months)
