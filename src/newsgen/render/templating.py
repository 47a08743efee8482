"""Jinja setup (the only place): site templates first, then the built-in theme under theme/."""

from __future__ import annotations

import hashlib
import re
import traceback
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2 import meta, nodes
from jinja2.bccache import Bucket

from newsgen.core.config import Config
from newsgen.core.diagnostics import Diagnostic, error

THEME_DIR = Path(__file__).parent.parent / "theme"
THEME_TEMPLATES = THEME_DIR / "templates"
THEME_STATIC = THEME_DIR / "static"
THEME_PREFIX = "theme"


class TemplateProblem(Exception):
    """A template failed to load or render; carries a diagnostic naming file and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class Incoming(Protocol):
    """Compiled templates on their way from another process (pipeline/parallel.Helper)."""

    def result(self) -> Any: ...

    def close(self) -> None: ...


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in this process's memory (checked against their source), so
    serve's rebuilds do not compile them again. Never on disk: loading bytecode runs it, and
    the cache folder is input, not trust (a CI cache may be shared between jobs). A forked
    helper may compile them while the build reads the archive (`expect`): its work is taken
    when the first template loads, or before render workers are forked (`take`)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.incoming: Incoming | None = None

    def expect(self, incoming: Incoming) -> None:
        """Templates are being compiled elsewhere."""
        self.incoming = incoming

    def is_empty(self) -> bool:
        """Nothing compiled or coming yet (the first build of this process)."""
        return not self.compiled and self.incoming is None

    def take(self) -> None:
        """Wait for the templates being compiled elsewhere, and keep them (a stale one fails
        its checksum when loaded, and is compiled again)."""
        incoming, self.incoming = self.incoming, None
        found = incoming.result() if incoming is not None else None
        if isinstance(found, dict):
            for key, code in found.items():
                self.compiled.setdefault(key, code)

    def drop(self) -> None:
        """Stop waiting for templates (a build that ended before rendering)."""
        incoming, self.incoming = self.incoming, None
        if incoming is not None:
            incoming.close()

    def load_bytecode(self, bucket: Bucket) -> None:
        self.take()
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


def make_environment(config: Config) -> jinja2.Environment:
    """An environment with autoescape (HTML and XML alike) and StrictUndefined; compiled
    templates are kept in this process for the next build (serve's)."""
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
        bytecode_cache=COMPILED,
    )


SHORTCODE_FOLDER = "shortcodes"
MAX_TEMPLATE_DEPTH = 50
TEMPLATE_SUFFIXES = (
    ".html",
    ".htm",
    ".xml",
    ".txt",
    ".json",
    ".js",
    ".css",
    ".svg",
)  # extends and includes deeper than this are not followed for loops
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


def renderable_names(config: Config) -> list[str]:
    """The templates a build may render, by the names pages ask for: the theme's under
    theme/ only where the site overrides them (an override may extend them)."""
    files = template_files(config)
    site_names = {name for name, _ in files if not name.startswith(f"{THEME_PREFIX}/")}
    names = set()
    for name, _ in files:
        bare = name.removeprefix(f"{THEME_PREFIX}/")
        if name.endswith(TEMPLATE_SUFFIXES) and not bare.startswith(f"{SHORTCODE_FOLDER}/"):
            names.add(name if bare == name or bare in site_names else bare)
    return sorted(names)


def precompiled_templates(config: Config) -> dict[str, bytes]:
    """Every template a build may render, compiled: bytecode by Jinja's cache key (what a
    helper process makes while the build reads the archive; never written to disk)."""
    env = make_environment(config)
    for name in renderable_names(config):
        try:
            env.get_template(name)
        except Exception:  # the build reports it where the page renders
            continue
    return dict(COMPILED.compiled)


def compile_templates(config: Config) -> list[Diagnostic]:
    """Compile every site template (and the theme), so `check` finds syntax errors too, and
    what Jinja finds only while rendering: extends given twice, templates extending (or
    including) themselves round a loop."""
    env = make_environment(config)
    problems = []
    for name, _ in template_files(config):
        if not name.endswith(TEMPLATE_SUFFIXES):
            continue  # an image or a note beside the templates is no template
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            problems.append(template_diagnostic(exc, config, name))
        except UnicodeDecodeError as exc:
            problems.append(template_diagnostic(exc, config, name))
    return problems + template_structure_problems(env, config)


def template_references(
    env: jinja2.Environment, name: str
) -> tuple[str, list[tuple[str, int]], list[int]]:
    """A template's file, the templates it extends or includes (name, line), and the lines of
    its top-level extends."""
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, name)
    tree = env.parse(source)
    references = []
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        target = getattr(node, "template", None)
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            references.append((target.value, node.lineno))
    extends = [node.lineno for node in tree.body if isinstance(node, nodes.Extends)]
    return filename or name, references, extends


def template_structure_problems(env: jinja2.Environment, config: Config) -> list[Diagnostic]:
    """Extends given twice at the top of a template, and loops of extends and includes."""
    problems: list[Diagnostic] = []
    graph: dict[str, list[tuple[str, int]]] = {}
    for name, _ in template_files(config):
        if not name.endswith(TEMPLATE_SUFFIXES):
            continue
        try:
            filename, references, extends = template_references(env, name)
        except (jinja2.TemplateError, OSError, ValueError):
            continue  # reported by the compile step
        where = display_path(filename, config)
        if len(extends) > 1:
            message = f"extends given {len(extends)} times (lines {extends[0]} and {extends[1]}): keep one"
            problems.append(error(where, extends[1], "", message))
        graph[filename] = []
        for referenced, line in references:
            try:
                target = env.loader.get_source(env, referenced)[1] if env.loader else None
            except jinja2.TemplateNotFound:
                continue
            graph[filename].append((target or referenced, line))
    return problems + find_loops(graph, config)


def find_loops(graph: dict[str, list[tuple[str, int]]], config: Config) -> list[Diagnostic]:
    """Each loop of extends or includes once (Jinja would recurse until Python gives up), at
    the line where its first template starts it."""
    loops: set[tuple[str, ...]] = set()

    def visit(path: list[str]) -> None:
        for target, _ in graph.get(path[-1], []):
            if target in path:
                loop = path[path.index(target) :]
                first = loop.index(min(loop))
                loops.add(tuple(loop[first:] + loop[:first]))
            elif len(path) < MAX_TEMPLATE_DEPTH:
                visit([*path, target])

    for start in sorted(graph):
        visit([start])
    problems = []
    for loop in sorted(loops):
        names = " -> ".join(display_path(p, config) for p in (*loop, loop[0]))
        following = loop[1] if len(loop) > 1 else loop[0]
        line = next(ln for target, ln in graph[loop[0]] if target == following)
        message = f"templates extend or include each other in a loop ({names})"
        problems.append(error(display_path(loop[0], config), line, "", message))
    return problems


def templates_digest(config: Config) -> str:
    """Hash of all template sources: any template change re-renders every page."""
    hasher = hashlib.blake2b(digest_size=16)
    for name, path in template_files(config):
        hasher.update(name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    return hasher.hexdigest()


def template_names_used(
    env: jinja2.Environment, name: str, memo: dict[str, TemplateNames | None] | None = None
) -> frozenset[str] | None:
    """Variables a template and everything it extends or includes read (None: cannot tell);
    `memo` keeps each template's parse, so a shared base is parsed once per build."""
    memo = {} if memo is None else memo
    seen: set[str] = set()
    names: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in memo:
            memo[current] = read_template_names(env, current)
        found = memo[current]
        if found is None:
            return None
        names |= found[0]
        pending.extend(found[1])
    return frozenset(names)


TemplateNames = tuple[frozenset[str], tuple[str, ...]]


def read_template_names(env: jinja2.Environment, name: str) -> TemplateNames | None:
    """One template's own undeclared variables and the templates it names (None: unknown)."""
    try:
        source = env.loader.get_source(env, name)[0] if env.loader else ""
        ast = env.parse(source)
    except (jinja2.TemplateError, ValueError):
        return None
    referenced = tuple(meta.find_referenced_templates(ast))
    if any(r is None for r in referenced):
        return None
    return frozenset(meta.find_undeclared_variables(ast)), tuple(str(r) for r in referenced)


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
    """'newsgen.core.model.Article object' has no attribute ... -> 'Article' has no attribute ..."""
    return re.sub(r"'(?:[\w]+\.)*(\w+) object'", r"'\1'", message)


def template_diagnostic(exc: Exception, config: Config, name: str) -> Diagnostic:
    """Turn a Jinja (or other) failure into a diagnostic naming template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where, line = exc.filename or exc.name, exc.lineno
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        where, line = None, 0
        message = f"template '{exc.name}' not found (needed by {name})"
    elif isinstance(exc, UnicodeDecodeError):
        site_file = config.site_root / config.templates_dir / name
        where, line = (str(site_file) if site_file.is_file() else None), 0
        message = f"template is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); convert it"
    else:
        where, line = template_frame(exc)
        text = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
        message = simplify_message(text or type(exc).__name__)
    path = display_path(where, config) if where else name
    return error(path, line, "", message)
