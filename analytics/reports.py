"""The writer's reports: one computation each, rendered as table, CSV, JSON or an admin page.

Every report is a :class:`Report` with fixed ``columns``. Reports about articles (stale, never
found) take the article list from the caller, so analytics never imports ``search``.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from analytics import deflection
from analytics.store import Store

SINCE = re.compile(r"(\d{1,5})([hdw])")
UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass
class Report:
    """A titled table."""

    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "columns": self.columns, "rows": [dict(zip(self.columns, row)) for row in self.rows]}


@dataclass
class ArticleRef:
    """What the article reports need to know about an article."""

    slug: str
    title: str
    type: str = ""
    level: int | None = None
    review_by: dt.date | None = None
    owner: str = ""
    draft: bool = False

    @classmethod
    def of(cls, item: Any) -> "ArticleRef":
        """From a ``kb.Article`` or a mapping such as ``search.browse.list_articles`` items."""
        get = item.get if isinstance(item, dict) else (lambda key, default=None: getattr(item, key, default))
        review_by = get("review_by", None)
        if isinstance(review_by, str):
            review_by = dt.date.fromisoformat(review_by) if review_by else None
        level = get("level", None)
        return cls(slug=str(get("slug", "")), title=str(get("title", "")), type=str(get("type", "") or ""),
                   level=int(level) if isinstance(level, (int, str)) and str(level).isdigit() else None,
                   review_by=review_by, owner=str(get("owner", "") or ""),
                   draft=get("status", "published") == "draft")


def parse_since(text: str) -> int:
    """``30d``, ``12h`` or ``2w`` as seconds; ValueError otherwise."""
    match = SINCE.fullmatch((text or "").strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"--since must look like 30d, 12h or 2w, got {text!r}")
    return int(match.group(1)) * UNITS[match.group(2)]


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else 0.0


def _day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def top_searches(store: Store, since: float, limit: int = 20) -> Report:
    rows = store.fetchall(
        "SELECT query, COUNT(*), SUM(results) FROM searches WHERE ts >= ? AND query <> '' "
        "GROUP BY query ORDER BY COUNT(*) DESC, query LIMIT ?", (since, limit))
    clicks = _clicks_by_query(store, since, [row[0] for row in rows])
    return Report("top_searches", "Top searches", "The most frequent queries, with their clicks.",
                  ["query", "searches", "avg_results", "clicks"],
                  [[q, n, round(total / n, 1), clicks.get(q, 0)] for q, n, total in rows])


def _clicks_by_query(store: Store, since: float, queries: list[str]) -> dict[str, int]:
    if not queries:
        return {}
    marks = ", ".join("?" * len(queries))
    return dict(store.fetchall(f"SELECT query, COUNT(*) FROM clicks WHERE ts >= ? AND query IN ({marks}) "
                               "GROUP BY query", (since, *queries)))


def zero_result_searches(store: Store, since: float, limit: int = 20) -> Report:
    rows = store.fetchall(
        "SELECT query, COUNT(*), MAX(day) FROM searches WHERE ts >= ? AND results = 0 AND query <> '' "
        "GROUP BY query ORDER BY COUNT(*) DESC, query LIMIT ?", (since, limit))
    return Report("zero_result_searches", "Searches with no results",
                  "Queries that found nothing: candidates for new articles, questions or synonyms.",
                  ["query", "searches", "last_seen"], [list(row) for row in rows])


def no_click_searches(store: Store, since: float, limit: int = 20) -> Report:
    rows = store.fetchall(
        "SELECT s.query, COUNT(*), SUM(s.results) FROM searches s WHERE s.ts >= ? AND s.results > 0 "
        "AND s.query <> '' AND NOT EXISTS (SELECT 1 FROM clicks c WHERE c.query = s.query AND c.ts >= ?) "
        "GROUP BY s.query ORDER BY COUNT(*) DESC, s.query LIMIT ?", (since, since, limit))
    return Report("no_click_searches", "Searches with results but no clicks",
                  "Results were shown and none was opened: titles or summaries may not match the question.",
                  ["query", "searches", "avg_results"],
                  [[q, n, round(total / n, 1)] for q, n, total in rows])


def not_helpful(store: Store, since: float, limit: int = 20, comments: int = 3) -> Report:
    rows = store.fetchall(
        "SELECT slug, SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END), SUM(helpful) FROM feedback "
        "WHERE ts >= ? GROUP BY slug HAVING SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END) > 0 "
        "ORDER BY 2 DESC, slug LIMIT ?", (since, limit))
    out = []
    for slug, bad, good in rows:
        texts = store.fetchall("SELECT comment FROM feedback WHERE ts >= ? AND slug = ? AND helpful = 0 "
                               "AND comment <> '' ORDER BY ts DESC LIMIT ?", (since, slug, comments))
        out.append([slug, int(bad), int(good), " | ".join(text for (text,) in texts)])
    return Report("not_helpful", 'Most "not helpful" articles',
                  "Articles voted not helpful, with the latest comments.",
                  ["slug", "not_helpful", "helpful", "comments"], out)


def used_on_calls(store: Store, since: float, limit: int = 20) -> Report:
    rows = store.fetchall("SELECT slug, COUNT(*) FROM calls WHERE ts >= ? GROUP BY slug "
                          "ORDER BY COUNT(*) DESC, slug LIMIT ?", (since, limit))
    opens = dict(store.fetchall("SELECT slug, COUNT(*) FROM clicks WHERE ts >= ? AND source = 'agent' "
                                "GROUP BY slug", (since,)))
    out = []
    for slug, used in rows:
        opened = max(opens.get(slug, 0), used)
        out.append([slug, used, opens.get(slug, 0), _ratio(used, opened)])
    return Report("used_on_calls", "Articles used on calls",
                  "Marked 'used on this call' by agents; resolution rate = uses / agent opens from search.",
                  ["slug", "used_on_calls", "agent_opens", "resolution_rate"], out)


def deflection_rate(store: Store, since: float, until: float | None = None) -> Report:
    found = deflection.sessions(store, since, until)
    shown, opened, sent = len(found.shown), len(found.opened), len(found.sent)
    deflected = len(found.deflected)
    return Report("deflection", "Deflection on contact forms",
                  "Contact-form visits shown suggestions (/embed/deflect); deflected = opened an article "
                  "and sent no form. Visits active in the last 30 minutes are not counted yet.",
                  ["form_visits", "opened_article", "sent_form", "deflected", "deflection_rate"],
                  [[shown, opened, sent, deflected, _ratio(deflected, shown)]] if shown else [])


def top_deflecting(store: Store, since: float, limit: int = 20, until: float | None = None) -> Report:
    found = deflection.sessions(store, since, until)
    opens: dict[str, list[int]] = {}
    for session, slugs in found.opened.items():
        for slug in slugs:
            counts = opens.setdefault(slug, [0, 0])
            counts[0] += session not in found.sent
            counts[1] += 1
    rows = sorted(([slug, deflected, opened, _ratio(deflected, opened)]
                   for slug, (deflected, opened) in opens.items()), key=lambda row: (-row[1], row[0]))
    return Report("top_deflecting", "Articles that deflect most",
                  "Articles opened from contact-form suggestions by visitors who then sent no form.",
                  ["slug", "deflections", "form_opens", "deflection_rate"], rows[:limit])


def stale_articles(articles: Iterable[Any], today: dt.date | None = None) -> Report:
    today = today or dt.date.today()
    refs = sorted((ArticleRef.of(a) for a in articles), key=lambda r: (r.review_by or today, r.slug))
    rows = [[r.slug, r.title, r.review_by.isoformat(), r.owner, (today - r.review_by).days]
            for r in refs if r.review_by is not None and r.review_by < today and not r.draft]
    return Report("stale_articles", "Stale articles", "Articles whose review_by date has passed.",
                  ["slug", "title", "review_by", "owner", "days_overdue"], rows)


def never_found(store: Store, since: float, articles: Iterable[Any]) -> Report:
    shown = {slug for (slug,) in store.fetchall("SELECT DISTINCT slug FROM impressions WHERE day >= ?",
                                                (_day(since),))}
    shown |= {slug for (slug,) in store.fetchall("SELECT DISTINCT slug FROM clicks WHERE ts >= ?", (since,))}
    refs = sorted((ArticleRef.of(a) for a in articles), key=lambda r: r.slug)
    return Report("never_found", "Articles never found by search",
                  "Published articles that appeared in no search result in the period.",
                  ["slug", "title", "type"],
                  [[r.slug, r.title, r.type] for r in refs if not r.draft and r.slug not in shown])


def daily_volume(store: Store, since: float, until: float | None = None) -> Report:
    until = time.time() if until is None else until
    counts = {day: (n, zero) for day, n, zero in store.fetchall(
        "SELECT day, COUNT(*), SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END) FROM searches "
        "WHERE ts >= ? GROUP BY day ORDER BY day", (since,))}
    first = dt.date.fromisoformat(_day(since))
    last = dt.date.fromisoformat(max([_day(until), *counts]))
    rows = []
    for offset in range((last - first).days + 1):
        day = (first + dt.timedelta(days=offset)).isoformat()
        n, zero = counts.get(day, (0, 0))
        rows.append([day, int(n), int(zero), _ratio(zero, n)])
    return Report("daily_volume", "Search volume per day", "Searches and the share with no results, per UTC day.",
                  ["day", "searches", "zero_results", "zero_result_rate"], rows)


def all_reports(store: Store, since: float, articles: Iterable[Any] | None = None,
                today: dt.date | None = None, limit: int = 20, until: float | None = None) -> list[Report]:
    """Every report in the order the admin page and the command show them."""
    reports = [top_searches(store, since, limit), zero_result_searches(store, since, limit),
               no_click_searches(store, since, limit), not_helpful(store, since, limit),
               used_on_calls(store, since, limit), deflection_rate(store, since, until),
               top_deflecting(store, since, limit, until)]
    if articles is not None:
        articles = list(articles)
        reports += [stale_articles(articles, today), never_found(store, since, articles)]
    reports.append(daily_volume(store, since, until))
    return reports
