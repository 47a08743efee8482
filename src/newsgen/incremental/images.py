"""What the last builds learnt about the lead photos: each file's set (read again only when
the file's size or time changed) and the versions made of it (kept in the cache folder)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from newsgen.core.config import Config
from newsgen.core.model import ImageSet
from newsgen.incremental.cache import BuildCache

IMAGES = "images"  # the snapshot, and the cache's folder of versions
ImageRecord = tuple[int, int, ImageSet]  # a photo file's size and mtime_ns, and what was read


def images_key(config: Config) -> str:
    """What reading a photo depends on besides its file."""
    return f"{config.image_widths}:{config.max_image_pixels}"


class ImageStore:
    """The photos' records and versions in a build cache (none: nothing is kept)."""

    def __init__(self, cache: BuildCache | None) -> None:
        self.cache = cache
        self.loaded: dict[str, ImageRecord] = {}
        self.shown: set[ImageSet] = set()

    def records(self, config: Config) -> dict[str, ImageRecord]:
        """The photos the last build read, by site path."""
        found = self.cache.snapshot(IMAGES, images_key(config)) if self.cache else None
        self.loaded = dict(found) if isinstance(found, dict) else {}
        return dict(self.loaded)

    def note(self, config: Config, records: Mapping[str, ImageRecord]) -> None:
        """Keep the photos read now for the next build (if anything changed)."""
        self.shown = {record[2] for record in records.values()}
        if self.cache is not None and dict(records) != self.loaded:
            self.cache.remember_snapshot(IMAGES, images_key(config), dict(records))

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
