"""`newsgen import hugo|jekyll`: another generator's posts, front matter converted, bodies kept."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from newsgen.dates import parse_date
from newsgen.diagnostics import Diagnostic, has_errors
from newsgen.fields import TRUE_WORDS
from newsgen.frontmatter import decode_text
from newsgen.importurls import ForeignFile, hugo_urls, jekyll_urls, new_aliases
from newsgen.importwrite import (
    Draft,
    ImportReport,
    Outcome,
    SiteContent,
    Status,
    convert_fields,
    key_map,
    map_fields,
    read_site_content,
    source_digest,
    write_draft,
)
from newsgen.load import walk_entries
from newsgen.reading import Progress
from newsgen.urls import article_url, make_slug
from newsgen.yamlsource import construct_field, parse_mapping

MARKDOWN_SUFFIXES = (".md", ".markdown")
URL_KEYS = {"hugo": ("url",), "jekyll": ("permalink", "published")}
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
HUGO_SETTINGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml")
SHORTCODE_FORMS = {"<": "{{{{< {} >}}}}", "%": "{{{{% {} %}}}}"}
SPLIT_KEYS = ("tags", "categories", "category")  # Jekyll splits these at spaces
JEKYLL_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<name>.+)$")
MARKUP = {
    "hugo": re.compile(r"\{\{([<%])\s*/?\s*([\w./-]+)"),
    "jekyll": re.compile(r"\{%-?\s*(\w+)|\{\{-?\s*([\w.]+)"),
}


@dataclass(frozen=True)
class ForeignOptions:
    """What `newsgen import hugo|jekyll` was asked for."""

    kind: str
    source_dir: Path
    maps: tuple[tuple[str, str], ...] = ()


class Split(NamedTuple):
    """A post cut in two: its front matter (format, text, first file line) and its body."""

    kind: str
    front: str
    line: int
    body: str


def split_foreign(text: str) -> Split | str:
    """The front matter and the body exactly as written (line endings too), or what is wrong."""
    lines = re.split(r"(?<=\n)", text)
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    first = lines[start].strip() if start < len(lines) else ""
    if first.startswith("{"):
        offset = len("".join(lines[:start]))
        try:
            _, end = json.JSONDecoder().raw_decode(text, offset)
        except json.JSONDecodeError as exc:
            return f"JSON front matter cannot be read: {exc.msg} (line {exc.lineno})"
        body = re.sub(r"^[ \t]*\r?\n", "", text[end:], count=1)
        return Split("json", text[offset:end], start + 1, body)
    fences = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}
    if first not in fences:
        return Split("none", "", 1, text)
    kind, closers = fences[first]
    for end in range(start + 1, len(lines)):
        if lines[end].strip() in closers:
            return Split(
                kind, "".join(lines[start + 1 : end]), start + 2, "".join(lines[end + 1 :])
            )
    return f"front matter is not closed (no '{closers[0]}' line after the opening one)"


def read_yaml_front(text: str, rel: str, line: int) -> tuple[dict[str, Any], list[Diagnostic]]:
    """YAML with newsgen's safe reader; timestamps stay as they were written."""
    mapping, problems = parse_mapping(text, rel, line)
    front: dict[str, Any] = {}
    for item in mapping.fields if mapping else ():
        if isinstance(item.node, yaml.ScalarNode) and item.node.tag == TIMESTAMP_TAG:
            front[item.key] = item.node.value
            continue
        front[item.key], errors = construct_field(item, rel, line)
        problems += errors
    return front, problems


def read_front(kind: str, text: str, rel: str, line: int) -> tuple[dict[str, Any], str]:
    """YAML, TOML or JSON front matter (or settings) as a mapping, or what is wrong with it."""
    try:
        if kind == "toml":
            return tomllib.loads(text), ""
        if kind == "json":
            value = json.loads(text)
            return (
                (value, "") if isinstance(value, dict) else ({}, "JSON front matter is no object")
            )
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        return {}, f"{rel}: {kind.upper()} cannot be read: {exc}"
    front, problems = read_yaml_front(text, rel, line) if kind != "none" else ({}, [])
    return front, next((p.format() for p in problems if p.is_error), "")


def read_settings(folder: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """The other generator's settings file (TOML, YAML or JSON), when there is one."""
    for name in names:
        path = folder / name
        if path.is_file():
            kind = name.rsplit(".", 1)[-1].replace("yml", "yaml")
            text = path.read_bytes().decode("utf-8-sig", "replace")
            return read_front(kind, text, name, 1)[0]
    return {}


def find_posts(options: ForeignOptions) -> tuple[list[tuple[str, Path]], dict[str, Any]]:
    """The posts' Markdown files (sorted, relative to the folder read) and the settings."""
    top = options.source_dir
    if options.kind == "jekyll":
        settings = read_settings(top, ("_config.yml", "_config.yaml", "_config.toml"))
    else:
        settings = read_settings(top, HUGO_SETTINGS) or read_settings(top.parent, HUGO_SETTINGS)
        top = top / "content" if (top / "content").is_dir() else top
    files = []
    for rel, entry in walk_entries(top, top, []):
        parts = rel.split("/")
        if not rel.lower().endswith(MARKDOWN_SUFFIXES) or "_site" in parts:
            continue
        if options.kind == "jekyll" and not {"_posts", "_drafts"} & set(parts[:-1]):
            continue
        files.append((rel, Path(entry.path)))
    return sorted(files), settings


def read_post(kind: str, rel: str, path: Path) -> ForeignFile | str:
    """Read one post: front matter, body and what its path says (name, date, folders)."""
    data = path.read_bytes()
    checked, problems = decode_text(data, rel)
    if checked is None:
        return problems[0].message
    split = split_foreign(data.decode("utf-8-sig"))  # line endings kept, unlike newsgen's reader
    if isinstance(split, str):
        return split
    front, problem = read_front(split.kind, split.front, rel, split.line)
    if problem:
        return problem
    parts, notes = rel.split("/"), []
    stem = parts[-1].rsplit(".", 1)[0]
    if stem == "index" and len(parts) > 1:  # a Hugo page bundle: named by its folder
        stem, parts = parts[-2], parts[:-1]
        others = sorted(p.name for p in path.parent.iterdir() if p.is_file() and p != path)
        notes += [f"page bundle files not copied: {', '.join(others)}"] if others else []
    folders = tuple(parts[:-1])
    in_drafts = kind == "jekyll" and "_drafts" in folders
    if kind == "jekyll":
        folders = folders[: folders.index("_drafts" if in_drafts else "_posts")]
        front.update(
            {k: v.split() for k, v in front.items() if k in SPLIT_KEYS and isinstance(v, str)}
        )
    named = JEKYLL_NAME.match(stem) if kind == "jekyll" else None
    name, name_date = (named["name"], named["date"]) if named else (stem, "")
    if in_drafts and not name_date:  # Jekyll dates a draft by its file's time
        name_date = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
        notes += [] if "date" in front else ["date taken from the draft file's modification time"]
    return ForeignFile(
        rel, data, front, split.body, name, name_date, folders, in_drafts, tuple(notes)
    )


def markup_names(kind: str, body: str) -> list[str]:
    """Shortcodes or Liquid tags in the body, which newsgen shows as text."""
    if kind == "hugo":
        return sorted({SHORTCODE_FORMS[d].format(name) for d, name in MARKUP[kind].findall(body)})
    pairs = MARKUP[kind].findall(body)
    tags = {f"{{% {tag} %}}" for tag, _ in pairs if tag}
    return sorted(tags | {f"{{{{ {out} }}}}" for _, out in pairs if out})


def title_of(post: ForeignFile) -> str:
    """A title from the file name, as Jekyll makes one: words capitalised."""
    return post.name.replace("-", " ").replace("_", " ").strip().title()


def is_draft(post: ForeignFile) -> bool:
    """In _drafts, `draft: true` (Hugo) or `published: false` (Jekyll): never published."""
    flags = (str(post.front.get("draft")).lower(), str(post.front.get("published")).lower())
    return post.in_drafts or flags[0] in TRUE_WORDS or flags[1] == "false"


@dataclass
class Run:
    """One import: what was asked, the site, the old generator's settings and the report."""

    options: ForeignOptions
    site: SiteContent
    settings: dict[str, Any]
    report: ImportReport

    def import_post(self, rel: str, path: Path) -> Outcome:
        """Read, convert and write one post; count what it kept and left as text."""
        if path.name.startswith("_index."):
            return Outcome(rel, Status.SKIPPED, message="a section's list page, not an article")
        try:
            post = read_post(self.options.kind, rel, path)
        except OSError as exc:
            return Outcome(rel, Status.ERROR, message=f"cannot be read: {exc.strerror}")
        if isinstance(post, str):
            return Outcome(rel, Status.ERROR, message=post)
        mapping = key_map(self.options.maps, self.site.config)
        mapped, kept = map_fields(post.front, mapping, URL_KEYS[self.options.kind])
        markup = markup_names(self.options.kind, post.body)
        draft = self.draft_post(post, mapped, kept, markup)
        if isinstance(draft, str):
            return Outcome(rel, Status.ERROR, message=draft)
        outcome = replace(write_draft(draft, self.site), source=rel)
        if outcome.status is Status.IMPORTED:
            self.report.unmapped.update(list(kept))
            self.report.markup.update(markup)
        return outcome

    def draft_post(
        self, post: ForeignFile, mapped: dict[str, Any], kept: dict[str, Any], markup: list[str]
    ) -> Draft | str:
        """The newsgen article for one post, or why there can be none."""
        fields, notes = convert_fields(mapped, self.site)
        date_text = str(fields.pop("date", "") or post.name_date)
        try:
            moment, _ = parse_date(date_text, self.site.config.tz)
        except ValueError as exc:
            return f"date: {exc}" if date_text else "no date (give 'date:' in the front matter)"
        if not fields.get("title"):
            fields["title"], notes = title_of(post), [*notes, "title made from the file name"]
        slug = make_slug(str(fields.pop("slug", "") or post.name)) or make_slug(fields["title"])
        if not slug:
            return "no slug can be made from the file name or title"
        draft = is_draft(post)
        fields["date"], fields["draft"] = date_text, draft or None
        try:
            old = [] if draft else self.old_urls(post, fields["title"], date_text)
        except ValueError as exc:
            old, notes = [], [*notes, str(exc)]
        explicit = fields.pop("aliases", [])
        new_url = article_url(moment, slug)
        page_url = old[0] if old else ""
        fields["aliases"], alias_notes = new_aliases([*old, *explicit], page_url, new_url)
        notes += [f"left as text: {', '.join(markup)}"] if markup else []
        notes = [*post.notes, *notes, *alias_notes]
        digest = source_digest(post.data)
        return Draft(post.rel, digest, {**fields, **kept}, post.body, moment, slug, tuple(notes))

    def old_urls(self, post: ForeignFile, title: str, date_text: str) -> list[str]:
        """Where the old generator published the post."""
        if self.options.kind == "hugo":
            return hugo_urls(post, title, date_text, self.settings)
        return jekyll_urls(post, date_text, self.settings)


def import_foreign(
    options: ForeignOptions, site_root: Path, progress: Progress | None = None
) -> ImportReport:
    """Import every post of a Hugo content folder or a Jekyll site; failures are reported."""
    site, problems = read_site_content(site_root)
    report = ImportReport(problems=problems)
    if has_errors(problems):
        return report
    files, settings = find_posts(options)
    run = Run(options, site, settings, report)
    for done, (rel, path) in enumerate(files, 1):
        report.outcomes.append(run.import_post(rel, path))
        if progress:
            progress("importing", done, len(files))
    return report
