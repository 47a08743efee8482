"""Jinja setup (the only place): site templates first, then the built-in theme under theme/."""

from __future__ import annotations

import hashlib
import re
import traceback
from pathlib import Path

import jinja2
from jinja2 import meta

from newsgen.config import Config
from newsgen.diagnostics import Diagnostic, error

THEME_DIR = Path(__file__).parent / "theme"
THEME_TEMPLATES = THEME_DIR / "templates"
THEME_STATIC = THEME_DIR / "static"
THEME_PREFIX = "theme"


class TemplateProblem(Exception):
    """A template failed to load or render; carries a diagnostic naming file and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


def make_environment(config: Config) -> jinja2.Environment:
    """An environment with autoescape (HTML and XML alike) and StrictUndefined."""
    theme = jinja2.FileSystemLoader(str(THEME_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({THEME_PREFIX: theme}, delimiter="/")]
    site_templates = config.site_root / config.templates_dir
    if site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(site_templates)))
    loaders.append(theme)
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )


SHORTCODE_FOLDER = "shortcodes"
BUILTIN_SHORTCODES = frozenset({"ref", "relref"})  # resolved by newsgen: they need the index


def make_shortcode_environment(config: Config) -> jinja2.Environment:
    """Shortcode templates (site's templates/shortcodes/, then the theme's): autoescaped, and
    nothing of the site or article reachable but what a shortcode is given."""
    roots = [config.site_root / config.templates_dir / SHORTCODE_FOLDER]
    roots.append(THEME_TEMPLATES / SHORTCODE_FOLDER)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(root) for root in roots if root.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
    )


def shortcode_templates(config: Config) -> dict[str, Path]:
    """Shortcode name -> its template file (the site's wins over the theme's)."""
    found: dict[str, Path] = {}
    for root in (THEME_TEMPLATES, config.site_root / config.templates_dir):
        folder = root / SHORTCODE_FOLDER
        if folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                found[path.relative_to(folder).with_suffix("").as_posix()] = path
    return found


def shortcode_names(config: Config) -> frozenset[str]:
    """Every shortcode an article may use: those with a template and newsgen's own."""
    return frozenset(shortcode_templates(config)) | BUILTIN_SHORTCODES


def template_files(config: Config) -> list[tuple[str, Path]]:
    """Every template file that can take part in a build: (name as the user knows it, path)."""
    roots = [(config.site_root / config.templates_dir, ""), (THEME_TEMPLATES, f"{THEME_PREFIX}/")]
    found = [
        (prefix + path.relative_to(root).as_posix(), path)
        for root, prefix in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.is_file()
    ]
    return sorted(found)


def compile_templates(config: Config) -> list[Diagnostic]:
    """Compile every site template (and the theme), so `check` finds syntax errors too."""
    env = make_environment(config)
    problems = []
    for name, _ in template_files(config):
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            problems.append(template_diagnostic(exc, config, name))
    return problems


def templates_digest(config: Config) -> str:
    """Hash of all template sources: any template change re-renders every page."""
    hasher = hashlib.blake2b(digest_size=16)
    for name, path in template_files(config):
        hasher.update(name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    return hasher.hexdigest()


def template_names_used(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    """Variables a template and everything it extends or includes read (None: cannot tell)."""
    seen: set[str] = set()
    names: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0] if env.loader else ""
            ast = env.parse(source)
        except jinja2.TemplateError:
            return None
        names |= meta.find_undeclared_variables(ast)
        for referenced in meta.find_referenced_templates(ast):
            if referenced is None:
                return None
            pending.append(referenced)
    return frozenset(names)


def display_path(filename: str | None, config: Config) -> str:
    """A template's path as the user knows it: templates/x.html, or theme/x.html for built-ins."""
    if not filename:
        return "<template>"
    path = Path(filename)
    for root, prefix in ((config.site_root, ""), (THEME_TEMPLATES, f"{THEME_PREFIX}/")):
        try:
            return prefix + path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return filename


def template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in a traceback (Jinja rewrites frames to them)."""
    found: tuple[str | None, int] = (None, 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno or 0)
    return found


def simplify_message(message: str) -> str:
    """'newsgen.model.Article object' has no attribute ... -> 'Article' has no attribute ..."""
    return re.sub(r"'(?:[\w]+\.)*(\w+) object'", r"'\1'", message)


def template_diagnostic(exc: Exception, config: Config, name: str) -> Diagnostic:
    """Turn a Jinja (or other) failure into a diagnostic naming template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where, line = exc.filename or exc.name, exc.lineno
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        where, line = None, 0
        message = f"template '{exc.name}' not found (needed by {name})"
    else:
        where, line = template_frame(exc)
        text = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
        message = simplify_message(text or type(exc).__name__)
    path = display_path(where, config) if where else name
    return error(path, line, "", message)
