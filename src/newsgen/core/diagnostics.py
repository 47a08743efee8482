"""Diagnostics: one line each, naming file, line, field and a hint, collected across the build."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

# Line breaks and terminal controls in a file name or a quoted value would split a diagnostic
# over lines or drive the terminal: they are shown escaped (\n, \x1b, \u2028).
ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x09}
ESCAPES.update({0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})
# Bidirectional controls would reorder what a terminal shows (a file name could hide its real
# extension or line): shown escaped too.
BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
ESCAPES.update({code: f"\\u{code:04x}" for code in BIDI})


def printable(text: str) -> str:
    """Text safe to print on one line of a terminal (controls and bidi overrides escaped)."""
    return text.translate(ESCAPES)


class Severity(StrEnum):
    """How bad a diagnostic is; errors fail the build."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem in the user's content, templates or settings, with its place."""

    path: str
    line: int = 0
    column: int = 0
    severity: Severity = Severity.ERROR
    field: str = ""
    message: str = ""

    def format(self) -> str:
        """Render as `path:line:col: severity: field: message` (the spec's format)."""
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        return printable(f"{where}: {self.severity.value}: {text}")

    @property
    def is_error(self) -> bool:
        """True when this diagnostic fails the build."""
        return self.severity is Severity.ERROR


def shown(path: str) -> str:
    """A path or message as printed: bytes of a file name that is not UTF-8 escaped (\\xbd),
    never a surrogate (which would crash printing to a UTF-8 terminal), controls and bidi
    overrides escaped too."""
    return printable(os.fsencode(path).decode("utf-8", "backslashreplace"))


def error(path: str, line: int, field: str, message: str, column: int = 0) -> Diagnostic:
    """Make an error diagnostic."""
    return Diagnostic(path, line, column, Severity.ERROR, field, message)


def warning(path: str, line: int, field: str, message: str, column: int = 0) -> Diagnostic:
    """Make a warning diagnostic."""
    return Diagnostic(path, line, column, Severity.WARNING, field, message)


def has_errors(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.is_error for d in diagnostics)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Order diagnostics by file and line so output is deterministic; a problem two pages
    ran into (a body shown on its page and in a feed) is listed once."""
    return tuple(sorted(set(diagnostics)))


class BuildFailed(Exception):
    """Raised by a stage when the build cannot go on; carries every diagnostic found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__(f"{sum(d.is_error for d in diagnostics)} error(s)")
        self.diagnostics = diagnostics


class UnsafeSetup(Exception):
    """Raised when the settings would make newsgen write or delete where it must not (exit 2)."""
