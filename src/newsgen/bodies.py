"""Article bodies as HTML: converted from Markdown once, then served from the build cache."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from newsgen.cache import read_body_html, store_bodies
from newsgen.diagnostics import Diagnostic, error
from newsgen.model import Article
from newsgen.parse import read_body

MEMORY_ITEMS = 64


class BodyProblem(Exception):
    """An article body could not be converted; the build goes on to find the others."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


def body_key(article: Article, sanitize: bool) -> str:
    """Cache key of a body's HTML: its Markdown's hash and the sanitiser setting."""
    return f"{article.body_hash}:{int(sanitize)}"


class BodyStore:
    """Finds or makes body HTML; remembers what it had to convert so the cache can keep it."""

    def __init__(
        self, site_root: Path, sanitize: bool, cache_file: Path | None, seconds: float = 0
    ) -> None:
        self.site_root = site_root
        self.sanitize = sanitize
        self.seconds = seconds
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
            found = self.convert(article)
            self.new[key] = found
        self.recent[key] = found
        self.recent.move_to_end(key)
        if len(self.recent) > MEMORY_ITEMS:
            self.recent.popitem(last=False)
        return found

    def convert(self, article: Article) -> str:
        """Markdown to HTML; a body that cannot be converted is a BodyProblem naming its file."""
        from newsgen.markup import MarkdownProblem, render_markdown  # only when needed

        markdown_text = read_body(self.site_root, article.source_path)
        try:
            return render_markdown(markdown_text, self.sanitize, self.seconds)
        except MarkdownProblem as exc:
            raise BodyProblem(
                error(article.source_path, article.body_line, "body", str(exc))
            ) from None

    def flush(self) -> None:
        """Put bodies converted since the last flush into the cache, forgetting them here."""
        if self.cache_file:
            store_bodies(self.cache_file, self.new)
        self.new = {}
