"""What every importer produces: one source article, and the error for input it cannot read."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A body larger than this is refused: no help article is this long, a dump that has one is broken.
MAX_BODY_BYTES = 2_000_000
#: A source file larger than this is refused before it is read.
MAX_FILE_BYTES = 200_000_000


class BadInput(ValueError):
    """Input the importer cannot read; the message names the file (and the article id)."""

    def __init__(self, path: Path | str, message: str, source_id: str = "") -> None:
        where = f"{path}" + (f" (id {source_id})" if source_id else "")
        super().__init__(f"{where}: {message}")
        self.path, self.source_id = str(path), source_id


@dataclass
class SourceArticle:
    """One article as read from another system, before it becomes a supportkb file."""

    source: str
    source_id: str
    title: str
    #: body as HTML (Zendesk, Freshdesk, HTML pages) or Markdown (QnA answers): see ``is_html``
    body: str
    is_html: bool = True
    tags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    summary: str = ""
    #: names of the category and sections (outermost first) the article sits in
    category: str = ""
    sections: list[str] = field(default_factory=list)
    #: ids of the same, for a mapping file that names ids
    category_id: str = ""
    section_ids: list[str] = field(default_factory=list)
    lang: str = "en"
    draft: bool = False
    internal: bool = False
    updated: dt.date | None = None
    #: the old URL path (``/hc/en-us/articles/123-Title``), kept in ``redirect_from``
    url_path: str = ""
    #: source id of the article this one translates ("" for an original)
    translation_of: str = ""
    #: the source says this translation matches its original as imported (Zendesk ``outdated:
    #: false``): it gets the original's ``source_hash`` and starts ``current``
    up_to_date: bool = False
    #: source ids of related articles (QnA follow-up prompts)
    related_ids: list[str] = field(default_factory=list)
    #: the file it was read from, for messages
    origin: str = ""
    #: folder relative image and attachment paths are resolved from
    base_dir: Path | None = None
    #: type and level the source itself states (QnA metadata), which no mapping overrides
    fixed_type: str = ""
    fixed_level: int | None = None
    #: set by the mapping: support type and level
    type: str = "general"
    level: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The id this article is known by across runs: ``zendesk:123:es``."""
        return f"{self.source}:{self.source_id}" + (f":{self.lang}" if self.translation_of else "")


def read_json(path: Path) -> Any:
    """A JSON file, or BadInput naming it (too large, not UTF-8, truncated or malformed)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(path, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(path, f"not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                             "export it again as UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # the decoder stops at the end, or in a string that never closes (JSON strings cannot
        # hold a raw line break, so an unclosed one runs to the end of the file)
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
        reason = "truncated JSON (the file ends early)" if truncated else "malformed JSON"
        raise BadInput(path, f"{reason}: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A text file, or BadInput naming it when it is not in ``encoding``."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(path, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,} limit")
    try:
        return path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise BadInput(path, f"not valid {encoding} ({exc.reason} at byte {exc.start}); "
                             "save it as UTF-8 or pass --encoding") from None
    except LookupError:
        raise BadInput(path, f"unknown encoding {encoding!r}") from None


def check_body(article: SourceArticle) -> None:
    """Refuse a body over MAX_BODY_BYTES, naming the file and id."""
    size = len(article.body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise BadInput(article.origin, f"body is {size:,} bytes, over the {MAX_BODY_BYTES:,} limit "
                                       "for one article", article.source_id)


def parse_timestamp(value: Any) -> dt.date | None:
    """``2024-04-17T17:18:10Z`` (or a date) as a date; None when absent or unreadable."""
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None


def lang_code(locale: str) -> str:
    """A source locale (``en-us``, ``pt-BR``, ``es``) as a supportkb ``lang`` (``en``, ``pt-BR``)."""
    parts = locale.replace("_", "-").split("-")
    base = parts[0].lower()
    if len(parts) > 1 and len(parts[1]) == 2 and (base, parts[1].lower()) in KEEP_REGION:
        return f"{base}-{parts[1].upper()}"
    return base


#: Regional variants kept distinct (others fold into their language): Portuguese and Chinese.
KEEP_REGION = {("pt", "br"), ("zh", "tw"), ("zh", "cn")}
