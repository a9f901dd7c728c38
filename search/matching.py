"""What each candidate matched, read from the posting lists of the candidates only."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from whoosh.reading import TermNotFound


def match_candidates(searcher: Any, docnums: list[int], field_terms: dict[tuple[str, str], float]
                     ) -> tuple[dict[int, set[tuple[str, str]]], dict[int, float]]:
    """For each candidate: the (field, term) pairs it contains, and the summed BM25 of the pairs
    whose weight is above zero (each times its weight).

    Skips through each posting list to the candidates, so the cost grows with the number of
    candidates and terms, not with the number of matching documents."""
    targets = sorted(set(docnums))
    found: dict[int, set[tuple[str, str]]] = {docnum: set() for docnum in targets}
    extra: dict[int, float] = defaultdict(float)
    for (field, term), weight in field_terms.items():
        try:
            postings = searcher.postings(field, term)
        except TermNotFound:
            continue
        for docnum in targets:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
                if not postings.is_active():
                    break
            if postings.id() == docnum:
                found[docnum].add((field, term))
                if weight > 0:
                    extra[docnum] += postings.score() * weight
    return found, extra
