"""Split a content file into front matter and body, decoding text with exact line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from newsgen.diagnostics import Diagnostic, error

FENCE = "---"
CLOSERS = ("---", "...")


@dataclass(frozen=True)
class SplitFile:
    """Front-matter text (and its first file line) plus the body (and its first file line)."""

    yaml_text: str
    yaml_line: int
    body: str
    body_line: int


def decode_text(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (BOM allowed) and normalise line endings; anything else is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "file is UTF-16; save it as UTF-8"
        return None, [error(path, 1, "", message)]
    if b"\x00" in data:
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
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(text: str, path: str) -> tuple[SplitFile | None, list[Diagnostic]]:
    """Find the `---` block that opens the file (blank lines before it are fine)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return None, [
            error(path, 1, "", "file is empty (expected front matter between '---' lines)")
        ]
    if lines[start].rstrip() != FENCE:
        message = "no front matter (the file must start with a '---' line, then YAML, then '---')"
        return None, [error(path, start + 1, "", message)]
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in CLOSERS:
            yaml_text = "\n".join(lines[start + 1 : end])
            body = "\n".join(lines[end + 1 :])
            return SplitFile(yaml_text, start + 2, body, end + 2), []
    message = "front matter is not closed (add a '---' line after the YAML block)"
    return None, [error(path, start + 1, "", message)]
