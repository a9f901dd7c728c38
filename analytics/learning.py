"""Proposals learnt from searches that worked: alternate questions and synonyms, per article.

A *success* is a search whose searcher opened article ``d`` for that query and then did not
reformulate (no other query from the same searcher within ``REFORM_WINDOW`` seconds of the click)
nor vote ``d`` "not helpful"; a helpful vote from the same client, or an agent's "used for this
customer" with the query, counts too (shown in its own column). The searcher is the daily client
hash, else the search session; events with neither are not counted.

* **Alternate questions**: a query with successes on ``d`` from at least ``min_sessions`` (k)
  distinct searchers, whose words are not already ``d``'s title or one of its ``questions``.
* **Synonyms**: in those successes, the query's words that appear nowhere in ``d`` paired with the
  words of ``d``'s closest title or question that the query lacks ("telly" -> "tv"), kept when k
  distinct searchers used the pair and it is not already a synonym group.

Privacy: nothing is proposed from fewer than k searchers, nor a query that looks like personal
data (a masked e-mail, phone, card or IP, an ``@`` or a run of 4 or more digits).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from analytics.proposals import STOPWORDS, words
from analytics.reports import Report
from analytics.store import Store

#: Seconds after a click in which another query from the same searcher is a reformulation.
REFORM_WINDOW = 300.0
#: Seconds after a click in which the same client's vote on the article counts.
VOTE_WINDOW = 1800.0
DEFAULT_MIN_SESSIONS = 3
PERSONAL = re.compile(r"\[(?:email|phone|card|ip)\]|@|\d{4,}")


@dataclass
class QuestionProposal:
    slug: str
    question: str
    searchers: int
    helpful: int
    used: int


@dataclass
class SynonymLead:
    query_words: str
    article_words: str
    searchers: int
    slugs: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


@dataclass
class _Success:
    searchers: set[str] = field(default_factory=set)
    helpful: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)


def looks_personal(query: str) -> bool:
    return bool(PERSONAL.search(query))


def _content(text: str) -> tuple[str, ...]:
    return tuple(w for w in words(text) if w not in STOPWORDS)


def _searcher(client: str | None, session: str | None) -> str | None:
    return f"c:{client}" if client else (f"s:{session}" if session else None)


def successes(store: Store, since: float) -> dict[tuple[str, str], _Success]:
    """Per (query, slug): the searchers who succeeded with it, and who voted helpful or used it."""
    searches: dict[str, tuple[list[float], list[str]]] = {}
    for query, ts, client, session in store.fetchall(
            "SELECT query, ts, client, session FROM searches WHERE ts >= ? ORDER BY ts", (since,)):
        key = _searcher(client, session)
        if key:
            times, queries = searches.setdefault(key, ([], []))
            times.append(float(ts))
            queries.append(str(query))
    votes: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for slug, helpful, ts, client in store.fetchall(
            "SELECT slug, helpful, ts, client FROM feedback WHERE ts >= ? AND client <> ''", (since,)):
        votes.setdefault((f"c:{client}", str(slug)), []).append((float(ts), int(helpful)))
    found: dict[tuple[str, str], _Success] = {}
    for query, slug, ts, client, session in store.fetchall(
            "SELECT query, slug, ts, client, session FROM clicks WHERE ts >= ? AND query <> ''", (since,)):
        key = _searcher(client, session)
        if not key:
            continue
        ts = float(ts)
        times, queries = searches.get(key, ([], []))
        start, stop = bisect.bisect_right(times, ts), bisect.bisect_right(times, ts + REFORM_WINDOW)
        if any(queries[i] != query for i in range(start, stop)):
            continue  # reformulated: the article did not answer it
        after = sorted(v for v in votes.get((key, str(slug)), ()) if 0 <= v[0] - ts <= VOTE_WINDOW)
        if after and not after[-1][1]:
            continue  # voted "not helpful"
        entry = found.setdefault((str(query), str(slug)), _Success())
        entry.searchers.add(key)
        if after:
            entry.helpful.add(key)
    for query, slug, agent in store.fetchall(
            "SELECT query, slug, agent FROM uses WHERE ts >= ? AND query <> '' AND agent <> ''", (since,)):
        entry = found.setdefault((str(query), str(slug)), _Success())
        entry.searchers.add(f"u:{agent}")
        entry.used.add(f"u:{agent}")
    return found


def _get(item: Any, name: str, default: Any = "") -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _phrasings(article: Any) -> list[str]:
    return [str(_get(article, "title")), *(str(q) for q in _get(article, "questions", []) or [])]


def _vocabulary(article: Any) -> set[str]:
    parts = [*_phrasings(article), str(_get(article, "summary")), str(_get(article, "answer")),
             " ".join(_get(article, "tags", []) or []), str(_get(article, "body", "") or _get(article, "source", ""))]
    return set(words("\n".join(parts)))


def question_proposals(found: dict[tuple[str, str], _Success], lookup: Callable[[str], Any | None],
                       min_sessions: int = DEFAULT_MIN_SESSIONS) -> list[QuestionProposal]:
    """Alternate questions per article, most evidence first, without what the article has."""
    best: dict[tuple[str, tuple[str, ...]], QuestionProposal] = {}
    for (query, slug), success in found.items():
        if len(success.searchers) < min_sessions or looks_personal(query) or not _content(query):
            continue
        article = lookup(slug)
        if article is None:
            continue
        have = _phrasings(article)
        if " ".join(words(query)) in {" ".join(words(p)) for p in have} or \
                set(_content(query)) in [set(_content(p)) for p in have]:
            continue
        proposal = QuestionProposal(slug, query, len(success.searchers), len(success.helpful), len(success.used))
        key = (slug, tuple(sorted(set(_content(query)))))
        if key not in best or proposal.searchers > best[key].searchers:
            best[key] = proposal
    return sorted(best.values(), key=lambda p: (-(p.searchers + p.helpful + p.used), p.slug, p.question))


def synonym_leads(found: dict[tuple[str, str], _Success], lookup: Callable[[str], Any | None],
                  min_sessions: int = DEFAULT_MIN_SESSIONS,
                  known_groups: Iterable[Iterable[str]] = ()) -> list[SynonymLead]:
    """Query words absent from the article they led to, with the article's words for them."""
    known = [{w.lower() for w in group} for group in known_groups]
    pairs: dict[tuple[str, str], tuple[set[str], set[str], list[str]]] = {}
    for (query, slug), success in found.items():
        if looks_personal(query):
            continue
        article = lookup(slug)
        if article is None:
            continue
        vocabulary, mine = _vocabulary(article), set(words(query))
        missing = [w for w in _content(query) if w not in vocabulary]
        closest = max(_phrasings(article), key=lambda p: len(set(_content(p)) & mine))
        theirs = [w for w in _content(closest) if w not in mine]
        if not 1 <= len(missing) <= 2 or not 1 <= len(theirs) <= 2:
            continue
        pair = (" ".join(missing), " ".join(dict.fromkeys(theirs)))
        if any({pair[0], pair[1]} <= group for group in known):
            continue
        searchers, slugs, examples = pairs.setdefault(pair, (set(), set(), []))
        searchers |= success.searchers
        slugs.add(slug)
        if len(examples) < 3:
            examples.append(query)
    leads = [SynonymLead(a, b, len(s), sorted(slugs), ex) for (a, b), (s, slugs, ex) in pairs.items()
             if len(s) >= min_sessions]
    return sorted(leads, key=lambda lead: (-lead.searchers, lead.query_words, lead.article_words))


def proposal_reports(store: Store, since: float, lookup: Callable[[str], Any | None],
                     min_sessions: int = DEFAULT_MIN_SESSIONS, known_groups: Iterable[Iterable[str]] = (),
                     limit: int = 20) -> list[Report]:
    """The two proposal tables for ``build.py report`` and ``/admin/insights``."""
    found = successes(store, since)
    questions = question_proposals(found, lookup, min_sessions)
    leads = synonym_leads(found, lookup, min_sessions, known_groups)
    return [
        Report("proposed_questions", "Proposed alternate questions",
               f"Searches that opened the article and ended there, from at least {min_sessions} distinct "
               "searchers; accept with `python build.py report --apply-proposals SLUG`.",
               ["slug", "question", "searchers", "helpful", "used"],
               [[p.slug, p.question, p.searchers, p.helpful, p.used] for p in questions]),
        Report("proposed_synonyms", "Proposed synonyms",
               "Query words absent from the article they led to, with the article's own words; copy "
               "the groups you agree with into articles/_synonyms.yml.",
               ["query_words", "article_words", "searchers", "articles", "examples"],
               [[lead.query_words, lead.article_words, lead.searchers, " ".join(lead.slugs),
                 "; ".join(lead.examples)] for lead in leads[:limit]]),
    ]
