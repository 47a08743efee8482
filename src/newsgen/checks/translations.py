"""Bilingual archives: which articles lack a version in one of the site's languages."""

from __future__ import annotations

from newsgen.core.config import Config, primary_language
from newsgen.core.diagnostics import Diagnostic, warning
from newsgen.core.model import SiteIndex


def missing_translations(index: SiteIndex, config: Config) -> list[Diagnostic]:
    """One warning per article whose release has no version in another site language."""
    languages = config.site_languages
    if len(languages) < 2:
        return []
    problems = []
    for article in index.articles:
        key = article.translation_key
        ids = index.translations.get(key, ()) if key else ()
        present = {primary_language(index.articles[i].lang) for i in ids} | {
            primary_language(article.lang)
        }
        missing = [lang for lang in languages if primary_language(lang) not in present]
        if not missing:
            continue
        line = article.line_of("translation_key", "title")
        hint = (
            f"add it with 'translation_key: {key}'"
            if key
            else "give both versions the same 'translation_key'"
        )
        message = f"no {', '.join(missing)} version of this article ({hint})"
        problems.append(warning(article.source_path, line, "translation_key", message))
    return problems


def missing_labels(index: SiteIndex, config: Config) -> tuple[tuple[str, str, str, int], ...]:
    """(language, taxonomy key, term name, article count) for each term that has no label
    in a site language besides the default (whose name is the canonical one): its pages in
    that language show the canonical name instead."""
    found = []
    for lang in config.site_languages:
        if primary_language(lang) == primary_language(config.language):
            continue
        for taxonomy in index.taxonomies:
            for term in taxonomy.terms:
                labelled = {primary_language(code) for code, _ in term.labels}
                if primary_language(lang) not in labelled:
                    found.append((lang, taxonomy.key, term.name, term.count))
    return tuple(found)
