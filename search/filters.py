"""The search filters, declared once.

The engine's filter fields, the facets it counts, the API's query parameters and their OpenAPI
description, the help centre's facets and the agent console's selects are all derived from
``FILTERS``: adding a filter here adds it everywhere (``tests/test_filters.py`` checks each user).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.model import AUDIENCES, LEVELS, SUPPORT_TYPES

#: Free values (products, tags): letters, digits, spaces, dots and dashes.
VALUE_PATTERN = r"^[\w .-]{1,50}$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"


@dataclass(frozen=True)
class Filter:
    """One filter: an index field whose values a search may be restricted to (any of them)."""

    name: str
    description: str
    #: Allowed values; empty means any value matching ``pattern``.
    choices: tuple[str, ...] = ()
    pattern: str = VALUE_PATTERN
    #: Only agents may filter on it (anonymous callers never see the field at all).
    agents_only: bool = False
    #: The help centre's query-string name for it; ``None`` when the help centre does not offer it.
    site_param: str | None = None
    #: Offered as a select in the agent console.
    console: bool = False
    #: Values are compared in lower case (the index lowercases them).
    lowercase: bool = False

    def problem(self, value: str) -> str | None:
        """Why ``value`` cannot be a value of this filter, or ``None`` when it can."""
        if self.choices:
            if value not in self.choices:
                return f"unknown {self.name} {value!r}; use {', '.join(self.choices)}"
            return None
        if not re.match(self.pattern, value):
            return f"not a valid {self.name} value: {value!r}"
        return None


FILTERS: tuple[Filter, ...] = (
    Filter("type", "Support types (any of them).", choices=tuple(SUPPORT_TYPES),
           site_param="type", console=True),
    Filter("level", "Support levels (any of them).", choices=tuple(str(level) for level in LEVELS),
           console=True),
    Filter("product", "Products.", site_param="product"),
    Filter("lang", "Languages (repeatable or comma-separated).", pattern=LANG_PATTERN,
           site_param="language"),
    Filter("tags", "Tags (repeatable or comma-separated).", lowercase=True),
    Filter("audience", "Audience of the article (agents only).", choices=AUDIENCES, agents_only=True),
)
FILTER_NAMES: tuple[str, ...] = tuple(f.name for f in FILTERS)
BY_NAME: dict[str, Filter] = {f.name: f for f in FILTERS}


def site_filters() -> tuple[Filter, ...]:
    """The filters the help centre offers (never an agents-only one)."""
    return tuple(f for f in FILTERS if f.site_param and not f.agents_only)


def console_filters() -> tuple[Filter, ...]:
    """The filters the agent console offers as selects."""
    return tuple(f for f in FILTERS if f.console)


def visible_filters(sees_internal: bool) -> tuple[str, ...]:
    """Names of the filters (and facets) a viewer may use and see."""
    return tuple(f.name for f in FILTERS if sees_internal or not f.agents_only)
