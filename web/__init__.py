"""The Flask app: customer help centre, JSON API, agent console and admin insights."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from kb.settings import layered_settings
from search import Engine, memory
from search.semantic.dense import Settings as SemanticSettings

log = logging.getLogger(__name__)


def _secret_key(instance_dir: Path) -> str:
    """A key shared by every worker on this machine: generated once into the instance folder."""
    path = instance_dir / "secret_key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
    except OSError:
        return secrets.token_hex(32)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """App factory: defaults, then ``instance/config.py``, then ``KB_*`` environment, then ``test_config``."""
    settings = layered_settings(test_config)
    instance_dir = Path(settings.values["INSTANCE_DIR"]).resolve()
    app = Flask(__name__, instance_path=str(instance_dir), instance_relative_config=True)
    app.config.from_mapping(settings.values)
    from web.shared import logs  # noqa: PLC0415
    logs.init_app(app)
    for problem in settings.problems:
        log.warning("settings: %s", problem)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(instance_dir)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["JSON_SORT_KEYS"] = False
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # behind a balancer: the client address comes from X-Forwarded-For (rate limits)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    arenas = int(app.config.get("MALLOC_ARENAS") or 0)
    if arenas > 0:  # before the server starts its threads: memory freed by one is reused by others
        memory.limit_arenas(arenas)
    app.extensions["supportkb.engine"] = Engine(app.config["INDEX_DIR"],
                                                semantic=SemanticSettings.from_config(app.config))

    from web.shared import (
        errors,
        extensions,
        metrics,
        security,
        tracking,  # noqa: PLC0415
    )
    metrics.init_app(app)  # first, so its timer starts before any other hook can answer
    extensions.init_app(app)
    security.init_app(app)
    tracking.init_app(app)
    errors.init_app(app)
    _pin_index_version_per_request(app)
    _register_blueprints(app)
    from web.shared.auth import resolve_viewers  # noqa: PLC0415
    resolve_viewers(app)
    if app.config.get("PREVIEW") is not None:  # only ``python build.py serve`` passes one
        from web import preview  # noqa: PLC0415
        preview.init_app(app)
    return app


def _pin_index_version_per_request(app: Flask) -> None:
    """A request sees one index version throughout, even if a build is published meanwhile."""
    engine = app.extensions["supportkb.engine"]

    @app.before_request
    def pin() -> None:
        g.supportkb_snapshot_token = engine.begin_request()

    @app.teardown_request
    def unpin(_exc: BaseException | None) -> None:
        token = g.pop("supportkb_snapshot_token", None)
        if token is not None:
            engine.end_request(token)


def _register_blueprints(app: Flask) -> None:
    from web.shared.health import bp as health_bp  # noqa: PLC0415
    app.register_blueprint(health_bp)
    from web.shared import media  # noqa: PLC0415
    media.init_app(app)
    for module_name in ("web.customer", "web.api", "web.console", "web.admin", "web.embed", "web.mcp"):
        try:
            module = __import__(module_name, fromlist=["bp"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
