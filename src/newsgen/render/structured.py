"""Structured data (schema.org JSON-LD) for article pages: what search engines and readers'
tools read; built here so that no empty value and no misplaced person reaches it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsgen.core.model import Article, Attachment, FileInfo
from newsgen.core.urls import absolute_url
from newsgen.render.viewmodels import SiteView, iso_date

# Facebook's og:locale wants language_TERRITORY; a bare language tag gets its usual one.
TERRITORIES = {
    "en": "US",
    "zh": "CN",
    "fr": "FR",
    "de": "DE",
    "es": "ES",
    "it": "IT",
    "ja": "JP",
    "ko": "KR",
    "pt": "PT",
    "ru": "RU",
    "ar": "AR",
    "nl": "NL",
    "vi": "VN",
    "th": "TH",
}
SCRIPTS = {"hant": "TW", "hans": "CN"}


def article_json_ld(
    article: Article,
    site: SiteView,
    canonical_url: str,
    image_url: str = "",
    files: Sequence[tuple[str, Attachment, FileInfo]] = (),
) -> dict[str, Any]:
    """A NewsArticle: published and modified dates, its lead photo, the site as author and
    publisher (the speakers it quotes are people it mentions, not its authors),
    units as what it is about, speakers as people it mentions, its corrections and its
    attachments (`files`: absolute URL, attachment, facts); empty values left out."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso_date(article.date),
        "dateModified": iso_date(article.modified),
        "inLanguage": article.lang,
        "author": organization(site),
        "publisher": organization(site),
    }
    optional = {
        "description": article.summary,
        "image": [image_url] if image_url else [],
        "keywords": list(article.tags),
        "about": [{"@type": "Organization", "name": unit} for unit in article.units],
        "mentions": [{"@type": "Person", "name": s.name} for s in article.speakers],
        "locationCreated": {"@type": "Place", "name": article.district} if article.district else {},
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": update.note,
                "datePublished": iso_date(update.date),
            }
            for update in article.corrections
        ],
        "associatedMedia": [
            {
                "@type": "MediaObject",
                "name": attachment.title or attachment.file.rsplit("/", 1)[-1],
                "contentUrl": url,
                "encodingFormat": info.mime,
                "contentSize": f"{info.size} B",
                **({"inLanguage": attachment.lang} if attachment.lang else {}),
            }
            for url, attachment, info in files
        ],
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
    }
    data.update((key, value) for key, value in optional.items() if value)
    return data


def organization(site: SiteView) -> dict[str, Any]:
    """The site as schema.org sees its publisher: name, and address and logo where known."""
    found: dict[str, Any] = {"@type": "Organization", "name": site.title}
    if site.base_url:
        found["url"] = site.base_url
        if site.logo:
            found["logo"] = {"@type": "ImageObject", "url": absolute_url(site.base_url, site.logo)}
    return found


def og_locale(lang: str) -> str:
    """A language tag as og:locale writes it: en -> en_US, zh-Hant -> zh_TW, en-GB -> en_GB."""
    parts = lang.replace("_", "-").split("-")
    language = parts[0].lower()
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            return f"{language}_{part.upper()}"
        if part.lower() in SCRIPTS:
            return f"{language}_{SCRIPTS[part.lower()]}"
    territory = TERRITORIES.get(language)
    return f"{language}_{territory}" if territory else language
