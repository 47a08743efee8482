"""Split a content file into front matter and body, decoding text with exact line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from newsgen.core.diagnostics import Diagnostic, error

FENCE = "---"
CLOSERS = ("---", "...")


@dataclass(frozen=True)
class SplitFile:
    """Front-matter text (and its first file line) plus the body (and its first file line)."""

    yaml_text: str
    yaml_line: int
    body: str
    body_line: int


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
        first = lines[start].strip()
        if first == "+++" or first.startswith("{"):
            kind = "TOML" if first == "+++" else "JSON"
            message = f"{kind} front matter is not read (newsgen import hugo converts it to YAML)"
        return None, [error(path, start + 1, "", message)]
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in CLOSERS:
            yaml_text = "\n".join(lines[start + 1 : end])
            body = "\n".join(lines[end + 1 :])
            return SplitFile(yaml_text, start + 2, body, end + 2), []
    message = "front matter is not closed (add a '---' line after the YAML block)"
    return None, [error(path, start + 1, "", message)]
