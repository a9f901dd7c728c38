"""The writer's preview (``python build.py serve``): build errors in every page, and live reload.

Only an app made with ``create_app({"PREVIEW": PreviewState()})`` has it; no setting or
environment variable turns it on, so a production app never serves ``/_preview/*`` nor injects
anything. In preview mode every HTML page gets:

- the last build's problems (``path:line: severity: field: message``) in a banner at the top, and
  a note that the page shows the last good version when the build failed;
- ``static/preview.js`` (``script-src 'self'``, as every other script), which listens to
  ``/_preview/events`` (Server-Sent Events) and reloads the page when a build finishes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, render_template, request

from web.preview.state import PreviewState, Report

__all__ = ["PreviewState", "Report", "init_app"]

bp = Blueprint("preview", __name__)
#: Seconds between keep-alive comments: a closed tab is noticed (and its thread freed) by then.
KEEPALIVE = 15.0
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def _state() -> PreviewState:
    return current_app.config["PREVIEW"]


@bp.get("/_preview/events")
def events() -> Response:
    """``event: reload`` once the build differs from the page's (``?since=TOKEN``), then again
    after every build; a comment line every :data:`KEEPALIVE` seconds in between."""
    state = _state()
    since = request.args.get("since", "")

    def stream() -> Iterator[str]:
        yield "retry: 1000\n\n"
        token = since
        while not state.closed:
            changed = state.wait(token, KEEPALIVE)
            if changed is None:
                if not state.closed:
                    yield ": keep-alive\n\n"
                continue
            token = changed
            report = state.report
            data = {"token": token, "ok": report.ok, "version": report.version,
                    "errors": len(report.errors), "warnings": len(report.warnings)}
            yield f"event: reload\ndata: {json.dumps(data)}\n\n"

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _remember_token() -> None:
    """The build a page is rendered from: taken before the view runs, so a build published
    while it renders makes the page reload rather than go stale."""
    g.preview_token = _state().token


def _inject(response: Response) -> Response:
    """Add the banner, the stylesheet and the script to an HTML page."""
    if (response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
            or request.blueprint == "preview"):
        return response
    html = response.get_data(as_text=True)
    body = _BODY.search(html)
    if body is None:
        return response
    state = _state()
    parts = render_template("preview/inject.html", report=state.report,
                            token=g.get("preview_token", ""))
    head, banner, script = parts.split("<!--split-->")
    end = html.rfind("</body>")
    end = len(html) if end < body.end() else end
    html = (html[:body.end()] + banner + html[body.end():end] + script + html[end:])
    head_end = html.find("</head>")
    if head_end != -1:
        html = html[:head_end] + head + html[head_end:]
    response.set_data(html)
    response.headers["Cache-Control"] = "no-store"  # a reload must fetch the new build
    return response


def init_app(app: Flask) -> None:
    """Turn on the preview for ``app`` (``app.config["PREVIEW"]`` is a :class:`PreviewState`)."""
    state: Any = app.config.get("PREVIEW")
    if not isinstance(state, PreviewState):
        raise TypeError("PREVIEW must be a web.preview.PreviewState")
    app.register_blueprint(bp)
    app.before_request(_remember_token)
    app.after_request(_inject)
