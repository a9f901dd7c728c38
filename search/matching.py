"""Which query terms each candidate matched, read from the posting lists of the candidates only."""
from __future__ import annotations

from typing import Any

from whoosh.reading import TermNotFound


def matched_terms(searcher: Any, docnums: list[int],
                  field_terms: list[tuple[str, str]]) -> dict[int, set[tuple[str, str]]]:
    """For each document number, the (field, term) pairs it contains among ``field_terms``.

    Skips through each posting list to the candidates, so the cost grows with the number of
    candidates and terms, not with the number of matching documents."""
    targets = sorted(set(docnums))
    found: dict[int, set[tuple[str, str]]] = {docnum: set() for docnum in targets}
    for field, term in field_terms:
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
    return found
