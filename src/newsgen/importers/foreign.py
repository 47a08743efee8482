"""`newsgen import hugo|jekyll`: another generator's posts, front matter converted, markup
converted where newsgen has an equivalent, links between posts kept.

Two passes: every post is read and given its new URL first, so a post can link to one that
comes after it; then each body is converted and written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from newsgen.core.dates import parse_date
from newsgen.core.diagnostics import error, has_errors, shown
from newsgen.core.model import Progress
from newsgen.core.urls import article_url, make_slug, relative_url
from newsgen.importers.conversions import Link, Resolve, convert_hugo, convert_jekyll
from newsgen.importers.find import Found, find_site, has_posts, nothing_found
from newsgen.importers.old_urls import ForeignFile, hugo_urls, jekyll_urls, new_aliases
from newsgen.importers.read import is_draft, read_post, source_zone, title_of, zoned_date
from newsgen.importers.report import Details, ImportReport, Outcome, Status
from newsgen.importers.targets import LinkIndex
from newsgen.importers.write import (
    Draft,
    SiteContent,
    Target,
    convert_fields,
    key_map,
    map_fields,
    plan_target,
    read_site_content,
    source_digest,
    write_planned,
)
from newsgen.render.templating import shortcode_names
from newsgen.source.shortcodes import walk_shortcodes

URL_KEYS = {"hugo": ("url",), "jekyll": ("permalink", "published")}
TEXTILE = "Textile posts are not supported: convert it to Markdown (e.g. pandoc -f textile -t gfm)"


@dataclass(frozen=True)
class ForeignOptions:
    """What `newsgen import hugo|jekyll` was asked for."""

    kind: str
    source_dir: Path
    maps: tuple[tuple[str, str], ...] = ()


class Planned(NamedTuple):
    """A post read and given its place in the site, to be converted and written."""

    post: ForeignFile
    draft: Draft
    target: Target
    details: Details


class Dated(NamedTuple):
    """A post's date as it will be written, the moment, and the date its old URL used."""

    text: str
    moment: datetime
    url_text: str


@dataclass
class Run:
    """One import: what was asked, the site, the old site as found, and its links."""

    options: ForeignOptions
    site: SiteContent
    found: Found
    zone: ZoneInfo | None  # the old site's, for dates without an offset
    links: LinkIndex
    templates: frozenset[str]

    def read(self, rel: str, path: Path) -> ForeignFile | Outcome:
        """One post read, or why it is not imported."""
        if path.name.startswith("_index."):
            return Outcome(rel, Status.SKIPPED, message="a section's list page, not an article")
        if path.suffix.lower() == ".textile":
            return Outcome(rel, Status.ERROR, message=TEXTILE)
        try:
            post = read_post(self.options.kind, rel, path)
        except OSError as exc:
            return Outcome(rel, Status.ERROR, message=f"cannot be read: {exc.strerror}")
        return Outcome(rel, Status.ERROR, message=post) if isinstance(post, str) else post

    def plan(self, rel: str, path: Path) -> Planned | Outcome:
        """Read one post, make its article and reserve its file and URL."""
        post = self.read(rel, path)
        if isinstance(post, Outcome):
            return post
        mapping = key_map(self.options.maps, self.site.config)
        mapped, kept, pairs = map_fields(post.front, mapping, URL_KEYS[self.options.kind])
        draft = self.draft_post(post, mapped, kept)
        if isinstance(draft, str):
            return Outcome(rel, Status.ERROR, message=draft)
        target = plan_target(draft, self.site)
        if isinstance(target, Outcome):  # imported before: links to it still work
            if target.url:
                self.links.add(rel, target.url, is_draft(post))
            return replace(target, source=rel)
        self.links.add(rel, target.url, is_draft(post))
        aliases = tuple(draft.fields.get("aliases") or ())
        renamed = tuple(pair for pair in pairs if pair[0] != pair[1])
        return Planned(post, draft, target, Details(renamed, tuple(sorted(kept)), aliases))

    def date_of(self, post: ForeignFile, fields: dict[str, Any]) -> Dated | str:
        """The post's date in the old site's zone, written so it stays the same instant."""
        text = str(fields.pop("date", "") or post.name_date)
        if not text:
            return "no date (give 'date:' in the front matter)"
        abbreviations = self.site.config.zone_abbreviation_map
        try:
            text = zoned_date(text, self.zone, abbreviations) if self.zone else text
            moment, has_time = parse_date(text, self.site.config.tz, abbreviations)
        except ValueError as exc:
            return f"date: {exc}"
        url_text = text  # Hugo's URLs use the date as written; Jekyll's, its own zone's day
        if self.zone and self.options.kind == "jekyll" and has_time:
            url_text = moment.astimezone(self.zone).isoformat()
        return Dated(text, moment, url_text)

    def draft_post(
        self, post: ForeignFile, mapped: dict[str, Any], kept: dict[str, Any]
    ) -> Draft | str:
        """The newsgen article for one post (its body converted later), or why there is none."""
        fields, notes = convert_fields(mapped, self.site)
        dated = self.date_of(post, fields)
        if isinstance(dated, str):
            return dated
        if not fields.get("title"):
            fields["title"], notes = title_of(post), [*notes, "title made from the file name"]
        slug = make_slug(str(fields.pop("slug", "") or post.name)) or make_slug(fields["title"])
        if not slug:
            return "no slug can be made from the file name or title"
        draft = is_draft(post)
        fields["date"], fields["draft"] = dated.text, draft or None
        try:
            old = [] if draft else self.old_urls(post, fields["title"], dated.url_text)
        except ValueError as exc:
            old, notes = [], [*notes, str(exc)]
        explicit = fields.pop("aliases", [])
        new_url = article_url(dated.moment, slug)
        fields["aliases"], alias_notes = new_aliases(
            [*old, *explicit], old[0] if old else "", new_url
        )
        notes = [*post.notes, *notes, *alias_notes]
        digest = source_digest(post.data)
        return Draft(
            post.rel, digest, {**fields, **kept}, post.body, dated.moment, slug, tuple(notes)
        )

    def old_urls(self, post: ForeignFile, title: str, date_text: str) -> list[str]:
        """Where the old generator published the post."""
        if self.options.kind == "hugo":
            return hugo_urls(post, title, date_text, self.found.settings)
        return jekyll_urls(post, date_text, self.found.settings)

    def resolver(self, planned: Planned, notes: list[str]) -> Resolve:
        """Links from this post to the others, relative to its new URL."""

        def resolve(tag: str, target: str) -> Link:
            """One link: `path#anchor` to the imported post's page."""
            path, _, anchor = target.partition("#")
            suffix = f"#{anchor}" if anchor else ""
            if not path.strip():
                return Link(suffix) if suffix else Link("", "it names no page")
            found = self.links.find(tag, path, planned.post.rel)
            if found.problem:
                return Link("", found.problem)
            if found.draft:
                notes.append(f"{tag} '{target}' links to a draft: broken until it is published")
            pretty = self.site.config.pretty_urls
            return Link(relative_url(planned.target.url, found.url, pretty) + suffix)

        return resolve

    def convert(self, planned: Planned) -> tuple[str, Details, list[str]]:
        """The body converted, what was done to it and what a person must still check."""
        notes: list[str] = []
        convert = convert_hugo if self.options.kind == "hugo" else convert_jekyll
        result = convert(planned.post.body, self.resolver(planned, notes))
        used = {shortcode.name for shortcode, _ in walk_shortcodes(result.text)[0]}
        missing = tuple(sorted(used - self.templates))
        where = self.site.config.templates_dir
        notes += [
            f"shortcode '{n}' has no template: write {where}/shortcodes/{n}.html" for n in missing
        ]
        liquid = tuple(sorted(set(result.liquid)))
        if liquid:
            notes.append(f"Liquid left as text (newsgen does not run it): {', '.join(liquid)}")
        notes += [f"{link} not resolved: {why}; left as written" for link, why in result.unresolved]
        details = replace(
            planned.details,
            conversions=tuple(sorted(result.done.items())),
            no_template=missing,
            liquid=liquid,
            unresolved=tuple(sorted({link for link, _ in result.unresolved})),
        )
        return result.text, details, notes

    def write(self, planned: Planned) -> Outcome:
        """Convert one post's body and write its article at the place reserved for it."""
        body, details, notes = self.convert(planned)
        draft = replace(planned.draft, body=body, notes=(*planned.draft.notes, *notes))
        outcome = write_planned(draft, planned.target, self.site)
        return replace(outcome, source=planned.post.rel, details=details)

    def link_others(self) -> None:
        """Posts outside the folder given that an earlier import wrote: links to them work."""
        for rel, path in self.found.others:
            try:
                digest = source_digest(path.read_bytes())
            except OSError:
                continue
            if digest in self.site.imported_urls:
                self.links.add(rel, self.site.imported_urls[digest], False)


def start_run(options: ForeignOptions, site: SiteContent, report: ImportReport) -> Run | None:
    """Find the old site and its zone; None (the report saying why) when nothing can be done."""
    found = find_site(options.kind, options.source_dir)
    if not has_posts(found):
        report.fatal = nothing_found(found)
        return None
    try:
        zone = source_zone(options.kind, found.settings)
    except ValueError as exc:
        where = shown(str(found.root / found.settings_name))
        report.problems.append(error(where, 0, "timezone", str(exc)))
        return None
    names = shortcode_names(site.config)
    return Run(options, site, found, zone, LinkIndex(options.kind), names)


def import_foreign(
    options: ForeignOptions, site_root: Path, progress: Progress | None = None
) -> ImportReport:
    """Import every post of a Hugo or Jekyll site (or of a folder of one); failures are
    reported per file, and finding no post at all is an error too."""
    site, problems = read_site_content(site_root)
    report = ImportReport(
        problems=problems, kind=options.kind, templates_dir=site.config.templates_dir
    )
    run = None if has_errors(problems) else start_run(options, site, report)
    if run is None:
        return report
    files = run.found.files
    planned = []
    for done, (rel, path) in enumerate(files, 1):
        planned.append(run.plan(rel, path))
        if progress:
            progress("reading", done, len(files))
    run.link_others()
    outcomes = list(run.found.errors)
    for done, item in enumerate(planned, 1):
        outcomes.append(item if isinstance(item, Outcome) else run.write(item))
        if progress:
            progress("importing", done, len(planned))
    report.outcomes = sorted(outcomes, key=lambda outcome: outcome.source)
    return report
