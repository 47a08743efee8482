"""Front-matter readers for what a release carries besides text: its lead photo and the
files it comes with."""

from __future__ import annotations

import posixpath

import yaml

from newsgen.core.config import LANG_PATTERN
from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Attachment, LeadImage
from newsgen.core.urls import is_safe_output_path
from newsgen.core.yamlsource import node_line
from newsgen.source.fields import Place, kind_of, read_text, read_text_list, tag_problem

IMAGE_KEYS = ("src", "alt", "caption", "credit", "focal")
ATTACHMENT_KEYS = ("file", "title", "lang")
NO_ALT = "no 'alt' text: describe the photo for readers who cannot see it"


def read_image(node: yaml.Node, place: Place) -> tuple[LeadImage | None, list[Diagnostic]]:
    """`image:` a file in the static folder or an http(s) URL, alone or as a mapping with
    src, alt, caption, credit and focal."""
    if tag_errors := tag_problem(node, place):
        return None, tag_errors
    line = node_line(node, place.offset)[0]
    if isinstance(node, yaml.ScalarNode):
        src, errors = read_text(node, place)
        found, src_problems = image_of(src, {}, node, place, line)
        return found, errors + src_problems
    if not isinstance(node, yaml.MappingNode):
        hint = "give a file such as /img/hall.jpg, or a mapping with src and alt"
        return None, [
            place.error(node, f"expected a file or a mapping, got {kind_of(node)} ({hint})")
        ]
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in IMAGE_KEYS:
            problems.append(
                place.warning(key_node, f"unknown image key '{key}' (use {', '.join(IMAGE_KEYS)})")
            )
            continue
        if key == "focal":
            items, errors = read_text_list(value_node, place)
            values[key] = ",".join(items)
        else:
            values[key], errors = read_text(value_node, place)
        problems.extend(errors)
    if not values.get("src"):
        return None, [
            *problems,
            place.error(node, "an image needs a 'src' (a file such as /img/hall.jpg)"),
        ]
    found, src_problems = image_of(values.pop("src"), values, node, place, line)
    return found, problems + src_problems


def image_of(
    src: str, values: dict[str, str], node: yaml.Node, place: Place, line: int
) -> tuple[LeadImage | None, list[Diagnostic]]:
    """The image once its src is known to be a file of the site or an http(s) URL."""
    if not src:
        return None, [place.error(node, "is empty (give a file such as /img/hall.jpg)")]
    remote = src.startswith(("http://", "https://"))
    path = posixpath.normpath(src.lstrip("/")) if not remote else src
    if not remote and not is_site_file(src):
        message = f"'{src}' is not a file of the site's static folder (such as /img/hall.jpg) or an http(s) URL"
        return None, [place.error(node, message)]
    problems = [] if values.get("alt") else [place.warning(node, NO_ALT)]
    focal, focal_problems = read_focal(values.get("focal", ""), node, place)
    image = LeadImage(
        path if not remote else src,
        values.get("alt", ""),
        values.get("caption", ""),
        values.get("credit", ""),
        focal,
        line,
    )
    return image, problems + focal_problems


def read_focal(
    text: str, node: yaml.Node, place: Place
) -> tuple[tuple[float, float], list[Diagnostic]]:
    """`focal: 0.5, 0.3` (across, down, each 0 to 1); anything else is the centre, with a warning."""
    if not text:
        return (0.5, 0.5), []
    try:
        x, y = (float(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        x = y = -1.0
    if 0 <= x <= 1 and 0 <= y <= 1:
        return (x, y), []
    message = f"focal '{text}' is not two numbers from 0 to 1 (across, down, e.g. 0.5, 0.3); the centre is used"
    return (0.5, 0.5), [place.warning(node, message)]


def is_site_file(written: str) -> bool:
    """A path inside the static folder, as written (`/files/x.pdf` or `files/x.pdf`)."""
    first = written.split("/", 1)[0]
    return ":" not in first and is_safe_output_path(posixpath.normpath(written.lstrip("/")))


def read_attachments(
    node: yaml.Node, place: Place
) -> tuple[tuple[Attachment, ...], list[Diagnostic]]:
    """`attachments:` a file, or a list of files or {file, title, lang} mappings."""
    if tag_errors := tag_problem(node, place):
        return (), tag_errors
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    found: list[Attachment] = []
    problems: list[Diagnostic] = []
    for item in items:
        attachment, errors = read_attachment(item, place)
        problems.extend(errors)
        if attachment and all(a.file != attachment.file for a in found):
            found.append(attachment)
    return tuple(found), problems


def read_attachment(node: yaml.Node, place: Place) -> tuple[Attachment | None, list[Diagnostic]]:
    """One attachment: its file must be in the static folder (it is published from there)."""
    line = node_line(node, place.offset)[0]
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in ATTACHMENT_KEYS:
                message = f"unknown attachment key '{key}' (use {', '.join(ATTACHMENT_KEYS)})"
                problems.append(place.warning(key_node, message))
                continue
            values[key], errors = read_text(value_node, place)
            problems.extend(errors)
    else:
        values["file"], problems = read_text(node, place)
    written = values.get("file", "")
    if not written or not is_site_file(written):
        what = f"'{written}' is not" if written else "give"
        message = f"{what} a file of the site's static folder, such as /files/2023/notice.pdf"
        return None, [*problems, place.error(node, message)]
    lang = values.get("lang", "")
    if lang and not LANG_PATTERN.match(lang):
        problems.append(place.warning(node, f"'{lang}' is not a language tag (e.g. en, zh)"))
        lang = ""
    file = posixpath.normpath(written.lstrip("/"))
    return Attachment(file, values.get("title", ""), lang, line), problems
