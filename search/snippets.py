"""Highlighted snippets: escaped text with ``<mark>`` around matched words, nothing else."""
from __future__ import annotations

import html
import re
from collections import Counter
from functools import lru_cache

from search.analysis import terms

SNIPPET_WORDS = 32
SNIPPET_CHARS = 220
LEAD_CHARS = 40
WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=200_000)
def _term(word: str, lang: str) -> str:
    analyzed = terms(word, lang, keep_stop_words=True)
    return analyzed[0] if analyzed else ""


WORD_TAIL = re.compile(r"\w*", re.UNICODE)


def _word_starts(text: str, starts: set[str]) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that begin with one of ``starts`` (lower-case), found with
    ``str.find`` on the lower-cased text: several times faster than one regular expression of
    alternatives, which cannot skip ahead to a likely start."""
    lower = text.lower()
    if len(lower) != len(text):  # rare letters whose lower case is longer: stay exact
        lower = "".join(ch.lower()[:1] or ch for ch in text)
    found: set[tuple[int, int]] = set()
    for start in starts:
        position = lower.find(start)
        while position != -1:
            if position == 0 or not _is_word_char(lower[position - 1]):
                tail = WORD_TAIL.match(lower, position + len(start))
                found.add((position, tail.end() if tail else position + len(start)))
            position = lower.find(start, position + 1)
    return sorted(found)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def fallback(text: str, words: int = SNIPPET_WORDS) -> str:
    """The start of the text, escaped, when nothing can be highlighted."""
    parts = text.split()
    clipped = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return html.escape(clipped, quote=True)


def _match_spans(text: str, matched: set[str], lang: str, prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character spans of the words that match; fast path first, full scan when it finds none."""
    def is_match(word: str) -> bool:
        lower = word.lower()
        return _term(lower, lang) in matched or (bool(prefixes) and lower.startswith(prefixes))

    if matched or prefixes:
        starts = {s for s in matched if s} | set(prefixes)
        spans = [(a, b) for a, b in _word_starts(text, starts) if is_match(text[a:b])]
        if spans:
            return spans
    return [m.span() for m in WORD.finditer(text) if is_match(m.group())]


def highlight(text: str, matched: set[str], lang: str, prefixes: tuple[str, ...] = ()) -> str:
    """The stretch of ``text`` holding the most distinct matched words, matches in ``<mark>``."""
    if not text or not (matched or prefixes):
        return ""
    text = " ".join(text.split())
    spans = _match_spans(text, matched, lang, prefixes)
    if not spans:
        return ""
    begin = _word_start(text, max(0, spans[_best_window(text, spans)][0] - LEAD_CHARS))
    end = _word_end(text, min(len(text), begin + SNIPPET_CHARS))
    out = ["… " if begin > 0 else ""]
    cursor = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out.append(html.escape(text[cursor:start], quote=True))
        out.append("<mark>" + html.escape(text[start:stop], quote=True) + "</mark>")
        cursor = stop
    out.append(html.escape(text[cursor:end], quote=True))
    if end < len(text):
        out.append(" …")
    return "".join(out)


def _best_window(text: str, spans: list[tuple[int, int]]) -> int:
    """Index of the span that starts the window with the most distinct matched words (one pass)."""
    words = [text[start:stop].lower() for start, stop in spans]
    distinct = len(set(words))
    inside: Counter[str] = Counter()
    best, best_count, right = 0, -1, 0
    for index, (start, _) in enumerate(spans):
        limit = start + SNIPPET_CHARS - LEAD_CHARS
        while right < len(spans) and spans[right][0] < limit:
            inside[words[right]] += 1
            right += 1
        if len(inside) > best_count:
            best, best_count = index, len(inside)
            if best_count == distinct:
                break  # no later window can hold more
        inside[words[index]] -= 1
        if not inside[words[index]]:
            del inside[words[index]]
    return best


def _word_start(text: str, position: int) -> int:
    """Move back to the start of the word ``position`` falls in."""
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return position


def _word_end(text: str, position: int) -> int:
    """Move forward to the end of the word ``position`` falls in (keeping closing punctuation)."""
    while position < len(text) and not text[position].isspace():
        position += 1
    return position
