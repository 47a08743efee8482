"""Summaries derived from an article's body when its front matter gives none."""

from __future__ import annotations

import re

SUMMARY_MAX = 220
HIDDEN_ELEMENTS = re.compile(r"<(script|style|template)\b.*?(</\1\s*>|$)", re.I | re.S)
# Markdown's marks; an underscore only where it opens or closes emphasis (snake_case stays).
MARKUP = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|<[^>]+>|\{[:#.][^}]*\}|[*`>#|]+|(?<!\w)_+(?=\w)|(?<=\w)_+(?!\w)"
)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def derive_summary(body: str) -> str:
    """The first paragraph as plain text, for lists and feeds when no summary is given."""
    for block in re.split(r"\n\s*\n", body):
        # Only the start of a paragraph can reach the summary; cutting it keeps the regexes linear.
        stripped = block.strip()[: SUMMARY_MAX * 20]
        if not stripped or stripped.startswith(("#", "|", "```", "~~~", "<!--", "---", "{{")):
            continue
        visible = HIDDEN_ELEMENTS.sub(" ", stripped)
        text = " ".join(MARKUP.sub("", LINK.sub(r"\1", visible)).split())
        if text:
            return shorten(text)
    return ""


def shorten(text: str) -> str:
    """Cut long text at a word boundary (or anywhere, for Chinese) with an ellipsis."""
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[:SUMMARY_MAX]
    space = cut.rfind(" ")
    return (cut[:space] if space > SUMMARY_MAX // 2 else cut).rstrip(" ,.;:") + "…"
