"""Zendesk Guide (Help Center API) dumps: JSON files as the API returns them.

Any ``*.json`` under the folder is read, paged files included, for these top-level keys:
``articles`` (or ``article``), ``sections``, ``categories``, ``translations`` (per article,
``source_id`` naming it), ``article_attachments`` and ``user_segments``. The same article listed
under several locales (``/api/v2/help_center/{locale}/articles``) is one original, in its
``source_locale``, and translations. Articles restricted to a ``staff`` user segment become
``audience: internal``; so do those restricted to any other segment (signed-in users, tags,
groups, organizations), with a warning: supportkb has no audience between public and internal.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kb.imports.report import Report
from kb.imports.source import BadInput, SourceArticle, lang_code, parse_timestamp, read_json

KINDS = {"articles": "article", "sections": "section", "categories": "category",
         "translations": "translation", "article_attachments": "attachment",
         "user_segments": "user_segment"}
ATTACHMENT_URL = re.compile(r"/article_attachments/(\d+)")


def json_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise BadInput(path, "no such file or folder")
    return sorted(p for p in path.rglob("*.json") if not any(part.startswith(".") for part in p.parts))


def _records(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every record of each kind in a dump (dict-shaped records only), ids checked."""
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for file in json_files(path):
        data = read_json(file)
        if not isinstance(data, dict):
            raise BadInput(file, "expected a JSON object with 'articles', 'sections', 'categories' "
                                 "or 'translations' (as the Help Center API returns them)")
        for plural, single in KINDS.items():
            items = data.get(plural, [data[single]] if single in data else [])
            if not isinstance(items, list):
                raise BadInput(file, f"'{plural}' must be a list")
            for number, item in enumerate(items):
                if not isinstance(item, dict) or "id" not in item:
                    raise BadInput(file, f"{plural}[{number}] has no 'id'")
                found[plural].append({**item, "_file": str(file)})
    return found


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise BadInput(record["_file"], f"'{key}' must be text (got {type(value).__name__})",
                       str(record.get("id", "")))
    return value or ""


def _section_chain(section_id: Any, sections: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    current = sections.get(str(section_id))
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = sections.get(str(current.get("parent_section_id")))
    return chain


def _local_attachments(dump: Path, body: str, attachments: list[dict[str, Any]],
                       by_id: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """Point attachment URLs present in the dump (``article_attachments/<id>/<file_name>``) at the
    local file; add non-inline attachments as a list of links, to the local file or, when the dump
    lacks it, to its ``content_url``. (body, {"attachments": local paths, "remote": urls})."""
    local: list[str] = []
    remote: list[str] = []

    def local_path(record: dict[str, Any]) -> str:
        relative = f"article_attachments/{record['id']}/{record.get('file_name', '')}"
        return relative if (dump / relative).is_file() else ""

    def swap(match: re.Match[str]) -> str:
        record = by_id.get(match.group(2).split("/article_attachments/")[-1].split("/")[0])
        path = local_path(record) if record else ""
        return f"{match.group(1)}{path}{match.group(3)}" if path else match.group(0)
    body = re.sub(r'(src=")([^"]*/article_attachments/\d+[^"]*)(")', swap, body)
    links = []
    for record in attachments:
        path, url = local_path(record), str(record.get("content_url") or "")
        if record.get("inline") or not (path or url):
            continue
        (local if path else remote).append(path or url)
        name = html.escape(str(record.get("display_file_name") or record.get("file_name")))
        links.append(f'<li><a href="{html.escape(path or url)}">{name}</a></li>')
    if links:
        body += "<h2>Attachments</h2><ul>" + "".join(links) + "</ul>"
    return body, {"attachments": local, "remote": remote}


def read(path: Path, report: Report) -> list[SourceArticle]:
    """Every article and translation of a Help Center dump."""
    records = _records(path)
    if not records["articles"]:
        raise BadInput(path, "no articles found: expected JSON files with an 'articles' list, as "
                             "GET /api/v2/help_center/{locale}/articles returns")
    dump = path if path.is_dir() else path.parent
    categories = {str(c["id"]): c for c in records["categories"]}
    sections = {str(s["id"]): s for s in records["sections"]}
    segments = {str(s["id"]): s for s in records["user_segments"]}
    attachments: dict[str, list[dict[str, Any]]] = {}
    for record in records["article_attachments"]:
        attachments.setdefault(str(record.get("article_id")), []).append(record)
    by_attachment_id = {str(r["id"]): r for r in records["article_attachments"]}
    originals: dict[str, SourceArticle] = {}
    translations: dict[tuple[str, str], SourceArticle] = {}
    for record in records["articles"]:
        article = _article(record, categories, sections, segments, report)
        article.body, found = _local_attachments(dump, article.body,
                                                 attachments.get(article.source_id, []), by_attachment_id)
        article.extra.update(found)
        article.base_dir = dump
        locale = str(record.get("locale") or "").lower()
        source_locale = str(record.get("source_locale") or locale or "en").lower()
        article.extra["locale"] = locale or source_locale
        if not locale or locale == source_locale:
            originals.setdefault(article.source_id, article)
        elif lang_code(locale) == lang_code(source_locale):
            report.skip(article.source_id, _same_language(locale, source_locale), record["_file"])
        else:
            article.translation_of, article.up_to_date = article.source_id, record.get("outdated") is False
            translations.setdefault((article.source_id, article.lang), article)
    for record in records["translations"]:
        if record.get("source_type", "Article") != "Article":
            continue
        parent = originals.get(str(record.get("source_id")))
        lang = lang_code(_text(record, "locale") or "en")
        if parent is None:
            report.skip(str(record["id"]), f"translation of article {record.get('source_id')}, "
                                           "which is not in the dump", record["_file"])
            continue
        locale = (_text(record, "locale") or "en").lower()
        if locale == parent.extra.get("locale") or (parent.source_id, lang) in translations:
            continue  # the original's own text, or already listed under its locale
        if lang == parent.lang:
            report.skip(parent.source_id, _same_language(locale, str(parent.extra.get("locale"))),
                        record["_file"])
            continue
        translated = SourceArticle(**{**parent.__dict__, "extra": dict(parent.extra)})
        translated.title = _text(record, "title")
        translated.body, found = _local_attachments(
            dump, _text(record, "body"), attachments.get(parent.source_id, []), by_attachment_id)
        translated.extra.update(found)
        translated.lang, translated.translation_of = lang, parent.source_id
        translated.draft, translated.up_to_date = bool(record.get("draft")), record.get("outdated") is False
        translated.updated = parse_timestamp(record.get("updated_at")) or parent.updated
        translated.url_path = urlparse(_text(record, "html_url")).path
        translated.origin = record["_file"]
        translations[(parent.source_id, lang)] = translated
    report.read = len(originals) + len(translations)
    return list(originals.values()) + sorted(translations.values(), key=lambda a: a.key)


def _same_language(locale: str, source_locale: str) -> str:
    return (f"the {locale} version is in the language of its {source_locale} original (one article "
            "per language, KEEP_REGION in kb/imports/source.py): not imported")


def _restricted(record: dict[str, Any], segments: dict[str, dict[str, Any]], report: Report) -> bool:
    """Whether only some users may see the article (``user_segment_id`` set): staff segments
    silently, any other (or unknown) segment with a warning, since it is imported as internal."""
    segment_id = record.get("user_segment_id")
    if segment_id is None:
        return False
    segment = segments.get(str(segment_id))
    if segment is None or segment.get("user_type") != "staff":
        named = f"{segment.get('name')!r} ({segment.get('user_type')})" if segment else \
            f"{segment_id} (not in user_segments.json)"
        report.warn(str(record["id"]), f"restricted to user segment {named}: imported as internal",
                    record["_file"])
    return True


def _article(record: dict[str, Any], categories: dict[str, dict[str, Any]],
             sections: dict[str, dict[str, Any]], segments: dict[str, dict[str, Any]],
             report: Report) -> SourceArticle:
    source_id = str(record["id"])
    chain = _section_chain(record.get("section_id"), sections)
    if record.get("section_id") is not None and not chain:
        report.warn(source_id, f"unknown section {record.get('section_id')}: type and level from "
                               "the defaults", record["_file"])
    category = categories.get(str(chain[0].get("category_id"))) if chain else None
    if chain and category is None:
        report.warn(source_id, f"unknown category {chain[0].get('category_id')}", record["_file"])
    labels = record.get("label_names") or []
    if not isinstance(labels, list):
        raise BadInput(record["_file"], "'label_names' must be a list", source_id)
    return SourceArticle(
        source="zendesk", source_id=source_id,
        title=_text(record, "title") or _text(record, "name"), body=_text(record, "body"),
        tags=[str(label) for label in labels],
        category=str(category.get("name", "")) if category else "",
        category_id=str(category["id"]) if category else "",
        sections=[str(s.get("name", "")) for s in chain], section_ids=[str(s["id"]) for s in chain],
        lang=lang_code(_text(record, "locale") or "en"), draft=bool(record.get("draft")),
        internal=_restricted(record, segments, report),
        updated=parse_timestamp(record.get("updated_at")),
        url_path=urlparse(_text(record, "html_url")).path, origin=record["_file"])
