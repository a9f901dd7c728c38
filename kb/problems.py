"""Problems found in articles, reported to writers as ``path:line: field: message``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, with where and how to fix it."""

    path: str
    line: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    def format(self) -> str:
        """The line a writer sees, e.g. ``articles/a.md:3: level: must be 0, 1 or 2 (got 'L1')``."""
        text = f"{self.path}:{self.line}: {self.severity}: {self.field}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the problems that fail a build."""
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    """Only the problems that fail a ``--strict`` build."""
    return [p for p in problems if p.severity == "warning"]
