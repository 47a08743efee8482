"""Term names as templates show them: in the page's language, as of an article's date, with
the terms above them; each use noted in the render's reads (render/reads.py), so a page is
rendered again when a term it shows changes in its vocabulary, and not otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from newsgen.core import urls
from newsgen.core.model import Article, SiteIndex, Taxonomy, Term
from newsgen.render.reads import ReadLog, term_ref

DATED = "\x00dated"  # (IndexedTerms.term) a term whose name depends on the article's date


class TermNames:
    """The template functions term_label, speaker_role, term_slugs and term_url."""

    def __init__(self, index: SiteIndex, taxonomies: dict[str, Taxonomy], reads: ReadLog) -> None:
        self.index, self.taxonomies, self.reads = index, taxonomies, reads

    def label(self, key: str, name: str, lang: str, on: datetime | None = None) -> str:
        """A term's name in a language (on a day: the name it had then): its vocabulary
        label, else its canonical name."""
        term = self.index.term(key, self.read_slug(key, name, lang))
        return term.label(lang, on) if term else name

    def role(self, name: str, on: datetime, lang: str) -> str:
        """The role a speaker held on a day, as the speakers' vocabulary says ("" if not)."""
        term = self.index.term("speaker", self.read_slug("speaker", name, lang))
        return term.history.role_on(on, lang) if term and term.history else ""

    def slugs(self, key: str, names: tuple[str, ...]) -> list[str]:
        """Slugs of the terms an article names and of the terms above them (what the search
        page filters on: a district finds its sub-districts' articles too)."""
        found = []
        for name in names:
            slug = self.read_slug(key, name)
            term = self.index.term(key, slug)
            found += [*(slugs_above(term) if term else ()), slug]
        return list(dict.fromkeys(found))

    def url(self, key: str, name: str) -> str:
        """Site URL of the term page a name in an article links to."""
        return urls.term_url(self.taxonomies[key].path, self.read_slug(key, name))

    def read_slug(self, key: str, name: str, lang: str = "") -> str:
        """The slug of the term a name stands for, noting that the page shows it (its names
        in `lang`, or only its slug)."""
        slug = self.index.term_slugs.get((key, name), "")
        self.reads.add(term_ref(key, slug, lang))
        return slug


def slugs_above(term: Term) -> tuple[str, ...]:
    """The slugs of the terms above a term in its vocabulary's hierarchy, the top one first."""
    return tuple(a.slug for a in term.history.ancestors) if term.history else ()


def term_in(term: Term, lang: str) -> tuple[Any, ...]:
    """What a page in `lang` can show of a term through term_label, speaker_role, term_url
    and term_slugs: its names, history and roles in that language ("": its slug and the slugs
    above it). A label edited in one language leaves the other languages' pages alone."""
    history, above = term.history, slugs_above(term)
    if not lang:
        return (term.slug, above)
    spans = [(s.label(lang), s.start, s.end) for s in history.names] if history else []
    roles = [(s.label(lang), s.start, s.end) for s in history.roles] if history else []
    return (term.slug, above, term.label(lang), spans, roles)


def term_summary(term: Term, count: bool) -> tuple[Any, ...]:
    """What a page shows of a term besides its articles (whose digests are hashed apart):
    its names, labels and history; its count only if the page's last render read a count."""
    history = term.history
    if history and history.descendant_ids:  # what shows is that there are some, not which
        history = replace(history, descendant_ids=(-1,))
    return (term.name, term.slug, term.count if count else -1, term.labels, history)


class IndexedTerms:
    """What the search index holds of an article's terms: their names in its language on its
    date, and the slugs its filters match (its own and those above). A unit renamed in another
    language does not index the article again."""

    def __init__(self, index: SiteIndex) -> None:
        self.index = index
        self.found: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def of(self, article: Article) -> list[tuple[str, ...]]:
        """The article's terms as indexed (worked out once per term and language)."""
        found = []
        for key, names in article.terms.items():
            for name in names:
                shown = self.found.get((key, name, article.lang))
                if shown is None:
                    shown = self.found[(key, name, article.lang)] = self.term(
                        key, name, article.lang
                    )
                if shown and shown[-1] == DATED:  # named differently over time
                    term = self.index.term(key, shown[1])
                    shown = (*shown[:-1], term.label(article.lang, article.date) if term else "")
                found.append(shown)
        return found

    def term(self, key: str, name: str, lang: str) -> tuple[str, ...]:
        """One term for articles in a language (DATED last: its name depends on the date)."""
        term = self.index.term(key, self.index.term_slugs.get((key, name), ""))
        if term is None:
            return ()
        dated = bool(term.history and term.history.names)
        return (key, term.slug, *slugs_above(term), DATED if dated else term.label(lang))
