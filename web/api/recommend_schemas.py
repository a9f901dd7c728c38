"""Request and response shapes of ``POST /recommend`` and ``POST /articles/<slug>/used``.

Pydantic models like those of ``web/api/schemas.py`` (whose helpers they use): they validate the
bodies (``web/api/params.py``) and are components of the OpenAPI document (``web/api/openapi.py``).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictInt, model_validator

from kb.model import CHANNELS
from search.engine import MAX_QUERY_CHARS
from search.filters import LANG_PATTERN
from search.recommend import MAX_LIMIT as MAX_RECOMMEND
from search.recommend import MAX_SUBJECT_CHARS, MAX_TICKET_CHARS
from web.api.schemas import Body, Hit, Route, fail, text


def ticket_text(value: Any) -> Any:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise fail("must be a string")
    if len(value) > MAX_TICKET_CHARS:
        raise fail(f"at most {MAX_TICKET_CHARS} characters (got {len(value)}): send the customer's "
                   "latest message rather than the whole thread", "text_too_long")
    return value


def subject_text(value: Any) -> Any:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise fail("must be a string")
    if len(value) > MAX_SUBJECT_CHARS:
        raise fail(f"at most {MAX_SUBJECT_CHARS} characters", "text_too_long")
    return value


class RecommendRequest(Body):
    """A ticket, chat transcript or call notes; at least one of ``text`` and ``subject``."""

    text: Annotated[str, BeforeValidator(ticket_text), Field(
        max_length=MAX_TICKET_CHARS, description="The ticket body, chat transcript or call notes, as "
        "received: greetings, signatures, quoted replies and disclaimers are discounted.")] = ""
    subject: Annotated[str, BeforeValidator(subject_text), Field(
        max_length=MAX_SUBJECT_CHARS, description="The ticket's subject line.")] = ""
    lang: Annotated[str, Field(pattern=LANG_PATTERN, description="Language of the articles to "
                               "suggest, e.g. en (default: every language).")] | None = None
    channel: Literal[CHANNELS] | None = Field(  # type: ignore[valid-type]
        None, description="Where the text comes from: recorded with the recommendation for reports "
        "and echoed back; not used for ranking.")
    limit: StrictInt = Field(5, ge=1, le=MAX_RECOMMEND, description="Articles.")

    @model_validator(mode="after")
    def has_text(self) -> RecommendRequest:
        if not self.text.strip() and not self.subject.strip():
            raise fail("text: required, the ticket, chat or call notes", "missing_parameter")
        return self


class UsedRequest(Body):
    """Optional details of an article used for a customer."""

    ticket: text(100, "The helpdesk's ticket reference; stored as a keyed hash (counted, never "  # type: ignore[valid-type]
                 "readable).") = ""
    query: text(MAX_QUERY_CHARS, "The search or ticket subject the article answered.") = ""  # type: ignore[valid-type]
    search_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$",
                                    description="The `search_id` of the recommendation it came from.")] | None = None
    source: Literal["console", "sidebar"] | None = Field(
        None, description="Where the agent used it: the helpdesk `sidebar` (/embed/agent) or the `console`; "
        "recorded as the event's source (default `agent`).")


class Why(BaseModel):
    terms: list[str] = Field(description="Words of the ticket the article matched.")
    sentences: list[str] = Field(description="The ticket sentences those words came from.")
    semantic: bool = Field(description="Whether the semantic layer scored the match.")


class Recommendation(Hit):
    route: Route | None = Field(description="Agents only; null otherwise.")
    route_summary: str | None
    why: Why


class RecommendResponse(BaseModel):
    search_id: str = Field(description="Send it with `POST /articles/{slug}/used` to link the use.")
    query: str = Field(description="The sentence of the ticket that decided the ranking.")
    problem: list[str] = Field(description="The sentences searched, most confident first.")
    channel: str | None = Field(description="The request's channel, echoed (null when not sent).")
    did_you_mean: str | None
    no_good_answer: bool
    took_ms: float
    version: str
    results: list[Recommendation]
