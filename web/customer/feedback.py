"""'Was this helpful?': a yes/no vote with an optional short comment, CSRF-protected, rate-limited.

The form posts here and is redirected back to the article (post/redirect/get), so it works without
JavaScript and a reload never votes twice.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from search.browse import get_data
from web.customer.common import engine
from web.shared.auth import viewer
from web.shared.extensions import limiter
from web.shared.tracking import track_feedback

MAX_COMMENT = 1000
VOTES = {"yes": True, "no": False}


def feedback_limit() -> str:
    return str(current_app.config["RATELIMIT_FEEDBACK"])


def clean_comment(text: str) -> str:
    """Printable characters and newlines only, spaces collapsed per line, trimmed."""
    lines = ("".join(ch for ch in line if ch.isprintable()) for line in text.splitlines())
    return "\n".join(" ".join(line.split()) for line in lines).strip()


@limiter.limit(feedback_limit)
def feedback(slug: str) -> Response:
    if get_data(engine().snapshot(), slug, viewer()) is None:
        abort(404)
    vote = request.form.get("helpful", "")
    comment = request.form.get("comment", "")
    if vote not in VOTES or len(comment) > MAX_COMMENT:
        abort(400, gettext("Please choose Yes or No, and keep comments under %(num)d characters.",
                       num=MAX_COMMENT))
    track_feedback(slug, VOTES[vote], clean_comment(comment), "site")
    target = url_for("site.article", slug=slug, feedback="thanks", _anchor="feedback")
    return redirect(target, code=303)
