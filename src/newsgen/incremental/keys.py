"""What invalidates reuse: newsgen's own code, the settings and vocabularies, every input's stat."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from newsgen import __version__
from newsgen.core.config import CONFIG_FILE, Config
from newsgen.core.model import Article
from newsgen.source.load import Scan, stat_tree
from newsgen.source.vocab import Vocabulary


@functools.cache
def code_digest() -> str:
    """newsgen's own files (code and built-in theme): an upgrade or a local change of newsgen
    invalidates the cache even when its version number stays the same."""
    package = Path(__file__).parent.parent  # the whole package: moving a module changes it too
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if (
            path.suffix in {".py", ".html", ".xml", ".txt", ".css", ".js", ".yaml"}
            and path.is_file()
        ):
            hasher.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return hasher.hexdigest()


def cache_key(config: Config) -> str:
    """Settings and newsgen itself: what parsed articles depend on besides their own file
    (not vocabularies: they are applied after parsing)."""
    settings = repr(replace(config, site_root=Path("."))) + code_digest()
    return hashlib.blake2b(settings.encode(), digest_size=16).hexdigest()


def vocabularies_key(vocabularies: Mapping[str, Vocabulary]) -> str:
    """What the index (names, slugs, labels) and pages showing terms take from vocabularies."""
    text = repr(sorted((key, v.source_path, v.entries) for key, v in vocabularies.items()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def inputs_digest(
    options: tuple[bool, bool], config: Config, out: Path, scan: Scan
) -> tuple[str, int]:
    """Every input's path, size and mtime, and the options (drafts, future), with the newest
    mtime among them: unchanged means nothing to do."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(repr((__version__, code_digest(), *options, str(out))).encode())
    hasher.update(repr(sorted(scan.stats.items())).encode())
    newest = max((mtime for mtime, _ in scan.stats.values()), default=0)
    for folder in (config.templates_dir, config.static_dir, config.data_dir):
        entries = stat_tree(config.site_root, folder)
        newest = max([newest, *(mtime for _, mtime, _ in entries)])
        hasher.update(repr(entries).encode())
    config_file = config.site_root / CONFIG_FILE
    hasher.update(config_file.read_bytes() if config_file.is_file() else b"")
    return hasher.hexdigest(), newest


def layout_key(
    published: Sequence[Article], static_paths: Sequence[str], vocabularies: str = ""
) -> str:
    """What the index and the plan are made of besides the cache's own key (settings,
    newsgen): each published article's card (its front matter and summary) and the shortcodes
    its body uses (the index checks refs), in order, the static files' paths and the
    vocabularies (vocabularies_key). A body edit leaves it as it was."""
    hasher = hashlib.blake2b(digest_size=16)
    for article in published:
        card = article.card_hash or repr(replace(article, body_hash="", links=(), shortcodes=()))
        hasher.update(f"{card}\x00{article.shortcodes!r}\x01".encode())
    hasher.update(repr((tuple(static_paths), vocabularies)).encode())
    return hasher.hexdigest()
