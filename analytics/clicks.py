"""Click evidence for the ranking's click prior: who opened which article for which query.

Each click on the result at position ``r`` counts ``min(r, MAX_WEIGHT)`` (inverse propensity:
searchers open rank ``r`` about ``1/r`` as often as rank 1, so a click deep in the list says more
about the article than one on the first result), times ``0.5 ** (age / HALF_LIFE_DAYS)``.

Per client, query and article at most ``PER_CLIENT_CAP`` click counts, so a flood from one
client weighs as much as one click; a client (other than an agent) whose clicks span more than
``MAX_QUERIES_PER_CLIENT`` distinct queries is a robot and does not count at all. The client is the daily keyed hash the web app
records (``client``), else the search session, else one anonymous client per source and day
(rows without either: a flood of them is one client too). A helpful vote from the same client on
the article within ``VOTE_WINDOW`` seconds doubles its clicks; a "not helpful" vote cancels them;
a helpful vote without a click is a query-less vote for the article alone.

The result is plain tuples (no ``search`` import): ``search.clicks.ClickPrior`` turns them into
bounded ranking factors and requires several distinct clients before anything moves.
"""
from __future__ import annotations

import time

from analytics.store import Store

#: Inverse-propensity weight of a click at position r is min(r, MAX_WEIGHT).
MAX_WEIGHT = 5.0
#: Evidence halves every HALF_LIFE_DAYS days.
HALF_LIFE_DAYS = 30.0
#: Clicks one client contributes per (query, article), however many it sends.
PER_CLIENT_CAP = 1
#: A client (not an agent) whose clicks span more distinct queries than this is a robot: none of
#: its clicks count. The client hash changes daily, so this is per day; people open results for a
#: handful of questions a day, a flood script for hundreds. Agents (source ``agent``) are exempt.
MAX_QUERIES_PER_CLIENT = 30
#: Seconds after a click in which the same client's vote on the article counts for it.
VOTE_WINDOW = 1800.0

#: (client, normalized query, slug, weight); query "" for a vote on the article alone.
Vote = tuple[str, str, str, float]


def client_of(client: str | None, session: str | None, source: str, day: str) -> str:
    """The key a click is capped under: the client hash, else the session, else source and day."""
    if client:
        return f"c:{client}"
    if session:
        return f"s:{session}"
    return f"a:{source}:{day}"


def _decay(ts: float, now: float, half_life_days: float) -> float:
    return 0.5 ** (max(now - ts, 0.0) / (half_life_days * 86400.0))


def click_votes(store: Store, since: float, now: float | None = None, *,
                per_client: int = PER_CLIENT_CAP, half_life_days: float = HALF_LIFE_DAYS) -> list[Vote]:
    """Debiased, decayed, per-client-capped click weights per (client, query, article)."""
    now = time.time() if now is None else now
    grouped: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    queries_of: dict[str, set[str]] = {}
    for query, slug, position, ts, client, session, source, day in store.fetchall(
            "SELECT query, slug, position, ts, client, session, source, day FROM clicks "
            "WHERE ts >= ? AND query <> ''", (since,)):
        weight = min(float(position), MAX_WEIGHT) if position and position > 0 else 1.0
        key = (client_of(client, session, source, day), str(query), str(slug))
        grouped.setdefault(key, []).append((float(ts), weight * _decay(float(ts), now, half_life_days)))
        if source != "agent":
            queries_of.setdefault(key[0], set()).add(key[1])
    robots = {client for client, queries in queries_of.items() if len(queries) > MAX_QUERIES_PER_CLIENT}
    votes_by_client: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for slug, helpful, ts, client in store.fetchall(
            "SELECT slug, helpful, ts, client FROM feedback WHERE ts >= ? AND client <> ''", (since,)):
        votes_by_client.setdefault((f"c:{client}", str(slug)), []).append((float(ts), int(helpful)))
    out: list[Vote] = []
    linked: set[tuple[str, str]] = set()
    for (client, query, slug), clicks in grouped.items():
        if client in robots:
            continue
        clicks.sort(key=lambda item: -item[0])  # the latest clicks count when capped
        kept = clicks[:per_client]
        weight = sum(w for _, w in kept)
        votes = [helpful for ts, helpful in sorted(votes_by_client.get((client, slug), ()))
                 if any(0 <= ts - when <= VOTE_WINDOW for when, _ in clicks)]
        if votes:
            linked.add((client, slug))
            if not votes[-1]:
                continue  # "not helpful": the click was no success
            weight *= 2.0
        out.append((client, query, slug, weight))
    for (client, slug), votes in votes_by_client.items():
        latest_ts, helpful = max(votes)
        if helpful and (client, slug) not in linked:
            out.append((client, "", slug, _decay(latest_ts, now, half_life_days)))
    return out
