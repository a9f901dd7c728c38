"""Flask extensions shared by the blueprints: CSRF protection, rate limiting and UI translations."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_wtf import CSRFProtect

from web.shared.i18n import choose_lang
from web.shared.ratelimit_storage import MAX_CLIENT_KEY, BoundedMemoryStorage

csrf = CSRFProtect()
#: gettext catalogs in web/translations; the visitor's language is chosen by ``web.shared.i18n``.
babel = Babel()


def client_key() -> str:
    """Rate-limit key: the client address as the WSGI server (or a trusted proxy fix) reports it."""
    return (request.remote_addr or "unknown")[:MAX_CLIENT_KEY]


def search_limit() -> str:
    """Rate limit of search endpoints (setting ``RATELIMIT_SEARCH``)."""
    return str(current_app.config.get("RATELIMIT_SEARCH") or "120 per minute")


def feedback_limit() -> str:
    """Rate limit of feedback endpoints (setting ``RATELIMIT_FEEDBACK``)."""
    return str(current_app.config.get("RATELIMIT_FEEDBACK") or "20 per minute")


limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "bounded-memory://"
    app.config["RATELIMIT_STORAGE_URI"] = uri
    if uri.split(":", 1)[0] in BoundedMemoryStorage.STORAGE_SCHEME:
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("max_keys", int(app.config.get("RATELIMIT_MEMORY_KEYS") or 0) or None)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {k: v for k, v in options.items() if v is not None}
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=choose_lang)
