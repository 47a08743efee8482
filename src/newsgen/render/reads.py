"""Which changing site-wide values a page's render actually read (its dynamic dependencies).

The same goes for vocabularies: a page notes each term whose name or label it showed, and
only those terms' entries are hashed into its fingerprint, so a renamed unit renders again
the pages that show it and no others.

A template may name a value and show it only sometimes: the theme shows the archive's year
counts and a term's article count on the first page of a listing only. Its fingerprint would
change with every new article all the same, and every later page be rendered again for the
same bytes (707 of 746 pages when one article was added to 10,000). So a render notes what it
read of these values, and the page's next fingerprint hashes only those. That is sound: a
page whose other inputs are unchanged renders the same way, so it reads the same values.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, SupportsIndex

ReadLog = set[str]  # the flags of the values one render read, and the terms it named
COUNTS = "c"  # a term's article count (TermView.count)
WATCHED = {"archive_tree": "a", "search_filters": "s"}  # site-wide globals, by flag
ALL_READS = "acs"  # what a page not rendered yet is taken to read
SEPARATOR = ":"  # a stored page fingerprint: <digest>:<flags of what its render read>
TERMS = "|"  # then the terms whose names it showed: <flags>|<term_ref>,<term_ref>,...


def flags(log: ReadLog) -> str:
    """A render's reads as stored with its fingerprint: one-letter flags, then the terms
    (term_ref) whose vocabulary names and labels it showed."""
    letters = "".join(sorted(f for f in log if len(f) == 1))
    terms = sorted(f for f in log if len(f) > 1)
    return f"{letters}{TERMS}{','.join(terms)}" if terms else letters


@functools.lru_cache(maxsize=65536)
def term_ref(key: str, slug: str, lang: str = "") -> str:
    """How a read of one term is noted: 12 hex digits of its taxonomy, slug and the language
    its names were shown in ("": only its slug was used; a page's reads are kept with its
    fingerprint, 19,500 of them at 10,000 articles)."""
    return hashlib.blake2b(f"{key}/{slug}/{lang}".encode(), digest_size=6).hexdigest()


def read_flags(reads: str) -> str:
    """The one-letter flags of a stored read."""
    return reads.partition(TERMS)[0]


def read_terms(reads: str) -> list[str]:
    """The terms (term_ref) a stored read names."""
    terms = reads.partition(TERMS)[2]
    return terms.split(",") if terms else []


def reads_of(fingerprint: str | None) -> str:
    """What the render that left a fingerprint read (all, if the fingerprint says nothing)."""
    if not fingerprint or SEPARATOR not in fingerprint:
        return ALL_READS
    return fingerprint.rpartition(SEPARATOR)[2]


class Watched(tuple[Any, ...]):
    """A tuple that notes in a log when a template looks into it (iterates, indexes, counts,
    tests, compares or prints it)."""

    log: ReadLog
    flag: str

    def __new__(cls, items: tuple[Any, ...], log: ReadLog, flag: str) -> Watched:
        made = super().__new__(cls, items)
        made.log, made.flag = log, flag
        return made

    def note(self) -> None:
        """Record the read."""
        self.log.add(self.flag)

    def __iter__(self) -> Any:
        self.note()
        return super().__iter__()

    def __len__(self) -> int:
        self.note()
        return super().__len__()

    def __bool__(self) -> bool:
        self.note()
        return super().__len__() > 0

    def __getitem__(self, key: SupportsIndex | slice) -> Any:
        self.note()
        return super().__getitem__(key)

    def __contains__(self, item: object) -> bool:
        self.note()
        return super().__contains__(item)

    def __reversed__(self) -> Any:
        self.note()
        return reversed(tuple(super().__iter__()))

    def __eq__(self, other: object) -> bool:
        self.note()
        return tuple(super().__iter__()) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        self.note()
        return super().__hash__()

    def __add__(self, other: Any) -> Any:
        self.note()
        return tuple(super().__iter__()) + other

    def __radd__(self, other: Any) -> Any:
        self.note()
        return other + tuple(super().__iter__())

    def __mul__(self, other: SupportsIndex) -> Any:
        self.note()
        return tuple(super().__iter__()) * other

    def __repr__(self) -> str:
        self.note()
        return super().__repr__()

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        return format(self.__repr__(), spec)

    def __reduce__(self) -> Any:  # a copy (pickled for a worker process) is a plain tuple
        return (tuple, (tuple(super().__iter__()),))

    def count(self, value: Any) -> int:
        self.note()
        return super().count(value)

    def index(self, value: Any, *args: Any) -> int:
        self.note()
        return super().index(value, *args)
