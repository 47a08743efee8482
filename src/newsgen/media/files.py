"""Attachments: what a download list says about a file (kind, size, a PDF's pages). The
only module that imports pypdf."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from newsgen.core.model import FileInfo

MIME_FALLBACK = "application/octet-stream"


def describe_file(path: Path, file: str) -> tuple[FileInfo, str]:
    """A file's facts, and a problem to warn about ("" when none): a PDF that cannot be read
    is still published, without its page count."""
    size = path.stat().st_size
    suffix = path.suffix.lower()
    mime = mimetypes.guess_type(path.name, strict=False)[0] or MIME_FALLBACK
    kind = suffix.lstrip(".").upper() or "FILE"
    if suffix != ".pdf":
        return FileInfo(file, size, kind, mime), ""
    pages, problem = count_pages(path)
    return FileInfo(file, size, kind, mime, pages), problem


def count_pages(path: Path) -> tuple[int, str]:
    """A PDF's number of pages, or 0 and why not."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the user's
    try:
        return len(PdfReader(path, strict=False).pages), ""
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return 0, f"cannot be read as a PDF ({type(exc).__name__}); its page count is left out"
