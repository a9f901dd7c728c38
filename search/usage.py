"""Use as a bounded ranking prior: articles agents used for customers rise among near ties only.

An article's use count ``u`` (already capped per agent by the caller, see
``analytics.reports.use_counts``) gives a factor ``1 + MAX_LIFT * min(1, log(1 + u) / log(1 +
SATURATION))`` applied to its relevance score (the exact-match bonus is left out of it). So the
lift is at most ``MAX_LIFT`` (5 %): an article reorders only against results scored less than 5 %
above it, and never passes a clearly better match or an exact title or question match, however
many uses it has. Uses saturate: past ``SATURATION`` more uses add nothing.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Mapping, Protocol, TypeVar

from search.ranking import ScoreParts

#: Largest relative lift the prior gives (a factor of 1.05).
MAX_LIFT = 0.05
#: Uses at which the lift is full; more add nothing.
SATURATION = 50.0


class Scored(Protocol):
    slug: str
    parts: ScoreParts


C = TypeVar("C", bound=Scored)


def factor(uses: float) -> float:
    """The multiplier for an article used ``uses`` times: 1 to 1 + MAX_LIFT."""
    if not uses or uses <= 0 or not math.isfinite(uses):
        return 1.0
    return 1.0 + MAX_LIFT * min(1.0, math.log1p(uses) / math.log1p(SATURATION))


def lift(candidates: list[C], uses: Mapping[str, float]) -> list[C]:
    """The candidates with used articles' scores lifted, in their new order (stable on ties)."""
    for candidate in candidates:
        found = factor(uses.get(candidate.slug, 0.0))
        if found > 1.0:
            parts = candidate.parts
            bonus = parts.exact_bonus
            candidate.parts = replace(parts, final=(parts.final - bonus) * found + bonus, usage_factor=found)
    return sorted(candidates, key=lambda c: -c.parts.final)
