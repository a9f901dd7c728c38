"""The agent console at ``/agent``: sign in with a token, then search and answer by keyboard.

The page is a shell; ``static/agent.js`` calls the JSON API with the session cookie and an
``X-Requested-With`` header (see ``web/shared/auth.py``). Routes for every type and level are embedded
in the page so the escalation route for the selected answer shows without another request.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for

from kb.model import LEVELS, SUPPORT_TYPES
from search import IndexUnavailable
from search.filters import console_filters
from web.shared import opensearch
from web.shared.auth import agent_viewer, register_viewer, sign_in, sign_out, viewer
from web.shared.extensions import feedback_limit, limiter

log = logging.getLogger(__name__)
bp = Blueprint("agent", __name__, url_prefix="/agent")
MAX_TOKEN_CHARS = 200


def routes_table() -> dict[str, Any]:
    """``{"billing:1": route}`` for every route in the served index (empty without an index)."""
    try:
        routing = current_app.extensions["supportkb.engine"].snapshot().routing
    except IndexUnavailable:
        return {}
    return {f"{t}:{level}": route.as_dict() for (t, level), route in routing.routes.items()}


def option_text(name: str, value: str) -> tuple[str, str]:
    """What a console select shows for a filter value, and its tooltip."""
    if name == "level":
        return f"Level {value}", LEVELS.get(int(value), "")
    if name == "type":
        return value.capitalize(), SUPPORT_TYPES.get(value, "")
    return value.capitalize(), ""


def filter_selects() -> list[dict[str, Any]]:
    """One select per console filter (``search.filters.console_filters()``): name and options."""
    return [{"name": f.name, "options": [(value, *option_text(f.name, value)) for value in f.choices]}
            for f in console_filters()]


@bp.get("")
@bp.get("/")
def console() -> Any:
    agent = viewer()
    if not agent.sees_internal:
        return render_template("agent/signin.html", error=None)
    return render_template("agent/console.html", agent=agent, routes=routes_table(),
                           filters=filter_selects())


@bp.get("/opensearch.xml")
def console_opensearch() -> Any:
    """Search the console from the browser's address bar (signing in first if needed)."""
    name = opensearch.site_name()
    return opensearch.description(f"{name} agents", f"Agent console of {name}", url_for("agent.console"))


@bp.post("/signin")
@limiter.limit(feedback_limit)
def signin() -> Any:
    token = request.form.get("token", "")
    if len(token) > MAX_TOKEN_CHARS or sign_in(token) is None:
        log.info("console sign-in refused from %s", request.remote_addr)
        return render_template("agent/signin.html", error="That token is not valid."), 401
    query = request.form.get("q", "")[:200]  # a search from the address bar, kept across sign-in
    return redirect(url_for("agent.console", **({"q": query} if query else {})))


@bp.post("/signout")
def signout() -> Any:
    sign_out()
    return redirect(url_for("agent.console"))


def init_app(app: Flask) -> None:
    register_viewer(app, bp.name, agent_viewer)
