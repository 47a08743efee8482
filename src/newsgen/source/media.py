"""Front-matter readers for what a release carries besides text: its lead photo."""

from __future__ import annotations

import posixpath

import yaml

from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import LeadImage
from newsgen.core.urls import is_safe_output_path
from newsgen.core.yamlsource import node_line
from newsgen.source.fields import Place, kind_of, read_text, read_text_list, tag_problem

IMAGE_KEYS = ("src", "alt", "caption", "credit", "focal")
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
    if not remote and (":" in src.split("/", 1)[0] or not is_safe_output_path(path)):
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
