"""Everything Whoosh: schema, indexing, querying, ranking, typo tolerance. One entry point: Engine."""
from search.engine import Engine
from search.snapshot import IndexUnavailable
from search.types import Hit, QueryError, SearchRequest, SearchResponse
from search.viewer import AGENT, ANONYMOUS, Viewer

__all__ = ["AGENT", "ANONYMOUS", "Engine", "Hit", "IndexUnavailable", "QueryError", "SearchRequest",
           "SearchResponse", "Viewer"]
