"""Which support type and level an imported article gets, from its category and sections.

A mapping file (YAML, ``--mapping FILE``) names categories and sections by name or id::

    default: {type: general, level: 0}
    categories:
      Billing & Payments: {type: billing}
    sections:
      Troubleshooting: {type: technical, level: 1}
      "360001234567": {level: 2}

The innermost section wins, then outer sections, then the category; ``type`` and ``level`` are
looked up separately. What the file does not settle is guessed from the names (every guess is
listed in the report), and what cannot be guessed is the default: ``general`` at level 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.imports.source import BadInput, SourceArticle
from kb.model import LEVELS, SUPPORT_TYPES

#: Words in a category or section name that suggest a support type, checked in this order.
TYPE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("billing", re.compile(r"\b(bill\w*|invoic\w*|payments?|pay|refunds?|pric\w*|charges?|"
                           r"subscriptions?|plans?|factura\w*|pagos?|reembolsos?)\b", re.I)),
    ("technical", re.compile(r"\b(technical|troubleshoot\w*|errors?|problems?|issues?|fix\w*|"
                             r"outages?|connect\w*|not working|broken|support|técnic\w*|"
                             r"problemas?|averías?)\b", re.I)),
    ("product", re.compile(r"\b(products?|features?|how to|how-to|guides?|getting started|"
                           r"set ?up|tutorials?|using|devices?|apps?|productos?|guías?)\b", re.I)),
    ("general", re.compile(r"\b(general|faqs?|about|contact|policies|policy|hours|account)\b",
                           re.I)),
]
LEVEL_WORDS: list[tuple[int, re.Pattern[str]]] = [
    (2, re.compile(r"\b(level\s*2|l2|advanced|expert|escalat\w*|nivel\s*2)\b", re.I)),
    (1, re.compile(r"\b(level\s*1|l1|troubleshoot\w*|resolv\w*|nivel\s*1)\b", re.I)),
    (0, re.compile(r"\b(level\s*0|l0|nivel\s*0)\b", re.I)),
]


@dataclass
class Mapping:
    """A writer's mapping file (possibly empty) and the guesses made when applying it."""

    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    default_type: str = "general"
    default_level: int = 0
    #: what the file's ``default`` states ("type", "level"): falling back to it is no guess
    stated_defaults: frozenset[str] = frozenset()
    #: (kind, name, "type" or "level") -> (value, why), one entry per distinct guess
    guesses: dict[tuple[str, str, str], tuple[Any, str]] = field(default_factory=dict)

    def apply(self, article: SourceArticle) -> None:
        """Set ``article.type`` and ``article.level`` from the file, guesses or defaults."""
        places = [("section", sid, name) for sid, name in
                  reversed(list(zip(_pad(article.section_ids, article.sections), article.sections)))]
        places.append(("category", article.category_id, article.category))
        article.type = (article.fixed_type or self._lookup(places, "type")
                        or self._guess(places, "type", TYPE_WORDS, self.default_type))
        level = article.fixed_level if article.fixed_level is not None else self._lookup(places, "level")
        article.level = (level if level is not None
                         else self._guess(places, "level", LEVEL_WORDS, self.default_level))

    def _lookup(self, places: list[tuple[str, str, str]], key: str) -> Any:
        for kind, place_id, name in places:
            table = self.sections if kind == "section" else self.categories
            for name_or_id in (place_id, name):
                entry = table.get(str(name_or_id)) if name_or_id else None
                if entry and key in entry:
                    return entry[key]
        return None

    def _guess(self, places: list[tuple[str, str, str]], key: str,
               words: list[tuple[Any, re.Pattern[str]]], default: Any) -> Any:
        """The first value of ``words`` whose pattern a place's name matches, innermost place
        first, else ``default``; either way listed in ``guesses`` (a stated default is no guess)."""
        for kind, _, name in places:
            for value, pattern in words:
                found = pattern.search(name or "")
                if found:
                    self.guesses[(kind, name, key)] = (value, f"from {found.group(0)!r}")
                    return value
        named = [(kind, name) for kind, _, name in places if name]
        if named and key not in self.stated_defaults:  # listed, so --mapping-out names it
            self.guesses[(*named[0], key)] = (default, "default: no hint in the name")
        return default

    def guess_lines(self) -> list[str]:
        """Every guess, one line each: ``section 'Troubleshooting': type technical (from ...)``."""
        return [f"{kind} {name!r}: {key} {value} ({why})"
                for (kind, name, key), (value, why) in sorted(self.guesses.items(), key=str)]

    def as_yaml(self) -> str:
        """A mapping file a writer can start from: its own rules plus every guess as a rule."""
        rules: dict[str, dict[str, dict[str, Any]]] = {
            "categories": {k: dict(v) for k, v in self.categories.items()},
            "sections": {k: dict(v) for k, v in self.sections.items()}}
        for (kind, name, key), (value, _why) in sorted(self.guesses.items()):
            rules["categories" if kind == "category" else "sections"].setdefault(name, {})[key] = value
        data = {"default": {"type": self.default_type, "level": self.default_level},
                **{k: v for k, v in rules.items() if v}}
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _pad(ids: list[str], names: list[str]) -> list[str]:
    return list(ids) + [""] * (len(names) - len(ids))


def _rule(path: Path, where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(path, f"{where}: must be a mapping like '{{type: billing, level: 1}}'")
    unknown = set(value) - {"type", "level"}
    if unknown:
        raise BadInput(path, f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                             "use type and level")
    if "type" in value and value["type"] not in SUPPORT_TYPES:
        raise BadInput(path, f"{where}: type must be one of {', '.join(SUPPORT_TYPES)} "
                             f"(got {value['type']!r})")
    if "level" in value and (isinstance(value["level"], bool) or value["level"] not in LEVELS):
        raise BadInput(path, f"{where}: level must be 0, 1 or 2 (got {value['level']!r})")
    return dict(value)


def load_mapping(path: Path | None) -> Mapping:
    """The mapping file at ``path`` (an empty mapping when None); BadInput names what is wrong."""
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(path, f"cannot read the mapping file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise BadInput(path, f"malformed YAML{line}") from None
    if not isinstance(data, dict):
        raise BadInput(path, "must be a YAML mapping with default, categories and sections")
    unknown = set(data) - {"default", "categories", "sections"}
    if unknown:
        raise BadInput(path, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    default = _rule(path, "default", data.get("default") or {})
    tables = {}
    for kind in ("categories", "sections"):
        table = data.get(kind) or {}
        if not isinstance(table, dict):
            raise BadInput(path, f"{kind}: must map names or ids to rules")
        tables[kind] = {str(k): _rule(path, f"{kind}: {k}", v) for k, v in table.items()}
    return Mapping(tables["categories"], tables["sections"], default.get("type", "general"),
                   default.get("level", 0), stated_defaults=frozenset(default))
