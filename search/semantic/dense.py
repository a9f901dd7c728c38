"""The served version's article vectors and the semantic state (on, off or unavailable, and why).

Dense score of an article for a query (all vectors are unit length, so dot product = cosine):
the mean of the whole-article cosine and the best cosine over its parts (title, questions,
summary, answer, body lines). Anonymous users are scored on public rows only, and internal
articles have no public rows, so agent-only text never reaches them through this path.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from search.semantic import check_mode
from search.semantic.embeddings import FOLDER, PART_AGENT, PART_PUBLIC, WHOLE_AGENT, WHOLE_PUBLIC
from search.semantic.encoder import DIM, Encoder, Unavailable, query_encoder, runtime_installed
from search.semantic.shards import load, refs_of, shards_of
from search.store import read_json
from search.visibility import dense_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """``SEMANTIC`` (auto, on, off) and ``SEMANTIC_MODEL_DIR``: where a build takes the model from
    (empty: the installed packages); serving uses the model stored with the index version."""

    mode: str = "auto"
    model_dir: str = ""

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        return cls(check_mode(config.get("SEMANTIC", "auto")), str(config.get("SEMANTIC_MODEL_DIR", "")))


#: Articles whose parts are scored per query: the best by whole-article cosine (plus the lexical
#: candidates). Parts are only read for these, so a query costs one small matrix product over the
#: whole-article vectors however many part vectors the index holds.
SHORTLIST = 100


class Rows:
    """The rows of a version's shards (memory-mapped) under one numbering: shard after shard."""

    def __init__(self, np: Any, arrays: list[Any]) -> None:
        self.np = np
        self.arrays = [np.asarray(a) for a in arrays]  # plain views of the maps: cheaper to index
        self.ends = np.cumsum([len(a) for a in arrays], dtype=np.int64)
        self.starts = self.ends - [len(a) for a in arrays]

    def take(self, rows: Any) -> Any:
        """The vectors of ``rows`` (any order)."""
        if len(self.arrays) == 1:
            return self.arrays[0][rows]
        out = self.np.empty((len(rows), DIM), dtype=self.np.float32)
        for shard, mask in self._split(rows):
            out[mask] = self.arrays[shard][rows[mask] - self.starts[shard]]
        return out

    def dot(self, rows: Any, query: Any) -> Any:
        """Cosine of each of ``rows`` with ``query``."""
        if len(self.arrays) == 1:
            return self.arrays[0][rows] @ query
        out = self.np.empty(len(rows), dtype=self.np.float32)
        for shard, mask in self._split(rows):
            out[mask] = self.arrays[shard][rows[mask] - self.starts[shard]] @ query
        return out

    def _split(self, rows: Any) -> Any:
        shard_of = self.np.searchsorted(self.ends, rows, side="right")
        for shard in self.np.unique(shard_of):
            yield int(shard), shard_of == shard


class View:
    """The rows one audience may see: whole-article vectors in one matrix, parts per article."""

    def __init__(self, np: Any, vectors: Rows, kinds: Any, ranges: list[tuple[int, int, int]],
                 agent: bool) -> None:
        docnums, whole, parts, starts = [], [], [], []
        part_kinds = (PART_PUBLIC, PART_AGENT) if agent else (PART_PUBLIC,)
        for docnum, start, stop in ranges:
            rows = range(start, stop)
            whole_rows = [r for r in rows if kinds[r] == WHOLE_PUBLIC]
            if agent:
                whole_rows = [r for r in rows if kinds[r] == WHOLE_AGENT] or whole_rows
            if not whole_rows:
                continue  # internal article: not in the public view
            mine = [r for r in rows if kinds[r] in part_kinds] or whole_rows[:1]
            docnums.append(docnum)
            whole.append(whole_rows[0])
            starts.append(len(parts))
            parts.extend(mine)
        starts.append(len(parts))
        self.np = np
        self.docnums = np.array(docnums, dtype=np.int64)
        #: Row in this view of each document number (-1: not in the view).
        self.position = np.full(max(docnums, default=-1) + 1, -1, dtype=np.int64)
        self.position[self.docnums] = np.arange(len(docnums))
        # Stored transposed (384 x articles): ``query @ whole_t`` runs about twice as fast as
        # ``whole @ query`` with the article-major layout (0.16 against 0.32 ms at 10k).
        self.whole_t = np.ascontiguousarray(vectors.take(np.array(whole, dtype=np.int64)).T) \
            if whole else np.zeros((DIM, 0), dtype=np.float32)
        self.parts = np.array(parts, dtype=np.int64)
        self.starts = np.array(starts, dtype=np.int64)
        self.vectors = vectors

    def scores(self, query: Any, allowed: Any, extra: list[int]) -> tuple[Any, Any]:
        """(docnums, dense scores): the SHORTLIST best allowed articles by whole-article cosine
        and the ``extra`` ones, each scored as mean(whole cosine, best part cosine)."""
        np = self.np
        if not len(self.docnums):
            return self.docnums, np.zeros(0, dtype=np.float32)
        whole = query @ self.whole_t
        ranked = whole if allowed is None else np.where(allowed[self.docnums], whole, -np.inf)
        chosen = np.flatnonzero(ranked > -np.inf)
        if len(chosen) > SHORTLIST:
            chosen = chosen[np.argpartition(-ranked[chosen], SHORTLIST - 1)[:SHORTLIST]]
        if extra:
            wanted = np.asarray(extra, dtype=np.int64)
            wanted = self.position[wanted[wanted < len(self.position)]]
            chosen = np.union1d(chosen, wanted[wanted >= 0])
        lengths = self.starts[chosen + 1] - self.starts[chosen]
        rows = self.parts[np.repeat(self.starts[chosen], lengths) + _ranges(np, lengths)]
        bounds = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        best = np.maximum.reduceat(self.vectors.dot(rows, query), bounds) if len(rows) \
            else whole[chosen]
        return self.docnums[chosen], (whole[chosen] + best) / 2


def _ranges(np: Any, lengths: Any) -> Any:
    """0..n-1 for each n in ``lengths``, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - lengths, lengths)


class DenseIndex:
    """Vectors of one index version (memory-mapped), mapped to its Whoosh document numbers."""

    def __init__(self, folder: Path, docnum: Callable[[str], int | None]) -> None:
        import numpy as np  # noqa: PLC0415
        self.np = np
        self.meta = read_json(folder / "index.json")
        arrays, kind_parts, offsets = [], [], {}
        for shard in shards_of(self.meta):
            vectors = load(folder, shard, "vectors")
            kinds = load(folder, shard, "kinds", mmap=False)
            if vectors.shape != (shard.rows, DIM) or len(kinds) != shard.rows:
                raise ValueError(f"{folder}: shard {shard.name!r} does not match index.json")
            offsets[shard.name] = sum(len(a) for a in arrays)
            arrays.append(vectors)
            kind_parts.append(kinds)
        self.vectors = Rows(np, arrays)
        ranges = []
        for slug, (shard_name, start, stop) in refs_of(self.meta).items():
            number = docnum(slug)
            if number is not None:
                ranges.append((number, offsets[shard_name] + start, offsets[shard_name] + stop))
        kind_list = np.concatenate(kind_parts).tolist() if kind_parts else []
        self.views = {"public": View(np, self.vectors, kind_list, ranges, agent=False),
                      "agent": View(np, self.vectors, kind_list, ranges, agent=True)}

    def scores(self, query_vector: Any, viewer: Any, allowed: Any = None,
               extra: list[int] | None = None) -> tuple[Any, Any]:
        """(docnums, dense scores) of the audience's shortlist (see :meth:`View.scores`);
        ``allowed``: a boolean mask over document numbers (None: every document)."""
        return self.views[dense_view(viewer)].scores(query_vector, allowed, extra or [])


@dataclass
class SemanticState:
    """Whether the semantic layer serves this version, and why not when it does not."""

    state: str
    reason: str = ""
    index: DenseIndex | None = None
    encoder: Encoder | None = field(default=None, repr=False)

    @property
    def on(self) -> bool:
        return self.state == "on"

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "reason": self.reason}


def load_state(version: Path, settings: Settings, docnum: Callable[[str], int | None]) -> SemanticState:
    """Open the version's vectors and the model stored with them; never raises."""
    if settings.mode == "off":
        return SemanticState("off", "SEMANTIC is off")
    folder = version / FOLDER
    if not (folder / "index.json").is_file():
        reason = ("the semantic extra is not installed" if not runtime_installed()
                  else "this index was built without embeddings: rebuild with SEMANTIC auto or on")
        if settings.mode == "on":
            log.warning("semantic search unavailable: %s", reason)
            return SemanticState("unavailable", reason)
        return SemanticState("off", reason)
    if settings.mode == "auto" and not runtime_installed():
        return SemanticState("off", "the semantic extra is not installed")
    try:
        index = DenseIndex(folder, docnum)
        encoder = query_encoder(folder, index.meta)
    except Unavailable as exc:
        log.warning("semantic search unavailable: %s", exc)
        return SemanticState("unavailable", str(exc))
    except Exception as exc:  # noqa: BLE001  (damaged vectors: fall back to lexical, say why)
        log.warning("semantic search unavailable: cannot read %s: %s", folder, exc)
        return SemanticState("unavailable", f"cannot read the index embeddings: {type(exc).__name__}")
    return SemanticState("on", f"{encoder.model_id}, {index.meta['rows']} vectors", index, encoder)

