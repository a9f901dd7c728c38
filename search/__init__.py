"""Everything Whoosh: schema, indexing, querying, ranking, typo tolerance. One entry point: Engine.

The names below are imported on first use (PEP 562), so ``import search.indexer`` (``build.py``)
does not pay for the query side's imports."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.engine import Engine
    from search.snapshot import IndexUnavailable
    from search.types import Hit, QueryError, SearchRequest, SearchResponse
    from search.viewer import AGENT, ANONYMOUS, Viewer

_HOMES = {"Engine": "search.engine", "IndexUnavailable": "search.snapshot", "Hit": "search.types",
          "QueryError": "search.types", "SearchRequest": "search.types",
          "SearchResponse": "search.types", "AGENT": "search.viewer",
          "ANONYMOUS": "search.viewer", "Viewer": "search.viewer"}

__all__ = ["AGENT", "ANONYMOUS", "Engine", "Hit", "IndexUnavailable", "QueryError", "SearchRequest",
           "SearchResponse", "Viewer"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
