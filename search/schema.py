"""The Whoosh schema: per-language text fields with BM25F weights, plus filter and facet fields."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search.analysis import FIELD_LANGUAGES, analyzer_for

#: Bump when the schema or the indexed document changes: forces a full rebuild.
SCHEMA_VERSION = 5

#: Text fields and their BM25F weights. ``internal`` holds agent-only paragraphs.
TEXT_FIELD_WEIGHTS = {"title": 3.0, "questions": 2.5, "answer": 1.5, "body": 1.0, "internal": 1.0}
PUBLIC_TEXT_FIELDS = ("title", "questions", "answer", "body")
FACET_FIELDS = ("type", "level", "product", "lang", "tags", "audience")


def text_field(kind: str, lang: str) -> str:
    """Name of a text field for a field language, e.g. ``title_en``."""
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
        family=ID,
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        data=STORED,
    )
    for lang in FIELD_LANGUAGES:
        for kind, weight in TEXT_FIELD_WEIGHTS.items():
            schema.add(text_field(kind, lang),
                       TEXT(analyzer=analyzer_for(lang), field_boost=weight, phrase=kind != "internal"))
    return schema
