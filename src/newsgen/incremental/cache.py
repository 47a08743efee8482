"""Persistent build cache: parsed articles, rendered bodies and page fingerprints (SQLite).

Safe to delete at any time. A cache from another newsgen version, other settings, or one that
is corrupt or truncated is discarded, never trusted; values are unpickled through an allow-list.
"""

from __future__ import annotations

import copyreg
import gc
import io
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsgen import __version__

CACHE_DIR = ".newsgen-cache"
CACHE_FILE = "cache.sqlite"
SCHEMA = 16
ALLOWED_GLOBALS = {
    ("newsgen.core.model", "Article"),
    ("newsgen.core.model", "Unparsed"),
    ("newsgen.core.model", "Speaker"),
    ("newsgen.core.model", "Update"),
    ("newsgen.core.model", "LeadImage"),
    ("newsgen.core.model", "ImageSet"),
    ("newsgen.core.model", "Variant"),
    ("newsgen.core.model", "Attachment"),
    ("newsgen.core.model", "FileInfo"),
    ("newsgen.core.model", "ShortcodeUse"),
    ("newsgen.core.model", "SiteIndex"),
    ("newsgen.core.model", "Taxonomy"),
    ("newsgen.core.model", "Term"),
    ("newsgen.core.model", "TermHistory"),
    ("newsgen.core.model", "TermLink"),
    ("newsgen.core.model", "NameSpan"),
    ("newsgen.core.model", "PageSpec"),
    ("newsgen.site.related", "RelatedMemo"),
    ("newsgen.core.diagnostics", "Diagnostic"),
    ("newsgen.core.diagnostics", "Severity"),
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "time"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("zoneinfo", "ZoneInfo"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytes"),
}
TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, hash TEXT);
CREATE TABLE IF NOT EXISTS snapshot (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS parsed_delta (hash TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (hash TEXT PRIMARY KEY, html TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bundles (name TEXT, digest TEXT, files BLOB NOT NULL,
                                    PRIMARY KEY (name, digest));
"""

SourceStat = tuple[int, int, str]


class CacheUnusable(Exception):
    """The cache cannot be trusted; the build goes on without it."""


class RestrictedUnpickler(pickle.Unpickler):
    """Only newsgen's own value types and standard date types may come out of the cache."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise CacheUnusable(f"unexpected type {module}.{name} in cache")
        return super().find_class(module, name)


def dumps(value: Any) -> bytes:
    """Serialise a cached value."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """Deserialise a cached value through the allow-list. The cycle collector waits and then
    leaves what was loaded alone (gc.freeze; a build unfreezes it when it ends): loading makes
    no garbage, and the collector walked the growing snapshot again and again (0.15 s of an
    edit's build at 10,000 articles)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = RestrictedUnpickler(io.BytesIO(data)).load()
    except CacheUnusable:
        raise
    except Exception as exc:
        raise CacheUnusable(f"unreadable cache entry: {exc}") from exc
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    return value


def reduce_zone(zone: ZoneInfo) -> tuple[type[ZoneInfo], tuple[str]]:
    """Pickle a time zone by its name only (so the allow-list needs nothing but ZoneInfo)."""
    return ZoneInfo, (str(zone.key),)


copyreg.pickle(ZoneInfo, reduce_zone)


def cache_path(site_root: Path) -> Path:
    """Where a site's cache lives."""
    return site_root / CACHE_DIR / CACHE_FILE


def peek_meta(site_root: Path, name: str) -> str | None:
    """One meta value read without creating or changing the cache (for `check`)."""
    path = cache_path(site_root)
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return BuildCache.read_meta(connection, name)
        finally:
            connection.close()
    except sqlite3.Error:
        return None


class BuildCache:
    """One SQLite file; every read or write failure turns into CacheUnusable."""

    def __init__(self, site_root: Path, key: str) -> None:
        self.path = cache_path(site_root)
        self.key = f"{SCHEMA}:{__version__}:{key}"
        self.loaded_sources: dict[str, SourceStat] = {}
        self.loaded_pages: dict[str, str] = {}
        self.loaded_parsed: set[str] = set()
        self.loaded_deltas = 0
        self.pending_snapshots: dict[str, bytes] = {}  # name -> (key, value), pickled
        self.connection = self.open()

    def open(self) -> sqlite3.Connection:
        """Open (or create) the cache; a foreign, old or broken one is replaced."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        gitignore = self.path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", "utf-8")
        try:
            connection = self.connect()
            if self.read_meta(connection, "key") == self.key:
                return connection
            connection.close()
        except (sqlite3.Error, CacheUnusable):
            pass
        self.discard()
        connection = self.connect()
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (self.key,))
        connection.commit()
        return connection

    def connect(self) -> sqlite3.Connection:
        """A connection with the tables in place."""
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")  # a cache: damage is detected and discarded
        connection.executescript(TABLES)
        return connection

    def discard(self) -> None:
        """Delete the cache file (and its journal)."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    @staticmethod
    def read_meta(connection: sqlite3.Connection, name: str) -> str | None:
        """One meta value."""
        row = connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def meta(self, name: str) -> str | None:
        """One meta value of this cache."""
        value: str | None = self.guard(lambda: self.read_meta(self.connection, name))
        return value

    def sources(self) -> dict[str, SourceStat]:
        """Content files as last seen: path -> (mtime_ns, size, content hash)."""
        rows = self.guard(lambda: self.connection.execute("SELECT * FROM sources").fetchall())
        self.loaded_sources = {str(p): (int(m), int(s), str(h)) for p, m, s, h in rows}
        return dict(self.loaded_sources)

    def parsed(self) -> dict[str, Any]:
        """Parse results of the last build, by content hash: a snapshot plus recent additions."""

        def read() -> tuple[Any, list[Any]]:
            query = "SELECT value FROM snapshot WHERE name = 'parsed'"
            row = self.connection.execute(query).fetchone()
            deltas = self.connection.execute("SELECT hash, value FROM parsed_delta").fetchall()
            return row, deltas

        row, deltas = self.guard(read)
        value = loads(row[0]) if row else {}
        if not isinstance(value, dict):
            raise CacheUnusable("parse snapshot is not a mapping")
        value.update((str(h), loads(v)) for h, v in deltas)
        self.loaded_parsed, self.loaded_deltas = set(value), len(deltas)
        return value

    def snapshot(self, name: str, key: str) -> Any:
        """A value the last build kept under a name, if it was made from the same key."""
        query = "SELECT value FROM snapshot WHERE name = ?"
        row = self.guard(lambda: self.connection.execute(query, (name,)).fetchone())
        if row is None:
            return None
        value = loads(row[0])  # (key, the value pickled apart): a stale value is never loaded
        if not (isinstance(value, tuple) and len(value) == 2 and value[0] == key):
            return None
        return loads(value[1]) if isinstance(value[1], bytes) else None

    def remember_snapshot(self, name: str, key: str, value: Any) -> None:
        """Keep a value for the next build (saved with the rest of the build)."""
        self.pending_snapshots[name] = dumps((key, dumps(value)))

    def pages(self) -> dict[str, str]:
        """Output path -> fingerprint of the page last written there."""
        rows = self.guard(lambda: self.connection.execute("SELECT * FROM pages").fetchall())
        self.loaded_pages = {str(p): str(f) for p, f in rows}
        return dict(self.loaded_pages)

    def forget_pages(self, paths: Iterable[str]) -> None:
        """Before publishing, drop the no-change shortcut and the fingerprints of the pages about
        to change: a build killed after publishing must not leave the cache vouching for them."""
        gone = list(paths)
        with self.writing() as connection:
            connection.execute("DELETE FROM meta WHERE name = 'inputs'")
            connection.executemany("DELETE FROM pages WHERE path = ?", [(p,) for p in gone])
        for path in gone:
            self.loaded_pages.pop(path, None)

    def meta_with_prefix(self, prefix: str) -> dict[str, str]:
        """Every meta value whose name starts with a prefix."""
        rows = self.guard(
            lambda: self.connection.execute(
                "SELECT name, value FROM meta WHERE substr(name, 1, ?) = ?", (len(prefix), prefix)
            ).fetchall()
        )
        return {str(name): str(value) for name, value in rows}

    def save_meta(self, values: Mapping[str, str]) -> None:
        """Set meta values."""
        with self.writing() as connection:
            connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; when it fails (a full disk) the cache is deleted rather than
        left half-written, and the build goes on without it."""
        try:
            with self.connection:
                yield self.connection
        except sqlite3.Error:
            self.connection.close()
            self.discard()
            self.connection = sqlite3.connect(":memory:")
            self.connection.executescript(TABLES)

    def save(
        self,
        sources: Mapping[str, SourceStat],
        parsed: Mapping[str, Any],
        body_keys: Iterable[str],
        pages: Mapping[str, str],
        meta: Mapping[str, str],
    ) -> None:
        """Record this build in one transaction, writing only what changed since the last."""
        with self.writing() as connection:
            connection.execute("DELETE FROM meta WHERE name = 'inputs'")
            self.update_table("sources", self.loaded_sources, sources)
            self.update_table("pages", self.loaded_pages, pages)
            new = {k: v for k, v in parsed.items() if k not in self.loaded_parsed}
            if (
                self.loaded_deltas + len(new) > max(200, len(parsed) // 20)
                or not self.loaded_parsed
            ):
                self.write_snapshot(parsed, body_keys)
            else:
                connection.executemany(
                    "INSERT OR REPLACE INTO parsed_delta VALUES (?, ?)",
                    ((k, dumps(v)) for k, v in new.items()),
                )
            connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            connection.executemany(
                "INSERT OR REPLACE INTO snapshot VALUES (?, ?)", self.pending_snapshots.items()
            )

    def update_table(self, table: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """Make a path-keyed table hold `new`, touching only rows that differ from `old`."""
        connection = self.connection
        gone = [(path,) for path in old.keys() - new.keys()]
        connection.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
        changed = [(path, value) for path, value in new.items() if old.get(path) != value]
        width = 1 if table == "pages" else 3
        marks = ", ".join("?" * (width + 1))
        rows = ((p, v) if width == 1 else (p, *v) for p, v in changed)
        connection.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)

    def write_snapshot(self, parsed: Mapping[str, Any], body_keys: Iterable[str]) -> None:
        """Rewrite the parse snapshot (dropping old entries) and prune unused bodies."""
        connection = self.connection
        connection.execute(
            "INSERT OR REPLACE INTO snapshot VALUES ('parsed', ?)", (dumps(dict(parsed)),)
        )
        connection.execute("DELETE FROM parsed_delta")
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS keep (hash TEXT PRIMARY KEY)")
        connection.execute("DELETE FROM keep")
        connection.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in body_keys))
        connection.execute("DELETE FROM bodies WHERE hash NOT IN (SELECT hash FROM keep)")

    def guard(self, read: Any) -> Any:
        """Run a read; any SQLite failure means the cache is unusable."""
        try:
            return read()
        except sqlite3.Error as exc:
            raise CacheUnusable(str(exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
