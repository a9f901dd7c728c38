"""What may be stored: normalized queries and comments with obvious personal data masked."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

MAX_QUERY = 200
MAX_COMMENT = 1000
MAX_SLUG = 200
MAX_FILTER_VALUES = 10
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Runs of digits with the separators people type in phone and card numbers.
DIGIT_RUN = re.compile(r"(?<![\w])\+?\d[\d\s().\-/]{6,}\d(?![\w])")
IPV4 = re.compile(r"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w.])")
SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
SOURCE = re.compile(r"[a-z][a-z0-9_-]{0,19}")
#: Search ids and the keyed hashes of ticket references and agents: short opaque tokens.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    ip = IPV4.fullmatch(text)
    if ip:
        a, b = int(ip.group(1)), int(ip.group(2))
        private = a in (10, 127) or (a, b) == (192, 168) or (a == 172 and 16 <= b <= 31)
        return text if private else "[ip]"  # router addresses are useful queries
    if DATE.fullmatch(text):
        return text
    digits = sum(ch.isdigit() for ch in text)
    if 13 <= digits <= 19:
        return "[card]"
    return "[phone]" if digits >= 8 else text


def mask(text: str) -> str:
    """Replace e-mail and public IP addresses, phone numbers and card-like digit runs."""
    return DIGIT_RUN.sub(_mask_number, EMAIL.sub("[email]", text))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch if ch.isprintable() else " " for ch in text)


def normalize_query(text: str) -> str:
    """Lowercase, control characters removed, spaces collapsed, personal data masked, truncated."""
    return " ".join(mask(_clean(text).lower()).split())[:MAX_QUERY]


def normalize_comment(text: str) -> str:
    """A feedback comment: spaces collapsed, personal data masked, truncated; case kept."""
    return " ".join(mask(_clean(text)).split())[:MAX_COMMENT]


def normalize_slug(slug: str) -> str:
    return " ".join(_clean(slug).split())[:MAX_SLUG]


def normalize_source(source: str) -> str:
    """A short lowercase label such as ``site``, ``instant``, ``api`` or ``agent``; else ``other``."""
    source = (source or "").strip().lower()
    return source if SOURCE.fullmatch(source) else "other"


def normalize_session(session: str | None) -> str | None:
    """A random search-session id from the browser, or None when absent or not id-shaped."""
    if session and SESSION.fullmatch(session):
        return session
    return None


def normalize_token(value: str | None) -> str:
    """A search id or keyed hash as given when it looks like one, else empty."""
    return value if value and TOKEN.fullmatch(value) else ""


def normalize_filters(filters: Any) -> str:
    """Filters as compact sorted JSON (``{"type": ["billing"]}``), empty string for none."""
    if not isinstance(filters, dict) or not filters:
        return ""
    clean: dict[str, list[str]] = {}
    for key, values in sorted(filters.items()):
        if isinstance(values, (str, int)):
            values = [values]
        if not isinstance(values, (list, tuple)) or not values:
            continue
        clean[normalize_query(str(key))[:40]] = sorted({normalize_query(str(v))[:60]
                                                         for v in values[:MAX_FILTER_VALUES]})
    return json.dumps(clean, separators=(",", ":"), ensure_ascii=False) if clean else ""
