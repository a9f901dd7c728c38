"""The contact box: the channels right for a support type, with the front line's public details.

Only Level 0 (front line) contacts are shown to customers; higher levels hold internal extensions,
and route notes are for agents. A value that does not look public (``ext. 4405``) is left out.
"""
from __future__ import annotations

import re
from typing import Any

from flask import url_for
from flask_babel import gettext, lazy_gettext

from kb.model import SUPPORT_TYPES
from web.shared.i18n import label

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEB = re.compile(r"^https://\S+$")
#: Channels that point at our own articles rather than at a person.
SELF_SERVICE = ("knowledge-base", "tutorials", "faq")
#: How each channel is offered (the knowledge-base link names the team: see contact_box).
LABELS = {
    "phone": lazy_gettext("Call us"),
    "chat": lazy_gettext("Chat with us"),
    "email": lazy_gettext("Email us"),
    "portal": lazy_gettext("Use My Account"),
    "chatbot": lazy_gettext("Ask our virtual assistant"),
    "remote-desktop": lazy_gettext("Ask for a remote support session when you call"),
    "tutorials": lazy_gettext("Step-by-step guides"),
    "faq": lazy_gettext("Frequently asked questions"),
}


def _option(kind: str, text: str, href: str, value: str = "") -> dict[str, str]:
    return {"kind": kind, "label": text, "href": href, "value": value}


def _contact(kind: str, value: str) -> dict[str, str] | None:
    if kind == "phone" and PHONE.match(value):
        return _option("phone", str(LABELS["phone"]), "tel:" + re.sub(r"[^0-9+]", "", value), value)
    if kind == "email" and EMAIL.match(value):
        return _option("email", str(LABELS["email"]), "mailto:" + value, value)
    if kind in ("chat", "chatbot", "portal") and WEB.match(value):
        return _option(kind, str(LABELS[kind]), value)
    return None


def contact_box(routing: Any, support_type: str, channels: list[str] | None = None) -> dict[str, Any]:
    """Team name, opening hours and contact options for ``support_type`` (``general`` if unknown)."""
    if support_type not in SUPPORT_TYPES:
        support_type = "general"
    team = label("type", support_type)
    route = routing.route(support_type, 0)
    contacts = dict(route.contacts) if route else {}
    wanted = list(channels or routing.channels.get(support_type) or [])
    options: list[dict[str, str]] = []
    for channel in wanted:
        option = None
        if channel in ("phone", "email", "portal", "chat"):
            option = _contact(channel, contacts.get(channel, ""))
        elif channel == "chatbot":
            option = _contact("chatbot", contacts.get("chat", ""))
        elif channel == "remote-desktop" and "phone" in contacts:
            option = _option("remote-desktop", str(LABELS["remote-desktop"]), "")
        elif channel in SELF_SERVICE:
            target = "general" if channel == "faq" else support_type
            text = (gettext("Browse %(team)s articles", team=team.lower())
                    if channel == "knowledge-base" else str(LABELS[channel]))
            option = _option(channel, text, url_for("site.browse", support_type=target))
        if option and all(o["href"] != option["href"] or not option["href"] for o in options):
            options.append(option)
    if not any(o["kind"] in ("phone", "email", "chat", "chatbot", "portal") for o in options):
        options += [o for kind in ("phone", "email", "chat") if kind not in wanted
                    for o in [_contact(kind, contacts.get(kind, ""))] if o]
    return {"type": support_type, "team": team, "hours": route.hours if route else "",
            "options": options}


def all_contact_boxes(routing: Any) -> list[dict[str, Any]]:
    """One box per support type, for the home page's contact section."""
    return [contact_box(routing, support_type) for support_type in SUPPORT_TYPES]
