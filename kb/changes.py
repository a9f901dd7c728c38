"""What changed between two versions of a knowledge base: articles added, removed, changed, renamed.

A renamed (moved) article is one whose new file lists the old slug in ``redirect_from``, or whose
words (title, questions, body) are mostly those of a removed file (like git's rename detection, at
50% similarity).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kb.loader import KnowledgeBase
from kb.model import Article
from kb.states import redirect_slug

#: How alike a removed and an added file must be to count as one article renamed.
RENAME_SIMILARITY = 0.5
#: Above this many (removed x added) pairs, only ``redirect_from`` detects renames (cost bound).
MAX_RENAME_PAIRS = 2_500


@dataclass(frozen=True)
class StatusChange:
    """An article (under its new slug) whose ``status`` changed, e.g. published -> archived."""

    slug: str
    before: str
    after: str
    replaced_by: str = ""


@dataclass
class ArticleChanges:
    """Slugs added, removed and changed, renames as ``{old slug: new slug}``, status changes
    (also listed as changed), and the side files (golden queries, routing, synonyms, owners:
    names starting with ``_``) added, removed or changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    side_files: list[str] = field(default_factory=list)
    status: list[StatusChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed,
                "renamed": [{"from": old, "to": new} for old, new in self.renamed.items()],
                "status": [{"slug": s.slug, "from": s.before, "to": s.after, "replaced_by": s.replaced_by}
                           for s in self.status],
                "side_files": self.side_files}

    def new_slug(self, slug: str) -> str:
        """A base slug under its name in the working tree (itself unless it was renamed)."""
        return self.renamed.get(slug, slug)


def _text(kb: KnowledgeBase, slug: str) -> str:
    try:
        return (kb.root / f"{slug}.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _words(article: Article) -> list[str]:
    """The words of an article's title, questions and body: its content without the front matter
    lines every article shares (``type:``, ``level:``), which would make short articles alike."""
    return " ".join([article.title, *article.questions, article.body]).split()


def _similar_pairs(base: dict[str, Article], head: dict[str, Article], removed: list[str],
                   added: list[str]) -> dict[str, str]:
    """Best-matching (removed, added) pairs at or above RENAME_SIMILARITY, each file used once."""
    if not removed or not added or len(removed) * len(added) > MAX_RENAME_PAIRS:
        return {}
    old_words = {slug: _words(base[slug]) for slug in removed}
    new_words = {slug: _words(head[slug]) for slug in added}
    scored: list[tuple[float, str, str]] = []
    for old, words in old_words.items():
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(words)
        for new, candidate in new_words.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < RENAME_SIMILARITY or matcher.quick_ratio() < RENAME_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= RENAME_SIMILARITY:
                scored.append((ratio, old, new))
    pairs: dict[str, str] = {}
    for _ratio, old, new in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if old not in pairs and new not in pairs.values():
            pairs[old] = new
    return pairs


def _side_files(root: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(root.glob("_*")) if root.is_dir() else []:
        if path.is_file():
            found[path.name] = path.read_bytes()
    return found


def compare(base: KnowledgeBase, head: KnowledgeBase) -> ArticleChanges:
    """Compare every article file (drafts included) of ``base`` with ``head``."""
    old = {a.slug: a for a in base.articles}
    new = {a.slug: a for a in head.articles}
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    renamed: dict[str, str] = {}
    for slug in added:
        for path in new[slug].redirect_from:
            source = redirect_slug(path)
            if source is not None and source in removed and source not in renamed:
                renamed[source] = slug
                break
    renamed.update(_similar_pairs(old, new, [s for s in removed if s not in renamed],
                                  [s for s in added if s not in renamed.values()]))
    changes = ArticleChanges(added=[s for s in added if s not in renamed.values()],
                             removed=[s for s in removed if s not in renamed],
                             renamed=dict(sorted(renamed.items())))
    pairs = [(slug, slug) for slug in set(old) & set(new)] + list(changes.renamed.items())
    changes.changed = sorted(after for before, after in pairs if _text(base, before) != _text(head, after))
    changes.status = sorted((StatusChange(after, old[before].status, new[after].status,
                                          new[after].replaced_by)
                             for before, after in pairs if old[before].status != new[after].status),
                            key=lambda change: change.slug)
    old_files, new_files = _side_files(base.root), _side_files(head.root)
    changes.side_files = sorted(name for name in set(old_files) | set(new_files)
                                if old_files.get(name) != new_files.get(name))
    return changes
