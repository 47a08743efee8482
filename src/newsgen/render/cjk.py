"""Chinese text for the search index: one character per word, in simplified script.

Pagefind splits Chinese into words with a dictionary at index time and differently at query
time, so a query such as 课后服务 can miss the page that holds it. Indexing each character as a
word, and checking the exact phrase in the browser, finds every article that contains it;
mapping traditional to simplified characters on both sides finds it in either script.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

TABLE_PATH = Path(__file__).parent.parent / "theme" / "static" / "t2s.txt"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TAG = re.compile(r"<[^>]+>")


@cache
def simplified_table() -> dict[int, str]:
    """Traditional to simplified characters (OpenCC's TSCharacters, first choice of each)."""
    traditional, simplified = TABLE_PATH.read_text(encoding="utf-8").split("\n")[:2]
    return {ord(t): s for t, s in zip(traditional, simplified, strict=True)}


def to_simplified(text: str) -> str:
    """Map traditional characters to simplified ones, character by character."""
    return text.translate(simplified_table())


def space_characters(text: str) -> str:
    """Put a space around every Chinese character, so each is a word of its own."""
    return " ".join(CJK.sub(lambda match: f" {match.group(0)} ", text).split())


def search_text(title: str, summary: str, body_html: str) -> str:
    """The text to index for an article with Chinese in it; empty when there is none."""
    body = html.unescape(TAG.sub(" ", body_html))
    text = "\n".join(part for part in (title, summary, body) if part)
    if not CJK.search(text):
        return ""
    return space_characters(to_simplified(text))
