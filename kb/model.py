"""The article model: what a support article is once its file has been read and checked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SUPPORT_TYPES: dict[str, str] = {
    "technical": "Something is broken",
    "billing": "Invoices, payments and refunds",
    "product": "How to use a feature",
    "general": "Hours, contacts and policies",
}
LEVELS: dict[int, str] = {
    0: "Information and forwarding",
    1: "Resolution",
    2: "Expert escalation",
}
AUDIENCES = ("public", "internal")
#: KCS article states: ``draft`` work in progress (never indexed), ``review`` visible to agents as
#: not yet validated (never to customers), ``published`` validated, ``archived`` withdrawn (not
#: indexed; its URL answers 410 Gone, or redirects to ``replaced_by``).
STATUSES = ("published", "draft", "review", "archived")
INDEXED_STATUSES = ("published", "review")
CHANNELS = ("phone", "chat", "email", "remote-desktop", "portal", "knowledge-base",
            "tutorials", "faq", "chatbot")
REQUIRED_FIELDS = ("title", "type", "level")
OPTIONAL_FIELDS = ("summary", "answer", "questions", "tags", "product", "audience", "lang",
                   "translation_of", "related", "channels", "updated", "review_by", "owner",
                   "status", "redirect_from", "replaced_by", "verified", "verified_by",
                   "source_hash")
KNOWN_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


@dataclass
class Article:
    """A support article: front matter fields plus its Markdown body."""

    slug: str
    path: str
    title: str
    type: str
    level: int
    body: str
    summary: str = ""
    answer: str = ""
    questions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    product: str = ""
    audience: str = "public"
    lang: str = "en"
    translation_of: str = ""
    related: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    updated: dt.date | None = None
    review_by: dt.date | None = None
    owner: str = ""
    status: str = "published"
    #: old URL paths of this article (after a rename or move) that redirect to it
    redirect_from: list[str] = field(default_factory=list)
    #: slug of the article that replaces an archived one
    replaced_by: str = ""
    #: date of the last verification that the article is still true, and who checked it
    verified: dt.date | None = None
    verified_by: str = ""
    #: for a translation: the content hash of the source it was translated from
    source_hash: str = ""
    content_hash: str = ""
    #: line number of each front matter key, for problem reports
    lines: dict[str, int] = field(default_factory=dict)
    #: line where the body starts in the file
    body_line: int = 1

    @property
    def is_internal(self) -> bool:
        """Agent-only article."""
        return self.audience == "internal"

    @property
    def is_agent_only(self) -> bool:
        """Internal, or in review (not yet validated): only agents may find or read it."""
        return self.is_internal or self.status == "review"

    @property
    def is_draft(self) -> bool:
        """Drafts are validated but never indexed."""
        return self.status == "draft"

    @property
    def is_indexed(self) -> bool:
        """Published and in-review articles are searchable; drafts and archived ones are not."""
        return self.status in INDEXED_STATUSES

    def is_stale(self, today: dt.date | None = None) -> bool:
        """True once ``review_by`` has passed."""
        return self.review_by is not None and self.review_by < (today or dt.date.today())

    def line_of(self, name: str) -> int:
        """The line of a front matter key, or 1 when it is absent."""
        return self.lines.get(name, 1)
