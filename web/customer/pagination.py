"""``?page=N`` for the customer site: parsing (a clear 400) and the links of the pagination nav."""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import abort, request
from flask_babel import gettext

#: Page numbers shown either side of the current one (the first and last are always linked).
WINDOW = 2
MAX_DIGITS = 9


def page_number() -> int:
    """``?page=`` as a number from 1 (1 when absent); 400 when not a whole number of at least 1.

    Whether the page exists is for the caller to say (a 404 past the last page)."""
    raw = request.args.get("page")  # the first one, like every other parameter of the site
    if raw is None:
        return 1
    raw = raw.strip()
    digits = raw.lstrip("0")
    if not re.fullmatch(r"[0-9]+", raw) or not digits:
        abort(400, gettext("The page number must be a whole number, 1 or more."))
    return int(digits) if len(digits) <= MAX_DIGITS else 10 ** MAX_DIGITS  # past any last page


def page_links(count: int, current: int, link: Callable[[int], str]) -> dict[str, Any]:
    """What the nav and the ``<link rel=prev/next>`` tags need: previous, next, and the numbers
    around the current page with the first and last ones (``gap`` marks a jump)."""
    shown = sorted({1, count, *range(max(1, current - WINDOW), min(count, current + WINDOW) + 1)})
    numbers, previous = [], 0
    for number in shown:
        numbers.append({"n": number, "url": link(number), "current": number == current,
                        "gap": number > previous + 1})
        previous = number
    return {"count": count, "current": current,
            "prev": link(current - 1) if current > 1 else "",
            "next": link(current + 1) if current < count else "",
            "numbers": numbers}
