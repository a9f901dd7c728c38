"""Who is asking: anonymous, or an agent with a bearer token or a signed-in console session.

Credentials are turned into one :class:`search.viewer.Viewer` per request, in a ``before_request``
hook, by blueprint: the API and the console resolve agents (:func:`agent_viewer`), the admin pages
their admins, and everything else (the customer site, health, error pages) is anonymous. Views
read it with :func:`viewer` and pass it down; what it may see is decided in search/visibility.py.

Tokens come from ``AGENT_TOKENS`` (comma-separated, for containers) and the token file managed by
``flask token`` (hashes only). A wrong token is a 401 ``invalid_token``, never a quiet downgrade
to anonymous. The console session counts for the API only on same-origin requests that carry
``X-Requested-With`` (a header a cross-site form cannot send), so the API needs no CSRF token.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response, abort, current_app, g, request, session

from search.viewer import ANONYMOUS, Viewer
from web.shared.errors import ApiError, json_error, wants_json
from web.shared.tokens import hash_token, store

log = logging.getLogger(__name__)
SESSION_KEY = "agent"
CONSOLE_HEADER = "X-Requested-With"


@dataclass(frozen=True)
class Agent:
    """An authenticated agent: token id and name (never the token)."""

    id: str
    name: str
    via: str  # "token" or "session"


def _env_tokens(app: Flask) -> list[tuple[str, str]]:
    """(id, hash) for each ``AGENT_TOKENS`` entry; the id is a short prefix of the hash."""
    raw = str(app.config.get("AGENT_TOKENS") or "")
    hashes = [hash_token(t.strip()) for t in raw.split(",") if t.strip()]
    return [("env-" + hashlib.sha256(h.encode()).hexdigest()[:8], h) for h in hashes]


def _env_ids() -> list[tuple[str, str]]:
    tokens = current_app.extensions.get("supportkb.env_tokens")
    if tokens is None:
        tokens = current_app.extensions["supportkb.env_tokens"] = _env_tokens(current_app)
    return tokens


def check_token(token: str) -> Agent | None:
    """The agent a token belongs to, or None; every candidate is compared in constant time."""
    digest = hash_token(token)
    found: Agent | None = None
    for token_id, expected in _env_ids():
        if hmac.compare_digest(expected, digest):
            found = Agent(token_id, "AGENT_TOKENS", "token")
    entry = store().find(token)
    if entry is not None:
        found = Agent(entry.id, entry.name, "token")
    return found


def _known_id(token_id: str) -> bool:
    """A signed-in session stays valid only while its token exists (revoking signs it out)."""
    if any(token_id == i for i, _ in _env_ids()):
        return True
    return any(entry.id == token_id for entry in store().entries())


class InvalidToken(ApiError):
    """A bearer token that is malformed, unknown or revoked."""

    def __init__(self, message: str) -> None:
        super().__init__(401, "invalid_token", message)


def _unauthorized(message: str) -> None:
    if wants_json():
        raise InvalidToken(message)
    abort(401, description=message)


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _from_session() -> Agent | None:
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict) or not _known_id(str(stored.get("id", ""))):
        return None
    if request.path.startswith("/api/") and (not request.headers.get(CONSOLE_HEADER)
                                            or not _same_origin()):
        return None
    return Agent(str(stored["id"]), str(stored.get("name", "")), "session")


def current_agent() -> Agent | None:
    """The agent making this request, or None for anonymous; 401 for a wrong bearer token."""
    if "agent" in g:
        return g.agent
    agent: Agent | None = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            _unauthorized("use 'Authorization: Bearer <token>'")
        agent = check_token(token.strip())
        if agent is None:
            log.info("rejected an unknown agent token from %s", request.remote_addr)
            _unauthorized("unknown or revoked agent token")
    else:
        agent = _from_session()
    g.agent = agent
    return agent


def agent_viewer() -> Viewer:
    """The API or console caller as a viewer: an agent with valid credentials, else anonymous."""
    agent = current_agent()
    return ANONYMOUS if agent is None else Viewer("agent", agent.name, agent.via)


def viewer() -> Viewer:
    """The viewer resolved for this request (anonymous where no blueprint resolves one)."""
    return g.get("viewer", ANONYMOUS)


def register_viewer(app: Flask, blueprint: str, resolve: Callable[[], Viewer]) -> None:
    """Resolve the viewer of ``blueprint``'s requests with ``resolve`` (anonymous otherwise)."""
    app.extensions.setdefault("supportkb.viewers", {})[blueprint] = resolve


def resolve_viewers(app: Flask) -> None:
    """Set ``g.viewer`` once per request, before any view runs; register after the blueprints so
    hooks that answer early (CORS preflights) run first."""
    @app.before_request
    def resolve_viewer() -> None:
        g.viewer = ANONYMOUS  # also for the error page when credentials are refused (401)
        resolve = app.extensions.get("supportkb.viewers", {}).get(request.blueprint or "")
        if resolve is not None:
            g.viewer = resolve()


def sign_in(token: str) -> Agent | None:
    """Check a token typed into the console and remember the agent in the session."""
    agent = check_token(token.strip()) if token.strip() else None
    if agent is not None:
        session.clear()
        session[SESSION_KEY] = {"id": agent.id, "name": agent.name}
        g.agent = Agent(agent.id, agent.name, "session")
        g.viewer = Viewer("agent", agent.name, "session")
    return agent


def sign_out() -> None:
    session.pop(SESSION_KEY, None)
    g.pop("agent", None)
    g.viewer = ANONYMOUS


def init_app(app: Flask) -> None:
    app.extensions["supportkb.env_tokens"] = _env_tokens(app)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")

    @app.errorhandler(InvalidToken)
    def invalid_token(exc: InvalidToken) -> Response:
        response = json_error(exc.status, exc.code, exc.message)
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
