"""What one request holds while it runs: pinned index versions and borrowed searchers.

A scope is context-local (a ``ContextVar``): each thread, greenlet or task of a server sees its
own. :class:`search.engine.Engine` opens one per request and releases everything in it when the
request ends, errors and aborted streams included.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestScope:
    """Versions pinned (one per engine) and searchers borrowed (one per version) by a request."""

    pins: dict[int, Any] = field(default_factory=dict)  # id(engine) -> Snapshot
    # id(snapshot) -> (snapshot, searcher)
    searchers: dict[int, tuple[Any, Any]] = field(default_factory=dict)


_SCOPE: ContextVar[RequestScope | None] = ContextVar("supportkb_request_scope", default=None)


def current_scope() -> RequestScope | None:
    return _SCOPE.get()


def enter_scope() -> tuple[RequestScope, Any]:
    """Start a scope; returns it and the token that :func:`leave_scope` needs."""
    scope = RequestScope()
    return scope, _SCOPE.set(scope)


def leave_scope(token: Any) -> None:
    try:
        _SCOPE.reset(token)
    except ValueError:  # reset from another context (a server that moved the request): clear ours
        _SCOPE.set(None)
