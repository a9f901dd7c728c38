"""What callers pass to the engine and what they get back; plain data, no Whoosh."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from search.filters import FILTER_NAMES
from search.viewer import ANONYMOUS, Viewer

FILTER_FIELDS = FILTER_NAMES  # declared in search/filters.py
#: Deepest result a search may return: ``offset + limit`` is at most this. Ranking every match
#: to page past it costs more than it serves; callers refine the query instead.
MAX_RESULT_WINDOW = 1000


class QueryError(ValueError):
    """A query or parameter the engine refuses; ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SearchRequest:
    """One search. ``filters`` maps a filter field to the accepted values (any of them);
    ``viewer``: who asks (what they may find is decided in search/visibility.py)."""

    query: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    viewer: Viewer = ANONYMOUS
    langs: list[str] = field(default_factory=list)
    explain: bool = False
    prefix: bool = False
    facets: bool = True
    snippets: bool = True
    #: Use counts per slug (search/usage.py): a bounded lift among near-tied results. None: off.
    usage: dict[str, float] | None = None
    #: Click evidence (search/clicks.py ``ClickPrior``): a bounded lift among near ties. None: off.
    clicks: Any = None


@dataclass
class Hit:
    """One result."""

    slug: str
    title: str
    summary: str
    answer: str
    snippet: str
    url: str
    type: str
    level: int
    product: str
    lang: str
    tags: list[str]
    audience: str
    score: float
    updated: str
    stale: bool
    exact: bool = False
    #: a translation whose source changed since it was translated
    stale_translation: bool = False
    explain: dict[str, Any] | None = None
    #: KCS state: ``published``, or ``review`` (not yet validated; agents only)
    status: str = "published"
    #: owners, last check, due date and state: agents and admins only (absent otherwise)
    verification: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (a shallow copy: ``asdict`` deep-copies and is slow per hit)."""
        data = dict(self.__dict__, tags=list(self.tags))
        for optional in ("explain", "verification"):
            if data[optional] is None:
                del data[optional]
        return data


@dataclass
class SearchResponse:
    """Results for one request, with facets, corrections and timing."""

    query: str
    total: int
    results: list[Hit]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None
    corrections: dict[str, str]
    synonyms: dict[str, list[str]]
    took_ms: float
    no_good_answer: bool
    version: str
    #: how ``no_good_answer`` was decided (search/noanswer.py): for the bench, not serialised
    answer_check: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "did_you_mean": self.did_you_mean,
                "corrections": self.corrections, "facets": self.facets,
                "took_ms": round(self.took_ms, 2), "no_good_answer": self.no_good_answer,
                "results": [hit.as_dict() for hit in self.results]}
