"""Attachments: what a download list says about a file (kind, size, a PDF's pages). The
only module that imports pypdf."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from newsgen.core.model import FileInfo

MIME_FALLBACK = "application/octet-stream"


def describe_file(path: Path, file: str) -> FileInfo:
    """A file's facts; a PDF that cannot be read has 0 pages (it is still published)."""
    size = path.stat().st_size
    suffix = path.suffix.lower()
    mime = mimetypes.guess_type(path.name, strict=False)[0] or MIME_FALLBACK
    kind = suffix.lstrip(".").upper() or "FILE"
    pages = count_pages(path) if suffix == ".pdf" else 0
    return FileInfo(file, size, kind, mime, pages)


def count_pages(path: Path) -> int:
    """A PDF's number of pages, or 0 when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the user's
    try:
        return len(PdfReader(path, strict=False).pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return 0
