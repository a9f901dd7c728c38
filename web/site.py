"""The customer help centre: home, browse, articles, sitemap and robots.txt.

Search lives in ``web/site_search.py`` and feedback in ``web/site_feedback.py``; both are routes of
this blueprint. No viewer resolver is registered for it, so every request here is anonymous
(``web.auth.viewer()`` is ``ANONYMOUS``, even for a signed-in agent): internal articles and internal
paragraphs never reach a customer page.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from flask import (Blueprint, Flask, Response, abort, current_app, render_template, request,
                   url_for)

from kb.model import SUPPORT_TYPES
from search.browse import article_view
from web import i18n, site_feedback, site_search
from web.auth import viewer
from web.site_common import (article_langs, canonical, clean_filter, engine, localize,
                             prefer_language, public_articles)
from web.site_contact import all_contact_boxes, contact_box
from web.tracking import track_click

log = logging.getLogger(__name__)
bp = Blueprint("site", __name__)
POPULAR_COUNT = 6
CLICK_SOURCES = ("site", "instant")


def popular(snapshot: Any, lang: str) -> list[dict[str, Any]]:
    """Configured ``SITE_POPULAR`` slugs, else the most recently updated front-line articles."""
    configured = [s.strip() for s in str(current_app.config.get("SITE_POPULAR") or "").split(",")]
    items = public_articles(snapshot, article_langs(lang))
    by_slug = {item["slug"]: item for item in items}
    picked = [by_slug[slug] for slug in configured if slug in by_slug]
    if not picked:
        front = [item for item in items if item["level"] == 0] or items
        picked = sorted(front, key=lambda item: item["updated"] or "", reverse=True)
    return prefer_language(picked, lang)[:POPULAR_COUNT]


@bp.route("/")
def home() -> str:
    snapshot = engine().snapshot()
    lang = i18n.choose_lang()
    counts = Counter(item["type"] for item in prefer_language(
        public_articles(snapshot, article_langs(lang)), lang))
    return render_template("home.html", popular=popular(snapshot, lang), counts=counts,
                           types=list(SUPPORT_TYPES), contacts=all_contact_boxes(snapshot.routing),
                           canonical=canonical("site.home"))


@bp.route("/browse/<support_type>")
def browse(support_type: str) -> str:
    if support_type not in SUPPORT_TYPES:
        abort(404)
    snapshot = engine().snapshot()
    lang = i18n.choose_lang()
    product, tag = clean_filter("product"), clean_filter("tag").lower()
    items = prefer_language(public_articles(snapshot, article_langs(lang), support_type), lang)
    products = Counter(item["product"] for item in items if item["product"])
    shown = [item for item in items if not product or item["product"] == product]
    tags = Counter(t for item in shown for t in item["tags"])
    shown = [item for item in shown if not tag or tag in item["tags"]]
    values = {k: v for k, v in (("product", product), ("tag", tag)) if v}
    return render_template("browse.html", support_type=support_type, items=shown,
                           products=sorted(products.items()), tags=tags.most_common(20),
                           product=product, tag=tag,
                           contact=contact_box(snapshot.routing, support_type),
                           canonical=canonical("site.browse", support_type=support_type, **values))


@bp.route("/articles/<path:slug>")
def article(slug: str) -> str:
    snapshot = engine().snapshot()
    view = article_view(snapshot, slug, viewer())
    if view is None:
        abort(404)
    _track_result_click(slug)
    view["related"] = localize(snapshot, view["related"], i18n.choose_lang(),
                               view["translation_of"] or view["slug"])
    return render_template("article.html", article=view,
                           contact=contact_box(snapshot.routing, view["type"], view["channels"]),
                           feedback=request.args.get("feedback", ""),
                           comment_max=site_feedback.MAX_COMMENT,
                           canonical=canonical("site.article", slug=slug))


def _track_result_click(slug: str) -> None:
    """A result link carries ``?q=...&pos=N`` (and ``src=instant`` from instant search)."""
    query, position = request.args.get("q", ""), request.args.get("pos", "")
    if not query or not position.isdigit() or not 1 <= int(position) <= 1000:
        return
    if len(query) > int(current_app.config["MAX_QUERY_LENGTH"]):
        return
    source = request.args.get("src", "site")
    track_click(query, slug, int(position), source if source in CLICK_SOURCES else "site")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    snapshot = engine().snapshot()
    pages = [{"loc": canonical("site.home"), "lastmod": ""}]
    pages += [{"loc": canonical("site.browse", support_type=t), "lastmod": ""} for t in SUPPORT_TYPES]
    pages += [{"loc": canonical("site.article", slug=item["slug"]), "lastmod": item["updated"] or ""}
              for item in sorted(public_articles(snapshot), key=lambda i: i["slug"])]
    body = render_template("sitemap.xml", pages=pages)
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots() -> Response:
    lines = ["User-agent: *", "Disallow: /search", "Disallow: /search.json", "Disallow: /api/",
             "Disallow: /agent", "Disallow: /admin", "Allow: /", "",
             f"Sitemap: {canonical('site.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """The switcher's ``?lang=`` is remembered; pages vary by language."""
    if request.blueprint != "site" and request.endpoint is not None:
        return response
    chosen = i18n.requested_lang()
    if chosen:
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def site_context() -> dict[str, Any]:
    """Template helpers for customer pages and the shared error page."""
    lang = i18n.choose_lang()
    switch = [{"code": code, "name": i18n.language_name(code),
               "url": _with_args(lang=code), "current": code == lang} for code in i18n.supported()]
    return {"site": {"name": current_app.config.get("SITE_NAME") or "Help Centre", "lang": lang,
                     "languages": switch},
            "label": i18n.label, "type_description": i18n.type_description,
            "error_heading": i18n.error_heading, "format_date": i18n.format_date,
            "language_name": i18n.language_name}


def _with_args(**changes: str) -> str:
    """This page's URL with some query parameters replaced."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        args[key] = [value]
    args.pop("feedback", None)
    if request.endpoint is None or request.url_rule is None:
        return url_for("site.home", **changes)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


bp.add_url_rule("/search", view_func=site_search.search_page)
bp.add_url_rule("/search.json", view_func=site_search.instant)
bp.add_url_rule("/articles/<path:slug>/feedback", view_func=site_feedback.feedback, methods=["POST"])


def init_app(app: Flask) -> None:
    app.context_processor(site_context)
