"""Writer insights at ``/admin/insights``: every analytics report and two SVG charts.

Behind an admin token (``ADMIN_TOKENS``, comma-separated): send ``Authorization: Bearer <token>``
or sign in with the form, which keeps only the token's SHA-256 in the signed session cookie, so
removing a token from the setting signs its sessions out.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from analytics import charts, open_store, reports, resolve_url
from analytics.usage import insight_reports
from search.viewer import ANONYMOUS, Viewer
from web.shared.auth import register_viewer, viewer
from web.shared.extensions import limiter

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")
SESSION_KEY = "supportkb.admin"
MAX_LIMIT = 200


def _fingerprints() -> list[str]:
    tokens = str(current_app.config.get("ADMIN_TOKENS") or "").split(",")
    return [hashlib.sha256(t.strip().encode()).hexdigest() for t in tokens if t.strip()]


def _known(fingerprint: str) -> bool:
    found = False
    for known in _fingerprints():  # compare with every token, in constant time
        found |= hmac.compare_digest(known, fingerprint)
    return found


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def admin_viewer() -> Viewer:
    """An admin for a known admin bearer token or a signed-in admin session, else anonymous."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        known = scheme.lower() == "bearer" and bool(token.strip()) and _known(_fingerprint(token))
        return Viewer("admin", None, "token") if known else ANONYMOUS
    if _known(str(session.get(SESSION_KEY, ""))):
        return Viewer("admin", None, "session")
    return ANONYMOUS


@bp.before_request
def require_admin() -> Any:
    if not _fingerprints():
        return _page("admin/disabled.html", 403)
    if request.endpoint in {"admin.sign_in", "admin.sign_out"} or viewer().role == "admin":
        return None
    if request.headers.get("Authorization", ""):
        response = _page("admin/login.html", 401, error="That token is not an admin token.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="supportkb admin"'
        return response
    return redirect(url_for("admin.sign_in", next=request.full_path.rstrip("?")))


def _page(template: str, status: int, **context: Any) -> Response:
    response = current_app.make_response(render_template(template, **context))
    response.status_code = status
    return response


def _safe_next(target: str | None) -> str:
    """Only local admin pages: never an open redirect."""
    if target and target.startswith("/admin/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.insights")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in() -> Any:
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("admin/login.html", next=target)
    token = request.form.get("token", "")
    if token.strip() and _known(_fingerprint(token)):
        session[SESSION_KEY] = _fingerprint(token)
        return redirect(target)
    return _page("admin/login.html", 401, next=target, error="That token is not an admin token.")


@bp.route("/logout", methods=["POST"])
def sign_out() -> Any:
    session.pop(SESSION_KEY, None)
    return redirect(url_for("admin.sign_in"))


@bp.route("/")
def index() -> Any:
    return redirect(url_for("admin.insights"))


@bp.route("/insights")
def insights() -> Any:
    since_text = request.args.get("since", "30d")
    try:
        seconds = reports.parse_since(since_text)
        limit = int(request.args.get("limit", "20"))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    except ValueError as exc:
        return _page("admin/error.html", 400, message=str(exc))
    now = time.time()
    url = resolve_url(str(current_app.config.get("ANALYTICS_URL") or ""), current_app.config["INSTANCE_DIR"])
    try:
        store = open_store(url)
    except Exception:  # noqa: BLE001  (an unreachable store is a message, not a traceback)
        log.warning("admin: analytics store unavailable", exc_info=True)
        return _page("admin/error.html", 503, message="The analytics store is unavailable; see the logs.")
    try:
        lookup, synonyms = _proposal_sources()
        tables = insight_reports(store, now - seconds, _articles(), limit=limit, until=now, lookup=lookup,
                                 min_sessions=int(current_app.config.get("PROPOSAL_MIN_SESSIONS") or 3),
                                 synonyms=synonyms)
    finally:
        store.close()
    daily = next(r for r in tables if r.name == "daily_volume")
    days = [row[0] for row in daily.rows]
    svg = [charts.volume_chart(days, [row[1] for row in daily.rows]),
           charts.zero_rate_chart(days, [row[3] for row in daily.rows])]
    totals = {"searches": sum(row[1] for row in daily.rows), "zero": sum(row[2] for row in daily.rows)}
    return render_template("admin/insights.html", reports=tables, charts=svg, since=since_text,
                           limit=limit, totals=totals)


def _articles() -> list[dict[str, Any]] | None:
    """Published articles from the served index (owner included for stale ones); None if no index."""
    from search.browse import get_data, list_articles  # noqa: PLC0415
    from search.visibility import served_article  # noqa: PLC0415
    engine = current_app.extensions.get("supportkb.engine")
    try:
        snapshot = engine.snapshot()
        items = list_articles(snapshot, viewer())
        for item in items:
            if item.get("stale"):
                data = get_data(snapshot, item["slug"], viewer())
                item["owner"] = served_article(viewer(), data).get("owner", "") if data else ""
        return items
    except Exception:  # noqa: BLE001  (reports still work without an index)
        log.warning("admin: no served index; stale and never-found reports skipped", exc_info=True)
        return None


def _proposal_sources() -> tuple[Any, list[list[str]]]:
    """(slug -> stored article data, the synonym groups) from the served index; (None, []) without one."""
    from search.browse import get_data  # noqa: PLC0415
    engine = current_app.extensions.get("supportkb.engine")
    try:
        snapshot = engine.snapshot()
        groups = [list(group) for group in snapshot.meta.get("synonyms") or []]
    except Exception:  # noqa: BLE001  (reports still work without an index)
        return None, []
    return (lambda slug: get_data(snapshot, slug, viewer())), groups


def init_app(app: Flask) -> None:
    register_viewer(app, bp.name, admin_viewer)
    if not app.config.get("ADMIN_TOKENS"):
        log.info("admin insights disabled: set ADMIN_TOKENS")
