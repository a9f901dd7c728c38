"""From the customer's words: the likely support type and level, the answers, and where to forward."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from search.types import SearchResponse

TOP_VOTES = 5


def triage(response: SearchResponse, routing: Any) -> dict[str, Any]:
    """Score-weighted vote of the top hits on (type, level), with the matching escalation route."""
    votes: dict[tuple[str, int], float] = defaultdict(float)
    for rank, hit in enumerate(response.results[:TOP_VOTES]):
        votes[(hit.type, hit.level)] += max(hit.score, 0.0) / (rank + 1)
    if not votes or response.no_good_answer:
        return {"type": None, "level": None, "confidence": 0.0, "route": None,
                "no_good_answer": True}
    total = sum(votes.values()) or 1.0
    (support_type, level), weight = max(votes.items(), key=lambda kv: kv[1])
    type_weight = sum(w for (t, _), w in votes.items() if t == support_type)
    route = routing.route(support_type, level)
    return {"type": support_type, "level": level, "confidence": round(weight / total, 3),
            "type_confidence": round(type_weight / total, 3),
            "route": route.as_dict() if route else None, "no_good_answer": False}
