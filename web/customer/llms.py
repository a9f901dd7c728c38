"""For AI assistants and crawlers: ``/llms.txt`` (the llms.txt convention: the site's name, a
one-line summary, then the public articles grouped by support type, each a link to its Markdown
mirror with a one-line description: its summary, else its answer, else its first sentence) and
``/articles/<slug>.md`` (one public article as Markdown).

Both are customer pages: the viewer is anonymous, the list is the version's catalog (the public
articles an anonymous visitor may see, ``search/visibility.py``) and an article's Markdown is what
``served_article`` gives that viewer, so internal articles and ``::: internal`` blocks never appear.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, current_app

from kb.markup import plain_text
from kb.model import LEVELS, SUPPORT_TYPES
from search.browse import article_view, catalog
from web.customer.common import canonical, engine
from web.customer.sitemap import article_urls
from web.shared import i18n
from web.shared.auth import viewer

MAX_DESCRIPTION = 200
MARKDOWN = "text/markdown"
PROSE_SKIP = re.compile(r"^\s{0,3}(#|\||!\[)")  # headings, table rows, images
SENTENCE = re.compile(r"^(.{20,}?[.!?])\s")  # at least a few words, up to its full stop


def one_line(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """Text on one line, at most ``limit`` characters (cut at a word, with an ellipsis)."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def first_sentence(markdown: str, limit: int = MAX_DESCRIPTION) -> str:
    """The first sentence of a body's first paragraph of prose (headings and tables skipped), or
    as much of that paragraph as fits ``limit``."""
    prose = "\n".join(line for line in (markdown or "").splitlines() if not PROSE_SKIP.match(line))
    text = plain_text(prose)
    paragraph = next((part for part in re.split(r"\n\s*\n", text) if part.strip()), "")
    flat = one_line(paragraph, 10 * limit)
    found = SENTENCE.match(flat)
    return one_line(found.group(1) if found else flat, limit)


def descriptions(snapshot: Any) -> dict[str, str]:
    """slug -> the first sentence of its public text (internal blocks are never in it), once per
    version: the description of an article that has no ``summary`` or ``answer``."""
    def read() -> dict[str, str]:
        return {fields["data"]["slug"]: first_sentence(fields["data"]["source_public"])
                for _docnum, fields in snapshot.searcher().reader().iter_docs()}
    return snapshot.once("llms-descriptions", read)


def _link_text(title: str) -> str:
    return one_line(title, 1000).replace("[", "(").replace("]", ")")


def llms_text(snapshot: Any) -> str:
    """The whole ``/llms.txt`` for this version."""
    name = str(current_app.config.get("SITE_NAME") or "Help Centre")
    items = catalog(snapshot).items
    urls = {item["slug"]: url["loc"] + ".md" for item, url in zip(items, article_urls(list(items)))}
    default = i18n.default_lang()
    described = descriptions(snapshot)
    lines = [f"# {name}", "",
             f"> The public support articles of {name}, grouped by kind of support. Each link is "
             "the article as Markdown; the same address without `.md` is its web page.", "",
             "Every article has a support level: " + "; ".join(
                 f"{level} {text.lower()}" for level, text in LEVELS.items()) + ".", ""]
    for support_type, description in SUPPORT_TYPES.items():
        chosen = [item for item in items if item["type"] == support_type and item["lang"] == default]
        if chosen:
            lines += [f"## {support_type.title()}: {description}", ""]
            lines += [_entry(item, urls[item["slug"]], described) for item in chosen] + [""]
    others = [item for item in items if item["lang"] != default]
    if others:  # "Optional" is the convention's name for what a short context may skip
        lines += ["## Optional", ""]
        lines += [_entry(item, urls[item["slug"]], described, show_lang=True)
                  for item in sorted(others, key=lambda i: (i["lang"], i["type"], i["title"].lower()))]
        lines.append("")
    return "\n".join(lines)


def _entry(item: dict[str, Any], url: str, described: dict[str, str], show_lang: bool = False) -> str:
    description = one_line(item["summary"] or item["answer"]) or described.get(item["slug"], "")
    extra = [f"lang {item['lang']}"] if show_lang else []
    extra.append(f"{item['type']}, level {item['level']}")
    text = f"- [{_link_text(item['title'])}]({url}): {description}" if description else \
        f"- [{_link_text(item['title'])}]({url})"
    return f"{text} ({'; '.join(extra)})"


def llms_txt() -> Response:
    snapshot = engine().snapshot()
    if current_app.config.get("SITE_URL"):  # the same for every request: once per version
        body = snapshot.once("llms-txt", lambda: llms_text(snapshot))
    else:  # URLs follow the request's host
        body = llms_text(snapshot)
    return Response(body, mimetype="text/plain")


def article_markdown(slug: str) -> Response:
    """One public article as Markdown: title, summary, the public body (internal blocks removed)."""
    view = article_view(engine().snapshot(), slug, viewer())
    if view is None:
        abort(404)
    parts = [f"# {one_line(view['title'], 1000)}", ""]
    if view["summary"]:
        parts += [f"> {one_line(view['summary'], 1000)}", ""]
    parts += [re.sub(r"\n{3,}", "\n\n", view["markdown"].strip()), ""]
    response = Response("\n".join(parts), mimetype=MARKDOWN)
    response.headers["Link"] = f'<{canonical("site.article", slug=slug)}>; rel="canonical"'
    return response
