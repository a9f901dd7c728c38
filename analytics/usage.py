"""Reports on articles agents used for customers (the KCS "link" measures) and the use counts the
ranking prior reads. No Flask, no Whoosh: article lists come from the caller.

* link rate: the share of agent searches and recommendations that end in a used article: a use
  with the same ``search_id`` or, without one, the same query within ``LINK_WINDOW`` seconds.
  KCS calls 60-80 % healthy; the console's type-ahead searches count too, so expect it lower;
* reuse per article: uses, distinct tickets and distinct agents;
* articles never used in the period, and uses per support type and level.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

from analytics.learning import DEFAULT_MIN_SESSIONS, proposal_reports
from analytics.reports import ArticleRef, Report, _ratio, all_reports
from analytics.store import Store

#: Seconds after a search in which a use of the same query counts as its outcome.
LINK_WINDOW = 3600
#: Sources of agent searches: the console and agent tokens (``agent``), recommendations.
AGENT_SOURCES = ("agent", "recommend")
#: Uses one agent contributes to one article's count for the ranking prior: a flood of "used"
#: events from one agent counts as this many at most.
PER_AGENT_CAP = 3


def link_rate(store: Store, since: float) -> Report:
    marks = ", ".join("?" * len(AGENT_SOURCES))
    rows = store.fetchall(
        f"SELECT s.source, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM uses u WHERE u.ts >= s.ts "
        "AND u.ts <= s.ts + ? AND ((s.search_id <> '' AND u.search_id = s.search_id) OR "
        "(u.search_id = '' AND u.query <> '' AND u.query = s.query))) THEN 1 ELSE 0 END) "
        f"FROM searches s WHERE s.ts >= ? AND s.source IN ({marks}) GROUP BY s.source ORDER BY s.source",
        (LINK_WINDOW, since, *AGENT_SOURCES))
    out = [[source, int(n), int(linked or 0), _ratio(int(linked or 0), int(n))] for source, n, linked in rows]
    total, linked = sum(r[1] for r in out), sum(r[2] for r in out)
    out.append(["all", total, linked, _ratio(linked, total)])
    return Report("link_rate", "Link rate",
                  "Share of agent searches and recommendations that ended in an article used for the "
                  "customer (KCS: 60-80% is healthy).", ["source", "searches", "linked", "link_rate"], out)


def reuse(store: Store, since: float, limit: int = 20) -> Report:
    rows = store.fetchall(
        "SELECT slug, COUNT(*), COUNT(DISTINCT CASE WHEN ticket <> '' THEN ticket END), "
        "COUNT(DISTINCT CASE WHEN agent <> '' THEN agent END) FROM uses WHERE ts >= ? "
        "GROUP BY slug ORDER BY COUNT(*) DESC, slug LIMIT ?", (since, limit))
    return Report("reuse", "Reuse per article", "How often agents used each article for a customer.",
                  ["slug", "uses", "tickets", "agents"], [[s, int(n), int(t), int(a)] for s, n, t, a in rows])


def _used_slugs(store: Store, since: float) -> dict[str, int]:
    return {slug: int(n) for slug, n in store.fetchall(
        "SELECT slug, COUNT(*) FROM uses WHERE ts >= ? GROUP BY slug", (since,))}


def never_used(store: Store, since: float, articles: Iterable[Any]) -> Report:
    used = _used_slugs(store, since)
    refs = sorted((ArticleRef.of(a) for a in articles), key=lambda r: (r.type, r.level or 0, r.slug))
    return Report("never_used", "Articles never used",
                  "Published articles no agent used for a customer in the period.",
                  ["slug", "title", "type", "level"],
                  [[r.slug, r.title, r.type, r.level] for r in refs if not r.draft and r.slug not in used])


def use_by_type_level(store: Store, since: float, articles: Iterable[Any]) -> Report:
    used = _used_slugs(store, since)
    groups: dict[tuple[str, Any], list[int]] = {}
    for ref in (ArticleRef.of(a) for a in articles):
        if ref.draft:
            continue
        counts = groups.setdefault((ref.type, ref.level), [0, 0, 0])
        counts[0] += 1
        counts[1] += ref.slug in used
        counts[2] += used.get(ref.slug, 0)
    rows = [[t, level, n, u, _ratio(u, n), uses] for (t, level), (n, u, uses) in
            sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] if kv[0][1] is not None else -1))]
    return Report("use_by_type_level", "Use per type and level",
                  "Articles, articles used at least once, and uses, per support type and level.",
                  ["type", "level", "articles", "used", "used_share", "uses"], rows)


def use_counts(store: Store, since: float, per_agent: int = PER_AGENT_CAP) -> dict[str, float]:
    """Uses per article for the ranking prior: each agent counts at most ``per_agent`` times per
    article (uses without an agent count as one agent)."""
    rows = store.fetchall("SELECT slug, agent, COUNT(*) FROM uses WHERE ts >= ? GROUP BY slug, agent", (since,))
    counts: dict[str, float] = {}
    for slug, _agent, n in rows:
        counts[slug] = counts.get(slug, 0.0) + min(int(n), per_agent)
    return counts


def usage_reports(store: Store, since: float, articles: list[Any] | None, limit: int = 20) -> list[Report]:
    """The usage reports in the order the admin page and the command show them."""
    reports = [link_rate(store, since), reuse(store, since, limit)]
    if articles is not None:
        reports += [use_by_type_level(store, since, articles), never_used(store, since, articles)]
    return reports


def insight_reports(store: Store, since: float, articles: Iterable[Any] | None = None,
                    today: dt.date | None = None, limit: int = 20, until: float | None = None,
                    lookup: Callable[[str], Any | None] | None = None, min_sessions: int = DEFAULT_MIN_SESSIONS,
                    synonyms: Iterable[Iterable[str]] = ()) -> list[Report]:
    """Every report (``reports.all_reports``) with the usage reports, then (given ``lookup``, a
    slug -> article function) the proposals learnt from use, before the daily volume."""
    articles = list(articles) if articles is not None else None
    found = all_reports(store, since, articles, today=today, limit=limit, until=until)
    learnt = proposal_reports(store, since, lookup, min_sessions, synonyms, limit) if lookup else []
    return found[:-1] + usage_reports(store, since, articles, limit) + learnt + found[-1:]
