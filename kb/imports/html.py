"""An old HTML help site: one article per page (``*.html``/``*.htm`` under a folder).

Title from the first ``<h1>`` outside the page chrome (else ``<title>``, without the site name
most pages' titles end with); body from ``<main>``/``<article>`` (else ``<body>``) with navigation,
headers, footers, sidebars, scripts and forms stripped; ``<meta name="description">`` as the
summary and ``keywords`` as tags; the folders a page sits in stand in for category and sections
(a first folder naming the page's language, ``es/``, does not); the page's path is kept in
``redirect_from``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from kb.imports.convert import html_problems, page_main, page_title, soup
from kb.imports.repair import repair
from kb.imports.report import Report
from kb.imports.source import BadInput, SourceArticle, lang_code, parse_timestamp, read_text

#: Between a page's own title and the site's name: ``|``, ``-``, ``–``, ``—``, ``·`` with spaces.
LANG_FOLDER = re.compile(r"^[a-z]{2}([-_][A-Za-z]{2})?$")
CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·:]\s+")


def _meta(tree: BeautifulSoup, name: str) -> str:
    found = tree.find("meta", attrs={"name": name})
    return str(found.get("content") or "").strip() if found is not None else ""


def _updated(tree: BeautifulSoup) -> dt.date | None:
    """The page's own date (``<meta name="date">`` or ``article:modified_time``), if it states one."""
    found = tree.find("meta", attrs={"property": "article:modified_time"})
    value = str(found.get("content") or "") if found is not None else _meta(tree, "date")
    return parse_timestamp(value)


def _page_text(page: Path, encoding: str) -> str:
    """A page in ``encoding``; an old page that is not UTF-8 but declares its charset
    (``<meta charset="iso-8859-1">``) in its charset; else BadInput naming it."""
    try:
        return read_text(page, encoding)
    except BadInput:
        with page.open("rb") as handle:
            declared = CHARSET.search(handle.read(4096))
        if encoding.lower() not in ("utf-8", "utf8") or declared is None:
            raise
        return read_text(page, declared.group(1).decode("ascii"))


def _title_tag(tree: BeautifulSoup) -> str:
    found = tree.find("title")
    return found.get_text(" ", strip=True) if found is not None else ""


def site_suffix(titles: list[str]) -> str:
    """The site name most ``<title>``s end with (``Pay by card | Northwind Help`` -> ``Northwind
    Help``), when at least half of them (and two) share it; else ""."""
    ends = Counter(TITLE_SEPARATOR.split(title)[-1].strip() for title in titles
                   if TITLE_SEPARATOR.search(title))
    common = ends.most_common(1)
    return common[0][0] if common and common[0][1] >= max(2, len(titles) / 2) else ""


def read(path: Path, report: Report, encoding: str = "utf-8", **_options: Any) -> list[SourceArticle]:
    if not path.is_dir():
        raise BadInput(path, "expected a folder of HTML pages")
    pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not pages:
        raise BadInput(path, "no .html or .htm pages found")
    texts = {page: _page_text(page, encoding) for page in pages}  # every page read before any is used
    suffix = site_suffix([_title_tag(soup(text)) for text in texts.values()])
    articles = []
    for page, text in texts.items():
        relative = page.relative_to(path).as_posix()
        problems = html_problems(text)
        for problem in problems:
            report.warn(relative, f"broken HTML: {problem}", str(page))
        text = repair(text)  # implied end tags, as a browser reads them
        parsed = soup(text)
        lang, main = page_main(text)
        folders = relative.split("/")[:-1]
        if folders and lang and LANG_FOLDER.match(folders[0]) and lang_code(folders[0]) == lang_code(lang):
            folders = folders[1:]  # es/about/horario.html: the category is "about"
        title = page_title(text)
        if suffix and title.endswith(suffix) and title == _title_tag(parsed):
            title = re.sub(r"\s+[|\-–—·:]\s*$", "", title[:-len(suffix)]).strip() or title
        articles.append(SourceArticle(
            source="html", source_id=relative, title=title, body=main,
            summary=_meta(parsed, "description"),
            tags=[t.strip() for t in _meta(parsed, "keywords").split(",") if t.strip()],
            category=folders[0] if folders else "", sections=folders[1:],
            lang=lang_code(lang or "en"), updated=_updated(parsed),
            url_path="/" + relative, origin=str(page), base_dir=page.parent,
            extra={"page": True, "root": path}))
    report.read = len(articles)
    return articles
