"""The theme's words in the page's language: English is the key, theme/i18n.yaml the table."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from newsgen.core.config import primary_language

TABLE_PATH = Path(__file__).parent.parent / "theme" / "i18n.yaml"


@cache
def translations() -> dict[str, dict[str, str]]:
    """Primary language subtag -> English text -> translation."""
    loaded = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8")) or {}
    return {str(lang): {str(k): str(v) for k, v in words.items()} for lang, words in loaded.items()}


def translate(text: str, lang: str) -> str:
    """The text in a language, or as it is when the table has no translation."""
    return translations().get(primary_language(lang), {}).get(text, text)


@jinja2.pass_context
def translate_for_page(context: Any, text: str) -> str:
    """Template function t("..."): the text in the current page's language."""
    return translate(text, str(context.get("lang", "")))
