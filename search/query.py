"""Build Whoosh queries from term groups; plain text never reaches Whoosh's query parser."""
from __future__ import annotations

from typing import Callable

from whoosh import query as q

from search.analysis import terms
from search.expansion import Alternative, ExpandedQuery
from search.schema import text_field
from search.types import FILTER_FIELDS

PREFIX_FIELDS = ("title", "questions")
#: Extra weight for a word found in the title or an alternate question, on top of the ``all`` field.
FIELD_BOOSTS = {"title": 1.0, "questions": 1.0}


class TreeOr(q.Or):
    """Or that always uses Whoosh's binary tree of union matchers.

    Whoosh's automatic choice preloads every match into arrays on small indexes, which measured
    about twice as slow for our many-clause queries."""

    matcher_type = q.Or.DEFAULT_MATCHER


def text_kinds(agent: bool) -> tuple[str, ...]:
    """Fields searched: agents also match agent-only paragraphs and internal articles."""
    return ("all", "internal") if agent else ("all",)


def _alternative_query(alternative: Alternative, lang: str, kinds: tuple[str, ...]) -> q.Query | None:
    if alternative.prefix:
        word = alternative.words[0]
        return TreeOr([q.Prefix(text_field(kind, lang), word, boost=alternative.weight)
                     for kind in PREFIX_FIELDS])
    per_word = []
    for word in alternative.words:
        analyzed = terms(word, lang) or terms(word, lang, keep_stop_words=True)
        if not analyzed:
            continue
        per_word.append(TreeOr([q.Term(text_field(kind, lang), term, boost=alternative.weight)
                                for term in analyzed for kind in kinds]))
    if not per_word:
        return None
    return per_word[0] if len(per_word) == 1 else q.And(per_word)


def scored_terms(expanded: ExpandedQuery, langs: list[str], agent: bool,
                 expand_prefix: Callable[[str, str], list[str]]) -> dict[tuple[str, str], float]:
    """Every (field, term) the query can match, with its weight when it adds to the score.

    Retrieval ran on the ``all`` (and agents' ``internal``) fields; title and question matches
    are scored here for the candidates only (weight > 0). Prefix expansions only mark a match."""
    kinds = text_kinds(agent)
    found: dict[tuple[str, str], float] = {}
    for lang in langs:
        for group in expanded.groups:
            for alternative in group.alternatives:
                if alternative.prefix:
                    for kind in PREFIX_FIELDS:
                        field = text_field(kind, lang)
                        for term in expand_prefix(field, alternative.words[0]):
                            found.setdefault((field, term), 0.0)
                    continue
                for word in alternative.words:
                    for term in terms(word, lang) or terms(word, lang, keep_stop_words=True):
                        for kind in kinds:
                            found.setdefault((text_field(kind, lang), term), 0.0)
                        for kind, boost in FIELD_BOOSTS.items():
                            key = (text_field(kind, lang), term)
                            found[key] = max(found.get(key, 0.0), alternative.weight * boost)
    return found


def group_terms(expanded: ExpandedQuery, lang: str) -> list[set[str]]:
    """The index terms that satisfy each group (to measure how much of the query a hit covers)."""
    result = []
    for group in expanded.groups:
        found: set[str] = set()
        for alternative in group.alternatives:
            for word in alternative.words:
                found.update(terms(word, lang) or terms(word, lang, keep_stop_words=True))
        result.append(found)
    return result


def text_query(expanded: ExpandedQuery, langs: list[str], agent: bool) -> q.Query:
    """Any group in any field of the given field languages (ranking rewards coverage later)."""
    kinds = text_kinds(agent)
    clauses: list[q.Query] = []
    for lang in langs:
        for group in expanded.groups:
            for alternative in group.alternatives:
                built = _alternative_query(alternative, lang, kinds)
                if built is not None:
                    clauses.append(built)
    return TreeOr(clauses) if clauses else q.NullQuery


def filter_query(filters: dict[str, list[str]], agent: bool,
                 exclude: str | None = None) -> q.Query | None:
    """Filters (any value within a field, all fields together) plus visibility."""
    clauses: list[q.Query] = []
    if not agent:
        clauses.append(q.Term("audience", "public"))
    for name in FILTER_FIELDS:
        values = filters.get(name)
        if not values or name == exclude:
            continue
        clauses.append(q.Or([q.Term(name, value) for value in values]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.And(clauses)
