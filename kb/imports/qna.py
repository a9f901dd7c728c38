"""Question-and-answer sheets in the QnA Maker / custom question answering layout.

TSV (as QnA Maker exports it), CSV or XLSX with a header row: ``Question``, ``Answer``,
``Source``, ``Metadata`` (``key:value|key:value``), and optionally ``SuggestedQuestions``,
``IsContextOnly``, ``Prompts``, ``QnaId``. Rows sharing a ``QnaId`` (or, without one, the same
answer) are one article: the first question is its title, the others its ``questions``. Answers are
Markdown already; follow-up ``Prompts`` become ``related`` articles. Metadata ``type``, ``level``,
``lang``, ``tags``, ``category``, ``section`` and ``audience`` (``internal``) are used.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from kb.imports.report import Report
from kb.imports.source import MAX_BODY_BYTES, BadInput, SourceArticle, lang_code, read_text
from kb.model import LEVELS, SUPPORT_TYPES

REQUIRED = ("question", "answer")


def _rows_text(path: Path, encoding: str) -> list[list[str]]:
    text = read_text(path, encoding)
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    kind = "CSV" if delimiter == "," else "TSV"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = csv.field_size_limit(MAX_BODY_BYTES + 1)  # an answer may be long, not endless
    try:
        return list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise BadInput(path, f"line {reader.line_num}: a cell is over the {MAX_BODY_BYTES:,}-byte "
                                 "limit for one answer (a quote left open, or not a QnA sheet?)") from None
        raise BadInput(path, f"line {reader.line_num}: not a valid {kind} file: {exc}") from None
    finally:
        csv.field_size_limit(limit)


def _rows_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415  (only for .xlsx sheets)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (zipfile, XML and openpyxl errors alike)
        raise BadInput(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:  # the first sheet with a Question and Answer header (a Synonyms sheet may come first)
        sheets = [[["" if cell is None else str(cell) for cell in row]
                   for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
    finally:
        book.close()
    for found in sheets:
        if found and all(name in [cell.strip().lower() for cell in found[0]] for name in REQUIRED):
            return found
    return sheets[0] if sheets else []


def rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The sheet's rows as dicts keyed by lower-case header, with ``_row`` (1-based line)."""
    if not path.is_file():
        raise BadInput(path, "no such file")
    found = list(_rows_xlsx(path) if path.suffix.lower() == ".xlsx" else _rows_text(path, encoding))
    if not found:
        raise BadInput(path, "the sheet is empty")
    header = [cell.strip().lower() for cell in found[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadInput(path, f"header row lacks {', '.join(n.title() for n in missing)} (found: "
                             f"{', '.join(found[0]) or 'nothing'}); expected Question, Answer, "
                             "Source, Metadata as QnA Maker exports them")
    return [{**dict(zip(header, row)), "_row": str(number)}
            for number, row in enumerate(found[1:], start=2) if any(cell.strip() for cell in row)]


def metadata(text: str) -> dict[str, str]:
    """``category:billing|level:1`` -> ``{"category": "billing", "level": "1"}``."""
    pairs = (part.split(":", 1) for part in (text or "").split("|") if ":" in part)
    return {key.strip().lower(): value.strip() for key, value in pairs}


def read(path: Path, report: Report, encoding: str = "utf-8", default_type: str = "",
         **_options: Any) -> list[SourceArticle]:
    """One article per QnA pair."""
    if default_type and default_type not in SUPPORT_TYPES:
        raise BadInput(path, f"--type must be one of {', '.join(SUPPORT_TYPES)}")
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows(path, encoding):
        answer = row.get("answer", "").strip()
        question = row.get("question", "").strip()
        key = row.get("qnaid", "").strip() or hashlib.sha1(answer.encode()).hexdigest()[:12]
        if not question:
            report.skip(key, f"row {row['_row']}: no question", str(path))
            continue
        groups.setdefault(key, []).append(row)
    if not groups:
        raise BadInput(path, "no question rows below the header")
    articles = []
    for key, group in groups.items():
        first = group[0]
        answer = first.get("answer", "").replace("\\n", "\n").strip()
        meta = metadata(first.get("metadata", ""))
        questions = list(dict.fromkeys(r["question"].strip() for r in group))
        suggested = [q.strip() for q in first.get("suggestedquestions", "").strip("[]").split('","')
                     if q.strip().strip('"')]
        article = SourceArticle(
            source="qna", source_id=key, title=questions[0], body=answer, is_html=False,
            questions=questions[1:] + [q.strip('"') for q in suggested if q.strip('"') not in questions],
            tags=[t.strip() for t in meta.get("tags", "").replace(";", ",").split(",") if t.strip()],
            category=meta.get("category", "") or first.get("source", "").strip(),
            sections=[meta["section"]] if meta.get("section") else [],
            lang=lang_code(meta.get("lang") or meta.get("language") or "en"),
            internal=meta.get("audience", "").lower() == "internal",
            origin=f"{path}:{first['_row']}", base_dir=path.parent)
        article.related_ids = _prompts(first.get("prompts", ""), article, report)
        article.fixed_type = _fixed_type(meta, default_type, article, report)
        article.fixed_level = _fixed_level(meta, article, report)
        if not answer:
            report.skip(key, "empty answer", article.origin)
            continue
        articles.append(article)
    report.read = len(groups)
    return articles


def _prompts(text: str, article: SourceArticle, report: Report) -> list[str]:
    """QnaIds of the follow-up prompts (``[{"DisplayOrder":0,"QnaId":2,"DisplayText":"..."}]``)."""
    if not text.strip() or text.strip() == "[]":
        return []
    try:
        prompts = json.loads(text)
    except ValueError:
        report.warn(article.source_id, "Prompts is not valid JSON: follow-ups left out", article.origin)
        return []
    found = [str(p.get("QnaId", p.get("qnaId", ""))) for p in prompts if isinstance(p, dict)] \
        if isinstance(prompts, list) else []
    return [qna_id for qna_id in found if qna_id]


def _fixed_type(meta: dict[str, str], default: str, article: SourceArticle, report: Report) -> str:
    value = meta.get("type", "").lower()
    if value and value not in SUPPORT_TYPES:
        report.warn(article.source_id, f"metadata type {value!r} is not one of "
                                       f"{', '.join(SUPPORT_TYPES)}: mapped instead", article.origin)
        return default
    return value or default


def _fixed_level(meta: dict[str, str], article: SourceArticle, report: Report) -> int | None:
    value = meta.get("level", "")
    if value.isdigit() and int(value) in LEVELS:
        return int(value)
    if value:
        report.warn(article.source_id, f"metadata level {value!r} is not 0, 1 or 2", article.origin)
    return None
