"""Article bodies as HTML: converted from Markdown once (shortcodes run), then served from the cache."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from html import escape
from typing import Any, Protocol
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from newsgen.core import urls
from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error
from newsgen.core.model import Article
from newsgen.render.sanitize import sanitize_html
from newsgen.render.templating import (
    TemplateProblem,
    make_shortcode_environment,
    shortcode_templates,
    template_diagnostic,
)
from newsgen.site.index import ref_key
from newsgen.source.parse import read_body
from newsgen.source.shortcodes import REF_NAMES, Shortcode, ref_target, text_position

MEMORY_ITEMS = 64
REF_NOT_FOUND = "#ref-not-found"


class BodyProblem(Exception):
    """An article body could not be converted; the build goes on to find the others."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


ROOTED = re.compile(r'\b(href|src|poster)="(/(?!/)[^"]*)"')
SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def relative_links(html: str, page_url: str, pretty: bool) -> str:
    """`/`-rooted links and sources in a body (`/img/x.png`, how migrated archives write them)
    made relative to the page, so they work under a sub-path and from file://."""
    if '="/' not in html:
        return html

    def relative(match: re.Match[str]) -> str:
        cut = min((i for i in (match[2].find("?"), match[2].find("#")) if i >= 0), default=None)
        path, tail = match[2][:cut], match[2][cut:] if cut is not None else ""
        return f'{match[1]}="{urls.relative_url(page_url, path.lstrip("/"), pretty)}{tail}"'

    def relative_set(match: re.Match[str]) -> str:
        candidates = []
        for candidate in match[1].split(", "):
            url, _, size = candidate.partition(" ")
            if url.startswith("/") and not url.startswith("//"):
                url = urls.relative_url(page_url, url.lstrip("/"), pretty)
            candidates.append(f"{url} {size}".rstrip())
        return f'srcset="{", ".join(candidates)}"'

    return SRCSET.sub(relative_set, ROOTED.sub(relative, html))


class LazyHtml:
    """A shortcode's inner text, rendered from Markdown only if its template prints it."""

    def __init__(self, render: Callable[[], str]) -> None:
        self.render = render
        self.html: str | None = None

    def __html__(self) -> str:
        if self.html is None:
            self.html = self.render()
        return self.html

    def __str__(self) -> str:
        return self.__html__()


class Shortcodes:
    """The site's shortcode templates and ref targets: runs an article's shortcodes."""

    def __init__(self, config: Config, ref_urls: Mapping[str, str]) -> None:
        self.config = config
        self.env = make_shortcode_environment(config)
        self.ref_urls = ref_urls
        hasher = hashlib.blake2b(digest_size=16)
        for name, path in sorted(shortcode_templates(config).items()):
            hasher.update(name.encode() + b"\x00" + path.read_bytes() + b"\x00")
        self.templates_digest = hasher.hexdigest()

    def resolve(self, target: str) -> str | None:
        """Site URL of the article a ref names (with its #anchor), or None."""
        url = self.ref_urls.get(ref_key(target))
        anchor = target.split("#", 1)[1] if "#" in target else ""
        return None if url is None else url + (f"#{anchor}" if anchor else "")

    def salt(self, article: Article) -> str:
        """What an article's body HTML depends on besides its text: the shortcode templates,
        its URL and the URLs its refs resolve to (empty when it uses no shortcode)."""
        if not article.shortcodes:
            return ""
        refs = [str(self.resolve(u.target)) for u in article.shortcodes if u.name in REF_NAMES]
        parts = (self.templates_digest, article.url, str(self.config.pretty_urls), *refs)
        return hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).hexdigest()

    def host(self, article: Article, body: str) -> ArticleShortcodes:
        """The runner of one article's shortcodes."""
        return ArticleShortcodes(self, article, body)


class ArticleShortcodes:
    """Runs the shortcodes of one article's body (a markup.ShortcodeHost)."""

    def __init__(self, site: Shortcodes, article: Article, body: str) -> None:
        self.site = site
        self.article = article
        self.body = body

    def rel(self, url: str) -> str:
        """A link from the article's page: site URLs (`/img/x.png`) made relative; others kept."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            return url
        tail = url[len(parts.path) :]
        target = urls.relative_url(
            self.article.url, parts.path.lstrip("/"), self.site.config.pretty_urls
        )
        return target + tail

    def render(self, shortcode: Shortcode, offset: int, inner: Callable[[], str]) -> str:
        """The HTML of one shortcode: a ref's link, else its template's output."""
        if shortcode.name in REF_NAMES:
            url = self.site.resolve(ref_target(shortcode))
            return escape(REF_NOT_FOUND if url is None else self.rel(f"/{url}"))
        try:
            template = self.site.env.get_template(f"{shortcode.name}.html")
            return template.render(self.context(shortcode, inner))
        except (jinja2.TemplateError, TypeError, AttributeError, ValueError, KeyError) as exc:
            problem = template_diagnostic(
                exc, self.site.config, f"shortcodes/{shortcode.name}.html"
            )
            line, _ = text_position(self.body, offset, self.article.body_line)
            where = f" (shortcode '{shortcode.name}' in {self.article.source_path}:{line})"
            raise TemplateProblem(
                Diagnostic(
                    problem.path, problem.line, 0, problem.severity, "", problem.message + where
                )
            ) from None

    def context(self, shortcode: Shortcode, inner: Callable[[], str]) -> dict[str, Any]:
        """What a shortcode template sees: its parameters, inner text and rel() only."""
        return {
            "name": shortcode.name,
            "args": list(shortcode.args),
            "params": dict(shortcode.params),
            "get": shortcode.get,
            "inner": LazyHtml(inner) if shortcode.inner is not None else Markup(""),
            "inner_text": shortcode.inner or "",
            "has_inner": shortcode.inner is not None,
            "rel": self.rel,
        }


class BodyCache(Protocol):
    """Body HTML kept across builds (the incremental layer provides one)."""

    def get(self, key: str) -> str | None: ...

    def put(self, bodies: Mapping[str, str]) -> None: ...


class BodyStore:
    """Finds or makes body HTML; remembers what it had to convert so the cache can keep it."""

    def __init__(
        self,
        config: Config,
        cache: BodyCache | None,
        shortcodes: Shortcodes,
    ) -> None:
        self.site_root = config.site_root
        self.sanitize = config.sanitize_html
        self.seconds = config.markdown_time_limit
        self.shortcodes = shortcodes
        self.pretty = config.pretty_urls
        self.cache = cache if config.sanitize_html else None  # unsanitised: never read back
        self.recent: OrderedDict[str, str] = OrderedDict()
        self.new: dict[str, str] = {}

    def key(self, article: Article) -> str:
        """Cache key of a body's HTML: its Markdown's hash, the sanitiser setting and what its
        shortcodes depend on."""
        key = f"{article.body_hash}:{int(self.sanitize)}"
        salt = self.shortcodes.salt(article) if article.shortcodes else ""  # asked per article
        return f"{key}:{salt}" if salt else key

    def html(self, article: Article) -> str:
        """The body of an article as (sanitised) HTML."""
        key = self.key(article)
        found = self.recent.get(key) or self.new.get(key)
        if found is None and self.cache:
            # The cache is input, not trust (a CI cache may be shared): cleaned again on use.
            cached = self.cache.get(key)
            found = sanitize_html(cached) if cached is not None else None
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
        from newsgen.render.markdown_html import (  # only when needed
            MarkdownProblem,
            render_markdown,
        )

        markdown_text, problems = read_body(self.site_root, article)
        if markdown_text is None:
            raise BodyProblem(problems[0])
        host = self.shortcodes.host(article, markdown_text)
        try:
            html = render_markdown(markdown_text, self.sanitize, self.seconds, host)
        except MarkdownProblem as exc:
            raise BodyProblem(
                error(article.source_path, article.body_line, "body", str(exc))
            ) from None
        return relative_links(html, article.url, self.pretty)

    def flush(self) -> None:
        """Put bodies converted since the last flush into the cache, forgetting them here."""
        if self.cache:
            self.cache.put(self.new)
        self.new = {}
