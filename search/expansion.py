"""Turn the customer's words into term groups: each word with its synonyms, typo fix and prefix."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from search.analysis import normalize_phrase, terms
from search.typos import Vocabulary

SYNONYM_WEIGHT = 0.8
CORRECTION_WEIGHT = 0.9
MAX_SYNONYM_WORDS = 3


@dataclass
class Alternative:
    """One way to match a group: its words (all must match), a weight and why it was added."""

    words: list[str]
    weight: float = 1.0
    reason: str = "query"
    prefix: bool = False


@dataclass
class TermGroup:
    """One word (or multi-word synonym) of the query and the alternatives that satisfy it."""

    text: str
    alternatives: list[Alternative] = field(default_factory=list)


@dataclass
class ExpandedQuery:
    """The query as term groups, with the corrections and synonyms applied (for explain)."""

    groups: list[TermGroup]
    corrections: dict[str, str]
    synonyms: dict[str, list[str]]
    #: The query's words as typed (normalized), stop words included.
    words: list[str] = field(default_factory=list)

    @property
    def corrected_text(self) -> str | None:
        """The query with its typos fixed, every other word kept ("refnd not recieved" ->
        "refund not received")."""
        if not self.corrections:
            return None
        words = self.words or [g.text for g in self.groups]
        return " ".join(self.corrections.get(w, w) for w in words)


class SynonymTable:
    """Synonym groups keyed by the stemmed form of each term, for the query language."""

    def __init__(self, groups: list[list[str]], lang: str = "en") -> None:
        self.lang = lang
        self.table: dict[tuple[str, ...], list[str]] = {}
        for group in groups:
            for term in group:
                key = self.key(term.split())
                if key:
                    self.table.setdefault(key, [])
                    self.table[key] += [t for t in group if t != term and t not in self.table[key]]

    def key(self, words: list[str]) -> tuple[str, ...]:
        return tuple(t for w in words for t in (terms(w, self.lang, keep_stop_words=True) or [w]))

    def lookup(self, words: list[str]) -> list[str]:
        return self.table.get(self.key(words), [])


def _stop_word(word: str, lang: str) -> bool:
    return not terms(word, lang)


def expand(query: str, vocabulary: Vocabulary, synonyms: SynonymTable, lang: str = "en",
           prefix: bool = False, known: Callable[[str], bool] | None = None) -> ExpandedQuery:
    """Group the query's words, add synonyms, fix typos and, for type-ahead, a prefix on the last word."""
    words = normalize_phrase(query).split()
    content = [w for w in words if not _stop_word(w, lang)] or words
    groups: list[TermGroup] = []
    corrections: dict[str, str] = {}
    applied: dict[str, list[str]] = {}
    index = 0
    last_is_prefix = prefix and query[-1:].isalnum()
    while index < len(words):
        span = 1
        alternates: list[str] = []
        for size in range(min(MAX_SYNONYM_WORDS, len(words) - index), 0, -1):
            alternates = synonyms.lookup(words[index:index + size])
            if alternates:
                span = size
                break
        text = " ".join(words[index:index + span])
        index += span
        if (span == 1 and text not in content) or any(g.text == text for g in groups):
            continue  # stop words, and words already in the query
        group = TermGroup(text, [Alternative(text.split())])
        if alternates:
            applied[text] = alternates
            group.alternatives += [Alternative(a.split(), SYNONYM_WEIGHT, "synonym") for a in alternates]
        elif span == 1 and not (last_is_prefix and index == len(words)) and not (known and known(text)):
            fixed = vocabulary.correct(text)
            if fixed:
                corrections[text] = fixed
                group.alternatives.append(Alternative([fixed], CORRECTION_WEIGHT, "typo"))
                for alternate in synonyms.lookup([fixed]):
                    group.alternatives.append(Alternative(alternate.split(), SYNONYM_WEIGHT * CORRECTION_WEIGHT, "synonym"))
        groups.append(group)
    if last_is_prefix and groups:
        last = groups[-1]
        if len(last.text) >= 2 and " " not in last.text:
            last.alternatives.append(Alternative([last.text], 1.0, "prefix", prefix=True))
    return ExpandedQuery(groups, corrections, applied, words)
