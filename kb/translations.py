"""Translations that keep up: which translations are stale, unmarked or missing.

A translation records, in ``source_hash``, the :func:`source_hash` of its source article at the
time it was translated (``python build.py translations --mark-current FILE`` writes it). The hash
covers what a translator translates: the title, summary, answer, alternate questions and body. A
change to anything else in the source's front matter (tags, level, related articles, review dates,
the ``updated`` date) leaves its translations current; a change to its words makes them stale.

- ``current``: the recorded hash is the source's hash now;
- ``stale``: it differs: the source changed after the translation was made (or last checked);
- ``unmarked``: no ``source_hash`` at all: nobody has said which version it translates.

Pure functions over loaded articles; the command line and the index build call them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Literal

from kb.model import Article
from kb.problems import Problem

State = Literal["current", "stale", "unmarked"]
#: Hex digits kept of the SHA-256: enough to tell versions of one article apart.
HASH_CHARS = 16
MARK_HINT = "update the translation, then run 'python build.py translations --mark-current {path}'"


def source_hash(article: Article) -> str:
    """The hash of an article's translatable words (title, summary, answer, questions, body).

    Line endings and trailing spaces do not count, so re-saving a file in another editor does not
    make its translations stale."""
    body = "\n".join(line.rstrip() for line in article.body.replace("\r\n", "\n").split("\n")).strip()
    words = [article.title, article.summary, article.answer, list(article.questions), body]
    encoded = json.dumps(words, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True)
class TranslationStatus:
    """One translation and how it stands against its source."""

    translation: Article
    source: Article
    state: State
    current_hash: str

    @property
    def line(self) -> int:
        """The line to point a writer at: ``source_hash``, else ``translation_of``."""
        lines = self.translation.lines
        return lines.get("source_hash") or lines.get("translation_of") or 1


def _is_live(article: Article) -> bool:
    return article.status != "archived"


def translation_statuses(articles: Iterable[Article]) -> list[TranslationStatus]:
    """Every translation whose source exists, with its state, in path order (archived ones and
    "translations" into the source's own language, already an error, are skipped)."""
    articles = list(articles)
    by_slug = {a.slug: a for a in articles}
    found = []
    for article in articles:
        source = by_slug.get(article.translation_of) if article.translation_of else None
        if source is None or source.lang == article.lang or not _is_live(article):
            continue
        now = source_hash(source)
        state: State = ("unmarked" if not article.source_hash
                        else "current" if article.source_hash == now else "stale")
        found.append(TranslationStatus(article, source, state, now))
    return sorted(found, key=lambda s: s.translation.path)


def stale_slugs(articles: Iterable[Article]) -> list[str]:
    """Slugs of the translations whose source changed since they were marked current."""
    return [s.translation.slug for s in translation_statuses(articles) if s.state == "stale"]


def needs_translation(article: Article) -> bool:
    """Published public originals are what customers read, so they are what should be translated."""
    return not article.translation_of and not article.is_internal and article.status == "published"


def languages(articles: Iterable[Article]) -> list[str]:
    """Every language the knowledge base uses, sorted."""
    return sorted({a.lang for a in articles})


def missing_translations(articles: Iterable[Article], lang: str) -> list[Article]:
    """Originals (see :func:`needs_translation`) with no translation into ``lang`` that customers
    can read (public and indexed: a draft or agent-only translation leaves it missing), by path."""
    articles = list(articles)
    translated = {a.translation_of for a in articles
                  if a.translation_of and a.lang == lang and not a.is_internal and a.is_indexed}
    return sorted((a for a in articles if needs_translation(a) and a.lang != lang
                   and a.slug not in translated), key=lambda a: a.path)


def translation_problems(articles: Iterable[Article]) -> list[Problem]:
    """``--check`` warnings: stale translations and translations never marked."""
    problems = []
    for status in translation_statuses(articles):
        article, source = status.translation, status.source
        hint = MARK_HINT.format(path=article.path)
        if status.state == "stale":
            problems.append(Problem(
                article.path, status.line, "source_hash",
                f"translation may be out of date: {source.slug!r} changed since it was translated",
                f"see 'git log -p {source.path}'; {hint}", "warning"))
        elif status.state == "unmarked":
            problems.append(Problem(
                article.path, status.line, "source_hash",
                "translation does not record which version of its source it translates",
                f"when it matches {source.slug!r}, run "
                f"'python build.py translations --mark-current {article.path}'", "warning"))
    return problems
