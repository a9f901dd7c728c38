"""The public articles of one index version, listed once per version for browsing and the sitemap.

Reading every stored article costs a fraction of a second at 10,000 articles, so a
:class:`Catalog` does it once, when a version is first browsed (``Snapshot.catalog``), and keeps
the lists pages are cut from: one per language, support type, product and tag, each built on first
use and cached for the life of the version. A page is a slice of such a list: no request reads
more articles than it shows.
"""
from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from cachetools import LRUCache

from search.viewer import ANONYMOUS
from search.visibility import may_see

PAGE_SIZE = 50
#: Filtered lists kept per version (a list of a few thousand references costs little memory).
MAX_CACHED_LISTS = 256

Item = dict[str, Any]


class PageOutOfRange(LookupError):
    """A page number past the last page of a list."""


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number (from 1), the page count and the list's length."""

    items: list[Item]
    number: int
    count: int
    total: int

    @property
    def first(self) -> int:
        """Position of the first item in the whole list, from 1."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.items else 0


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` items; an empty list still has its (empty) first page."""
    return max(1, math.ceil(total / size))


def paginate(items: tuple[Item, ...], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` (from 1) of ``items``; PageOutOfRange past the last page."""
    count = page_count(len(items), size)
    if not 1 <= number <= count:
        raise PageOutOfRange(f"page {number} of {count}")
    start = (number - 1) * size
    return Page(list(items[start:start + size]), number, count, len(items))


def prefer_language(items: Iterable[Item], lang: str) -> list[Item]:
    """One article per translation family, in ``lang`` when it exists; order kept."""
    chosen: dict[str, Item] = {}
    for item in items:
        family = item["translation_of"] or item["slug"]
        current = chosen.get(family)
        if current is None or (item["lang"] == lang and current["lang"] != lang):
            chosen[family] = item
    return list(chosen.values())


def title_key(item: Item) -> tuple[str, str]:
    return item["title"].lower(), item["slug"]


class Catalog:
    """Public articles of one version in title order, with cached browse lists and counts."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: tuple[Item, ...] = tuple(sorted(items, key=title_key))
        self.by_slug: dict[str, Item] = {item["slug"]: item for item in self.items}
        self.families: dict[str, dict[str, Item]] = {}
        for item in self.items:
            self.families.setdefault(item["translation_of"] or item["slug"], {})[item["lang"]] = item
        self._cache: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=MAX_CACHED_LISTS)
        self._lock = threading.Lock()

    @classmethod
    def read(cls, stored: Iterable[dict[str, Any]], summary: Callable[[dict[str, Any]], Item]
             ) -> Catalog:
        """From every stored document of a version: those an anonymous visitor may see (the one
        visibility check), as ``summary`` items."""
        return cls(summary(fields["data"]) for fields in stored if may_see(ANONYMOUS, fields["data"]))

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._cache[key] = found
        return found

    def listing(self, lang: str, langs: tuple[str, ...], support_type: str = "", product: str = "",
                tag: str = "") -> tuple[Item, ...]:
        """Articles in ``langs`` (one per translation family, ``lang`` preferred), in title order,
        narrowed to a support type, product and tag when given."""
        def make() -> tuple[Item, ...]:
            if product or tag:
                base = self.listing(lang, langs, support_type)
                return tuple(item for item in base if (not product or item["product"] == product)
                             and (not tag or tag in item["tags"]))
            if support_type:
                base = self.listing(lang, langs)
                return tuple(item for item in base if item["type"] == support_type)
            return tuple(prefer_language((i for i in self.items if i["lang"] in langs), lang))
        return self._cached(("list", lang, langs, support_type, product, tag), make)

    def type_counts(self, lang: str, langs: tuple[str, ...]) -> Counter[str]:
        """Articles per support type, as :meth:`listing` counts them."""
        return self._cached(("types", lang, langs),
                            lambda: Counter(item["type"] for item in self.listing(lang, langs)))

    def products(self, lang: str, langs: tuple[str, ...], support_type: str) -> Counter[str]:
        """Articles per product within a support type."""
        return self._cached(("products", lang, langs, support_type), lambda: Counter(
            item["product"] for item in self.listing(lang, langs, support_type) if item["product"]))

    def tags(self, lang: str, langs: tuple[str, ...], support_type: str, product: str) -> Counter[str]:
        """Articles per tag within a support type (and product)."""
        return self._cached(("tags", lang, langs, support_type, product), lambda: Counter(
            tag for item in self.listing(lang, langs, support_type, product) for tag in item["tags"]))

    def recent(self, lang: str, langs: tuple[str, ...], level: int, count: int) -> list[Item]:
        """The ``count`` most recently updated articles at ``level`` (any level when none)."""
        def make() -> list[Item]:
            items = self.listing(lang, langs)
            chosen = [item for item in items if item["level"] == level] or list(items)
            return sorted(chosen, key=lambda item: item["updated"] or "", reverse=True)[:count]
        return self._cached(("recent", lang, langs, level, count), make)

    def by_slug_order(self) -> list[Item]:
        """Every public article, every language, in slug order (the sitemap's order)."""
        return self._cached(("slugs",), lambda: sorted(self.items, key=lambda item: item["slug"]))
