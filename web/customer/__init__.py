"""The customer help centre: home, browse, articles, sitemap and robots.txt.

Search lives in ``search.py`` and feedback in ``feedback.py`` of this package; both are routes of
this blueprint. No viewer resolver is registered for it, so every request here is anonymous
(``web.shared.auth.viewer()`` is ``ANONYMOUS``, even for a signed-in agent): internal articles and internal
paragraphs never reach a customer page.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import ngettext

from kb.model import SUPPORT_TYPES
from search import IndexUnavailable
from search.browse import article_view, catalog
from search.catalog import PageOutOfRange, page_count, paginate, prefer_language
from search.states import moved, moved_path
from web.customer import feedback as site_feedback
from web.customer import llms, pagination
from web.customer import search as site_search
from web.customer import sitemap as site_sitemap
from web.customer.common import article_langs, canonical, clean_filter, engine, language_notes, localize
from web.customer.contact import all_contact_boxes, contact_box
from web.shared import i18n, opensearch
from web.shared.auth import viewer
from web.shared.errors import NOT_FOUND_RESOLVERS
from web.shared.tracking import track_click

log = logging.getLogger(__name__)
bp = Blueprint("site", __name__)
POPULAR_COUNT = 6
MAX_PRODUCT_CHIPS = 30
MAX_TAG_CHIPS = 20
CLICK_SOURCES = ("site", "instant")


def popular(snapshot: Any, lang: str) -> list[dict[str, Any]]:
    """Configured ``SITE_POPULAR`` slugs, else the most recently updated front-line articles."""
    langs = tuple(article_langs(lang))
    articles = catalog(snapshot)
    configured = [s.strip() for s in str(current_app.config.get("SITE_POPULAR") or "").split(",")]
    picked = [articles.by_slug[slug] for slug in configured
              if slug in articles.by_slug and articles.by_slug[slug]["lang"] in langs]
    if picked:
        return prefer_language(picked, lang)[:POPULAR_COUNT]
    return articles.recent(lang, langs, level=0, count=POPULAR_COUNT)


@bp.route("/")
def home() -> str:
    snapshot = engine().snapshot()
    lang = i18n.choose_lang()
    counts = catalog(snapshot).type_counts(lang, tuple(article_langs(lang)))
    return render_template("home.html", popular=popular(snapshot, lang), counts=counts,
                           types=list(SUPPORT_TYPES), contacts=all_contact_boxes(snapshot.routing),
                           canonical=canonical("site.home"))


@bp.route("/browse/<support_type>")
def browse(support_type: str) -> str:
    """One support type's articles in title order, PAGE_SIZE a page, narrowed by product and tag."""
    if support_type not in SUPPORT_TYPES:
        abort(404)
    number = pagination.page_number()
    snapshot = engine().snapshot()
    lang = i18n.choose_lang()
    langs = tuple(article_langs(lang))
    product, tag = clean_filter("product"), clean_filter("tag").lower()
    articles = catalog(snapshot)
    listing = articles.listing(lang, langs, support_type, product, tag)
    try:
        page = paginate(listing, number)
    except PageOutOfRange:
        count = page_count(len(listing))
        abort(404, ngettext("There is no page %(page)d here: this list has %(num)d page.",
                            "There is no page %(page)d here: this list has %(num)d pages.", count,
                            page=number))
    values = {k: v for k, v in (("product", product), ("tag", tag)) if v}

    def link(n: int) -> str:
        return url_for("site.browse", support_type=support_type, **values, **({"page": n} if n > 1 else {}))

    product_counts = articles.products(lang, langs, support_type)
    products = product_counts.most_common(MAX_PRODUCT_CHIPS)
    if product_counts[product] and product not in dict(products):
        products.append((product, product_counts[product]))  # the chosen one stays visible
    return render_template("browse.html", support_type=support_type, page=page,
                           pages=pagination.page_links(page.count, page.number, link),
                           products=sorted(products),
                           tags=articles.tags(lang, langs, support_type, product).most_common(MAX_TAG_CHIPS),
                           product=product, tag=tag,
                           contact=contact_box(snapshot.routing, support_type),
                           canonical=canonical("site.browse", support_type=support_type, **values,
                                               **({"page": number} if number > 1 else {})))


@bp.route("/articles/<path:slug>")
def article(slug: str) -> Any:
    snapshot = engine().snapshot()
    view = article_view(snapshot, slug, viewer())
    if view is None:
        return _moved_or_gone(snapshot, slug)
    _track_result_click(slug)
    view["related"] = localize(snapshot, view["related"], i18n.choose_lang(),
                               view["translation_of"] or view["slug"])
    return render_template("article.html", article=view,
                           notes=language_notes(view, i18n.choose_lang()),
                           contact=contact_box(snapshot.routing, view["type"], view["channels"]),
                           feedback=request.args.get("feedback", ""),
                           comment_max=site_feedback.MAX_COMMENT,
                           canonical=canonical("site.article", slug=slug))


def _moved_or_gone(snapshot: Any, slug: str) -> Any:
    """An old URL (301 to the article), a withdrawn article (410 Gone, or 301 to its
    replacement), or 404."""
    found = moved(snapshot, slug, viewer())
    if found is None:
        abort(404)
    if found.kind == "redirect":
        query = request.query_string.decode("utf-8", "replace")
        target = url_for("site.article", slug=found.slug) + (f"?{query}" if query else "")
        return redirect(target, 301)
    return render_template("gone.html", title=found.title, status=410), 410


def legacy_redirect() -> Any:
    """301 from an old URL of the help centre this site replaced (``redirect_from``: a Zendesk,
    Freshdesk or old HTML path) to its article; None when the path names nothing."""
    try:
        slug = moved_path(engine().snapshot(), request.path, viewer())
    except IndexUnavailable:  # no index yet: the 404 stays a 404
        return None
    return redirect(url_for("site.article", slug=slug), 301) if slug else None


def _track_result_click(slug: str) -> None:
    """A result link carries ``?q=...&pos=N`` (and ``src=instant`` from instant search)."""
    query, position = request.args.get("q", ""), request.args.get("pos", "")
    if not query or not position.isdigit() or not 1 <= int(position) <= 1000:
        return
    if len(query) > int(current_app.config["MAX_QUERY_LENGTH"]):
        return
    source = request.args.get("src", "site")
    track_click(query, slug, int(position), source if source in CLICK_SOURCES else "site")


@bp.route("/robots.txt")
def robots() -> Response:
    lines = ["User-agent: *", "Disallow: /search", "Disallow: /search.json", "Disallow: /api/",
             "Disallow: /agent", "Disallow: /admin", "Allow: /", "",
             f"Sitemap: {canonical('site.sitemap')}",
             f"# For AI assistants: {canonical('site.llms_txt')} lists the public articles as Markdown", ""]
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
            "language_name": i18n.language_name, "language_in_text": i18n.language_in_text}


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
bp.add_url_rule("/sitemap.xml", "sitemap", view_func=site_sitemap.sitemap_index)
bp.add_url_rule("/sitemap-<int:number>.xml", view_func=site_sitemap.sitemap_child)
bp.add_url_rule("/search.json", view_func=site_search.instant)
bp.add_url_rule("/llms.txt", "llms_txt", view_func=llms.llms_txt)
bp.add_url_rule("/opensearch.xml", "opensearch", view_func=lambda: opensearch.description(
    opensearch.site_name(), f"Search the {opensearch.site_name()} help centre", "/search"))
bp.add_url_rule("/articles/<path:slug>.md", "article_markdown", view_func=llms.article_markdown)
bp.add_url_rule("/articles/<path:slug>/feedback", view_func=site_feedback.feedback, methods=["POST"])


def init_app(app: Flask) -> None:
    app.context_processor(site_context)
    app.extensions.setdefault(NOT_FOUND_RESOLVERS, []).append(legacy_redirect)
