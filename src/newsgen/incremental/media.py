"""What the last builds learnt about the site's media files: each lead photo's set and each
attachment's facts (read again only when the file's size or time changed), and the versions
made of the photos (kept in the cache folder)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newsgen.core.config import Config
from newsgen.core.model import FileInfo, ImageSet
from newsgen.incremental.cache import BuildCache

IMAGES = "images"  # the photos' snapshot, and the cache's folder of versions
FILES = "files"  # the attachments' snapshot
ImageRecord = tuple[int, int, ImageSet]  # a photo file's size and mtime_ns, and what was read
FileRecord = tuple[int, int, FileInfo]  # the same for an attachment


def media_key(config: Config) -> str:
    """What reading a photo depends on besides its file."""
    return f"{config.image_widths}:{config.max_image_pixels}"


class MediaStore:
    """The media files' records, and the photos' versions, in a build cache (none: nothing is
    kept)."""

    def __init__(self, cache: BuildCache | None) -> None:
        self.cache = cache
        self.loaded: dict[str, dict[str, Any]] = {}
        self.shown: set[ImageSet] = set()

    def records(self, name: str, config: Config) -> dict[str, Any]:
        """The files of a kind (IMAGES, FILES) the last build read, by site path."""
        found = self.cache.snapshot(name, media_key(config)) if self.cache else None
        self.loaded[name] = dict(found) if isinstance(found, dict) else {}
        return dict(self.loaded[name])

    def note(self, name: str, config: Config, records: Mapping[str, Any]) -> None:
        """Keep the files read now for the next build (if anything changed)."""
        if name == IMAGES:
            self.shown = {record[2] for record in records.values()}
        if self.cache is not None and dict(records) != self.loaded.get(name):
            self.cache.remember_snapshot(name, media_key(config), dict(records))

    def folder(self) -> Path | None:
        """Where the photos' versions are kept across builds (None: no cache)."""
        if self.cache is None:
            return None
        folder = self.cache.path.parent / IMAGES
        folder.mkdir(exist_ok=True)
        return folder

    def prune(self) -> None:
        """Versions of photos no article shows any more leave the cache folder."""
        folder = self.cache.path.parent / IMAGES if self.cache else None
        if folder is None or not folder.is_dir():
            return
        wanted = {name for image in self.shown for name in image.files}
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(folder).as_posix() not in wanted:
                path.unlink(missing_ok=True)
