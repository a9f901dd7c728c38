"""Load a knowledge base folder: every article, the side files, and every problem found."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from kb.fields import build_article
from kb.filecache import FileCache, file_digest, now_ns
from kb.gitdates import last_commit_dates
from kb.golden import GoldenQuery, load_golden
from kb.model import Article
from kb.owners import Owners, load_owners
from kb.parse import parse_file
from kb.problems import Problem
from kb.progress import track
from kb.routing import Routing, load_routing
from kb.synonyms import load_synonyms
from kb.verification import ReviewConfig, load_review_config


@dataclass
class KnowledgeBase:
    """Articles (drafts included) and side files of one folder, with the problems found."""

    root: Path
    articles: list[Article] = field(default_factory=list)
    routing: Routing = field(default_factory=Routing)
    synonyms: list[list[str]] = field(default_factory=list)
    golden: list[GoldenQuery] = field(default_factory=list)
    owners: Owners = field(default_factory=Owners)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    problems: list[Problem] = field(default_factory=list)
    #: parsed files remembered between runs; :func:`kb.validate.validate` saves it
    cache: FileCache = field(default_factory=lambda: FileCache(None), repr=False)

    @property
    def published(self) -> list[Article]:
        """The articles that go into the index."""
        return [a for a in self.articles if a.is_indexed]

    def by_slug(self) -> dict[str, Article]:
        return {a.slug: a for a in self.articles}


def article_paths(root: Path | str) -> list[str]:
    """Every ``.md`` file under ``root`` as a path string (10,000 Path objects cost more than the
    walk), skipping names starting with ``_`` or ``.``."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        found += [os.path.join(folder, f) for f in sorted(files)
                  if f.endswith(".md") and not f.startswith(("_", "."))]
    return found


def article_files(root: Path) -> list[Path]:
    """Every ``.md`` file under ``root``, skipping names starting with ``_`` or ``.``."""
    return [Path(path) for path in article_paths(root)]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _content_hash(data: bytes, updated: dt.date | None) -> str:
    digest = hashlib.sha256(data)
    digest.update(str(updated).encode())
    return digest.hexdigest()[:32]


def load_knowledge_base(root: Path | str, cache_dir: Path | str | None = None,
                        progress: bool = False) -> KnowledgeBase:
    """Read every article and side file under ``root``; problems are collected, never raised.

    ``cache_dir`` (the index folder): unchanged files are taken from the parse cache kept there."""
    root = Path(root)
    kb = KnowledgeBase(root=root, cache=FileCache(cache_dir))
    if not root.is_dir():
        kb.problems.append(Problem(str(root), 1, "articles", "folder does not exist"))
        return kb
    git_dates = last_commit_dates(root)
    shown = os.path.relpath(root)
    shown = str(root) if shown.startswith("..") else shown
    files = article_paths(root)
    prefix = len(os.path.join(str(root), ""))
    for file_path in track(files, "load", len(files), progress):
        relative = file_path[prefix:].replace(os.sep, "/")
        display = f"{shown}/{relative}"
        stat = os.stat(file_path)
        data = None
        digest = kb.cache.unchanged(relative, stat, display)  # stat as when last read: skip reading it
        if digest is None:
            started_ns = now_ns()
            data = _read(file_path)
            digest = file_digest(data, display)
            kb.cache.hashed(relative, stat, display, started_ns)
        cached = kb.cache.get(relative, digest)
        if cached is None:
            parsed = parse_file(file_path, display)
            cached = (parsed, [], False) if isinstance(parsed, Problem) else \
                (*build_article(parsed, relative[:-3], display, ""), False)
            if not isinstance(parsed, Problem):
                cached = (cached[0], cached[1], cached[0].updated is None)
            kb.cache.put(relative, digest, cached)
        article, problems, dated_by_file = cached
        if isinstance(article, Problem):
            kb.problems.append(article)
            continue
        if dated_by_file:
            article.updated = git_dates.get(relative) or dt.date.fromtimestamp(stat.st_mtime)
        known = kb.cache.content_hash(relative, str(article.updated))
        article.content_hash = known or _content_hash(
            _read(file_path) if data is None else data, article.updated)
        if not known:
            kb.cache.remember_hash(relative, str(article.updated), article.content_hash)
        kb.articles.append(article)
        kb.problems += problems
    kb.routing, problems = load_routing(root)
    kb.problems += _display(shown, problems)
    kb.synonyms, problems = load_synonyms(root)
    kb.problems += _display(shown, problems)
    kb.golden, problems = load_golden(root)
    kb.problems += _display(shown, problems)
    kb.owners, problems = load_owners(root)
    kb.problems += _display(shown, problems)
    kb.review, problems = load_review_config(root)
    kb.problems += _display(shown, problems)
    return kb


def _display(shown: str, problems: list[Problem]) -> list[Problem]:
    """Prefix side-file problems with the folder, like article problems."""
    return [Problem(f"{shown}/{p.path}", p.line, p.field, p.message, p.hint, p.severity)
            for p in problems]
