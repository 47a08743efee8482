"""YAML reading that keeps each key's file line, with a safe loader only."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import yaml

from newsgen.core.diagnostics import Diagnostic, error, warning

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_NODES = 100_000
MAX_DEPTH = 100
YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
OPENERS = {"[": 1, "{": 1, "]": -1, "}": -1}


@dataclass(frozen=True)
class Field:
    """One top-level key of a YAML mapping: its node, its constructed value and its file line."""

    key: str
    node: yaml.Node
    line: int
    column: int


@dataclass(frozen=True)
class YamlMapping:
    """A parsed top-level mapping whose fields remember where they were written."""

    fields: tuple[Field, ...]
    line: int

    def get(self, key: str) -> Field | None:
        """Return the field named `key`, if present."""
        for item in self.fields:
            if item.key == key:
                return item
        return None


def node_line(node: yaml.Node, line_offset: int) -> tuple[int, int]:
    """File line and column (1-based) of a node, given the line the YAML text starts on."""
    mark = node.start_mark
    return mark.line + line_offset, mark.column + 1


def compose_node(
    text: str, path: str, line_offset: int
) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """Compose YAML text into a node tree, turning syntax errors into diagnostics."""
    try:
        loader = SafeLoader(text) if nesting_bound(text) <= MAX_DEPTH else yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # the pure-Python reader checks characters at once
        return None, [character_problem(exc, text, path, line_offset)]
    try:
        node = loader.get_single_node()
        if node is not None and YAML_ONLY_BREAKS.search(text):
            relocate_marks(node, text)
        return node, []
    except yaml.reader.ReaderError as exc:
        return None, [character_problem(exc, text, path, line_offset)]
    except RecursionError:
        line, key = find_deep_line(text)
        message = f"YAML is nested too deeply (more than {MAX_DEPTH} levels)"
        return None, [error(path, line + line_offset, key, message)]
    except yaml.MarkedYAMLError as exc:
        if YAML_ONLY_BREAKS.search(text):
            exc.problem_mark = exc.problem_mark and relocate(exc.problem_mark, text)
            exc.context_mark = exc.context_mark and relocate(exc.context_mark, text)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + line_offset if mark else line_offset
        column = mark.column + 1 if mark else 0
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        started = exc.context_mark
        if started and mark and started.line != mark.line:
            context += f" (started on line {started.line + line_offset})"
        if (
            mark
            and "\t" in "".join(text.split("\n")[mark.line : mark.line + 1])
            and "token" in problem
        ):
            context += " (a tab: indent YAML with spaces)"
        return None, [error(path, line, "", f"YAML syntax error: {problem}{context}", column)]
    except yaml.YAMLError as exc:
        return None, [error(path, line_offset, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()


def relocate(mark: yaml.Mark, text: str) -> yaml.Mark:
    """Count lines as a file does: YAML also breaks lines at NEL, U+2028 and U+2029."""
    line = text.count("\n", 0, mark.index)
    column = mark.index - (text.rfind("\n", 0, mark.index) + 1)
    return yaml.Mark(mark.name, mark.index, line, column, None, 0)


def relocate_marks(node: yaml.Node, text: str) -> None:
    """Put every node of a tree at its file line (only needed when YAML-only breaks occur)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.start_mark = relocate(current.start_mark, text)
        current.end_mark = relocate(current.end_mark, text)
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)


def character_problem(
    exc: yaml.reader.ReaderError, text: str, path: str, line_offset: int
) -> Diagnostic:
    """A character YAML refuses (a control character), at its own line and column."""
    code = exc.character if isinstance(exc.character, int) else 0
    index = max(text.find(chr(code)), 0)
    line = text.count("\n", 0, index) + line_offset
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    message = f"YAML cannot contain the character U+{code:04X} (remove it)"
    return error(path, line, "", message, column)


def nesting_bound(text: str) -> int:
    """An upper bound of the YAML's nesting depth, cheap to find (libyaml crashes past ~50,000)."""
    flow = text.count("[") + text.count("{")
    block = max((len(line) - len(line.lstrip(" -?:")) for line in text.split("\n")), default=0)
    return flow + block


def find_deep_line(text: str) -> tuple[int, str]:
    """The 0-based line where nesting first passes the limit, and the top-level key above it."""
    flow, key = 0, ""
    for number, line in enumerate(text.split("\n")):
        top = re.match(r"^([^\s#:\-?][^:]*):", line)
        key = top.group(1).strip() if top else key
        block = len(line) - len(line.lstrip(" -?:"))
        for char in line:
            flow += OPENERS.get(char, 0)
            if flow + block > MAX_DEPTH:
                return number, key
    return 0, ""


def measure_nodes(node: yaml.Node, limit: int = MAX_NODES) -> tuple[int, int]:
    """Count nodes and depth, following aliases as the constructor would; stops past `limit`."""
    count = depth = 0
    stack = [(node, 1)]
    while stack and count <= limit:
        current, level = stack.pop()
        count += 1
        depth = max(depth, level)
        if level > MAX_DEPTH:
            break
        if isinstance(current, yaml.SequenceNode):
            stack.extend((item, level + 1) for item in current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, level + 1))
                stack.append((value, level + 1))
    return count, depth


def construct_value(node: yaml.Node, path: str, line_offset: int) -> tuple[Any, list[Diagnostic]]:
    """Build the Python value of a node with the safe constructor; object tags are errors."""
    count, depth = measure_nodes(node)
    if count > MAX_NODES or depth > MAX_DEPTH:
        line, column = node_line(node, line_offset)
        problem = (
            f"YAML value is nested too deeply (more than {MAX_DEPTH} levels)"
            if depth > MAX_DEPTH
            else f"YAML value is too large (more than {MAX_NODES:,} values; an alias bomb?)"
        )
        return None, [error(path, line, "", problem, column)]
    loader = SafeLoader("")
    try:
        return loader.construct_document(node), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or node.start_mark
        problem = exc.problem or "cannot be read"
        if "constructor for the tag" in problem:
            problem = f"YAML tag {node_tag(exc)} is not allowed (only plain YAML data is read)"
        return None, [error(path, mark.line + line_offset, "", problem, mark.column + 1)]
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        line, column = node_line(node, line_offset)
        reason = str(exc).split(";")[0]
        if "integer string conversion" in reason:
            reason = "a number is too long (more than 4,300 digits; quote it to keep it as text)"
        return None, [error(path, line, "", f"YAML value cannot be read: {reason}", column)]
    finally:
        loader.dispose()


def node_tag(exc: yaml.MarkedYAMLError) -> str:
    """Pull the offending tag out of a constructor error message, in its short form."""
    problem = exc.problem or ""
    tag = problem.rsplit(" ", 1)[-1].strip("'\"") if "tag" in problem else "?"
    return tag.replace("tag:yaml.org,2002:", "!!")


def construct_field(item: Field, path: str, line_offset: int) -> tuple[Any, list[Diagnostic]]:
    """Construct a field's value, naming the field in any problem."""
    value, problems = construct_value(item.node, path, line_offset)
    return value, [
        Diagnostic(p.path, p.line, p.column, p.severity, item.key, p.message) for p in problems
    ]


def parse_mapping(
    text: str, path: str, line_offset: int, what: str = "front matter"
) -> tuple[YamlMapping | None, list[Diagnostic]]:
    """Parse YAML text that must be a mapping; every field keeps its file line."""
    node, diagnostics = compose_node(text, path, line_offset)
    if diagnostics:
        return None, diagnostics
    if node is None:
        return YamlMapping((), line_offset), []
    if not isinstance(node, yaml.MappingNode):
        line, column = node_line(node, line_offset)
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        message = f"{what} is {kind}, not a mapping (expected 'key: value' lines)"
        return None, [error(path, line, "", message, column)]
    return collect_fields(node, path, line_offset)


def apply_merge_keys(node: yaml.MappingNode, path: str, line_offset: int) -> list[Diagnostic]:
    """YAML's merge keys (`<<: *defaults`) applied as YAML loaders apply them (the keys
    written in the mapping win); a merge of anything but mappings is an error."""
    if not any(key.tag == MERGE_TAG for key, _ in node.value):
        return []
    written = [(key, value) for key, value in node.value if key.tag != MERGE_TAG]
    try:
        SafeLoader("").flatten_mapping(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or node.start_mark
        message = f"YAML merge key (<<) {exc.problem or 'cannot be applied'}"
        return [error(path, mark.line + line_offset, "", message, mark.column + 1)]
    names = {key.value for key, _ in written}
    merged = node.value[: len(node.value) - len(written)]
    node.value = [(k, v) for k, v in merged if k.value not in names] + written
    return []


def collect_fields(
    node: yaml.MappingNode, path: str, line_offset: int
) -> tuple[YamlMapping, list[Diagnostic]]:
    """Turn a mapping node into fields, reporting duplicate and non-text keys."""
    fields: list[Field] = []
    seen: dict[str, int] = {}
    diagnostics: list[Diagnostic] = apply_merge_keys(node, path, line_offset)
    for key_node, value_node in node.value:
        line, column = node_line(key_node, line_offset)
        if not isinstance(key_node, yaml.ScalarNode):
            diagnostics.append(error(path, line, "", "a key must be a plain name", column))
            continue
        key = str(key_node.value)
        if key in seen:  # as YAML loaders and Hugo do: the last one wins
            message = (
                f"key '{key}' given twice (lines {seen[key]} and {line}); "
                f"using the value on line {line} (delete the other)"
            )
            diagnostics.append(warning(path, line, key, message, column))
            fields = [item for item in fields if item.key != key]
        seen[key] = line
        fields.append(Field(key, value_node, line, column))
    return YamlMapping(tuple(fields), node.start_mark.line + line_offset), diagnostics


def fold_key_case(
    mapping: YamlMapping, keys: tuple[str, ...], path: str
) -> tuple[YamlMapping, list[Diagnostic]]:
    """Hugo reads front-matter keys in any case: `Title:` is read as `title:`, with a warning."""
    lower = {key.lower(): key for key in keys}
    fields: list[Field] = []
    problems = []
    for item in mapping.fields:
        known = lower.get(item.key.lower(), item.key)
        if known != item.key:
            message = f"key '{item.key}' read as '{known}' (newsgen's keys are lower case)"
            problems.append(warning(path, item.line, known, message, item.column))
            item = replace(item, key=known)
        fields = [f for f in fields if f.key != item.key] + [item]  # the last one wins
    return YamlMapping(tuple(fields), mapping.line), problems
