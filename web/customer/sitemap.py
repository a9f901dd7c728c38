"""The sitemap (sitemaps.org protocol): ``/sitemap.xml`` is a sitemap index pointing at children
``/sitemap-1.xml``, ``/sitemap-2.xml``, ... of at most SITEMAP_MAX_URLS URLs each.

The URLs, in order: the home page, one browse page per support type, then every public article in
slug order (from the version's catalog: internal articles are never in it), each with its
Markdown mirror (``/articles/<slug>.md``) as an ``xhtml:link`` alternate. Only the index's count
and one child's slice are turned into URLs per request.
"""
from __future__ import annotations

import math
from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for

from kb.model import SUPPORT_TYPES
from search.browse import catalog
from web.customer.common import canonical, engine

#: The protocol's limit of URLs in one sitemap file.
SITEMAP_MAX_URLS = 50_000


def _fixed_pages() -> list[dict[str, str]]:
    return [{"loc": canonical("site.home"), "lastmod": ""}] + [
        {"loc": canonical("site.browse", support_type=t), "lastmod": ""} for t in SUPPORT_TYPES]


def _url_count(snapshot: Any) -> int:
    return 1 + len(SUPPORT_TYPES) + len(catalog(snapshot).items)


def child_count(snapshot: Any) -> int:
    """Children of the index: every URL in exactly one, at most SITEMAP_MAX_URLS each."""
    return max(1, math.ceil(_url_count(snapshot) / SITEMAP_MAX_URLS))


def sitemap_index() -> Response:
    snapshot = engine().snapshot()
    children = [canonical("site.sitemap_child", number=n)
                for n in range(1, child_count(snapshot) + 1)]
    body = render_template("sitemap_index.xml", children=children,
                           lastmod=str(snapshot.meta.get("built_at") or ""))
    return Response(body, mimetype="application/xml")


def article_urls(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Canonical article URLs, built as ``url_for`` builds them (its path converter) but with the
    route's prefix worked out once instead of once per article."""
    marker = "sitemap-slug"
    prefix = canonical("site.article", slug=marker).removesuffix(marker)
    converter = current_app.url_map.converters["path"](current_app.url_map)
    found = [{"loc": prefix + converter.to_url(item["slug"]), "lastmod": item["updated"] or ""}
             for item in items]
    for url in found:  # the article as Markdown (web/customer/llms.py), for AI assistants
        url["markdown"] = url["loc"] + ".md"
    return found


def sitemap_child(number: int) -> Response:
    snapshot = engine().snapshot()
    if not 1 <= number <= child_count(snapshot) or request.path != url_for("site.sitemap_child",
                                                                          number=number):
        abort(404)  # /sitemap-0.xml, past the last child, or /sitemap-01.xml
    if current_app.config.get("SITE_URL"):  # the same body for every request: once per version
        body = snapshot.once(f"sitemap-{number}", lambda: _child_body(snapshot, number))
    else:  # URLs follow the request's host: not cached (hosts are the caller's to choose)
        body = _child_body(snapshot, number)
    return Response(body, mimetype="application/xml")


def _child_body(snapshot: Any, number: int) -> str:
    start, end = (number - 1) * SITEMAP_MAX_URLS, number * SITEMAP_MAX_URLS
    fixed = _fixed_pages()
    articles = catalog(snapshot).by_slug_order()
    pages = fixed[start:end] + article_urls(articles[max(0, start - len(fixed)):max(0, end - len(fixed))])
    return render_template("sitemap.xml", pages=pages)
