"""Who is asking, resolved once per request: a customer (anonymous), an agent or an admin.

The web layer turns credentials into a :class:`Viewer`; everything below it (search, browsing,
served article data) receives that one object and asks :mod:`search.visibility` what it may see.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["customer", "agent", "admin"]
ROLES: tuple[Role, ...] = ("customer", "agent", "admin")


@dataclass(frozen=True)
class Viewer:
    """The audience of one request. ``name``: the agent's token name; ``via``: ``token``,
    ``session`` (signed-in console or admin form) or None (anonymous, scripts)."""

    role: Role = "customer"
    name: str | None = None
    via: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown viewer role {self.role!r}")

    @property
    def sees_internal(self) -> bool:
        """Agents and admins see internal articles, internal paragraphs and routes."""
        return self.role in ("agent", "admin")

    @property
    def is_anonymous(self) -> bool:
        return self.role == "customer"


#: A customer on the help centre or an API caller without a token.
ANONYMOUS = Viewer()
#: An agent with no name, for scripts and evaluations (golden queries, benchmarks).
AGENT = Viewer("agent")
