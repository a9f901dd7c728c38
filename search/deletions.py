"""Statistics of deleted documents, so an incremental version scores exactly as a full build would.

Whoosh deletes a document by marking it in its segment; until that segment is merged, the term
statistics BM25 reads (how many documents hold a term, the total length of a field) still count
it. An incremental build deletes every changed and removed article from the big shared segment,
so without correction its scores would drift from a full build's. The build therefore records,
per segment, what its deleted documents added to those statistics (``deleted.json`` in the
version folder: documents, total length and terms of each text field, found by analysing the
deleted document's stored text with the schema's analyzers, as Whoosh did when it indexed it),
and the served index subtracts them (:func:`open_index`). A segment merged away takes its entry
with it. Only text fields are corrected: they are the only ones scored.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import MultiReader

from search.analysis import field_language, index_terms
from search.documents import searchable_words
from search.schema import text_field
from search.store import write_json
from search.visibility import agent_only

FILE = "deleted.json"
Stats = dict[str, Any]  # {"docs": int, "lengths": {field: int}, "terms": {field: {term: int}}}


def text_fields(data: dict[str, Any]) -> dict[str, list[str]]:
    """The text fields :func:`search.documents.to_document` indexed for this stored data, as the
    analyzed terms it gave Whoosh."""
    lang = field_language(data["lang"])
    public = searchable_words(data, internal=False)
    hidden = agent_only(data)
    texts = {text_field("all", lang): "" if hidden else public,
             text_field("title", lang): data["title"],
             text_field("questions", lang): "\n".join(data["questions"]),
             text_field("internal", lang): public + "\n" + data["text_internal"] if hidden
             else data["text_internal"]}
    return {name: index_terms(text, lang) for name, text in texts.items()}


def _segment_of(leaves: list[tuple[Any, int]], docnum: int) -> str:
    leaf = max((pair for pair in leaves if pair[1] <= docnum), key=lambda pair: pair[1])[0]
    return leaf.segment().segment_id()


def deleted_statistics(searcher: Any, slugs: list[str]) -> dict[str, Stats]:
    """Per segment id, what the live documents with these slugs add to the text statistics."""
    found: dict[str, Stats] = {}
    leaves = list(searcher.reader().leaf_readers())
    schema = searcher.schema
    for slug in slugs:
        docnum = searcher.document_number(slug=slug)
        if docnum is None:
            continue
        entry = found.setdefault(_segment_of(leaves, docnum), {"docs": 0, "lengths": {}, "terms": {}})
        entry["docs"] += 1
        for name, value in text_fields(searcher.stored_fields(docnum)["data"]).items():
            length, seen = 0, set()
            for term, frequency, _weight, _value in schema[name].index(value):
                length += frequency
                seen.add(term.decode("utf-8"))
            entry["lengths"][name] = entry["lengths"].get(name, 0) + length
            terms = entry["terms"].setdefault(name, {})
            for term in seen:
                terms[term] = terms.get(term, 0) + 1
    return found


def combine(previous: dict[str, Stats], added: dict[str, Stats], segments: set[str]
            ) -> dict[str, Stats]:
    """The previous version's entries plus this build's, for the segments still in the index."""
    merged: dict[str, Stats] = {}
    for source in (previous, added):
        for segment, stats in source.items():
            if segment not in segments:
                continue
            entry = merged.setdefault(segment, {"docs": 0, "lengths": {}, "terms": {}})
            entry["docs"] += stats["docs"]
            for name, length in stats["lengths"].items():
                entry["lengths"][name] = entry["lengths"].get(name, 0) + length
            for name, terms in stats["terms"].items():
                into = entry["terms"].setdefault(name, {})
                for term, count in terms.items():
                    into[term] = into.get(term, 0) + count
    return merged


def read_statistics(version: Path) -> dict[str, Stats]:
    """The ``deleted.json`` of a version folder ({} when it has none)."""
    try:
        return json.loads((version / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def record_deletions(ix: Any, previous: Path, added: dict[str, Stats], version: Path) -> None:
    """Write ``deleted.json`` into a new version: the previous version's entries and this build's,
    for the segments left in ``ix``."""
    stats = combine(read_statistics(previous), added, segment_ids(ix))
    if stats:
        write_json(version / FILE, stats)


def segment_ids(ix: Any) -> set[str]:
    """Ids of the segments of a Whoosh index's latest generation."""
    with ix.reader() as reader:
        return {leaf.segment().segment_id() for leaf, _offset in reader.leaf_readers()}


class CorrectedReader(MultiReader):
    """A reader whose document frequencies and field lengths leave deleted documents out."""

    def __init__(self, readers: list[Any], generation: int | None, stats: dict[str, Stats]) -> None:
        super().__init__(readers, generation)
        present = {r.segment().segment_id() for r in readers}
        self._lengths: dict[str, int] = {}
        self._terms: dict[tuple[str, str], int] = {}
        for segment, entry in stats.items():
            if segment not in present:
                continue
            for name, length in entry["lengths"].items():
                self._lengths[name] = self._lengths.get(name, 0) + length
            for name, terms in entry["terms"].items():
                for term, count in terms.items():
                    self._terms[name, term] = self._terms.get((name, term), 0) + count

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        key = text.decode("utf-8") if isinstance(text, bytes) else text
        return super().doc_frequency(fieldname, text) - self._terms.get((fieldname, key), 0)

    def field_length(self, fieldname: str) -> int:
        return super().field_length(fieldname) - self._lengths.get(fieldname, 0)


class CorrectedIndex(FileIndex):
    """A Whoosh index whose readers (and so searchers) subtract the deleted documents' statistics."""

    def __init__(self, storage: Any, stats: dict[str, Stats]) -> None:
        super().__init__(storage)
        self.deleted_stats = stats

    def reader(self, reuse: Any = None) -> Any:
        reader = super().reader(reuse)
        leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        return CorrectedReader(leaves, reader.generation(), self.deleted_stats)


def open_index(version: Path) -> Any:
    """The Whoosh index of a version folder, with deleted documents left out of its statistics."""
    stats = read_statistics(version)
    if not stats:
        return whoosh_index.open_dir(str(version / "whoosh"))
    return CorrectedIndex(FileStorage(str(version / "whoosh")), stats)
