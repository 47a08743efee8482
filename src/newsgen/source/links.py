"""Links written in an article body (Markdown and raw HTML), found once when it is parsed."""

from __future__ import annotations

import re

# Every repeated part is bounded, so a hostile body ("[a](" 20,000 times, a line of
# backticks) costs linear time: an unbounded run would rescan the rest of the body from each
# start. Longer URLs (over 2,000 characters) are not checked.
LINK = re.compile(
    r"\]\([ \t\n]{0,99}<?([^)\s>(\[]{1,2048})>?(?:[ \t\n]{1,99}[\"'(][^)\n]{0,500})?\)"
    r"|^[ \t]{0,3}\[(?!\^)[^\]\n]{1,999}\]:[ \t]{0,99}<?(\S{1,2048}?)>?(?:\s|$)"  # [ref]: url
    r"|\b(?:href|src)[ \t]{0,9}=[ \t]{0,9}[\"']([^\"'\n]{1,2048})[\"']",  # raw HTML
    re.M | re.I,
)

SRCSET = re.compile(r"\bsrcset[ \t]{0,9}=[ \t]{0,9}[\"']([^\"'\n]{1,4096})[\"']", re.I)

FENCED_CODE = re.compile(
    r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S
)
CODE_SPAN = re.compile(r"(?<!`)(`{1,99})(?!`)[^`]{1,5000}?(?:`(?!\1)[^`]{0,5000}?)*?(?<!`)\1(?!`)")


def mask_code(body: str) -> str:
    """The body with fenced code and code spans blanked (line breaks kept): examples, not links."""
    if "`" not in body and "~~~" not in body:  # most bodies: nothing either pattern can match
        return body

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return CODE_SPAN.sub(blank, FENCED_CODE.sub(blank, body))


def may_hold_links(text: str) -> bool:
    """Whether LINK or SRCSET can match: each needs "](", "]:", "href" or "src" (any case;
    casefold also maps the long s that IGNORECASE matches). Scanning a body of plain prose
    with the patterns cost half as much as converting it."""
    if "](" in text or "]:" in text:
        return True
    folded = text.casefold()
    return "href" in folded or "src" in folded


def find_links(body: str, body_line: int) -> tuple[tuple[str, int], ...]:
    """Every link and image source outside code, with its file line (what `check` verifies)."""
    masked = mask_code(body)
    if not may_hold_links(masked):
        return ()
    found = [
        (next(group for group in match.groups() if group), match.start())
        for match in LINK.finditer(masked)
    ]
    found += [
        (candidate.split()[0], match.start())
        for match in SRCSET.finditer(masked)
        for candidate in match[1].split(",")
        if candidate.strip()
    ]
    found.sort(key=lambda item: item[1])
    return tuple((link, body_line + masked.count("\n", 0, at)) for link, at in found)
