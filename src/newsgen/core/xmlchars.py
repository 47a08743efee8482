"""Characters XML 1.0 forbids and HTML reports as errors, and their numeric references.

C0 controls other than tab and line breaks, and the non-characters U+FFFE and U+FFFF (Word
pastes a vertical tab for a line break). Sources are cleaned with a warning when read; every
rendered page is cleaned again, so nothing (a reference such as `&#11;` in raw HTML, a
template's own text) can make a page, feed or sitemap ill-formed.
"""

from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORBIDDEN_REFERENCE = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01]|6553[45])"
    r"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]));"
)


FORBIDDEN_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
NON_CHARACTERS = re.compile(rb"\xef\xbf[\xbe\xbf]")  # U+FFFE and U+FFFF in UTF-8
FORBIDDEN_REFERENCE_BYTES = re.compile(FORBIDDEN_REFERENCE.pattern.encode())


def strip_forbidden(data: bytes) -> bytes:
    """UTF-8 output without forbidden characters or numeric references to them (fast: it
    runs on every page)."""
    data = data.translate(None, FORBIDDEN_BYTES)
    if b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        data = NON_CHARACTERS.sub(b"", data)
    if FORBIDDEN_REFERENCE_BYTES.search(data):
        data = FORBIDDEN_REFERENCE_BYTES.sub(b"", data)
    return data
