"""Escalation routes: where a Level 0 agent forwards a customer, per support type and level."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.model import CHANNELS, LEVELS, SUPPORT_TYPES
from kb.problems import Problem
from kb.yamlfile import read_yaml

ROUTING_FILE = "_routing.yml"
CONTACT_KEYS = ("phone", "chat", "email", "portal", "remote_desktop")
ROUTE_KEYS = ("queue", "hours", "notes") + CONTACT_KEYS

#: Channels customers are offered per support type when the routing file does not say.
DEFAULT_CHANNELS = {
    "technical": ["phone", "chat", "email", "remote-desktop"],
    "billing": ["phone", "email", "portal"],
    "product": ["knowledge-base", "tutorials", "chat", "email"],
    "general": ["phone", "email", "faq", "chatbot"],
}


@dataclass
class Route:
    """Where to forward a customer: a queue and how to reach it."""

    type: str
    level: int
    queue: str
    hours: str = ""
    notes: str = ""
    contacts: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line to read out, e.g. ``Billing, Level 1: Billing resolutions, 0800 ..., 8-20``."""
        parts = [self.queue] + [self.contacts[k] for k in ("phone", "email") if k in self.contacts]
        if self.hours:
            parts.append(self.hours)
        return f"{self.type.capitalize()}, Level {self.level}: " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "level": self.level, "queue": self.queue, "hours": self.hours,
                "notes": self.notes, "contacts": dict(self.contacts), "summary": self.describe()}


@dataclass
class Routing:
    """All routes plus the channels offered per support type."""

    routes: dict[tuple[str, int], Route] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    channels: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))

    def route(self, support_type: str, level: int) -> Route | None:
        return self.routes.get((support_type, level))

    def to_json(self) -> dict[str, Any]:
        return {t: {"name": self.names.get(t, t.capitalize()), "channels": self.channels.get(t, []),
                    "levels": {str(lvl): r.as_dict() for (rt, lvl), r in sorted(self.routes.items())
                               if rt == t}}
                for t in SUPPORT_TYPES}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Routing":
        routing = cls()
        for support_type, entry in data.items():
            routing.names[support_type] = entry.get("name", support_type)
            routing.channels[support_type] = list(entry.get("channels", []))
            for level, route in entry.get("levels", {}).items():
                routing.routes[(support_type, int(level))] = Route(
                    support_type, int(level), route["queue"], route.get("hours", ""),
                    route.get("notes", ""), dict(route.get("contacts", {})))
        return routing


def load_routing(articles_dir: Path) -> tuple[Routing, list[Problem]]:
    """Read and check ``_routing.yml``; every type needs a route for every level."""
    rel = ROUTING_FILE
    data, problems = read_yaml(articles_dir / ROUTING_FILE, rel)
    routing = Routing()
    if data is None:
        if not problems:
            problems.append(Problem(rel, 1, "routing", "no routing file",
                                    "create articles/_routing.yml (see the README)", "warning"))
        return routing, problems
    if not isinstance(data, dict):
        return routing, [Problem(rel, 1, "routing", "must map support types to routes")]
    for support_type, entry in data.items():
        if support_type not in SUPPORT_TYPES:
            problems.append(Problem(rel, 1, str(support_type), "unknown support type",
                                    f"use one of {', '.join(SUPPORT_TYPES)}"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(rel, 1, support_type, "must have name, channels and levels"))
            continue
        routing.names[support_type] = str(entry.get("name", support_type.capitalize()))
        channels = [str(c) for c in entry.get("channels") or DEFAULT_CHANNELS[support_type]]
        problems += [Problem(rel, 1, f"{support_type}.channels", f"unknown channel {c!r}",
                             f"use one of {', '.join(CHANNELS)}") for c in channels if c not in CHANNELS]
        routing.channels[support_type] = channels
        for level, route in (entry.get("levels") or {}).items():
            where = f"{support_type}.levels.{level}"
            if level not in LEVELS or not isinstance(route, dict) or not route.get("queue"):
                problems.append(Problem(rel, 1, where, "must be level 0, 1 or 2 with a 'queue'"))
                continue
            unknown = [k for k in route if k not in ROUTE_KEYS]
            problems += [Problem(rel, 1, f"{where}.{k}", "unknown key",
                                 f"use {', '.join(ROUTE_KEYS)}") for k in unknown]
            routing.routes[(support_type, level)] = Route(
                support_type, level, str(route["queue"]), str(route.get("hours", "")),
                str(route.get("notes", "")),
                {k: str(route[k]) for k in CONTACT_KEYS if route.get(k)})
    for support_type in SUPPORT_TYPES:
        for level in LEVELS:
            if (support_type, level) not in routing.routes:
                problems.append(Problem(rel, 1, f"{support_type}.levels.{level}", "no route",
                                        "every support type needs a route for levels 0, 1 and 2",
                                        "warning"))
    return routing, problems
