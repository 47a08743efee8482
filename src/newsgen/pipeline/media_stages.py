"""The lead photos' two stages: read (before any template runs: sizes and version names, so
pages can give width, height and srcset) and make (the versions, into the staging folder).

A photo is read again only when its file's size or time changed, and its versions are made
once and kept in the cache folder, so a build where no photo changed does no image work.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from newsgen.core.diagnostics import Diagnostic, error, warning
from newsgen.core.model import Article, FileInfo, ImageSet, Media, SiteIndex
from newsgen.incremental.media import FILES, IMAGES, FileRecord, ImageRecord
from newsgen.media import MediaProblem
from newsgen.pipeline.options import Job
from newsgen.pipeline.parallel import fork_pool
from newsgen.publish.publish import Staging

Images = Mapping[str, ImageSet]  # by the photo's site path (in the static folder)
UNREADABLE_PDF = "cannot be read as a PDF; it is listed without its page count"


def read_media(job: Job, index: SiteIndex) -> tuple[Media, list[Diagnostic]]:
    """Media stage: the published articles' lead photos and attachments, as pages show them."""
    images, image_errors = read_images(job, index)
    files, file_errors = read_attachments(job, index)
    return Media(images, files), image_errors + file_errors


def read_images(job: Job, index: SiteIndex) -> tuple[dict[str, ImageSet], list[Diagnostic]]:
    """Read stage: every published article's lead photo, once per file; a missing or unusable
    file is an error at the `image:` line of each article that shows it."""
    config, reuse = job.config, job.reuse
    known = reuse.media.records(IMAGES, config)
    records: dict[str, ImageRecord] = {}
    failed: dict[str, str] = {}
    for src in sorted({a.image.src for a in index.articles if a.image and not a.image.is_remote}):
        path = config.site_root / config.static_dir / src
        try:
            records[src] = read_image(job, src, path, known.get(src))
        except MediaProblem as exc:
            failed[src] = str(exc)
    reuse.media.note(IMAGES, config, records)
    found = {src: record[2] for src, record in records.items()}
    return found, image_problems(index.articles, failed, config.static_dir)


def static_identity(job: Job, path: Path) -> tuple[int, int]:
    """A media file's size and mtime_ns (what says it changed); MediaProblem unless it is a
    file of the static folder, not reached through a link leading out (never published)."""
    try:
        stat = path.stat()
    except OSError:
        raise MediaProblem("is not in the static folder") from None
    static = (job.config.site_root / job.config.static_dir).resolve()
    if not path.is_file() or not path.resolve().is_relative_to(static):
        raise MediaProblem("is not a file of the static folder")
    return stat.st_size, stat.st_mtime_ns


def read_image(job: Job, src: str, path: Path, known: ImageRecord | None) -> ImageRecord:
    """A photo's set, from the last build's record while the file's size and time hold."""
    identity = static_identity(job, path)
    if known is not None and known[:2] == identity:
        return known
    from newsgen.media.images import plan_image, probe_image  # Pillow: only when needed

    config = job.config
    probe = probe_image(path, config.max_image_pixels)
    data_digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return (*identity, plan_image(src, data_digest, probe, config.image_widths))


def read_attachments(job: Job, index: SiteIndex) -> tuple[dict[str, FileInfo], list[Diagnostic]]:
    """Read stage: the facts of every published article's attachments (size, kind, a PDF's
    pages), once per file; a missing file is an error at its line, as the link would break."""
    config, reuse = job.config, job.reuse
    known = reuse.media.records(FILES, config)
    records: dict[str, FileRecord] = {}
    failed: dict[str, tuple[str, bool]] = {}
    for file in sorted({a.file for article in index.articles for a in article.attachments}):
        path = config.site_root / config.static_dir / file
        try:
            identity = static_identity(job, path)
        except MediaProblem as problem:
            failed[file] = (str(problem), True)
            continue
        if known.get(file, (None,))[:2] != identity:
            from newsgen.media.files import describe_file

            known[file] = (*identity, describe_file(path, file))
        records[file] = known[file]
        if records[file][2].kind == "PDF" and not records[file][2].pages:  # every build says so
            failed[file] = (UNREADABLE_PDF, False)
    reuse.media.note(FILES, config, records)
    found = {file: record[2] for file, record in records.items()}
    return found, attachment_problems(index.articles, failed, config.static_dir)


def attachment_problems(
    articles: Sequence[Article], failed: Mapping[str, tuple[str, bool]], static_dir: str
) -> list[Diagnostic]:
    """An error (or a warning) at the line of every attachment whose file has a problem."""
    problems: list[Diagnostic] = []
    if not failed:
        return problems
    for article in articles:
        for attachment in article.attachments:
            if attachment.file in failed:
                why, fatal = failed[attachment.file]
                report = error if fatal else warning
                message = f"{static_dir}/{attachment.file} {why}"
                problems.append(
                    report(article.source_path, attachment.line, "attachments", message)
                )
    return problems


def image_problems(
    articles: Sequence[Article], failed: Mapping[str, str], static_dir: str
) -> list[Diagnostic]:
    """An error at the `image:` line of every article whose photo could not be read."""
    problems: list[Diagnostic] = []
    if not failed:  # the usual case: no pass over every article
        return problems
    for article in articles:
        image = article.image
        if image and image.src in failed:
            message = f"{static_dir}/{image.src} {failed[image.src]}"
            problems.append(error(article.source_path, image.line, "image", message))
    return problems


def make_images(
    job: Job, images: Images, articles: Sequence[Article], staging: Staging
) -> tuple[list[str], list[Diagnostic]]:
    """Make stage: each photo's versions (in parallel; kept in the cache folder) staged where
    the output does not hold them yet (their names carry the photo's digest)."""
    config = job.config
    with version_folder(job, staging) as folder:
        todo = [
            (config.site_root / config.static_dir / src, image, folder)
            for src, image in sorted(images.items())
            if not all((folder / name).is_file() for name in image.files)
        ]
        failed = dict(filter(None, run_makers(todo, job.options.jobs)))
        staged = [
            name
            for image in images.values()
            if image.src not in failed
            for name in image.files
            if staging.put_named(name, folder / name)
        ]
    return staged, image_problems(articles, failed, config.static_dir)


@contextmanager
def version_folder(job: Job, staging: Staging) -> Iterator[Path]:
    """The cache's folder of versions; without a cache, a working folder beside the output
    (like the staging folder), removed afterwards."""
    kept = job.reuse.media.folder()
    if kept is not None:
        yield kept
        return
    folder = staging.placement.work("images")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_makers(
    todo: Sequence[tuple[Path, ImageSet, Path]], jobs: int
) -> list[tuple[str, str] | None]:
    """Make the versions of each photo, in worker processes when there are several."""
    pool = fork_pool(min(jobs, len(todo))) if jobs > 1 and len(todo) > 1 else None
    if pool is None:
        return [make_one(task) for task in todo]
    with pool:
        return list(pool.imap(make_one, todo))


def make_one(task: tuple[Path, ImageSet, Path]) -> tuple[str, str] | None:
    """One photo's versions; (src, why) when the file turned out to be unusable."""
    from newsgen.media import images

    source, image, folder = task
    try:
        images.make_variants(source, image, folder)
    except MediaProblem as exc:
        return image.src, str(exc)
    return None
