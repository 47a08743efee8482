"""Article bodies as HTML: converted from Markdown once, then served from the build cache."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from newsgen.cache import read_body_html, store_bodies
from newsgen.model import Article
from newsgen.parse import read_body

MEMORY_ITEMS = 64


def body_key(article: Article, sanitize: bool) -> str:
    """Cache key of a body's HTML: its Markdown's hash and the sanitiser setting."""
    return f"{article.body_hash}:{int(sanitize)}"


class BodyStore:
    """Finds or makes body HTML; remembers what it had to convert so the cache can keep it."""

    def __init__(self, site_root: Path, sanitize: bool, cache_file: Path | None) -> None:
        self.site_root = site_root
        self.sanitize = sanitize
        self.cache_file = cache_file if cache_file and cache_file.exists() else None
        self.recent: OrderedDict[str, str] = OrderedDict()
        self.new: dict[str, str] = {}

    def html(self, article: Article) -> str:
        """The body of an article as (sanitised) HTML."""
        key = body_key(article, self.sanitize)
        found = self.recent.get(key) or self.new.get(key)
        if found is None and self.cache_file:
            found = read_body_html(self.cache_file, key)
        if found is None:
            from newsgen.markup import render_markdown  # only when a body must be converted

            found = render_markdown(read_body(self.site_root, article.source_path), self.sanitize)
            self.new[key] = found
        self.recent[key] = found
        self.recent.move_to_end(key)
        if len(self.recent) > MEMORY_ITEMS:
            self.recent.popitem(last=False)
        return found

    def flush(self) -> None:
        """Put bodies converted since the last flush into the cache, forgetting them here."""
        if self.cache_file:
            store_bodies(self.cache_file, self.new)
        self.new = {}
