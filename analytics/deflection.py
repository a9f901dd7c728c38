"""Deflection: contact forms that were never sent because a suggested article answered first.

``/embed/deflect`` shows public articles beside a customer contact form as the customer types.
Each form visit is one search session (a random id made in the browser, nothing else): its
searches are recorded with source ``deflect``, an opened suggestion is a click with that source,
and a sent form a row in ``contacts``. A session that opened a suggestion and sent no form is a
deflection. Sessions still active within ``settle`` seconds of the end of the period may yet send
their form, so they are left out until they settle.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from analytics.store import Store

SOURCE = "deflect"
#: Seconds after a session's last search or open before it counts (the customer may still send).
SETTLE_SECONDS = 30 * 60


@dataclass
class Sessions:
    """Settled contact-form sessions of a period and what happened in each."""

    shown: set[str] = field(default_factory=set)
    opened: dict[str, set[str]] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)

    @property
    def deflected(self) -> set[str]:
        return {session for session in self.opened if session not in self.sent}


def sessions(store: Store, since: float, until: float | None = None,
             settle: float = SETTLE_SECONDS) -> Sessions:
    """The contact-form sessions that started after ``since`` and went quiet before ``until - settle``."""
    until = time.time() if until is None else until
    last: dict[str, float] = dict(store.fetchall(
        "SELECT session, MAX(ts) FROM searches WHERE source = ? AND session IS NOT NULL "
        "AND results > 0 AND ts >= ? GROUP BY session", (SOURCE, since)))
    opens: dict[str, set[str]] = {}
    for session, slug, ts in store.fetchall(
            "SELECT session, slug, ts FROM clicks WHERE source = ? AND session IS NOT NULL AND ts >= ?",
            (SOURCE, since)):
        opens.setdefault(session, set()).add(slug)
        last[session] = max(last.get(session, ts), ts)
    settled = {session for session, end in last.items() if end <= until - settle}
    sent = {session for (session,) in store.fetchall(
        "SELECT DISTINCT session FROM contacts WHERE source = ? AND ts >= ?", (SOURCE, since))}
    return Sessions(shown=settled, opened={s: slugs for s, slugs in opens.items() if s in settled},
                    sent=sent & settled)
