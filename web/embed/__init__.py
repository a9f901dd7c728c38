"""Pages made to live inside other sites: the helpdesk sidebar and contact-form deflection.

``/embed/agent``   a compact agent console for an iframe in a helpdesk's ticket view;
``/embed/deflect`` suggestions beside a customer contact form (``/embed/deflect.js`` puts it there).

Both are shells: their scripts talk to the parent page with ``postMessage`` (origins checked against
``EMBED_ORIGINS``, which is also the ``frame-ancestors`` of every ``/embed/*`` page, see
``web/shared/security.py``). The sidebar never relies on cookies, which browsers withhold from
third-party iframes: the parent hands it an agent token in a message, and the script sends it as an
``Authorization`` header to the JSON API; without one it sees public articles only. Tokens never
appear in a URL. Message formats: docs/integrations.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template

from web.embed import deflect  # noqa: F401  (its views register on ``bp``)
from web.embed.blueprint import bp
from web.shared.extensions import csrf


def origins() -> list[str]:
    """The parent origins allowed to frame these pages and to message them."""
    return list(current_app.config.get("EMBED_ORIGINS") or [])


@bp.get("/agent")
def agent() -> Any:
    """The sidebar shell; suggestions come from the API once the parent sends the ticket."""
    return render_template("embed/agent.html", origins=origins())


@bp.get("/deflect")
def deflect_page() -> Any:
    """The suggestions box placed beside a contact form by ``deflect.js``."""
    return render_template("embed/deflect.html", origins=origins())


@bp.get("/deflect.js")
def deflect_script() -> Any:
    """The script tag a contact form includes (served from ``static/deflect.js``)."""
    script = Path(current_app.static_folder or "") / "deflect.js"
    response = current_app.response_class(script.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # loaded by other sites
    return response


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # JSON and beacons only; nothing here acts for a signed-in user

