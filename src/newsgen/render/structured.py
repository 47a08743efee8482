"""Structured data (schema.org JSON-LD) for article pages: what search engines and readers'
tools read; built here so that no empty value and no misplaced person reaches it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsgen.core.model import Article, Attachment, FileInfo
from newsgen.render.viewmodels import iso_date


def article_json_ld(
    article: Article,
    site_title: str,
    canonical_url: str,
    image_url: str = "",
    files: Sequence[tuple[str, Attachment, FileInfo]] = (),
) -> dict[str, Any]:
    """A NewsArticle: published and modified dates, its lead photo, the site as publisher,
    units as what it is about, speakers as people it mentions, its corrections and its
    attachments (`files`: absolute URL, attachment, facts); empty values left out."""
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
