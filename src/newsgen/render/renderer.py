"""Render stage: a PageSpec plus the site index becomes bytes; fingerprints say what must render."""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from newsgen import __version__
from newsgen.core import urls
from newsgen.core.config import Config, primary_language
from newsgen.core.dates import date_title
from newsgen.core.diagnostics import Diagnostic, error
from newsgen.core.model import (
    Article,
    Attachment,
    FileInfo,
    ImageSet,
    Media,
    PageSpec,
    RenderedPage,
    SiteIndex,
)
from newsgen.core.xmlchars import strip_forbidden
from newsgen.render import cjk
from newsgen.render.bodies import BodyCache, BodyStore, Shortcodes
from newsgen.render.contexts import ContextBuilder, archive_tree, search_filters, taxonomy_info
from newsgen.render.reads import (
    ALL_READS,
    COUNTS,
    SEPARATOR,
    TERMS,
    WATCHED,
    ReadLog,
    Watched,
    flags,
    read_flags,
    term_ref,
)
from newsgen.render.structured import article_json_ld, og_locale
from newsgen.render.templating import (
    TemplateNames,
    TemplateProblem,
    make_environment,
    template_diagnostic,
    template_names_used,
    template_structure_problems,
    templates_digest,
)
from newsgen.render.terms import IndexedTerms, TermNames, term_in, term_summary
from newsgen.render.theme_words import translate_for_page
from newsgen.render.viewmodels import SiteView, format_date, format_size, iso_date, sitemap_urls
from newsgen.site.inputs import page_inputs

LANGUAGE_NAMES = {
    "en": "English",
    "zh": "中文",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ja": "日本語",
    "ko": "한국어",
    "ru": "Русский",
    "ar": "العربية",
    "pt": "Português",
}
DYNAMIC_GLOBALS = ("archive_tree", "article_count", "search_filters", "corrections_url")


class TermDigests(dict[str, str]):
    """Term digests by term_ref; a term no longer there is "-" (its pages change)."""

    def __missing__(self, ref: str) -> str:
        return "-"


def digest(*parts: str) -> str:
    """Short hash of some text parts."""
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


class Renderer:
    """Holds the Jinja environment and the values every page shares (computed once)."""

    def __init__(
        self,
        config: Config,
        index: SiteIndex,
        body_cache: BodyCache | None = None,
        article_keys: dict[str, str] | None = None,
        inputs_key: str = "",
        media: Media | None = None,
    ) -> None:
        self.config = config
        self.index = index
        self.media = media or Media()  # lead photos and attachments, by site path
        self.env = make_environment(config)
        self.bodies = BodyStore(config, body_cache, Shortcodes(config, index.ref_urls))
        self.reads: ReadLog = set()  # what the page being rendered read (render/reads.py)
        self.contexts = ContextBuilder(config, index, self.bodies.html, self.reads)
        self.terms = TermNames(index, self.contexts.taxonomies, self.reads)
        self.dynamic = {
            "archive_tree": archive_tree(index),
            "article_count": len(index.articles),
            "search_filters": search_filters(index),
            # the footer links the corrections page once there is one (then every page
            # changes, once)
            "corrections_url": corrections_url(index),
        }
        self.env.globals.update(self.shared_globals())
        settings = repr(replace(config, site_root=Path(".")))
        self.base_digest = digest(__version__, settings, inputs_key, templates_digest(config))
        self.article_keys = article_keys or {}
        self.article_digests: dict[int, str] = {}
        self.template_digests: dict[tuple[str, str], str] = {}
        self.global_digests: dict[str, str] = {}
        self.indexed_terms = IndexedTerms(index)
        self.template_names: dict[str, TemplateNames | None] = {}
        # Parsed without globals: Jinja does not count names its globals define as undeclared.
        self.bare_env = make_environment(config)

    def shared_globals(self) -> dict[str, Any]:
        """Navigation and helpers: computed once, never per page."""
        config = self.config
        site = SiteView(
            config.title,
            config.description,
            config.language,
            config.base_url,
            config.logo,
            config.favicon,
            f"newsgen {__version__}",
            config.search,
            config.share_image,
        )
        return {
            "site": site,
            "taxonomies": tuple(taxonomy_info(t) for t in self.index.taxonomies),
            **{
                name: Watched(value, self.reads, WATCHED[name])
                if name in WATCHED and isinstance(value, tuple)
                else value
                for name, value in self.dynamic.items()
            },
            "term_url": self.terms.url,
            "term_slugs": self.terms.slugs,
            "term_label": self.terms.label,
            "speaker_role": self.terms.role,
            "t": translate_for_page,
            "absolute_url": partial(urls.absolute_url, self.config.base_url),
            "home_url": self.make_home_url(),
            "languages": self.language_links(),
            "cjk_search_text": cjk.search_text,
            "format_date": partial(format_date, zone_name=config.timezone_name),
            "iso_date": iso_date,
            "article_json_ld": article_json_ld,
            "og_locale": og_locale,
            "image_of": self.image_of,
            "downloads": self.downloads,
            "format_size": format_size,
            "sitemap_urls": sitemap_urls,
            "date_title": date_title,
            "day_url": lambda moment: urls.day_url(moment.year, moment.month, moment.day),
        }

    def make_home_url(self) -> Any:
        """Template function home_url(): the home page of the current page's language."""
        contexts = self.contexts

        @jinja2.pass_context
        def home_url(context: Any) -> str:
            return contexts.home_of(str(context.get("lang", "")))

        return home_url

    def language_links(self) -> tuple[tuple[str, str, str], ...]:
        """(code, name, home URL) of each site language, for the header's switcher."""
        languages = self.config.site_languages
        if len(languages) < 2:
            return ()
        return tuple(
            (
                lang,
                LANGUAGE_NAMES.get(primary_language(lang), lang),
                urls.language_home_url(lang, self.config.language),
            )
            for lang in languages
        )

    def render(self, spec: PageSpec) -> RenderedPage:
        """Render one page; template failures become a TemplateProblem naming file and line."""
        self.reads.clear()
        try:
            template = self.env.get_template(spec.template)
            text = template.render(self.contexts.build(spec))
        except (jinja2.TemplateError, TypeError, AttributeError, ValueError, KeyError) as exc:
            found = template_diagnostic(exc, self.config, spec.template)
            raise TemplateProblem(self.structure_problem() or found) from None
        except RecursionError:  # templates that extend or include each other in a loop
            message = "templates recurse without end (a loop of extends, includes or macros)"
            found = error(f"{self.config.templates_dir}/{spec.template}", 0, "", message)
            raise TemplateProblem(self.structure_problem() or found) from None
        data = strip_forbidden(text.encode("utf-8"))
        return RenderedPage(spec.output_path, data, flags(self.reads))

    def structure_problem(self) -> Diagnostic | None:
        """A loop of templates or extends given twice, said as `check` says it (looked for
        only once a page failed, so a good build pays nothing)."""
        problems = template_structure_problems(self.env, self.config)
        return problems[0] if problems else None

    def article_digest(self, article_id: int) -> str:
        """Everything about an article a page could show, hashed once per build."""
        found = self.article_digests.get(article_id)
        if found is None:
            article = self.index.articles[article_id]
            # The parse cache key (path, bytes; settings are in base_digest) identifies an
            # article's content; without it, hash the article itself.
            found = self.article_keys.get(article.source_path) or digest(repr(article))
            found += self.bodies.shortcodes.salt(article)  # where its refs lead
            found += self.media_digest(article)
            self.article_digests[article_id] = found
        return found

    def globals_digest(self, template: str, reads: str = ALL_READS) -> str:
        """Hash of the site-wide values a template (with its includes) uses, of those watched
        only the ones the page's last render read."""
        reads = read_flags(reads)
        found = self.template_digests.get((template, reads))
        if found is None:
            names = template_names_used(self.bare_env, template, self.template_names)
            used = [
                n
                for n in DYNAMIC_GLOBALS
                if (names is None or n in names) and (n not in WATCHED or WATCHED[n] in reads)
            ]
            found = digest(template, *map(self.global_digest, used))
            self.template_digests[(template, reads)] = found
        return found

    def global_digest(self, name: str) -> str:
        """Hash of one site-wide value, made once a build (the archive tree's repr is large)."""
        found = self.global_digests.get(name)
        if found is None:
            found = self.global_digests[name] = digest(name, repr(self.dynamic[name]))
        return found

    def fingerprint(self, spec: PageSpec, reads: str = ALL_READS) -> str:
        """A hash of everything the page's output depends on, of the watched values only those
        in `reads` (what its last render read), followed by `reads`; equal, equal page."""
        inputs = page_inputs(spec, self.index)
        letters, _, read_refs = reads.partition(TERMS)
        terms = []
        if inputs.term or inputs.months or inputs.terms:  # listings and overviews only
            shown = (inputs.term, *inputs.months, *inputs.terms)
            terms = [term_summary(t, COUNTS in letters) for t in shown if t]
        parts = [self.base_digest, self.globals_digest(spec.template, letters)]
        parts += (repr((own_fields(spec), terms)), repr(inputs.urls))
        if read_refs:  # the page read terms
            parts.extend(map(self.term_digests.__getitem__, read_refs.split(",")))
        whole = whole_roles(spec)
        cards = self.cards.__getitem__  # a C-level lookup: listings show 300,000 cards at 10k
        for role, ids in inputs.shown():
            parts.append(role)
            parts.extend(map(self.article_digest if role in whole else cards, ids))
        return f"{digest(*parts)}{SEPARATOR}{reads}"

    @functools.cached_property
    def term_digests(self) -> TermDigests:
        """term_ref -> what pages that show the term take from its vocabulary entry; a term
        that is gone hashes as "-"."""
        langs = {"", *self.config.site_languages, *(a.lang for a in self.index.articles)}
        return TermDigests(
            (term_ref(taxonomy.key, term.slug, lang), digest(repr(term_in(term, lang))))
            for taxonomy in self.index.taxonomies
            for term in taxonomy.terms
            for lang in sorted(langs)
        )

    @functools.cached_property
    def vocabulary_digest(self) -> str:
        """Every term's names and labels: what the term digests of any page may hash."""
        summaries = [term_summary(t, False) for x in self.index.taxonomies for t in x.terms]
        return digest(repr(summaries))

    def search_base(self, pages: Sequence[PageSpec]) -> str:
        """What every article's search print depends on besides the article itself: settings,
        templates, newsgen, every term's names, and the site-wide values article templates
        read. Unchanged, an addition re-hashes the search prints of changed articles only."""
        templates = sorted({page.template for page in pages if page.kind == "article"})
        globals_digests = [self.globals_digest(template) for template in templates]
        photos = sorted((src, found.digest) for src, found in self.media.images.items())
        media = repr((photos, sorted(self.media.files.items())))  # a replaced photo or file
        parts = [*templates, *globals_digests, media]
        return digest(self.base_digest, self.vocabulary_digest, *parts)

    def structure_digest(self) -> str:
        """What every fingerprint depends on but the bodies of the articles a page shows whole:
        settings, templates, newsgen, and every article's card (from which the index, the plan
        and the navigation follow). Unchanged, a page that shows no changed article whole has
        its last fingerprint still, so an edit need not hash the whole site again."""
        return digest(self.base_digest, self.vocabulary_digest, *self.cards)

    def shown_whole(self, spec: PageSpec) -> tuple[int, ...]:
        """The articles a page's fingerprint hashes whole (body included), read off its spec:
        the page's own article (an article or alias page) and a site feed's items."""
        roles = whole_roles(spec)
        own = spec.kind in ("article", "alias") and spec.article_id is not None
        items = spec.item_ids if "items" in roles else ()
        return (*((spec.article_id,) if own and spec.article_id is not None else ()), *items)

    def search_dependents(self, changed: set[int]) -> set[int]:
        """Article pages whose search print shows a changed article: it and its translations."""
        found = set(changed)
        for article_id in changed:
            key = self.index.articles[article_id].translation_key
            found.update(self.index.translations.get(key, ()) if key else ())
        return found

    @functools.cached_property
    def cards(self) -> list[str]:
        """Every article's card digest, by position."""
        return [self.card_digest(i) for i in range(len(self.index.articles))]

    def card_digest(self, article_id: int) -> str:
        """What a listing, a feed without content or a "related" list shows of an article:
        all but its body (a body edit does not render the pages that list it again), and its
        lead photo's versions."""
        article = self.index.articles[article_id]
        found = article.card_hash or digest(repr(replace(article, body_hash="", links=())))
        return found + self.media_digest(article)

    def media_digest(self, article: Article) -> str:
        """What pages show of an article's lead photo and attachments as read ("" without)."""
        if article.image is None and not article.attachments:
            return ""  # most articles: every card is hashed when the structure changes
        found = self.image_of(article)
        files = self.downloads(article)
        return (found.digest if found else "") + (digest(repr(files)) if files else "")

    def image_of(self, article: Article) -> ImageSet | None:
        """The versions of an article's lead photo (None: none, or on another site)."""
        return self.media.images.get(article.image.src) if article.image else None

    def downloads(self, article: Article) -> list[tuple[Attachment, FileInfo]]:
        """An article's attachments with their files' facts (those found)."""
        files = self.media.files
        return [(a, files[a.file]) for a in article.attachments if a.file in files]

    def search_fingerprint(self, spec: PageSpec) -> str:
        """What an article page's indexed part depends on: the article, its translations,
        settings and templates; not the neighbours and related articles around it (the
        theme keeps them out of search), so an edit re-indexes the edited article only."""
        inputs = page_inputs(spec, self.index)
        assert inputs.article_id is not None
        parts = [self.base_digest, self.globals_digest(spec.template), spec.url, spec.lang]
        parts.extend(self.article_digest(i) for i in (inputs.article_id, *inputs.translations))
        article = self.index.articles[inputs.article_id]
        parts.append(repr(self.indexed_terms.of(article)))
        return digest(*parts)


def corrections_url(index: SiteIndex) -> str:
    """The corrections page's URL, or "" while nothing was ever corrected."""
    corrected = any(a.updates and a.corrections for a in index.articles)
    return urls.CORRECTIONS_URL if corrected else ""


# What a fingerprint hashes of a page's own spec: all but its output path (the key), its
# items and sources (hashed as what they show) and its article (hashed whole).
own_fields = operator.attrgetter(
    "kind",
    "url",
    "template",
    "title",
    "taxonomy",
    "term_slug",
    "listing_url",
    "page_number",
    "page_count",
    "lang",
)


def whole_roles(spec: PageSpec) -> tuple[str, ...]:
    """The roles whose articles a page shows whole: a site feed carries its items' content."""
    return ("article", "items") if spec.kind == "feed" and not spec.term_slug else ("article",)
