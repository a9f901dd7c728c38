"""Verification: how often each article must be checked, and whether it is due, overdue or never
verified. Pure functions over the model; the ``review`` command, the build and the agent views use
them.

The intervals come from ``articles/_review.yml``::

    due_soon: 14            # days before the due date that count as "due" (default 14)
    intervals:              # days between checks, per support type; "default" for the rest
      billing: 90
      technical: 180
      default: 365
    folders:                # optional path patterns (as in _owners); the last match wins
      billing/agents/: 30

A folder pattern wins over the type, the type over ``default`` (365 days when not set).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from rapidfuzz import process, utils

from kb.model import SUPPORT_TYPES, Article
from kb.owners import PatternError, compile_pattern
from kb.problems import Problem

REVIEW_FILE = "_review.yml"
DEFAULT_INTERVAL = 365
DEFAULT_DUE_SOON = 14
MAX_DAYS = 3650
TOP_KEYS = ("due_soon", "intervals", "folders")
INTERVAL_KEYS = (*SUPPORT_TYPES, "default")

State = Literal["overdue", "due", "never", "ok"]


@dataclass(frozen=True)
class FolderRule:
    pattern: str
    days: int
    regex: re.Pattern[str]


@dataclass
class ReviewConfig:
    """Verification intervals by support type and folder, and the "due soon" window."""

    intervals: dict[str, int] = field(default_factory=dict)
    folders: list[FolderRule] = field(default_factory=list)
    due_soon: int = DEFAULT_DUE_SOON

    def interval_for(self, article: Article) -> int:
        """Days between checks of ``article``: last matching folder, else its type, else default."""
        for rule in reversed(self.folders):
            if rule.regex.match(article.slug + ".md") or rule.regex.match(article.slug):
                return rule.days
        return self.intervals.get(article.type, self.intervals.get("default", DEFAULT_INTERVAL))


@dataclass(frozen=True)
class Assessment:
    """Where one article stands on ``today``."""

    state: State
    due: dt.date | None
    days_left: int | None  # negative once overdue; None when never verified


def assess(verified: dt.date | None, interval: int, today: dt.date, due_soon: int) -> Assessment:
    """``never`` without a verification date; ``overdue`` after verified + interval; ``due`` within
    ``due_soon`` days of it; else ``ok``."""
    if verified is None:
        return Assessment("never", None, None)
    due = verified + dt.timedelta(days=interval)
    left = (due - today).days
    state: State = "overdue" if left < 0 else "due" if left <= due_soon else "ok"
    return Assessment(state, due, left)


def _lines(node: Any) -> dict[str, int]:
    """Line of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _value in node.value}


def _children(node: Any, name: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == name:
                return value
    return None


def _days(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        return None
    return value


def parse_review_config(text: str, rel_path: str = REVIEW_FILE) -> tuple[ReviewConfig, list[Problem]]:
    """Parse and check ``_review.yml``; every problem names its line and key."""
    config, problems = ReviewConfig(), []

    def report(line: int, name: str, message: str, hint: str = "") -> None:
        problems.append(Problem(rel_path, line, name, message, hint))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report(mark.line + 1 if mark else 1, "yaml",
               f"malformed YAML: {getattr(exc, 'problem', None) or 'cannot be parsed'}")
        return config, problems
    if data is None:
        return config, problems
    if not isinstance(data, dict):
        report(1, "review", "must be a mapping with 'intervals' (and 'due_soon', 'folders')")
        return config, problems
    lines = _lines(node)
    for key in data:
        if key not in TOP_KEYS:
            report(lines.get(str(key), 1), str(key), "unknown key", _did_you_mean(str(key), TOP_KEYS))
    if "due_soon" in data:
        days = data["due_soon"]
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            report(lines["due_soon"], "due_soon", f"must be a number of days (got {days!r})")
        else:
            config.due_soon = days

    def entries(name: str, message: str, hint: str) -> list[tuple[Any, Any, int]]:
        """(key, value, line) of the ``name`` mapping; none, and a problem, when it is no mapping."""
        found = data.get(name) or {}
        if not isinstance(found, dict):
            report(lines.get(name, 1), name, message, hint)
            return []
        sub = _lines(_children(node, name))
        return [(key, value, sub.get(str(key), lines.get(name, 1))) for key, value in found.items()]

    for key, value, line in entries("intervals", "must map support types to days", "e.g. 'billing: 90'"):
        if key not in INTERVAL_KEYS:
            report(line, f"intervals.{key}", "unknown support type",
                   _did_you_mean(str(key), INTERVAL_KEYS))
        elif _days(value) is None:
            report(line, f"intervals.{key}", _not_days(value))
        else:
            config.intervals[key] = value
    for key, value, line in entries("folders", "must map path patterns to days",
                                    "e.g. 'billing/agents/: 30'"):
        try:
            regex = compile_pattern(str(key))
        except PatternError as exc:
            report(line, f"folders.{key}", str(exc), "use *, ** and ? with folder names")
            continue
        if _days(value) is None:
            report(line, f"folders.{key}", _not_days(value))
            continue
        config.folders.append(FolderRule(str(key), value, regex))
    return config, problems


def _not_days(value: Any) -> str:
    return f"must be a whole number of days, 1 to {MAX_DAYS} (got {value!r})"


def _did_you_mean(value: str, choices: tuple[str, ...]) -> str:
    found = process.extractOne(value, list(choices), processor=utils.default_process, score_cutoff=60)
    return f"did you mean '{found[0]}'?" if found else f"use one of {', '.join(choices)}"


def load_review_config(articles_dir: Path) -> tuple[ReviewConfig, list[Problem]]:
    """Read ``articles/_review.yml`` (no file: the defaults)."""
    path = articles_dir / REVIEW_FILE
    if not path.exists():
        return ReviewConfig(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ReviewConfig(), [Problem(REVIEW_FILE, 1, "file", f"cannot read: {exc}")]
    return parse_review_config(text)


def check_verified(article: Article, today: dt.date) -> list[Problem]:
    """``verified`` may not lie in the future; ``verified_by`` needs a ``verified`` date."""
    problems = []
    if article.verified is not None and article.verified > today:
        problems.append(Problem(article.path, article.line_of("verified"), "verified",
                                f"date {article.verified} is in the future",
                                "write the date the article was last checked"))
    if article.verified_by and article.verified is None:
        problems.append(Problem(article.path, article.line_of("verified_by"), "verified_by",
                                "has no 'verified' date", "add 'verified: YYYY-MM-DD'", "warning"))
    return problems
