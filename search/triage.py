"""From the customer's words: the likely support type and level, the answers, and where to forward."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from search.types import SearchResponse

TOP_VOTES = 5
#: With no good answer the front line has nothing to read out: the customer goes to this level
#: of the likely support type.
FORWARD_LEVEL = 1
#: The likely type when no hit at all hints at one.
FALLBACK_TYPE = "general"


def _votes(response: SearchResponse) -> dict[tuple[str, int], float]:
    votes: dict[tuple[str, int], float] = defaultdict(float)
    for rank, hit in enumerate(response.results[:TOP_VOTES]):
        votes[(hit.type, hit.level)] += max(hit.score, 0.0) / (rank + 1)
    return votes


def likely_type(response: SearchResponse) -> str:
    """The support type the top hits lean to, weak hits included (``general`` without hits): whom
    to offer contact with, or forward to, when there is no good answer."""
    by_type: dict[str, float] = defaultdict(float)
    for (support_type, _), weight in _votes(response).items():
        by_type[support_type] += weight
    return max(by_type, key=lambda t: by_type[t]) if by_type else FALLBACK_TYPE


def triage(response: SearchResponse, routing: Any) -> dict[str, Any]:
    """Score-weighted vote of the top hits on (type, level), with the matching escalation route.

    With no good answer, type and level are unknown (None) and the route is where to forward the
    customer: ``FORWARD_LEVEL`` of the likely type (None when the routing file has no such route)."""
    votes = _votes(response)
    if not votes or response.no_good_answer:
        forward = routing.route(likely_type(response), FORWARD_LEVEL)
        return {"type": None, "level": None, "confidence": 0.0,
                "route": forward.as_dict() if forward else None, "no_good_answer": True}
    total = sum(votes.values()) or 1.0
    (support_type, level), weight = max(votes.items(), key=lambda kv: kv[1])
    type_weight = sum(w for (t, _), w in votes.items() if t == support_type)
    route = routing.route(support_type, level)
    return {"type": support_type, "level": level, "confidence": round(weight / total, 3),
            "type_confidence": round(type_weight / total, 3),
            "route": route.as_dict() if route else None, "no_good_answer": False}
