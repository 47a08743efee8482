"""Shortcodes in article bodies (`{{< name key="value" >}}`, paired or not): found, never run here.

Reading only: this module finds shortcode tags in Markdown text (outside code), pairs them and
reads their parameters. `markup.py` renders a body with them and `shortcoderender.py` runs
their templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, cast

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Article, ShortcodeUse

FENCED_CODE = re.compile(
    r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S
)
# A code span does not cross a blank line (it lives inside one paragraph).
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.S)
OPENING = re.compile(
    r"\{\{([<%])(/\*)?[ \t\r\n]*(/?)[ \t\r\n]*([A-Za-z0-9_][\w-]*(?:/[A-Za-z0-9_][\w-]*)*)"
)
ESCAPED = re.compile(r"\{\{([<%])/\*(.{0,2000}?)\*/([>%])\}\}", re.S)
BARE_VALUE = re.compile(r"[^\s\"`]+?(?=\s|/?[>%]\}\}|$)")
KEY = re.compile(r"([A-Za-z_][\w-]*)=")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
LOOKS_LIKE_TAG = re.compile(r"\{\{[<%]")
REF_NAMES = frozenset({"ref", "relref"})


@dataclass(frozen=True)
class Shortcode:
    """One shortcode in a text: its name, parameters and (when paired) its raw inner text."""

    name: str
    args: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    inner: str | None
    start: int
    end: int
    markdown: bool  # the {{% %}} form
    inner_start: int = 0  # offset of the inner text (after the opening tag)

    def get(self, key: str | int, default: str = "") -> str:
        """A named parameter, or a positional one by index (Hugo's .Get)."""
        if isinstance(key, int):
            return self.args[key] if 0 <= key < len(self.args) else default
        return dict(self.params).get(key, default)


@dataclass(frozen=True)
class Escaped:
    """`{{</* x */>}}`: the text `{{< x >}}`, shown as written (Hugo's escape)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    """Something wrong with a shortcode tag, at an offset in the text."""

    offset: int
    message: str
    is_error: bool = True


class Tag(NamedTuple):
    """An opening, closing or self-closing tag as read from the text."""

    name: str
    closing: bool
    self_closing: bool
    args: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    start: int
    end: int
    markdown: bool


Node = Shortcode | Escaped


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks and code spans: shortcodes there are text."""
    ranges = [m.span() for m in FENCED_CODE.finditer(text)]
    for match in CODE_SPAN.finditer(text):
        if not any(start <= match.start() < end for start, end in ranges):
            ranges.append(match.span())
    return sorted(ranges)


def mask_code(text: str) -> str:
    """The text with fenced code and code spans blanked (line breaks kept)."""
    chars = list(text)
    for start, end in code_ranges(text):
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


def read_value(text: str, position: int) -> tuple[str, int] | None:
    """A parameter value at `position`: "quoted" (with escapes), `raw`, or a bare word."""
    if position >= len(text):
        return None
    quote = text[position]
    if quote == '"':
        match = QUOTED.match(text, position)
        if not match:
            return None
        return re.sub(r"\\(.)", r"\1", match.group(1), flags=re.S), match.end()
    if quote == "`":
        end = text.find("`", position + 1)
        return (text[position + 1 : end], end + 1) if end >= 0 else None
    match = BARE_VALUE.match(text, position)
    if not match or "{{" in match.group(0) or "}}" in match.group(0):
        return None  # another tag begins: this one was never closed
    return match.group(0), match.end()


def read_tag(text: str, start: int) -> Tag | None:
    """The whole tag starting at `start` (`{{<` or `{{%`), or None when it is not one."""
    opening = OPENING.match(text, start)
    if not opening or opening.group(2):
        return None
    delimiter, closing, name = opening.group(1), bool(opening.group(3)), opening.group(4)
    closer = ">}}" if delimiter == "<" else "%}}"
    position = opening.end()
    args: list[str] = []
    params: list[tuple[str, str]] = []
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith(closer, position) or text.startswith("/" + closer, position):
            self_closing = text[position] == "/"
            end = position + len(closer) + int(self_closing)
            markdown = delimiter == "%"
            return Tag(
                name, closing, self_closing, tuple(args), tuple(params), start, end, markdown
            )
        key = KEY.match(text, position)
        value = read_value(text, key.end() if key else position)
        if value is None:
            return None
        if key:
            params.append((key.group(1), value[0]))
        else:
            args.append(value[0])
        position = value[1]


def read_tags(text: str) -> tuple[list[Tag | Escaped], list[Problem]]:
    """Every tag and escaped tag outside code, in order; what looks like a tag but is not."""
    found: list[Tag | Escaped] = []
    problems: list[Problem] = []
    code = code_ranges(text)
    position = 0
    while (start := text.find("{{", position)) >= 0:
        if any(begin <= start < end for begin, end in code):
            position = next(end for begin, end in code if begin <= start < end)
            continue
        escaped = ESCAPED.match(text, start)
        tag = None if escaped else read_tag(text, start)
        if escaped:
            literal = "{{" + escaped.group(1) + escaped.group(2) + escaped.group(3) + "}}"
            found.append(Escaped(literal, start, escaped.end()))
            position = escaped.end()
        elif tag:
            found.append(tag)
            position = tag.end
        else:
            if LOOKS_LIKE_TAG.match(text, start) and OPENING.match(text, start):
                message = "shortcode tag is not closed (expected '>}}' or '%}}'); shown as text"
                problems.append(Problem(start, message, is_error=False))
            position = start + 2
    return found, problems


def match_pairs(tags: list[Tag | Escaped]) -> tuple[dict[int, int], list[Problem]]:
    """Opening tag index -> its closing tag's index; a closing tag without opening is a problem."""
    pairs: dict[int, int] = {}
    problems: list[Problem] = []
    stack: list[int] = []
    for index, tag in enumerate(tags):
        if isinstance(tag, Escaped) or tag.self_closing:
            continue
        if not tag.closing:
            stack.append(index)
            continue
        names = [cast(Tag, tags[i]).name for i in stack]
        if tag.name not in names:
            message = f"closing tag of shortcode '{tag.name}' without an opening one; shown as text"
            problems.append(Problem(tag.start, message, is_error=False))
            continue
        depth = len(names) - 1 - names[::-1].index(tag.name)
        pairs[stack[depth]] = index
        del stack[depth:]  # tags opened inside and never closed stand alone
    return pairs, problems


def pair_tags(text: str, tags: list[Tag | Escaped]) -> tuple[list[Node], list[Problem]]:
    """Top-level nodes: a paired tag spans its inner text, which keeps any nested tags."""
    pairs, problems = match_pairs(tags)
    nodes: list[Node] = []
    until = 0
    for index, tag in enumerate(tags):
        if tag.start < until:
            continue  # inside a top-level pair: read again with its inner text
        if isinstance(tag, Escaped):
            nodes.append(tag)
        elif index in pairs:
            closing = tags[pairs[index]]
            inner = text[tag.end : closing.start]
            nodes.append(make_node(tag, inner, closing.end))
            until = closing.end
        elif not tag.closing:
            nodes.append(make_node(tag, None, tag.end))
    return nodes, problems


def make_node(tag: Tag, inner: str | None, end: int) -> Shortcode:
    """A shortcode node from its opening tag."""
    return Shortcode(tag.name, tag.args, tag.params, inner, tag.start, end, tag.markdown, tag.end)


def parse_shortcodes(text: str) -> tuple[list[Node], list[Problem]]:
    """The top-level shortcodes (and escaped tags) of a text, in order, and tag problems."""
    if "{{" not in text:
        return [], []
    tags, problems = read_tags(text)
    nodes, pairing = pair_tags(text, tags)
    return nodes, sorted(problems + pairing, key=lambda p: p.offset)


def walk_shortcodes(text: str, base: int = 0) -> tuple[list[tuple[Shortcode, int]], list[Problem]]:
    """Every shortcode, nested ones too, with its offset in the whole text."""
    nodes, problems = parse_shortcodes(text)
    found: list[tuple[Shortcode, int]] = []
    moved = [Problem(p.offset + base, p.message, p.is_error) for p in problems]
    for node in nodes:
        if isinstance(node, Shortcode):
            found.append((node, base + node.start))
            if node.inner and node.name not in RAW_INNER:
                nested, deeper = walk_shortcodes(node.inner, base + node.inner_start)
                found += nested
                moved += deeper
    return found, moved


def ref_target(shortcode: Shortcode) -> str:
    """The article a ref/relref names (its first argument or `path`)."""
    return shortcode.get(0) or shortcode.get("path")


def text_position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    """File line and column (1-based) of an offset in a text that starts at `first_line`."""
    line = first_line + text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def find_uses(
    body: str, body_line: int, path: str
) -> tuple[tuple[ShortcodeUse, ...], list[Diagnostic]]:
    """The shortcodes a body uses (with their lines), and its malformed tags as diagnostics."""
    found, problems = walk_shortcodes(body)
    uses = []
    for shortcode, offset in found:
        target = ref_target(shortcode) if shortcode.name in REF_NAMES else ""
        uses.append(ShortcodeUse(shortcode.name, *text_position(body, offset, body_line), target))
    diagnostics = []
    for problem in problems:
        line, column = text_position(body, problem.offset, body_line)
        make = error if problem.is_error else warning
        diagnostics.append(make(path, line, "body", problem.message, column))
    return tuple(uses), diagnostics


def unknown_shortcodes(
    articles: Iterable[Article], names: frozenset[str], templates_dir: str
) -> list[Diagnostic]:
    """A shortcode without a template is an error naming the template to write."""
    problems = []
    for article in articles:
        for use in article.shortcodes:
            if use.name not in names:
                message = (
                    f"shortcode '{use.name}' has no template "
                    f"(write {templates_dir}/shortcodes/{use.name}.html)"
                )
                problems.append(error(article.source_path, use.line, "body", message, use.column))
    return problems


def escape_shortcodes(text: str) -> str:
    """Every shortcode tag outside code written in Hugo's escape (`{{</* x */>}}`), so it shows
    as the text it was: for bodies of generators without shortcodes (Jekyll)."""
    if "{{" not in text:
        return text
    tags, _ = read_tags(text)
    parts, position = [], 0
    for tag in tags:
        if isinstance(tag, Escaped):
            continue
        delimiter = text[tag.start + 2]
        inside = text[tag.start + 3 : tag.end - 3]
        parts += [text[position : tag.start], "{{" + delimiter + "/*" + inside + "*/"]
        parts.append((">" if delimiter == "<" else "%") + "}}")
        position = tag.end
    parts.append(text[position:])
    return "".join(parts)


def unescape_code(text: str) -> str:
    """Inside code, `{{</* x */>}}` shows as `{{< x >}}` (Hugo's escape works there too)."""
    if "{{" not in text or "/*" not in text:
        return text
    parts, position = [], 0
    for start, end in code_ranges(text):
        parts.append(text[position:start])
        parts.append(ESCAPED.sub(r"{{\1\2\3}}", text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def strip_shortcodes(text: str) -> str:
    """Text without its shortcode tags (paired ones keep their inner text): for summaries."""
    nodes, _ = parse_shortcodes(text)
    if not nodes:
        return text
    parts, position = [], 0
    for node in nodes:
        parts.append(text[position : node.start])
        if isinstance(node, Escaped):
            parts.append(node.text)
        elif node.inner:
            parts.append(strip_shortcodes(node.inner))
        position = node.end
    parts.append(text[position:])
    return "".join(parts)


# Shortcodes whose inner text is code, shown as written: nothing inside is a shortcode.
RAW_INNER = frozenset({"highlight", "code"})
