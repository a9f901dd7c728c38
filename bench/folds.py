"""Tuning and test folds of a judged query set, split by intent (article), with a fixed seed.

Every query of one article lands in the same fold, so nothing learnt from the tuning fold's
phrasings of an article can leak into the test fold's phrasings of that same article. Queries
without a judgement (out-of-scope ones) are split on their own, also with the seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

SEED = 20
#: Share of the articles (intents) whose queries form the tuning fold.
TUNE_SHARE = 0.5


@dataclass
class Folds:
    """Query lists of each fold, and which articles (intents) each fold's queries ask for."""

    tune: list[dict[str, Any]]
    test: list[dict[str, Any]]
    tune_intents: set[str]
    test_intents: set[str]


def intent_of(query: dict[str, Any], relevant: dict[str, set[str]]) -> str | None:
    """The article a judged query asks for (the smallest id when several are relevant)."""
    wanted = relevant.get(query["id"])
    return min(wanted) if wanted else None


def split(queries: list[dict[str, Any]], relevant: dict[str, set[str]], seed: int = SEED,
          share: float = TUNE_SHARE) -> Folds:
    """Split judged queries by intent: a seeded shuffle of the sorted intents, the first
    ``share`` of them to the tuning fold. Unjudged queries are dropped (see :func:`split_plain`)."""
    intents = sorted({i for q in queries if (i := intent_of(q, relevant)) is not None})
    random.Random(seed).shuffle(intents)
    tune_intents = set(intents[:round(len(intents) * share)])
    tune, test = [], []
    for query in queries:
        intent = intent_of(query, relevant)
        if intent is not None:
            (tune if intent in tune_intents else test).append(query)
    return Folds(tune, test, tune_intents, set(intents) - tune_intents)


def split_plain(queries: list[dict[str, Any]], seed: int = SEED, share: float = TUNE_SHARE
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Seeded split of queries that have no intent (out-of-scope ones): tuning, test."""
    ids = sorted(q["id"] for q in queries)
    random.Random(seed).shuffle(ids)
    tune_ids = set(ids[:round(len(ids) * share)])
    return [q for q in queries if q["id"] in tune_ids], [q for q in queries if q["id"] not in tune_ids]


def donors(queries: list[dict[str, Any]], relevant: dict[str, set[str]], per_intent: int,
           seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """Per intent, ``per_intent`` of its queries (seeded choice) to carry as alternate questions.

    For the alternate-questions curve: the donors are removed from the evaluated queries at
    every point of the curve, so each point is measured on the same, never-seen queries."""
    by_intent: dict[str, list[dict[str, Any]]] = {}
    for query in sorted(queries, key=lambda q: q["id"]):
        intent = intent_of(query, relevant)
        if intent is not None:
            by_intent.setdefault(intent, []).append(query)
    rng = random.Random(seed)
    return {intent: rng.sample(group, min(per_intent, len(group)))
            for intent, group in sorted(by_intent.items())}
