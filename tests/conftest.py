"""Shared helpers: small sites built from inline text in temporary folders."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from newsgen.core import urls
from newsgen.core.config import DEFAULT_TAXONOMIES
from newsgen.core.model import Article, Source, Speaker, Taxonomy, Term
from newsgen.incremental.cache import cache_path
from newsgen.pipeline.build import BuildOptions, BuildResult, build
from newsgen.publish.output import MANIFEST

# A suite started in the background (`cmd &` in a script) inherits SIGINT ignored, and so would
# every newsgen the tests start: the Ctrl-C tests need it delivered, so it is restored here.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO_ROOT = Path(__file__).resolve().parent.parent
# Subprocesses (the CLI) must import the newsgen these tests import: a relative PYTHONPATH
# (`PYTHONPATH=src python -m pytest`) would name another folder in a subprocess started in a
# site's folder, and it would silently run an installed newsgen instead.
if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        str(Path(entry).resolve()) if entry else entry
        for entry in os.environ["PYTHONPATH"].split(os.pathsep)
    )
EXAMPLE_SITE = REPO_ROOT  # the repository is itself the example archive
# What a site is made of: copied to a temporary folder, a fixture site builds there, so tests
# never leave a cache or an output inside the repository.
SITE_PARTS = ("newsgen.yaml", "content", "templates", "static", "data")
# The test command (and CI) replays the same examples on every run, so a commit's result does
# not depend on luck, and keeps no example database; NEWSGEN_HYPOTHESIS=explore draws new ones
# (see DEVELOPERS.md) and keeps the failures it finds in a database, so the next explore run
# tries them first. Hypothesis's files (that database, its caches) live outside the
# repository, in newsgen-hypothesis/ of the temporary folder, unless
# HYPOTHESIS_STORAGE_DIRECTORY names another place.
HYPOTHESIS_HOME = Path(
    os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY")
    or Path(tempfile.gettempdir()) / "newsgen-hypothesis"
)
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile(
    "explore",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"),
)
settings.load_profile(os.environ.get("NEWSGEN_HYPOTHESIS", "repeatable"))
EXAMPLES_SCALE = int(os.environ.get("NEWSGEN_HYPOTHESIS_SCALE", "1"))
FIXED_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Real headless Chromium (Debian's package; browser downloads fail here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


# Every test has one of these markers (see DEVELOPERS.md, Tests); `slow` comes on top.
TIERS = ("unit", "site", "cli", "browser")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test without a tier, before `-m` deselects anything."""
    untiered = [i.nodeid for i in items if not any(i.get_closest_marker(t) for t in TIERS)]
    if untiered:
        raise pytest.UsageError(
            f"tests without a tier marker ({', '.join(TIERS)}): " + " ".join(untiered)
        )


def copy_fixture_site(source: Path, dest: Path) -> Path:
    """A private copy of a fixture site's sources (never its cache or output) to build in."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SITE_PARTS:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name, symlinks=True)
        elif (source / name).is_file():
            shutil.copy2(source / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests leave files for people to look at (screenshots): the folder named by
    NEWSGEN_ARTIFACTS, else a fresh temporary folder (pytest keeps the last few runs')."""
    chosen = os.environ.get("NEWSGEN_ARTIFACTS")
    folder = Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def front_matter(**fields: object) -> str:
    """A front-matter block for an article; values are dumped as YAML."""
    fields.setdefault("title", "A title")
    fields.setdefault("date", "2023-02-10")
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n"


def article_text(body: str = "Body text.", **fields: object) -> str:
    """A whole article file."""
    return front_matter(**fields) + "\n" + body + "\n"


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write a site from a mapping of relative path to text or bytes."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def build_site(root: Path, **options: object) -> BuildResult:
    """Build a site with the library API at a fixed 'now'."""
    options.setdefault("now", FIXED_NOW)
    return build(BuildOptions(site_root=root, **options))  # type: ignore[arg-type]


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user would, capturing output. A run that does not end in
    `timeout` fails the test with every thread's stack (faulthandler on SIGABRT): a hang is
    a bug to find, not a slow machine."""
    full_env = {**os.environ, "PYTHONFAULTHANDLER": "1", **(env or {})}
    command = [sys.executable, "-m", "newsgen", *args]
    with subprocess.Popen(
        command, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            ps = ["ps", "-eo", "pid,ppid,stat,wchan:24,args"]
            listed = subprocess.run(ps, capture_output=True, text=True, check=False).stdout
            tree = "\n".join(
                line for line in listed.splitlines() if "agefind" in line or "newsgen" in line
            )
            process.send_signal(signal.SIGABRT)
            try:
                stdout, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            pytest.fail(f"{command} ran over {timeout} s; its stacks:\n{stderr}\n{tree}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.fixture
def site(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """Factory: write files into a fresh site folder and return its root."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_files(tmp_path / "site", files)

    return make


def search_documents(out: Path) -> dict[str, dict[str, Any]]:
    """What a search of a built site finds (see documents_of_tree)."""
    files = out.glob("pagefind/**/*")
    return documents_of_tree(
        {p.relative_to(out).as_posix(): p.read_bytes() for p in files if p.is_file()}
    )


def documents_of_tree(tree: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    """What a search of an output tree finds: every document of every bundle, by URL, with the
    base copies delta.json hides left out (Pagefind's fragments are gzip'd JSON). Only the
    bundles the search page loads count: those bundles.json lists, and the delta if any."""
    delta = json.loads(tree["pagefind/delta.json"])
    hidden, mark = set(delta["hidden"]), delta["mark"]
    listed = [name for name, _ in json.loads(tree["pagefind/bundles.json"])]
    loaded = {*listed, *(["delta"] if delta["bundle"] else [])}
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(tree):
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "pagefind" or parts[2] != "fragment":
            continue
        assert parts[1] in loaded, f"{path}: a bundle the search page does not load"
        document = json.loads(gzip.decompress(tree[path]).removeprefix(b"pagefind_dcd"))
        url = document["url"]
        if parts[1] == "delta":
            assert url.endswith(mark), url
            url = url.removesuffix(mark)
        elif url.lstrip("/") in hidden:
            continue
        assert url not in found, f"{url} found twice"
        found[url] = {**document, "url": url}
    return found


def search_state(root: Path) -> dict[str, str]:
    """What a site's build cache says each published search bundle was indexed from (its
    `search:` meta keys), read without changing the cache."""
    connection = sqlite3.connect(f"file:{cache_path(root)}?mode=ro", uri=True, timeout=30)
    try:
        query = "SELECT name, value FROM meta WHERE name LIKE 'search:%' ORDER BY name"
        return dict(connection.execute(query).fetchall())
    finally:
        connection.close()


def settled(tree: Mapping[str, bytes]) -> dict[str, bytes]:
    """An output tree as it compares with another build of the same sources: pages byte for
    byte, search by the documents it finds (bundle bytes depend on the order of edits)."""
    if "pagefind/delta.json" not in tree:
        return dict(tree)
    documents = json.dumps(documents_of_tree(tree), sort_keys=True).encode()
    return {**without_search(dict(tree)), "(search documents)": documents}


def without_search(tree: dict[str, bytes]) -> dict[str, bytes]:
    """An output tree without the search bundles, whose bytes depend on the order of edits
    (compare them with search_documents): their files, and their lines in the manifest."""
    kept = {path: data for path, data in tree.items() if not path.startswith("pagefind")}
    if MANIFEST in kept:
        manifest = json.loads(kept[MANIFEST])
        manifest["files"] = [f for f in manifest["files"] if not f.startswith("pagefind/")]
        kept[MANIFEST] = json.dumps(manifest).encode()
    return kept


def same_output(out: Path, clean: Path) -> None:
    """Two outputs of the same sources: equal bytes, and equal search results."""
    assert without_search(read_tree(out)) == without_search(read_tree(clean))
    assert search_documents(out) == search_documents(clean)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file below root (for comparing outputs)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# Model values built in memory, for tests of the pure stages. Keywords only: each test names
# the fields it cares about and the rest are sensible defaults (a published English article).


def make_speaker(*, name: str = "Zhang Wei", role: str = "") -> Speaker:
    """A speaker (name and optional role)."""
    return Speaker(name=name, role=role)


def make_article(**overrides: Any) -> Article:
    """An `Article` with defaults for every field not given.

    `speakers` may be names or `Speaker` values. Unless given, `slug` comes from the title,
    `url` from the date and slug, and `terms` from units, district, event_type, speakers and
    tags, as parsing would fill them."""
    unknown = set(overrides) - set(Article.__dataclass_fields__)
    assert not unknown, f"Article has no field {sorted(unknown)}"
    fields: dict[str, Any] = {
        "source_path": "content/a.md",
        "title": "A title",
        "date": datetime(2023, 2, 10, tzinfo=UTC),
        "has_time": False,
        "lang": "en",
        "translation_key": "",
        "draft": False,
        "summary": "",
        "summary_derived": False,
        "district": "",
        "event_type": "",
        "units": (),
        "tags": (),
        "body_hash": "",
        "body_line": 1,
        "extra": {},
        **overrides,
    }
    fields["speakers"] = tuple(
        s if isinstance(s, Speaker) else make_speaker(name=s) for s in overrides.get("speakers", ())
    )
    fields.setdefault("slug", urls.make_slug(fields["title"]))
    fields.setdefault("url", urls.article_url(fields["date"], fields["slug"]))
    fields.setdefault("terms", default_terms(fields))
    return Article(**fields)


def default_terms(fields: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """An article's names per built-in taxonomy, as parsing stores them."""
    single = {key: (fields[key],) if fields[key] else () for key in ("district", "event_type")}
    speakers = tuple(s.name for s in fields["speakers"])
    given = {"units": fields["units"], "tags": fields["tags"], "speaker": speakers, **single}
    return {t.key: tuple(given[t.key]) for t in DEFAULT_TAXONOMIES}


def make_source(*, source_path: str = "content/a.md", data: str | bytes | None = None) -> Source:
    """A `Source` (a file as read): text is encoded as UTF-8; the default is a valid article."""
    if data is None:
        data = article_text()
    return Source(
        source_path=source_path, data=data.encode("utf-8") if isinstance(data, str) else data
    )


def make_term(
    *,
    taxonomy: str = "units",
    name: str = "Finance Bureau",
    slug: str | None = None,
    path: str | None = None,
    article_ids: Iterable[int] = (0,),
    labels: Mapping[str, str] | None = None,
) -> Term:
    """A `Term`; its slug comes from the name and its URL from the taxonomy's path."""
    slug = urls.make_slug(name) if slug is None else slug
    path = path if path is not None else taxonomy_path(taxonomy)
    return Term(
        taxonomy=taxonomy,
        name=name,
        slug=slug,
        url=urls.term_url(path, slug),
        article_ids=tuple(article_ids),
        labels=tuple(sorted((labels or {}).items())),
    )


def taxonomy_path(key: str) -> str:
    """The URL folder of a built-in taxonomy (the key itself for any other)."""
    return next((t.path for t in DEFAULT_TAXONOMIES if t.key == key), key)


def make_taxonomy(*, key: str = "units", terms: Iterable[Term] = (), **overrides: Any) -> Taxonomy:
    """A `Taxonomy` with the built-in one's path and titles for its key."""
    builtin = next((t for t in DEFAULT_TAXONOMIES if t.key == key), None)
    fields: dict[str, Any] = {
        "path": builtin.path if builtin else key,
        "title": builtin.title if builtin else key.title(),
        "singular": builtin.singular if builtin else key.title(),
        **overrides,
    }
    return Taxonomy(key=key, terms=tuple(terms), **fields)
