"""Which language a visitor gets, and the display names the customer site translates.

UI text is English in the code (``_("Search the help centre")`` in templates, ``gettext`` in
Python) and translated through the gettext catalogs in ``web/translations`` (Flask-Babel; see
"Translating the UI" in docs/site.md). The language comes from ``?lang=`` (remembered in a cookie
by the switcher links), then the cookie, then ``Accept-Language``, then ``DEFAULT_LANG``. Unknown
codes fall back quietly.
"""
from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from flask import current_app, g, request
from flask_babel import gettext, lazy_gettext

COOKIE = "lang"
#: UI languages: English is the source text, every other one has a catalog in web/translations.
LANGUAGES = ("en", "es")
#: Each language in its own name, as the switcher shows it.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
#: Babel locale for dates: British English writes ``23 November 2026``.
DATE_LOCALES = {"en": "en_GB"}

TYPE_NAMES = {
    "technical": lazy_gettext("Technical support"),
    "billing": lazy_gettext("Billing"),
    "product": lazy_gettext("Products and features"),
    "general": lazy_gettext("General enquiries"),
}
TYPE_DESCRIPTIONS = {
    "technical": lazy_gettext("Something isn't working: connection, signal, devices and faults."),
    "billing": lazy_gettext("Bills, payments, refunds and charges."),
    "product": lazy_gettext("How to set up and use your services and devices."),
    "general": lazy_gettext("Opening hours, contact details, policies and your account."),
}
PRODUCT_NAMES = {
    "account": lazy_gettext("Account"),
    "broadband": lazy_gettext("Broadband"),
    "mobile": lazy_gettext("Mobile"),
    "smart-home": lazy_gettext("Smart home"),
}
FACET_TITLES = {
    "type": lazy_gettext("Topic"),
    "product": lazy_gettext("Product"),
    "lang": lazy_gettext("Language"),
    "tags": lazy_gettext("Tag"),
}
ERROR_HEADINGS = {
    400: lazy_gettext("We couldn't understand that request"),
    404: lazy_gettext("We can't find that page"),
    429: lazy_gettext("Too many requests"),
    500: lazy_gettext("Something went wrong on our side"),
    503: lazy_gettext("Search is briefly unavailable"),
}


def supported() -> list[str]:
    """UI languages, the configured default first."""
    default = default_lang()
    return [default] + [code for code in LANGUAGES if code != default]


def default_lang() -> str:
    configured = str(current_app.config.get("DEFAULT_LANG") or "en")
    return configured if configured in LANGUAGES else "en"


def requested_lang() -> str | None:
    """A supported ``?lang=`` value (first one only), else None."""
    value = request.args.get("lang", "")
    return value if value in LANGUAGES else None


def choose_lang() -> str:
    """The visitor's UI language for this request (cached on ``g``); Flask-Babel's locale selector."""
    cached = g.get("site_lang")
    if cached:
        return cached
    lang = requested_lang() or request.cookies.get(COOKIE, "")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(list(LANGUAGES)) or default_lang()
    g.site_lang = lang
    return lang


def format_date(value: str, lang: str | None = None) -> str:
    """``2026-11-23`` as ``23 November 2026`` / ``23 de noviembre de 2026``; unknown stays as is."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    lang = lang or choose_lang()
    return babel_format_date(day, format="long", locale=DATE_LOCALES.get(lang, lang))


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code.upper())


def language_in_text(code: str, lang: str | None = None) -> str:
    """A language named in the reader's language, for sentences: ``inglés`` in Spanish text."""
    try:
        name = Locale.parse(code, sep="-").get_language_name(DATE_LOCALES.get(lang or choose_lang(),
                                                                               lang or choose_lang()))
    except (ValueError, TypeError, UnknownLocaleError):
        name = None
    return name or language_name(code)


def label(kind: str, value: str) -> str:
    """A facet value for people: ``type``/``product`` codes translated, others as written."""
    names = {"type": TYPE_NAMES, "product": PRODUCT_NAMES}.get(kind)
    if names is not None:
        found = names.get(value)
        return str(found) if found is not None else value.replace("-", " ").capitalize()
    if kind == "lang":
        return language_name(value)
    return value


def type_description(support_type: str) -> str:
    """The one-line summary of a support type shown on its topic card and browse page."""
    found = TYPE_DESCRIPTIONS.get(support_type)
    return str(found) if found is not None else ""


def facet_title(name: str) -> str:
    found = FACET_TITLES.get(name)
    return str(found) if found is not None else name.capitalize()


def error_heading(status: int) -> str:
    """The error page's heading for an HTTP status (a general one when it has none of its own)."""
    found = ERROR_HEADINGS.get(status)
    return str(found) if found is not None else gettext("Something went wrong")
