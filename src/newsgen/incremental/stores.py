"""Work kept in the cache file and read back where it is needed: body HTML (from any worker
process, each with its own connection) and search bundles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from newsgen.incremental.cache import BuildCache, CacheUnusable, dumps, loads


def read_body_html(path: Path, key: str) -> str | None:
    """A cached body, looked up from any process (each has its own connection)."""
    connection = body_connection(path)
    if connection is None:
        return None
    try:
        row = connection.execute("SELECT html FROM bodies WHERE hash = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def store_bodies(path: Path, bodies: Mapping[str, str]) -> None:
    """Add converted bodies to the cache from the process that converted them (keeps memory flat)."""
    connection = body_connection(path)
    if connection is None or not bodies:
        return
    try:
        with connection:
            connection.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", bodies.items())
    except sqlite3.Error:
        pass


_body_connections: dict[Path, sqlite3.Connection | None] = {}


def body_connection(path: Path) -> sqlite3.Connection | None:
    """One connection per process and cache file (connections must not cross a fork)."""
    if path not in _body_connections:
        try:
            _body_connections[path] = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=60)
        except sqlite3.Error:
            _body_connections[path] = None
    return _body_connections[path]


def reset_connections() -> None:
    """Forget connections inherited from a parent process."""
    _body_connections.clear()


class BodyCacheFile:
    """Body HTML in the cache file, reachable from any worker process (render's BodyCache)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, key: str) -> str | None:
        """A body converted by an earlier build, if kept."""
        return read_body_html(self.path, key)

    def put(self, bodies: Mapping[str, str]) -> None:
        """Keep bodies converted now for later builds."""
        store_bodies(self.path, bodies)


class BundleCacheFile:
    """Search bundles in the cache, by name and what they were indexed from (search's
    BundleStore): a deleted output gets them back without running Pagefind."""

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache

    def get(self, name: str, digest: str) -> dict[str, bytes] | None:
        """A bundle's files, if kept."""
        query = "SELECT files FROM bundles WHERE name = ? AND digest = ?"
        row = self.cache.guard(
            lambda: self.cache.connection.execute(query, (name, digest)).fetchone()
        )
        if row is None:
            return None
        try:
            files = loads(row[0])
        except CacheUnusable:
            return None
        if not isinstance(files, dict):
            return None
        return {str(k): v for k, v in files.items() if isinstance(v, bytes)}

    def put(self, name: str, digest: str, files: Mapping[str, bytes]) -> None:
        """Keep a bundle made now (its files are small and already compressed by Pagefind)."""
        with self.cache.writing() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO bundles VALUES (?, ?, ?)",
                (name, digest, dumps(dict(files))),
            )

    def keep_only(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Drop every bundle the published search no longer uses."""
        keep = set(wanted)
        rows = self.cache.guard(
            lambda: self.cache.connection.execute("SELECT name, digest FROM bundles").fetchall()
        )
        drop = [(str(n), str(d)) for n, d in rows if (n, d) not in keep]
        with self.cache.writing() as connection:
            connection.executemany("DELETE FROM bundles WHERE name = ? AND digest = ?", drop)
