"""Check each front matter field of one article and turn the raw values into an ``Article``."""
from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import process, utils

from kb.model import (AUDIENCES, CHANNELS, KNOWN_FIELDS, LEVELS, REQUIRED_FIELDS, STATUSES,
                      SUPPORT_TYPES, Article)
from kb.parse import ParsedFile
from kb.problems import Problem

LANG_CODE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
SLUG_PART = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _FieldChecker:
    """Collects the problems of one file while coercing its fields."""

    def __init__(self, parsed: ParsedFile, path: str) -> None:
        self.meta = parsed.metadata
        self.lines = parsed.lines
        self.path = path
        self.problems: list[Problem] = []

    def report(self, name: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.problems.append(Problem(self.path, self.lines.get(name, 1), name, message, hint,
                                     severity))  # type: ignore[arg-type]

    def text(self, name: str, required: bool = False) -> str:
        value = self.meta.get(name)
        if value is None:
            if required:
                self.report(name, "is required", f"add '{name}: ...' to the front matter")
            return ""
        if isinstance(value, (dict, list)) or isinstance(value, bool):
            self.report(name, f"must be text (got {type(value).__name__})")
            return ""
        text = str(value).strip()
        if required and not text:
            self.report(name, "must not be empty")
        return text

    def choice(self, name: str, choices: tuple[str, ...] | list[str], default: str = "",
               required: bool = False) -> str:
        value = self.text(name, required)
        if not value:
            return default
        if value not in choices:
            suggestion = process.extractOne(value, list(choices), processor=utils.default_process,
                                            score_cutoff=60)
            hint = f"did you mean '{suggestion[0]}'?" if suggestion else ""
            self.report(name, f"must be one of {', '.join(choices)} (got {value!r})", hint)
            return default
        return value

    def string_list(self, name: str) -> list[str]:
        value = self.meta.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.report(name, "must be a list of text items", f"write '{name}: [a, b]'")
            return []
        items = [str(v).strip() for v in value]
        if any(not item for item in items):
            self.report(name, "contains an empty item")
        return [item for item in items if item]

    def date(self, name: str) -> dt.date | None:
        value = self.meta.get(name)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.report(name, f"invalid date {value!r}", "write dates as YYYY-MM-DD")
            return None

    def level(self) -> int:
        value = self.meta.get("level")
        if value is None:
            self.report("level", "is required", "add 'level: 0', 1 or 2")
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
            self.report("level", f"must be 0, 1 or 2 (got {value!r})",
                        "0 = information and forwarding, 1 = resolve, 2 = expert escalation")
            return 0
        return value

    def unknown_fields(self) -> None:
        for name in self.meta:
            if str(name) in KNOWN_FIELDS:
                continue
            suggestion = process.extractOne(str(name), list(KNOWN_FIELDS),
                                            processor=utils.default_process, score_cutoff=70)
            hint = f"did you mean '{suggestion[0]}'?" if suggestion else \
                f"known fields: {', '.join(KNOWN_FIELDS)}"
            self.report(str(name), "unknown field", hint)


def build_article(parsed: ParsedFile, slug: str, path: str,
                  content_hash: str) -> tuple[Article, list[Problem]]:
    """Coerce and check every field; the article is usable even when problems were found."""
    check = _FieldChecker(parsed, path)
    check.unknown_fields()
    title = check.text("title", required=True)
    article = Article(
        slug=slug, path=path, title=title,
        type=check.choice("type", tuple(SUPPORT_TYPES), default="general", required=True),
        level=check.level(), body=parsed.body,
        summary=check.text("summary"), answer=check.text("answer"),
        questions=check.string_list("questions"),
        tags=[tag.lower() for tag in check.string_list("tags")],
        product=check.text("product"),
        audience=check.choice("audience", AUDIENCES, default="public"),
        lang=check.text("lang") or "en",
        translation_of=check.text("translation_of"),
        related=check.string_list("related"),
        channels=check.string_list("channels"),
        updated=check.date("updated"), review_by=check.date("review_by"),
        owner=check.text("owner"),
        status=check.choice("status", STATUSES, default="published"),
        redirect_from=check.string_list("redirect_from"), replaced_by=check.text("replaced_by"),
        verified=check.date("verified"), verified_by=check.text("verified_by"),
        source_hash=check.text("source_hash"),
        content_hash=content_hash, lines=dict(parsed.lines), body_line=parsed.body_line,
    )
    if not LANG_CODE.match(article.lang):
        check.report("lang", f"must be a language code like 'en' or 'es' (got {article.lang!r})")
    for channel in article.channels:
        if channel not in CHANNELS:
            check.report("channels", f"unknown channel {channel!r}",
                         f"use one of {', '.join(CHANNELS)}")
    if not parsed.body.strip():
        check.report("body", "the article has no body text", "write the answer below the front matter")
    for name in REQUIRED_FIELDS:
        if name == "title" and not title:
            article.title = slug
    if not all(SLUG_PART.match(part) for part in slug.split("/")):
        check.problems.append(Problem(path, 1, "file name",
                                      "file and folder names must be lowercase letters, digits and '-'",
                                      "rename the file, e.g. 'refund-policy.md'"))
    return article, check.problems
