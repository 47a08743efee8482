"""Markup of Hugo and Jekyll bodies that newsgen does not run, converted at import.

Pure text in, text out: links to other posts (Hugo's ref/relref, Jekyll's post_url and link)
become relative links through a resolver; Jekyll's Liquid that has a plain equivalent is
converted. Nothing inside fenced code or code spans is touched, and everything not converted
stays byte for byte.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from newsgen.source.shortcodes import (
    REF_NAMES,
    code_ranges,
    escape_shortcodes,
    ref_target,
    walk_shortcodes,
)


class Link(NamedTuple):
    """Where a link to another post leads from the article (relative), or why it cannot."""

    url: str
    problem: str = ""


Resolve = Callable[[str, str], Link]  # (ref | post_url | link, what the tag names) -> Link


@dataclass
class Converted:
    """A converted body, how many of each kind were converted, and what was left as it was."""

    text: str
    done: Counter[str] = field(default_factory=Counter)
    liquid: list[str] = field(default_factory=list)  # Liquid left as text: "{% if %}"
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # ("ref 'x'", why)


# A Liquid tag (not across a blank line) or output; `{{<` and `{{%` are Hugo shortcodes.
BETWEEN = r"(?:(?!\n[ \t]*\r?\n).)*?"
LIQUID = re.compile(
    rf"\{{%-?[ \t\r\n]*(?P<tag>\w+)(?P<args>{BETWEEN})-?%\}}"
    rf"|\{{\{{(?![<%])-?(?P<out>{BETWEEN})-?\}}\}}",
    re.S,
)
BLOCKS = {"raw": "endraw", "highlight": "endhighlight", "comment": "endcomment"}
SITE_URL = re.compile(r"site\.(baseurl|url)")
FILTERED = re.compile(r"""(["'])(.*?)\1\s*\|\s*(relative_url|absolute_url|prepend:\s*site\.\w+)""")
PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
IMAGE_INCLUDE = re.compile(r"image|img|figure|photo|picture", re.I)
SOURCE_KEYS = ("url", "src", "file", "image", "path", "img")
ALT_KEYS = ("alt", "description", "title")
CAPTION_KEYS = ("caption", "description", "title")
INNER_TAG = re.compile(r"end\w+|else|elsif|when")  # listed with the tag that opens them
RAW_OPENING = re.compile(r"\{%-?\s*raw\s*-?%\}")
RAW_TAGS = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")


def end_tag(name: str) -> re.Pattern[str]:
    """The tag that closes a Liquid block."""
    return re.compile(rf"\{{%-?\s*{name}\s*-?%\}}")


def convert_hugo(text: str, resolve: Resolve) -> Converted:
    """Hugo's ref and relref (nested ones too) as relative links; other shortcodes stay, as
    newsgen renders them."""
    result = Converted(text)
    found, _ = walk_shortcodes(text)
    parts, position = [], 0
    for shortcode, offset in sorted(found, key=lambda item: item[1]):
        if shortcode.name not in REF_NAMES or shortcode.inner is not None or offset < position:
            continue
        target = ref_target(shortcode)
        link = resolve("ref", target)
        if link.problem:
            result.unresolved.append((f"{shortcode.name} '{target}'", link.problem))
            continue
        parts += [text[position:offset], link.url]
        position = offset + shortcode.end - shortcode.start
        result.done[shortcode.name] += 1
    result.text = "".join([*parts, text[position:]])
    return result


def convert_jekyll(text: str, resolve: Resolve) -> Converted:
    """Jekyll's Liquid converted where newsgen has an equivalent; the rest left and listed.
    Jekyll has no shortcodes: text that looks like one is escaped, so it stays text."""
    return LiquidConverter(escape_shortcodes(text), resolve).run()


def output_value(expression: str) -> tuple[str, str] | None:
    """What a Liquid output gives when it is only the site's address or a path through
    relative_url/absolute_url (the kind of conversion, the text), else None."""
    expression = expression.strip()
    if SITE_URL.fullmatch(expression):
        return expression, ""
    filtered = FILTERED.fullmatch(expression)
    if filtered:
        path = filtered[2]
        kind = filtered[3] if filtered[3].endswith("_url") else "prepend"
        return kind, path if path.startswith("/") or "://" in path else f"/{path}"
    return None


def liquid_name(match: re.Match[str]) -> str:
    """How a Liquid tag left as text is listed: `{% name %}` (an include with its file) or
    `{{ variable }}`."""
    if match["tag"]:
        include = match["args"].split()[:1] if match["tag"] == "include" else []
        return "{% " + " ".join([match["tag"], *include]) + " %}"
    return "{{ " + match["out"].split("|")[0].strip() + " }}"


def quote(value: str) -> str:
    """A shortcode parameter value, quoted."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fence_for(inner: str) -> str:
    """A backtick fence longer than any run of backticks in the code."""
    longest = max((len(run) for run in re.findall(r"`+", inner)), default=0)
    return "`" * max(3, longest + 1)


class LiquidConverter:
    """One Jekyll body, converted token by token (outside code)."""

    def __init__(self, text: str, resolve: Resolve) -> None:
        self.text = text
        self.resolve = resolve
        self.result = Converted(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def run(self) -> Converted:
        """Walk the Liquid tokens in order, skipping code and the blocks converted whole."""
        code = code_ranges(self.text)
        parts: list[str] = []
        position = 0
        while match := LIQUID.search(self.text, position):
            start = match.start()
            in_code = next((end for begin, end in code if begin <= start < end), None)
            if in_code is not None:
                parts.append(self.text[position:in_code])
                position = in_code
                continue
            replacement, end = self.token(match)
            parts += [self.text[position:start], replacement]
            position = end
        self.result.text = "".join([*parts, self.text[position:]])
        return self.result

    def token(self, match: re.Match[str]) -> tuple[str, int]:
        """The replacement of one tag or output (or of a whole block), and where it ends."""
        tag, args = match["tag"], (match["args"] or "").strip()
        if tag in BLOCKS:
            return self.block(match)
        converted: str | None = None
        if tag in ("post_url", "link"):
            converted = self.link(tag, args)
        elif tag == "include":
            converted = self.include(args)
        elif tag is None:
            value = output_value(match["out"])
            if value is not None:
                converted = value[1]
                self.result.done[value[0]] += 1
        if converted is None:
            if tag not in ("post_url", "link") and not INNER_TAG.fullmatch(tag or ""):
                self.result.liquid.append(liquid_name(match))
            return match[0], match.end()
        return converted, match.end()

    def link(self, tag: str, target: str) -> str | None:
        """A post_url or link tag as a relative link to the imported post."""
        link = self.resolve(tag, target)
        if link.problem:
            self.result.unresolved.append((f"{tag} '{target}'", link.problem))
            return None
        self.result.done[tag] += 1
        return link.url

    def include(self, args: str) -> str | None:
        """An image include (image.html url=... description=...) as a figure shortcode."""
        name, rest = [*args.split(None, 1), "", ""][:2]
        params: dict[str, str] = {}
        for match in PARAM.finditer(rest):
            if match[4] is None:  # a quoted value; a bare one is a variable
                params[match[1]] = self.inline(match[2] if match[2] is not None else match[3])
        source = next((params[k] for k in SOURCE_KEYS if k in params), None)
        if not IMAGE_INCLUDE.search(name) or not source or "{{" in "".join(params.values()):
            return None
        if not re.match(r"[a-z][\w+.-]*:|/", source, re.I):
            source = f"/{source}"  # the include's relative_url made it a site path
        figure = [f"src={quote(source)}"]
        alt = next((params[k] for k in ALT_KEYS if params.get(k)), "")
        caption = next((params[k] for k in CAPTION_KEYS if params.get(k)), "")
        figure += [f"alt={quote(alt)}"] if alt else []
        figure += [f"caption={quote(caption)}"] if caption else []
        self.result.done["include figure"] += 1
        return "{{< figure " + " ".join(figure) + " >}}"

    def inline(self, value: str) -> str:
        """A parameter value with the site's address (and relative_url) taken out of it."""

        def replace(match: re.Match[str]) -> str:
            converted = output_value(match["out"]) if match["out"] is not None else None
            return match[0] if converted is None else converted[1]

        return LIQUID.sub(replace, value)

    def block(self, match: re.Match[str]) -> tuple[str, int]:
        """raw unwrapped, highlight as a fenced code block, comment as an HTML comment."""
        tag, args = match["tag"], match["args"].strip()
        closing = end_tag(BLOCKS[tag]).search(self.text, match.end())
        if closing is None:
            self.result.liquid.append(liquid_name(match))
            return match[0], match.end()
        inner = self.text[match.end() : closing.start()]
        self.result.done[tag] += 1
        if tag == "raw":
            return inner, closing.end()
        if tag == "comment":
            return "<!--" + inner.replace("--", "- -") + "-->", closing.end()
        return self.fence(args, inner, match.start(), closing.end()), closing.end()

    def fence(self, args: str, inner: str, start: int, end: int) -> str:
        """A highlight block as a fenced code block, its code kept exactly (a raw block
        inside unwrapped, as Liquid did); fences start and end their own lines."""
        words = args.split()
        language = words[0] if words and "=" not in words[0] else ""
        self.result.done["raw"] += len(RAW_OPENING.findall(inner))
        code = RAW_TAGS.sub("", inner)
        line_start = self.text.rfind("\n", 0, start) + 1
        before = self.newline if self.text[line_start:start].strip() else ""
        after = self.newline if self.text[end:].split("\n", 1)[0].strip() else ""
        ticks = fence_for(code)
        code = code if code.startswith(("\n", "\r\n")) else self.newline + code
        code = code if code.endswith("\n") else code + self.newline
        return f"{before}{ticks}{language}{code}{ticks}{after}"
