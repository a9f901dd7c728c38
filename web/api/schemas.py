"""Request and response shapes of ``/api/v1``, declared once as pydantic models.

The request models validate every query string and JSON body (``web/api/params.py`` turns a
failure into the API's 400 body); all models are also the components of the OpenAPI document
(``web/api/openapi.py``). Responses are not validated at run time (it would cost time on every
request); ``tests/test_openapi_schemathesis.py`` checks real responses against these shapes.

A validator that needs an API error code of its own raises ``PydanticCustomError(code, message)``
with one of ``CODES``; anything else is ``invalid_parameter``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from search.engine import MAX_QUERY_CHARS
from search.filters import FILTERS, Filter
from search.types import MAX_RESULT_WINDOW

MAX_LIMIT = 100
MAX_OFFSET = MAX_RESULT_WINDOW - 1  # and offset + limit <= MAX_RESULT_WINDOW
MAX_VALUES = 20
MAX_COMMENT = 1000
MAX_POSITION = 1000
MAX_TRIAGE_ANSWERS = 10
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9/_-]{0,199}$")
#: What the document promises (stricter than SLUG_RE, which also refuses ``..``).
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,40}(/[a-z0-9][a-z0-9_-]{0,40}){0,2}$"
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
WINDOW_NOTE = (f" (offset + limit must be at most {MAX_RESULT_WINDOW}: deeper results are not "
               "served, refine the search instead)")
#: Error codes a validator may raise besides ``invalid_parameter``.
CODES = ("missing_parameter", "query_too_long", "text_too_long")


def fail(message: str, code: str = "invalid_parameter") -> PydanticCustomError:
    return PydanticCustomError(code, message)


# --- query-string values -------------------------------------------------------------------------

def query_text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise fail("required, the words to search for", "missing_parameter")
    if len(value) > MAX_QUERY_CHARS:
        raise fail(f"at most {MAX_QUERY_CHARS} characters", "query_too_long")
    return value


QueryText = Annotated[str, BeforeValidator(query_text),
                      Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The customer's words.")]


def whole(low: int, high: int, note: str = "") -> Callable[[Any], int]:
    """A whole number from a query string, ``low``-``high``, with the API's own messages."""
    def check(value: Any) -> int:
        raw = value.strip() if isinstance(value, str) else ""
        if not re.fullmatch(r"[0-9]{1,6}", raw):
            raise fail(f"must be one whole number between {low} and {high}{note}")
        if not low <= int(raw) <= high:
            raise fail(f"must be between {low} and {high}{note}")
        return int(raw)
    return check


def Whole(low: int, high: int, description: str, note: str = "") -> Any:
    return Annotated[int, Field(ge=low, le=high, description=description), BeforeValidator(whole(low, high, note))]


def flag(value: Any) -> bool:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise fail("must be true or false")


def split_values(value: Any) -> list[str]:
    """A repeatable, comma-separated parameter: ``tags=a&tags=b`` or ``tags=a,b``."""
    raws = value if isinstance(value, list) else [value]
    found = [v.strip() for raw in raws for v in str(raw).split(",") if v.strip()]
    if len(found) > MAX_VALUES:
        raise fail(f"at most {MAX_VALUES} values")
    return list(dict.fromkeys(found))


def filter_type(declared: Filter) -> Any:
    """The type of one filter parameter of ``search/filters.py``: a list of allowed values."""
    item: Any = (Literal[declared.choices] if declared.choices  # type: ignore[valid-type]
                 else Annotated[str, Field(pattern=declared.pattern)])
    after = [AfterValidator(lambda found: [v.lower() for v in found])] if declared.lowercase else []
    return Annotated[list[item], BeforeValidator(split_values), *after,  # type: ignore[valid-type]
                     Field(max_length=MAX_VALUES, description=declared.description)]


class Query(BaseModel):
    """A query string: unknown parameters are refused, so ``limt=5`` does not pass unnoticed."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def list_fields(cls) -> frozenset[str]:
        """Parameters that may be repeated."""
        return frozenset(name for name, info in cls.model_fields.items()
                         if getattr(info.annotation, "__origin__", None) is list)


def filter_fields(filters: tuple[Filter, ...]) -> dict[str, Any]:
    return {f.name: (filter_type(f), []) for f in filters}


class SearchBase(Query):
    #: The filters of this model, in the order of their declaration.
    filter_names: ClassVar[tuple[str, ...]] = ()

    q: QueryText
    limit: Whole(1, MAX_LIMIT, "Results.") = 10
    offset: Whole(0, MAX_OFFSET, f"Skip. `offset + limit` must be at most {MAX_RESULT_WINDOW} (else 400 "
                  "`invalid_parameter`): refine the search rather than paging deeper.", WINDOW_NOTE) = 0
    explain: Annotated[bool, BeforeValidator(flag), Field(description="Add score details to each hit.")] = False

    @model_validator(mode="after")
    def within_window(self) -> SearchBase:
        if self.offset + self.limit > MAX_RESULT_WINDOW:
            raise fail(f"offset: must be at most {MAX_RESULT_WINDOW - self.limit} "
                       f"with limit={self.limit}{WINDOW_NOTE}")
        return self

    def filters(self) -> dict[str, list[str]]:
        """The filters given, by name (in the order of the declaration)."""
        return {name: getattr(self, name) for name in self.filter_names if getattr(self, name)}


def search_query_model(filters: tuple[Filter, ...] = FILTERS) -> type[SearchBase]:
    """``GET /search``'s parameters: ``q``, paging, ``explain`` and every declared filter."""
    model = create_model("SearchQuery", __base__=SearchBase, **filter_fields(filters))
    model.filter_names = tuple(f.name for f in filters)
    return model


SearchQuery = search_query_model()
LANG = {f.name: f for f in FILTERS}["lang"]


class SuggestQuery(Query):
    q: QueryText
    lang: filter_type(LANG) = []  # type: ignore[valid-type]
    limit: Whole(1, 20, "Items.") = 8


class TriageQuery(Query):
    q: QueryText
    lang: filter_type(LANG) = []  # type: ignore[valid-type]
    limit: Whole(1, MAX_TRIAGE_ANSWERS, "Answers.") = 3


# --- JSON bodies ---------------------------------------------------------------------------------

def slug(value: Any) -> Any:
    if not isinstance(value, str) or not SLUG_RE.match(value) or ".." in value:
        raise fail("must be an article slug such as 'billing/refund-policy'")
    return value


Slug = Annotated[str, BeforeValidator(slug),
                 Field(description="Article slug.", json_schema_extra={"pattern": SLUG_PATTERN})]


def text(max_length: int, description: str) -> Any:
    def check(value: Any) -> Any:
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            raise fail("must be a string")
        if len(value) > max_length:
            raise fail(f"at most {max_length} characters")
        return value.strip()
    return Annotated[str, BeforeValidator(check), Field(max_length=max_length, description=description)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedbackRequest(Body):
    """Helpful / not helpful with a comment, or ``used_on_call`` with the query it answered."""

    slug: Slug
    helpful: StrictBool | None = None
    comment: text(MAX_COMMENT, "Why it did not help (feedback only).") = ""  # type: ignore[valid-type]
    used_on_call: StrictBool = False
    query: text(MAX_QUERY_CHARS, "The query the answer resolved (used_on_call only).") = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def one_kind(self) -> FeedbackRequest:
        given = self.model_fields_set
        if self.used_on_call:
            if "helpful" in given or "comment" in given:
                raise fail("used_on_call: send it without helpful or comment")
            if not self.query:
                raise fail("query: required", "missing_parameter")
        else:
            if self.helpful is None:
                raise fail("helpful: required: true or false (or send used_on_call: true)")
            if "query" in given:
                raise fail("query: only with used_on_call")
        return self


class ClickRequest(Body):
    slug: Slug
    query: text(MAX_QUERY_CHARS, "The search the result came from.")  # type: ignore[valid-type]
    position: StrictInt = Field(ge=1, le=MAX_POSITION, description="1-based position in the results.")

    @model_validator(mode="after")
    def has_query(self) -> ClickRequest:
        if not self.query:
            raise fail("query: required", "missing_parameter")
        return self


# --- responses (documented, not validated at run time) -------------------------------------------

class ErrorDetail(BaseModel):
    code: StrictStr
    message: StrictStr


class Error(BaseModel):
    error: ErrorDetail


ANSWER = "Short answer in plain words; public (served to every caller)."
AGENTS_ONLY = "Agents only; absent for anonymous callers."
STALE_TRANSLATION = ("A translation whose original changed after it was translated (it may be out of "
                     "date); false for originals.")


STATUS = ("KCS state: `published`, or `review` (not yet validated: only agents ever get such "
          "an article).")


class Verification(BaseModel):
    owners: list[str]
    verified: str | None = Field(description="Date of the last check (YYYY-MM-DD), null if never.")
    verified_by: str | None
    interval_days: int = Field(description="Days between checks for this article (`_review.yml`).")
    due: str | None = Field(description="Date the next check is due, null if never verified.")
    days_left: int | None = Field(description="Days until due; negative once overdue.")
    state: Literal["ok", "due", "overdue", "never"]


class Hit(BaseModel):
    slug: str
    title: str
    summary: str
    answer: str = Field(description=ANSWER)
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
    exact: bool
    stale_translation: bool = Field(description=STALE_TRANSLATION)
    explain: dict[str, Any] = Field(None, description="Only with explain=true.")  # type: ignore[assignment]
    status: str = Field(description=STATUS)
    verification: Verification = Field(None, description=f"Owners and last check. {AGENTS_ONLY}")  # type: ignore[assignment]


class SearchResponse(BaseModel):
    query: str
    total: int
    did_you_mean: str | None
    corrections: dict[str, str]
    facets: dict[str, dict[str, int]]
    took_ms: float
    no_good_answer: bool
    results: list[Hit]
    version: str
    limit: int
    offset: int
    cached: bool


class Suggestion(BaseModel):
    text: str
    slug: str
    url: str
    type: str


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[Suggestion]


class Route(BaseModel):
    type: str
    level: int
    queue: str
    hours: str
    notes: str
    contacts: dict[str, str]
    summary: str


class TriageResponse(BaseModel):
    query: str
    did_you_mean: str | None
    type: str | None
    level: int | None
    confidence: float
    type_confidence: float
    no_good_answer: bool
    route: Route | None = Field(description="Agents only; null otherwise.")
    route_summary: str | None
    answers: list[Hit]
    took_ms: float


class ArticleSummary(BaseModel):
    slug: str
    title: str
    summary: str
    answer: str = Field(description=ANSWER)
    type: str
    level: int
    product: str
    lang: str
    tags: list[str]
    audience: str
    updated: str
    review_by: str
    translation_of: str
    channels: list[str]
    url: str
    stale: bool
    stale_translation: bool = Field(description=STALE_TRANSLATION)


class Translation(BaseModel):
    lang: str
    slug: str
    title: str
    url: str


class Article(ArticleSummary):
    questions: list[str]
    owner: str = Field(None, description=f"Team or person responsible. {AGENTS_ONLY}")  # type: ignore[assignment]
    path: str = Field(None, description=f"Source file under articles/. {AGENTS_ONLY}")  # type: ignore[assignment]
    html: str
    markdown: str
    has_internal: bool
    status: str = Field(description=STATUS)
    verification: Verification = Field(None, description=f"Owners and last check. {AGENTS_ONLY}")  # type: ignore[assignment]
    related: list[ArticleSummary]
    translations: list[Translation]
    route: Route | None = Field(description="Agents only; null otherwise.")
    public_url: str | None


class RelatedResponse(BaseModel):
    slug: str
    related: list[ArticleSummary]


class Recorded(BaseModel):
    recorded: str
    slug: str

