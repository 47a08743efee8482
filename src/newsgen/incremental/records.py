"""What one build hands the next: its layout, its fingerprints, what it published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsgen.core.diagnostics import Diagnostic
from newsgen.core.model import Article, PageSpec, SiteIndex


@dataclass(frozen=True)
class Layout:
    """The index (its articles left out) and the plan made from one layout key, with their
    problems: a body edit reuses them instead of indexing and planning every article."""

    key: str
    index: SiteIndex
    index_problems: tuple[Diagnostic, ...]
    pages: tuple[PageSpec, ...] = ()
    plan_problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Prints:
    """Every page's fingerprint, every article page's search print, and the structure digest
    they were made under (what the next build compares to reuse them)."""

    pages: Mapping[str, str]
    search: Mapping[str, str]
    structure: str
    search_base: str = ""  # what every search print depends on (Renderer.search_base)


@dataclass(frozen=True)
class Published:
    """What a published build hands over for the next build to reuse."""

    output_dir: Path
    articles: Sequence[Article]
    prints: Prints
    body_keys: set[str]
    search_state: Mapping[str, str]
    next_due: float
    search_pending: bool = False  # the search bundles were kept behind the pages
    scheduled: tuple[tuple[str, datetime], ...] = ()  # held back for a future date
