"""The writers' review list: which served articles are overdue, due soon, never verified or
unowned, grouped by owner (``python build.py review``), and the verification data a build
carries into the index version for the agent views."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kb.loader import KnowledgeBase
from kb.verification import assess

#: Order of states in the list: the most urgent first.
STATE_ORDER = {"overdue": 0, "due": 1, "never": 2, "ok": 3}
UNOWNED = ""


@dataclass(frozen=True)
class ReviewEntry:
    """One article's verification standing."""

    slug: str
    path: str
    title: str
    type: str
    status: str
    owners: tuple[str, ...]
    verified: dt.date | None
    verified_by: str
    interval: int
    due: dt.date | None
    days_left: int | None
    state: str

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "path": self.path, "title": self.title, "type": self.type,
                "status": self.status, "owners": list(self.owners),
                "verified": self.verified.isoformat() if self.verified else None,
                "verified_by": self.verified_by or None, "interval_days": self.interval,
                "due": self.due.isoformat() if self.due else None, "days_left": self.days_left,
                "state": self.state}


@dataclass(frozen=True)
class ReviewGroup:
    """The articles one owner (``UNOWNED``: nobody) must look at."""

    owner: str
    entries: tuple[ReviewEntry, ...]


def review_entries(kb: KnowledgeBase, today: dt.date) -> list[ReviewEntry]:
    """Every served article (published or in review) with its owners and standing."""
    entries = []
    for article in kb.published:
        interval = kb.review.interval_for(article)
        found = assess(article.verified, interval, today, kb.review.due_soon)
        entries.append(ReviewEntry(article.slug, article.path, article.title, article.type,
                                   article.status, tuple(kb.owners.owners_of(article)),
                                   article.verified, article.verified_by, interval, found.due,
                                   found.days_left, found.state))
    return entries


def _order(entry: ReviewEntry) -> tuple[int, int, str]:
    return STATE_ORDER[entry.state], entry.days_left if entry.days_left is not None else 0, entry.slug


def group_by_owner(entries: list[ReviewEntry], owner: str | None = None) -> list[ReviewGroup]:
    """Owners (by name) with their overdue, due and never-verified articles, most urgent first;
    then the unowned articles, every one of them (having no owner needs fixing too). ``owner``
    keeps one owner's group only."""
    groups: dict[str, list[ReviewEntry]] = {}
    for entry in entries:
        for name in entry.owners:
            if entry.state != "ok":
                groups.setdefault(name, []).append(entry)
        if not entry.owners:
            groups.setdefault(UNOWNED, []).append(entry)
    names = sorted(name for name in groups if name != UNOWNED)
    if UNOWNED in groups:
        names.append(UNOWNED)
    if owner is not None:
        names = [name for name in names if name == owner]
    return [ReviewGroup(name, tuple(sorted(groups[name], key=_order))) for name in names]


def counts(entries: list[ReviewEntry]) -> dict[str, int]:
    """How many articles are in each state, and how many have no owner."""
    found = {state: 0 for state in STATE_ORDER}
    for entry in entries:
        found[entry.state] += 1
    found["unowned"] = sum(not entry.owners for entry in entries)
    found["articles"] = len(entries)
    return found


def verification_manifest(kb: KnowledgeBase) -> dict[str, Any]:
    """Per served article: owners, last verification and interval; and the "due soon" window.
    Rebuilt whole by every build (an ``_owners`` or ``_review.yml`` change touches no article)."""
    return {
        "due_soon": kb.review.due_soon,
        "articles": {a.slug: {"owners": kb.owners.owners_of(a),
                              "verified": a.verified.isoformat() if a.verified else "",
                              "verified_by": a.verified_by,
                              "interval": kb.review.interval_for(a)} for a in kb.published},
    }
