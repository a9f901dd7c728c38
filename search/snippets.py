"""Highlighted snippets: escaped text with ``<mark>`` around matched words, nothing else."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from search.analysis import terms

SNIPPET_WORDS = 32
TOKEN = re.compile(r"\w+|[^\w]+", re.UNICODE)


@lru_cache(maxsize=200_000)
def _term(word: str, lang: str) -> str:
    analyzed = terms(word, lang, keep_stop_words=True)
    return analyzed[0] if analyzed else ""


def fallback(text: str, words: int = SNIPPET_WORDS) -> str:
    """The start of the text, escaped, when nothing can be highlighted."""
    parts = text.split()
    clipped = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return html.escape(clipped, quote=True)


def highlight(text: str, matched: set[str], lang: str, prefixes: tuple[str, ...] = ()) -> str:
    """The window of ``text`` holding the most matched terms, matches in ``<mark>``; '' if none."""
    if not text or not (matched or prefixes):
        return ""
    tokens = TOKEN.findall(" ".join(text.split()))
    word_positions = [i for i, tok in enumerate(tokens) if tok[0].isalnum() or tok[0] == "_"]
    hits = []
    for position in word_positions:
        word = tokens[position].lower()
        term = _term(word, lang)
        if (term and term in matched) or (prefixes and word.startswith(prefixes)):
            hits.append(position)
    if not hits:
        return ""
    hit_set = set(hits)
    best_start, best_count = 0, -1
    words_index = {pos: n for n, pos in enumerate(word_positions)}
    for position in hits:
        start = max(0, words_index[position] - 6)
        window = word_positions[start:start + SNIPPET_WORDS]
        count = len({_term(tokens[p].lower(), lang) for p in window if p in hit_set})
        if count > best_count:
            best_start, best_count = start, count
    window = word_positions[best_start:best_start + SNIPPET_WORDS]
    first, last = window[0], window[-1]
    out = ["… " if best_start > 0 else ""]
    for position in range(first, last + 1):
        escaped = html.escape(tokens[position], quote=True)
        out.append(f"<mark>{escaped}</mark>" if position in hit_set else escaped)
    if last < word_positions[-1]:
        out.append(" …")
    return "".join(out)
