"""Search bundles kept in the build cache are checked before they are published: the cache is
input, not trust (SECURITY.md), and the search page runs a bundle's JavaScript and WebAssembly.

A kept bundle is published only if every file is where Pagefind puts it, its entry file names
only the languages and WebAssembly files it holds, and its code (pagefind.js, its worker and
its WebAssembly) is byte for byte what the installed Pagefind writes now, found by indexing
one tiny page per language. Anything else is indexed again, as if it were not kept. Its data
files (index, fragments) are only read by that code, which escapes the text it shows (a
browser test poisons a fragment).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from newsgen.publish.pagefind import PagefindFailed, PagefindService, run_pagefind

DATA_FILE = re.compile(
    r"(?:fragment/[\w-]+\.pf_fragment|index/[\w-]+\.pf_index|filter/[\w-]+\.pf_filter"
    r"|pagefind\.[\w-]+\.pf_meta|pagefind-entry\.json)"
)
CODE_FILE = re.compile(r"pagefind(?:-worker)?\.js|wasm\.[\w-]+\.pagefind")
LANGUAGE = re.compile(r"[A-Za-z0-9_-]{1,35}")


def kept_languages(files: Mapping[str, bytes]) -> list[str] | None:
    """The languages a kept bundle's entry file lists, or None when the entry is not one
    Pagefind writes (unreadable, or naming WebAssembly the bundle does not hold)."""
    try:
        entry = json.loads(files["pagefind-entry.json"])
        languages = entry["languages"]
        if not isinstance(languages, dict):
            return None
        for language, facts in languages.items():
            wasm = facts.get("wasm") if isinstance(facts, dict) else ""
            if not LANGUAGE.fullmatch(language) or wasm == "":
                return None
            if wasm is not None and f"wasm.{wasm}.pagefind" not in files:
                return None
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    return sorted(languages)


def sample_page(language: str) -> bytes:
    """A page Pagefind indexes in one language: what makes it write that language's code."""
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><title>newsgen</title></head>'
        "<body><main data-pagefind-body><h1>newsgen</h1><p>newsgen</p></main></body></html>"
    ).encode()


class CodeReference:
    """Pagefind's code files as the installed Pagefind writes them, made once per language
    a kept bundle needs (one small index, a fraction of a second) and only if one does."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.files: dict[str, bytes] = {}
        self.languages: set[str] = set()

    def code_for(self, languages: Sequence[str]) -> dict[str, bytes]:
        """Code files of bundles in these languages (empty if Pagefind fails: nothing kept
        then passes the check, and the bundles are indexed again)."""
        missing = sorted(set(languages) - self.languages)
        if missing:
            pages = {f"{language}/index.html": sample_page(language) for language in missing}
            service = PagefindService(self.binary)
            try:
                bundle = run_pagefind(service, pages.__getitem__, sorted(pages))
            except (PagefindFailed, OSError, ValueError):
                return {}
            finally:
                service.close()
            self.files.update({p: data for p, data in bundle.items() if CODE_FILE.fullmatch(p)})
            self.languages.update(missing)
        return self.files

    def genuine(self, files: Mapping[str, bytes]) -> bool:
        """Whether a kept bundle may be published as it is."""
        languages = kept_languages(files)
        code = [path for path in files if CODE_FILE.fullmatch(path)]
        if not languages or "pagefind.js" not in code:
            return False
        if any(not (CODE_FILE.fullmatch(p) or DATA_FILE.fullmatch(p)) for p in files):
            return False
        reference = self.code_for(languages)
        return all(reference.get(p) == files[p] for p in code)
