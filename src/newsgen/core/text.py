"""Decode text files: UTF-8 only, line endings normalised, characters XML forbids removed."""

from __future__ import annotations

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.xmlchars import FORBIDDEN

MOSTLY_BINARY = 1000  # a file with a NUL in every 1,000 bytes or fewer is not text
MAX_CHARACTER_WARNINGS = 10


def character_name(char: str) -> str:
    """U+000B (vertical tab): how a removed character is named in a warning."""
    code = ord(char)
    name = CONTROL_NAMES.get(code) or ("a non-character" if code > 0xFFFD else "a control")
    return f"U+{code:04X} ({name})"


CONTROL_NAMES = {0: "NUL", 8: "backspace", 11: "vertical tab", 12: "form feed", 27: "escape"}


def remove_forbidden(text: str, path: str) -> tuple[str, list[Diagnostic]]:
    """Drop the characters no page, feed or sitemap may hold, with a warning per line."""
    if not FORBIDDEN.search(text):
        return text, []
    problems: list[Diagnostic] = []
    lines = [n for n, line in enumerate(text.split("\n"), 1) if FORBIDDEN.search(line)]
    for number in lines[:MAX_CHARACTER_WARNINGS]:
        line = text.split("\n", number)[number - 1]
        found = FORBIDDEN.search(line)
        assert found is not None
        found_names = sorted({character_name(c) for c in FORBIDDEN.findall(line)})
        them = "them" if len(found_names) > 1 else "it"
        message = f"removed {', '.join(found_names)}: HTML and XML forbid {them} (delete {them})"
        problems.append(warning(path, number, "", message, found.start() + 1))
    if len(lines) > MAX_CHARACTER_WARNINGS:
        more = len(lines) - MAX_CHARACTER_WARNINGS
        message = f"and on {more} more lines: characters HTML and XML forbid were removed"
        problems.append(warning(path, lines[MAX_CHARACTER_WARNINGS], "", message))
    return FORBIDDEN.sub("", text), problems


def decode_text(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (BOM allowed) and normalise line endings; anything else is an error.

    Characters HTML and XML forbid are removed with a warning (the text is otherwise kept).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "file is UTF-16; save it as UTF-8"
        return None, [error(path, 1, "", message)]
    if b"\x00" in data and data.count(b"\x00") * MOSTLY_BINARY >= len(data):
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [error(path, line, "", "file is binary, not UTF-8 Markdown text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = (
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "convert it, e.g. iconv -f GBK -t UTF-8"
        )
        return None, [error(path, line, "", message, column)]
    return remove_forbidden(text.replace("\r\n", "\n").replace("\r", "\n"), path)
