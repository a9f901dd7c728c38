"""Language-aware analysis: tokenizing, stop words, stemming and accent folding per language."""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import (Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                            StopFilter)
from whoosh.support.charset import accent_map

#: Languages with their own stemmed fields; other languages share the unstemmed ``xx`` fields.
STEMMED_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
OTHER = "xx"
FIELD_LANGUAGES = STEMMED_LANGUAGES + (OTHER,)
WORD = re.compile(r"\w+", re.UNICODE)

#: English stop words: the short list Lucene and Elasticsearch use. Snowball's 127-word list also
#: drops words that carry a support question's meaning ("up" in "top up", "off", "how", "before").
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split())


def _stop_filter(lang: str) -> StopFilter:
    if lang == "en":
        return StopFilter(stoplist=ENGLISH_STOP_WORDS)
    return StopFilter(lang=lang)


def field_language(lang: str) -> str:
    """The field-set language used to index an article written in ``lang``."""
    base = lang.split("-")[0].lower()
    return base if base in STEMMED_LANGUAGES else OTHER


@lru_cache(maxsize=None)
def analyzer_for(lang: str) -> Analyzer:
    """Stemming analyzer with stop words for a field language; accents folded after stemming."""
    if lang == OTHER:
        return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return (RegexTokenizer() | LowercaseFilter() | _stop_filter(lang)
            | StemFilter(lang=lang, cachesize=50000) | CharsetFilter(accent_map))


@lru_cache(maxsize=None)
def plain_analyzer_for(lang: str) -> Analyzer:
    """Same as :func:`analyzer_for` but keeping stop words (for all-stop-word queries)."""
    if lang == OTHER:
        return analyzer_for(OTHER)
    return RegexTokenizer() | LowercaseFilter() | StemFilter(lang=lang, cachesize=50000) \
        | CharsetFilter(accent_map)


def terms(text: str, lang: str, keep_stop_words: bool = False) -> list[str]:
    """Index terms of ``text`` in a field language, in order."""
    analyzer = plain_analyzer_for(lang) if keep_stop_words else analyzer_for(lang)
    return [token.text for token in analyzer(text)]


def words(text: str) -> list[str]:
    """Surface words, lowercased, for vocabularies and typo correction."""
    return [w for w in WORD.findall(text.lower()) if not w.isdigit()]


def normalize_phrase(text: str) -> str:
    """Lowercase words joined by spaces: how titles and queries are compared for exact matches."""
    return " ".join(WORD.findall(text.lower()))
