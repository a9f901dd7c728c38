"""Everything Whoosh: schema, indexing, querying, ranking, typo tolerance. One entry point: Engine."""
from search.engine import Engine
from search.snapshot import IndexUnavailable
from search.types import Hit, QueryError, SearchRequest, SearchResponse

__all__ = ["Engine", "Hit", "IndexUnavailable", "QueryError", "SearchRequest", "SearchResponse"]
