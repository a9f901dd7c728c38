"""The Flask app: customer help centre, JSON API, agent console and admin insights."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from kb.settings import DEFAULTS, load_settings
from search import Engine
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
    settings = load_settings(test_config)
    instance_dir = Path(settings["INSTANCE_DIR"]).resolve()
    app = Flask(__name__, instance_path=str(instance_dir), instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(instance_dir)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config["JSON_SORT_KEYS"] = False
    from web.malloc import limit_arenas  # noqa: PLC0415
    limit_arenas(int(app.config.get("MALLOC_ARENAS") or 0))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # behind a balancer: the client address comes from X-Forwarded-For (rate limits)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.extensions["supportkb.engine"] = Engine(app.config["INDEX_DIR"],
                                                semantic=SemanticSettings.from_config(app.config))

    from web import errors, extensions, security, tracking  # noqa: PLC0415
    extensions.init_app(app)
    security.init_app(app)
    tracking.init_app(app)
    errors.init_app(app)
    _pin_index_version_per_request(app)
    _register_blueprints(app)
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
    from web.health import bp as health_bp  # noqa: PLC0415
    app.register_blueprint(health_bp)
    for module_name in ("web.site", "web.api", "web.agent", "web.admin"):
        try:
            module = __import__(module_name, fromlist=["bp"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
