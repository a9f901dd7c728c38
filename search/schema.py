"""The Whoosh schema: per-language text fields for retrieval and type-ahead, plus filter fields.

Retrieval matches on one ``all_<lang>`` field per language (title, questions, answer, tags and
body together); ``title_<lang>`` and ``questions_<lang>`` add their own BM25 on top (BM25F, see
``query.py`` and ``retrieve.py``) and serve type-ahead prefixes; ``internal_<lang>`` holds
agent-only paragraphs.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search.analysis import FIELD_LANGUAGES, analyzer_for
from search.filters import FILTER_NAMES

#: Bump when the schema or the indexed document changes: forces a full rebuild.
SCHEMA_VERSION = 7

TEXT_KINDS = ("all", "title", "questions", "internal")
FACET_FIELDS = FILTER_NAMES  # every filter is counted as a facet (search/filters.py)


def text_field(kind: str, lang: str) -> str:
    """Name of a text field for a field language, e.g. ``all_en``."""
    return f"{kind}_{lang}"


def build_schema() -> Schema:
    """The schema every index version is written with."""
    schema = Schema(
        slug=ID(stored=True, unique=True, sortable=True),
        type=ID(stored=True, sortable=True),
        level=ID(stored=True, sortable=True),
        product=ID(stored=True, sortable=True),
        lang=ID(stored=True, sortable=True),
        audience=ID(stored=True, sortable=True),
        status=ID(stored=True),
        family=ID,
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        data=STORED,
    )
    for lang in FIELD_LANGUAGES:
        for kind in TEXT_KINDS:
            schema.add(text_field(kind, lang), TEXT(analyzer=analyzer_for(lang), phrase=False))
    return schema
