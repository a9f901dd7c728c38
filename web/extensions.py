"""Flask extensions shared by the blueprints: CSRF protection, rate limiting and UI translations."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf import CSRFProtect

from web.i18n import choose_lang

csrf = CSRFProtect()
#: gettext catalogs in web/translations; the visitor's language is chosen by ``web.i18n``.
babel = Babel()


def client_key() -> str:
    """Rate-limit key: the client address as the WSGI server (or a trusted proxy fix) reports it."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=choose_lang)
