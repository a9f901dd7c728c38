"""An old HTML help site: one article per page (``*.html``/``*.htm`` under a folder).

Title from the first ``<h1>`` (else ``<title>``); body from ``<main>``/``<article>`` (else
``<body>``) with navigation, headers, footers, sidebars, scripts and forms stripped; ``<meta
name="description">`` as the summary and ``keywords`` as tags; the folders a page sits in stand in
for category and sections; the page's path is kept in ``redirect_from``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from kb.imports.convert import html_problems, page_main, page_title, soup
from kb.imports.report import Report
from kb.imports.source import BadInput, SourceArticle, lang_code, parse_timestamp, read_text


def _meta(tree: BeautifulSoup, name: str) -> str:
    found = tree.find("meta", attrs={"name": name})
    return str(found.get("content") or "").strip() if found is not None else ""


def _updated(tree: BeautifulSoup) -> dt.date | None:
    """The page's own date (``<meta name="date">`` or ``article:modified_time``), if it states one."""
    found = tree.find("meta", attrs={"property": "article:modified_time"})
    value = str(found.get("content") or "") if found is not None else _meta(tree, "date")
    return parse_timestamp(value)


def read(path: Path, report: Report, encoding: str = "utf-8", **_options: Any) -> list[SourceArticle]:
    if not path.is_dir():
        raise BadInput(path, "expected a folder of HTML pages")
    pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not pages:
        raise BadInput(path, "no .html or .htm pages found")
    articles = []
    for page in pages:
        relative = page.relative_to(path).as_posix()
        text = read_text(page, encoding)
        parsed = soup(text)
        lang, main = page_main(text)
        folders = relative.split("/")[:-1]
        for problem in html_problems(text):
            report.warn(relative, f"broken HTML: {problem}", str(page))
        articles.append(SourceArticle(
            source="html", source_id=relative, title=page_title(text), body=main,
            summary=_meta(parsed, "description"),
            tags=[t.strip() for t in _meta(parsed, "keywords").split(",") if t.strip()],
            category=folders[0] if folders else "", sections=folders[1:],
            lang=lang_code(lang or "en"), updated=_updated(parsed),
            url_path="/" + relative, origin=str(page), base_dir=page.parent,
            extra={"page": True, "root": path}))
    report.read = len(articles)
    return articles
