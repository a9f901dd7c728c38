"""The search impact of a change: the same queries' results on two indexes, compared.

:func:`compare_runs` takes each query's top 10 on the base and on the working tree and says which
queries change their top 3 (articles gained, lost, moved, with ranks), which golden queries start or
stop passing, which queries start returning nothing and which articles no query reaches any more.
Base results are read under the articles' new slugs, so a renamed article is not "lost".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

from kb.changes import ArticleChanges
from kb.golden import GoldenQuery

TOP = 3
DEPTH = 10
#: Golden statuses: passed and now fails; failed and now passes; fails now (and failed before, or is
#: new in the golden file); passes now (and before, or is new); only in the base's golden file.
GOLDEN_STATUSES = ("regressed", "fixed", "failing", "passing", "dropped")


@dataclass(frozen=True)
class Probe:
    """One query as run on both sides: its text, audience (agent or customer) and language.

    Queries that differ only in case or spacing are one query (search ignores both)."""

    text: str = field(compare=False)
    agent: bool = False
    lang: str = ""
    folded: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", " ".join(self.text.split()).casefold())


@dataclass
class ProbeInfo:
    """Where a query comes from (golden, title, question, search) and how often it was searched."""

    sources: set[str] = field(default_factory=set)
    searches: int = 0


@dataclass(frozen=True)
class Move:
    """One article's change in a query's top 3; ranks are 1-based, None: not in the top 10."""

    slug: str
    kind: str  # gained, lost, moved
    before: int | None
    after: int | None


@dataclass
class QueryChange:
    """A query whose top 3 (or whose having any result at all) changed."""

    query: str
    sources: list[str]
    agent: bool
    lang: str
    searches: int
    before: list[str]
    after: list[str]
    moves: list[Move] = field(default_factory=list)


@dataclass
class GoldenOutcome:
    """A golden query on both sides: the expected article's rank before and after (None: absent)."""

    query: str
    expect: str
    k: int
    agent: bool
    lang: str
    before: int | None
    after: int | None
    status: str


@dataclass
class Impact:
    """Everything the impact report says, in one JSON-ready structure (see docs/impact.md)."""

    base: str
    head: str
    articles: ArticleChanges
    queries: int
    top3: list[QueryChange]
    golden: list[GoldenOutcome]
    now_empty: list[QueryChange]
    now_answered: list[QueryChange]
    unreached: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def regressions(self) -> list[GoldenOutcome]:
        """Golden queries that passed on the base and fail on the working tree."""
        return [g for g in self.golden if g.status == "regressed"]

    def golden_count(self, status: str) -> int:
        return sum(g.status == status for g in self.golden)

    def as_dict(self) -> dict[str, Any]:
        summary = {"queries": self.queries, "top3_changed": len(self.top3),
                   "now_empty": len(self.now_empty), "now_answered": len(self.now_answered),
                   "unreached": len(self.unreached),
                   "golden": {s: self.golden_count(s) for s in GOLDEN_STATUSES}}
        return {"base": self.base, "head": self.head, "summary": summary,
                "articles": self.articles.as_dict(),
                "top3": [asdict(c) for c in self.top3],
                "golden": [asdict(g) for g in self.golden if g.status != "passing"],
                "now_empty": [asdict(c) for c in self.now_empty],
                "now_answered": [asdict(c) for c in self.now_answered],
                "unreached": self.unreached, "seconds": self.seconds}


def _rank(slugs: list[str], slug: str) -> int | None:
    return slugs.index(slug) + 1 if slug in slugs else None


def moves(before: list[str], after: list[str]) -> list[Move]:
    """How the top 3 changed: articles that entered it, left it, or changed place within it."""
    found = []
    for slug in dict.fromkeys(before[:TOP] + after[:TOP]):
        was, now = _rank(before, slug), _rank(after, slug)
        if slug not in after[:TOP]:
            found.append(Move(slug, "lost", was, now))
        elif slug not in before[:TOP]:
            found.append(Move(slug, "gained", was, now))
        elif was != now:
            found.append(Move(slug, "moved", was, now))
    return found


def golden_outcomes(base: Iterable[GoldenQuery], head: Iterable[GoldenQuery],
                    rank_before: Callable[[Probe, str], int | None],
                    rank_after: Callable[[Probe, str], int | None],
                    new_slug: Callable[[str], str]) -> list[GoldenOutcome]:
    """Each golden query of the working tree (and each one it dropped) on both sides."""
    def key(g: GoldenQuery, expect: str) -> tuple[str, str, int, str, bool]:
        return g.query, expect, g.k, g.lang, g.agent

    current = {key(g, g.expect): g for g in head}
    dropped = {key(g, new_slug(g.expect)): g for g in base}
    outcomes = []
    for (query, expect, k, lang, agent), in_head in [*[(k, True) for k in current],
                                                      *[(k, False) for k in dropped if k not in current]]:
        probe = Probe(query, agent, lang)
        before, after = rank_before(probe, expect), rank_after(probe, expect)
        passed, passes = before is not None and before <= k, after is not None and after <= k
        in_base = (query, expect, k, lang, agent) in dropped
        if not in_head:
            status = "dropped"
        elif in_base and passed and not passes:
            status = "regressed"
        elif in_base and passes and not passed:
            status = "fixed"
        else:
            status = "passing" if passes else "failing"
        outcomes.append(GoldenOutcome(query, expect, k, agent, lang, before, after, status))
    order = {s: n for n, s in enumerate(GOLDEN_STATUSES)}
    return sorted(outcomes, key=lambda g: (order[g.status], g.query))


def compare_runs(probes: dict[Probe, ProbeInfo], before: dict[Probe, list[str]],
                 after: dict[Probe, list[str]], changes: ArticleChanges,
                 golden: tuple[list[GoldenQuery], list[GoldenQuery]],
                 titles: dict[str, str], base: str = "", head: str = "") -> Impact:
    """The impact report from each query's top 10 ``before`` (base) and ``after`` (working tree).

    ``golden``: the base's and the working tree's golden queries; ``titles``: the working tree's
    indexed articles (slug -> title)."""
    before = {p: [changes.new_slug(s) for s in slugs] for p, slugs in before.items()}
    top3, now_empty, now_answered = [], [], []
    for probe, info in probes.items():
        if probe not in before or probe not in after:
            continue
        was, now = before[probe], after[probe]
        change = QueryChange(probe.text, sorted(info.sources), probe.agent, probe.lang, info.searches,
                             was[:TOP], now[:TOP])
        if was and not now:
            now_empty.append(change)
        elif now and not was:
            now_answered.append(change)
        elif was[:TOP] != now[:TOP]:
            change.moves = moves(was, now)
            top3.append(change)

    def order(change: QueryChange) -> tuple[int, bool, str]:
        return -change.searches, "golden" not in change.sources, change.query.lower()

    reached_before = {s for slugs in before.values() for s in slugs[:DEPTH]}
    reached_after = {s for slugs in after.values() for s in slugs[:DEPTH]}
    new = set(changes.added)
    unreached = [{"slug": slug, "title": title, "new": slug in new}
                 for slug, title in sorted(titles.items())
                 if slug not in reached_after and (slug in reached_before or slug in new)]
    outcomes = golden_outcomes(golden[0], golden[1],
                               lambda p, slug: _rank(before.get(p, []), slug),
                               lambda p, slug: _rank(after.get(p, []), slug), changes.new_slug)
    return Impact(base, head, changes, len(after), sorted(top3, key=order), outcomes,
                  sorted(now_empty, key=order), sorted(now_answered, key=order), unreached)
