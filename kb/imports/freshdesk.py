"""Freshdesk Solutions dumps: JSON arrays as the Solutions API v2 returns them.

The folder holds ``categories.json``, ``folders.json`` (or ``folders/*.json``) and
``articles*.json`` (or ``articles/*.json``) in the portal's main language; a subfolder named by a
language code (``es/``, ``pt-BR/``) holds the same articles translated (same ids). Article
``status`` 1 is a draft, 2 published; a folder with a ``visibility`` other than 1 (all users)
makes its articles internal: 3 (agents) silently, the others (logged-in users, companies, bots,
segments) with a warning, since supportkb has no audience between public and internal.
Attachments present under ``attachments/<id>/<name>`` are copied.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from kb.imports.report import Report
from kb.imports.source import BadInput, SourceArticle, lang_code, parse_timestamp, read_json

LANG_DIR = re.compile(r"^[a-z]{2}(-[a-zA-Z]{2})?$")
ALL_USERS, AGENTS_ONLY = 1, 3
DRAFT = 1


def _array(files: list[Path], what: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for file in files:
        data = read_json(file)
        if isinstance(data, dict) and what in data:  # some exports wrap the list
            data = data[what]
        if not isinstance(data, list):
            raise BadInput(file, f"expected a JSON array of {what} (as the Solutions API returns them)")
        for number, item in enumerate(data):
            if not isinstance(item, dict) or "id" not in item:
                raise BadInput(file, f"{what}[{number}] has no 'id'")
            found.append({**item, "_file": str(file)})
    return found


def _files(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}*.json")) + sorted((folder / name).glob("*.json"))


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise BadInput(record["_file"], f"'{key}' must be text", str(record.get("id", "")))
    return value or ""


def _attachments(dump: Path, record: dict[str, Any], body: str) -> tuple[str, dict[str, Any]]:
    """The article's attachments: inline ones present locally replace their URL in the body (the
    others stay remote images); the rest are listed at the end, linked to the local copy or, when
    the dump lacks it, to ``attachment_url``. (body, {"attachments": local, "remote": urls})."""
    local, remote, links = [], [], []
    for item in record.get("attachments") or []:
        if not isinstance(item, dict) or "id" not in item:
            continue
        relative = f"attachments/{item['id']}/{item.get('name', '')}"
        present = (dump / relative).is_file()
        url = str(item.get("attachment_url") or "")
        if url and url in body:
            if present:
                body = body.replace(html.escape(url), relative).replace(url, relative)
        elif present or url:
            (local if present else remote).append(relative if present else url)
            target = html.escape(relative if present else url)
            links.append(f'<li><a href="{target}">{html.escape(str(item.get("name")))}</a></li>')
    if links:
        body += "<h2>Attachments</h2><ul>" + "".join(links) + "</ul>"
    return body, {"attachments": local, "remote": remote}


def read(path: Path, report: Report, **_options: Any) -> list[SourceArticle]:
    """Every article (and translation) of a Solutions dump."""
    if not path.is_dir():
        raise BadInput(path, "expected a folder with categories.json, folders.json and articles.json")
    categories = {str(c["id"]): c for c in _array(_files(path, "categories"), "categories")}
    folders = {str(f["id"]): f for f in _array(_files(path, "folders"), "folders")}
    originals = [_article(r, path, categories, folders, "", report)
                 for r in _array(_files(path, "articles"), "articles")]
    if not originals:
        raise BadInput(path, "no articles found (articles.json or articles/*.json)")
    by_id = {a.source_id: a for a in originals}
    translations: list[SourceArticle] = []
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and LANG_DIR.match(p.name)):
        for record in _array(_files(folder, "articles"), "articles"):
            article = _article(record, path, categories, folders, lang_code(folder.name), report)
            if article.source_id not in by_id:
                report.skip(article.source_id, "translation of an article not in the dump", article.origin)
                continue
            if article.lang == by_id[article.source_id].lang:
                report.skip(article.source_id, f"the {folder.name} version is in the language of its "
                                               "original (one article per language): not imported",
                            article.origin)
                continue
            article.translation_of = article.source_id
            translations.append(article)
    report.read = len(originals) + len(translations)
    return originals + translations


def _chain(folder_id: str, folders: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    current = folders.get(folder_id)
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = folders.get(str(current.get("parent_folder_id")))
    return chain


def _restricted(source_id: str, chain: list[dict[str, Any]], origin: str, report: Report) -> bool:
    """Whether a folder the article sits in is not for all users (``visibility`` other than 1)."""
    limited = [f for f in chain if f.get("visibility", ALL_USERS) != ALL_USERS]
    for folder in limited:
        if folder.get("visibility") != AGENTS_ONLY:
            report.warn(source_id, f"folder {folder.get('name')!r} has visibility {folder.get('visibility')} "
                                   "(not all users): imported as internal", origin)
            break
    return bool(limited)


def _article(record: dict[str, Any], dump: Path, categories: dict[str, dict[str, Any]],
             folders: dict[str, dict[str, Any]], lang: str, report: Report) -> SourceArticle:
    source_id = str(record["id"])
    chain = _chain(str(record.get("folder_id")), folders)
    if not chain:
        report.warn(source_id, f"unknown folder {record.get('folder_id')}: type and level from "
                               "the defaults", record["_file"])
    category_id = str(record.get("category_id") or (chain[0].get("category_id") if chain else "") or "")
    category = categories.get(category_id)
    tags = record.get("tags") or []
    if not isinstance(tags, list):
        raise BadInput(record["_file"], "'tags' must be a list", source_id)
    seo = record.get("seo_data") if isinstance(record.get("seo_data"), dict) else {}
    body, found = _attachments(dump, record, _text(record, "description"))
    return SourceArticle(
        source="freshdesk", source_id=source_id, title=_text(record, "title"), body=body,
        tags=[str(t) for t in tags], summary=str(seo.get("meta_description") or "").strip(),
        category=str(category.get("name", "")) if category else "", category_id=category_id,
        sections=[str(f.get("name", "")) for f in chain], section_ids=[str(f["id"]) for f in chain],
        lang=lang or lang_code(str(record.get("language") or "en")),
        draft=record.get("status") == DRAFT,
        internal=_restricted(source_id, chain, record["_file"], report),
        updated=parse_timestamp(record.get("updated_at")),
        # a translation's portal URL carries its language: /es/support/solutions/articles/42
        url_path=(f"/{lang}" if lang else "") + f"/support/solutions/articles/{source_id}",
        origin=record["_file"], base_dir=dump,
        extra=found)
