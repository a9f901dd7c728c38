"""Who owns each article: the ``owner`` field, else a CODEOWNERS-style ``articles/_owners`` file.

Each line of ``_owners`` is a path pattern followed by one or more owners; ``#`` starts a
comment. Patterns follow CODEOWNERS (and .gitignore): ``*`` matches within one folder name,
``**`` across folders, ``?`` one character; a leading ``/`` anchors the pattern at the articles
folder, a pattern without ``/`` matches at any depth, a trailing ``/`` (or a folder name) matches
everything below. The last matching line wins; a pattern with no owner leaves its articles
unowned. Patterns match the file's path under ``articles/`` (``billing/refunds.md``) or its slug.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.model import Article
from kb.problems import Problem

OWNERS_FILE = "_owners"
OWNER_RE = re.compile(r"^@?[\w.+-]+(/[\w.+-]+)?(@[\w.-]+)?$")


class PatternError(ValueError):
    """A path pattern this project cannot match."""


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of one CODEOWNERS-style path pattern (PatternError when invalid)."""
    text = pattern.strip()
    if not text or text in ("/", "//"):
        raise PatternError("empty pattern")
    if text.startswith("!"):
        raise PatternError("negated patterns ('!') are not supported")
    if any(ch in text for ch in "[]{}\\"):
        raise PatternError("character classes, braces and backslashes are not supported")
    anchored = text.startswith("/") or "/" in text.rstrip("/")
    folder_only = text.endswith("/")
    body = []
    parts = text.strip("/")
    i = 0
    while i < len(parts):
        if parts.startswith("**/", i):
            body.append("(?:.*/)?")
            i += 3
        elif parts.startswith("**", i):
            body.append(".*")
            i += 2
        elif parts[i] == "*":
            body.append("[^/]*")
            i += 1
        elif parts[i] == "?":
            body.append("[^/]")
            i += 1
        else:
            body.append(re.escape(parts[i]))
            i += 1
    start = "^" if anchored else "^(?:.*/)?"
    end = "/.*$" if folder_only else "(?:/.*)?$"
    return re.compile(start + "".join(body) + end)


@dataclass(frozen=True)
class OwnerRule:
    """One line of the owners file."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]

    def matches(self, article: Article) -> bool:
        return bool(self.regex.match(article.slug + ".md") or self.regex.match(article.slug))


@dataclass
class Owners:
    """The rules of ``_owners`` in file order (the last match wins)."""

    rules: list[OwnerRule] = field(default_factory=list)

    def rule_for(self, article: Article) -> OwnerRule | None:
        for rule in reversed(self.rules):
            if rule.matches(article):
                return rule
        return None

    def owners_of(self, article: Article) -> list[str]:
        """The article's ``owner`` field (comma-separated names), else the last matching rule's."""
        if article.owner:
            return split_owners(article.owner)
        rule = self.rule_for(article)
        return list(rule.owners) if rule else []


def split_owners(text: str) -> list[str]:
    """``"billing-team, @sam"`` -> ``["billing-team", "@sam"]``."""
    return [name.strip() for name in text.split(",") if name.strip()]


def parse_owners(text: str, rel_path: str = OWNERS_FILE) -> tuple[Owners, list[Problem]]:
    """Parse the owners file; each bad line is a problem with its line number."""
    owners, problems = Owners(), []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        pattern, *names = line.split()
        try:
            regex = compile_pattern(pattern)
        except PatternError as exc:
            problems.append(Problem(rel_path, number, "pattern", f"{pattern!r}: {exc}",
                                    "use *, ** and ? with folder names, e.g. 'billing/' or '*.md'"))
            continue
        bad = [name for name in names if not OWNER_RE.match(name)]
        if bad:
            problems.append(Problem(rel_path, number, "owner", f"invalid owner name {bad[0]!r}",
                                    "owners are names like 'billing-team', '@sam' or 'sam@example.com'"))
            continue
        owners.rules.append(OwnerRule(pattern, tuple(names), number, regex))
    return owners, problems


def load_owners(articles_dir: Path) -> tuple[Owners, list[Problem]]:
    """Read ``articles/_owners`` (no file: no rules)."""
    path = articles_dir / OWNERS_FILE
    if not path.exists():
        return Owners(), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Owners(), [Problem(OWNERS_FILE, 1, "file", f"cannot read: {exc}")]
    return parse_owners(text)


def check_owners(owners: Owners, articles: list[Article], rel_path: str) -> list[Problem]:
    """Warnings for rules that match no article (a typo in a folder name, a removed folder)."""
    return [Problem(rel_path, rule.line, "pattern", f"{rule.pattern!r} matches no article",
                    "check the folder or file name", "warning")
            for rule in owners.rules if not any(rule.matches(a) for a in articles)]
