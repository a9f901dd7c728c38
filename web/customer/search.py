"""Customer search: the results page (facets, pagination, did-you-mean, no-results help) and the
small JSON endpoint behind instant search. Both call the same ``engine.search`` with the request's
viewer, which is always anonymous on the customer site.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

from flask import Response, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext
from markupsafe import escape

from search import Hit, QueryError, SearchRequest, SearchResponse
from search.browse import catalog
from search.filters import BY_NAME, site_filters
from search.triage import likely_type
from search.types import MAX_RESULT_WINDOW
from web.customer import pagination
from web.customer.common import article_langs, canonical, clean_filter, engine
from web.customer.contact import contact_box
from web.shared import i18n
from web.shared.auth import viewer
from web.shared.clicks import click_prior
from web.shared.errors import json_error
from web.shared.extensions import limiter
from web.shared.tracking import track_search

PER_PAGE = 10
MAX_PAGE = MAX_RESULT_WINDOW // PER_PAGE  # the engine serves the first MAX_RESULT_WINDOW results
INSTANT_LIMIT = 6


def search_limit() -> str:
    return str(current_app.config["RATELIMIT_SEARCH"])


def query_text() -> str:
    """``?q=`` (the first one), refused when longer than ``MAX_QUERY_LENGTH``."""
    text = request.args.get("q", "")
    limit = int(current_app.config["MAX_QUERY_LENGTH"])
    if len(text) > limit:
        raise QueryError("query_too_long", f"Please use a shorter search (at most {limit} characters).")
    return text


def has_words(text: str) -> bool:
    """False for an empty query or one of only spaces and control characters."""
    return any(ch.isprintable() and not ch.isspace() for ch in text)


def page_number() -> int:
    """``?page=``; past MAX_PAGE a 400, since deeper results are never served."""
    page = pagination.page_number()
    if page > MAX_PAGE:
        abort(400, gettext("The page number must be a whole number from 1 to %(last)d: only the first "
                           "%(num)d results are shown. Please refine your search.",
                           last=MAX_PAGE, num=MAX_RESULT_WINDOW))
    return page


def chosen_filters(languages: list[str], ui_lang: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Engine filters and the query-string values that produced them (for links).

    The filters offered are those of ``search.filters.site_filters()``; language is special: it
    defaults to the reader's languages and ``all`` lifts it.
    """
    shown: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for site_filter in site_filters():
        param = str(site_filter.site_param)
        value = clean_filter(param)
        if site_filter.name != "lang" and value and site_filter.problem(value) is None:
            filters[site_filter.name], shown[param] = [value], value
    lang_param = str(BY_NAME["lang"].site_param)  # always offered
    language = clean_filter(lang_param)
    if language in languages:
        filters["lang"], shown[lang_param] = [language], language
    elif language == "all":
        shown[lang_param] = "all"
    else:
        filters["lang"] = [lang for lang in article_langs(ui_lang) if lang in languages] or languages
    return filters, shown


@limiter.limit(search_limit)
def search_page() -> str:
    text, page = query_text(), page_number()
    ui_lang = i18n.choose_lang()
    snapshot = engine().snapshot()
    languages = sorted(snapshot.meta["languages"])
    filters, shown = chosen_filters(languages, ui_lang)
    context: dict[str, Any] = {"q": text, "shown": shown, "page": page, "response": None,
                               "canonical": canonical("site.search_page")}
    if not has_words(text):
        return render_template("search.html", **context)
    prior, _stamp = click_prior()
    request_ = SearchRequest(text, filters=filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                             viewer=viewer(), clicks=prior)
    response = engine().search(request_)
    fell_back = False
    if response.total == 0 and BY_NAME["lang"].site_param not in shown and "lang" in filters:
        del filters["lang"]
        response = engine().search(SearchRequest(text, filters=filters, limit=PER_PAGE,
                                                 offset=request_.offset, viewer=viewer(), clicks=prior))
        fell_back = response.total > 0
    track_search(response, "site", filters)
    # after the fallback to every language the words were another language's: keep its articles
    results = _results(response, text, request_.offset, snapshot, "" if fell_back else ui_lang)
    context.update(response=response, fell_back=fell_back, results=results,
                   untranslated=sorted({r["hit"].lang for r in results} - {ui_lang}),
                   facets=_facets(response, text, shown, filters.get("lang", [])),
                   pages=_pages(response.total, page, text, shown),
                   contact=contact_box(snapshot.routing, _likely_type(response, shown)),
                   did_you_mean_url=(url_for("site.search_page", q=response.did_you_mean, **shown)
                                     if response.did_you_mean else ""))
    return render_template("search.html", **context)


def in_reader_language(hits: list[Hit], snapshot: Any, lang: str) -> list[tuple[int, Hit]]:
    """Hits with their positions (from 1); a hit in another language whose translation into
    ``lang`` exists is shown as that translation, or dropped when the translation is among the
    hits already (no change when ``lang`` is empty). Translations come from the public catalog,
    like every customer page, so an agent-only translation is never offered."""
    if not lang or all(hit.lang == lang for hit in hits):
        return list(enumerate(hits, start=1))  # the common case reads no catalog
    articles = catalog(snapshot)
    shown = {hit.slug for hit in hits}
    kept = []
    for position, hit in enumerate(hits, start=1):
        item = articles.by_slug.get(hit.slug)
        yours = (articles.families.get(item["translation_of"] or item["slug"], {}).get(lang)
                 if item is not None and lang and hit.lang != lang else None)
        if yours is not None and yours["slug"] in shown:
            continue
        if yours is not None:
            hit = dataclasses.replace(hit, slug=yours["slug"], title=yours["title"], lang=lang,
                                      summary=yours["summary"], answer=yours["answer"],
                                      snippet=str(escape(yours["summary"] or yours["answer"])),
                                      url=yours["url"], stale_translation=yours["stale_translation"])
            shown.add(hit.slug)
        kept.append((position, hit))
    return kept


def _results(response: SearchResponse, text: str, offset: int, snapshot: Any,
             lang: str) -> list[dict[str, Any]]:
    return [{"hit": hit, "href": url_for("site.article", slug=hit.slug, q=text, pos=offset + n)}
            for n, hit in in_reader_language(response.results, snapshot, lang)]


def _facets(response: SearchResponse, text: str, shown: dict[str, str],
            defaults: list[str]) -> list[dict[str, Any]]:
    """Facet groups as links: 'All' clears the facet, each value selects it."""
    groups = []
    for site_filter in site_filters():
        name, param = site_filter.name, str(site_filter.site_param)
        values = response.facets.get(name) or {}
        if not values and param not in shown:
            continue
        others = {k: v for k, v in shown.items() if k != param}
        if name == "lang":  # no choice means the visitor's languages, not all of them
            all_current, chosen = shown.get(param) == "all", shown.get(param) or defaults
            clear = {**others, param: "all"}
        else:
            all_current, chosen, clear = param not in shown, shown.get(param), others
        items = [{"label": gettext("All"), "count": None, "current": all_current,
                  "url": url_for("site.search_page", q=text, **clear)}]
        items += [{"label": i18n.label(name, value), "count": count,
                   "current": value == chosen or (isinstance(chosen, list) and value in chosen),
                   "url": url_for("site.search_page", q=text, **{**others, param: value})}
                  for value, count in values.items()]
        groups.append({"name": name, "title": i18n.facet_title(name), "items": items})
    return groups


def _pages(total: int, page: int, text: str, shown: dict[str, str]) -> dict[str, Any]:
    count = min(MAX_PAGE, math.ceil(total / PER_PAGE))

    def link(number: int) -> str:
        return url_for("site.search_page", q=text, **shown, **({"page": number} if number > 1 else {}))

    if count < 1:
        return {"count": 0, "current": page, "prev": "", "next": "", "numbers": []}
    return pagination.page_links(count, page, link)


def _likely_type(response: SearchResponse, shown: dict[str, str]) -> str:
    """The support type to offer contact for: the filter, else the hits' vote (weak hits too:
    with no good answer they still hint at the team), else general."""
    return shown["type"] if "type" in shown else likely_type(response)


@limiter.limit(search_limit)
def instant() -> Response:
    """Type-ahead for the search boxes: a few titles, in the visitor's language when possible."""
    try:
        text = query_text()
    except QueryError as exc:
        return json_error(400, exc.code, exc.message)
    body: dict[str, Any] = {"query": text, "total": 0, "results": [],
                            "search_url": url_for("site.search_page", q=text)}
    if has_words(text):
        snapshot = engine().snapshot()
        languages = sorted(snapshot.meta["languages"])
        wanted = [lang for lang in article_langs(i18n.choose_lang()) if lang in languages]
        filters = {"lang": wanted} if wanted else {}
        response = engine().search(SearchRequest(text, filters=filters, limit=INSTANT_LIMIT, viewer=viewer(),
                                                 prefix=True, facets=False, snippets=False))
        if not response.results and filters:
            filters = {}
            response = engine().search(SearchRequest(text, limit=INSTANT_LIMIT, viewer=viewer(), prefix=True,
                                                     facets=False, snippets=False))
        track_search(response, "instant", filters)
        body["total"] = response.total
        reader = i18n.choose_lang() if filters else ""  # no swap after falling back to every language
        body["results"] = [
            {"title": hit.title, "summary": hit.summary, "type": hit.type,
             "type_label": i18n.label("type", hit.type), "lang": hit.lang,
             "lang_label": i18n.language_name(hit.lang) if hit.lang != i18n.choose_lang() else "",
             "url": url_for("site.article", slug=hit.slug, q=text, pos=n, src="instant")}
            for n, hit in in_reader_language(response.results, snapshot, reader)]
    reply = jsonify(body)
    reply.headers["Cache-Control"] = "no-store"
    return reply
