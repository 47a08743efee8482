"""Structured data (schema.org JSON-LD) for article pages: what search engines and readers'
tools read; built here so that no empty value and no misplaced person reaches it."""

from __future__ import annotations

from typing import Any

from newsgen.core.model import Article
from newsgen.render.viewmodels import iso_date


def article_json_ld(
    article: Article, site_title: str, canonical_url: str, image_url: str = ""
) -> dict[str, Any]:
    """A NewsArticle: published and modified dates, its lead photo, the site as publisher,
    units as what it is about, speakers as people it mentions, and its corrections; empty
    values left out."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso_date(article.date),
        "dateModified": iso_date(article.modified),
        "inLanguage": article.lang,
        "publisher": {"@type": "Organization", "name": site_title},
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
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
    }
    data.update((key, value) for key, value in optional.items() if value)
    return data
