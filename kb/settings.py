"""One set of settings for build.py and the web app, built in layers.

Later layers win: defaults < ``config.py`` in the instance folder < ``KB_*`` environment variables
< explicit overrides (``create_app(test_config)``, command-line options). Unknown names in
``config.py`` or ``KB_*`` are reported with the closest known name, so a typo never fails silently.
"""
from __future__ import annotations

import difflib
import json
import logging
import os
import runpy
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Every setting, its default and what it means. The README documents each one (a test checks).
DEFAULTS: dict[str, Any] = {
    "ARTICLES_DIR": str(PROJECT_ROOT / "articles"),
    "INDEX_DIR": str(PROJECT_ROOT / "instance" / "index"),
    "INSTANCE_DIR": str(PROJECT_ROOT / "instance"),
    "ANALYTICS_URL": "",
    "ANALYTICS_RETENTION_DAYS": 90,
    "AGENT_TOKENS": "",
    "AGENT_TOKEN_FILE": "",
    "ADMIN_TOKENS": "",
    "CORS_ORIGINS": "",
    "EMBED_ORIGINS": [],
    "RATELIMIT_SEARCH": "120 per minute",
    "RATELIMIT_FEEDBACK": "20 per minute",
    "RATELIMIT_STORAGE_URI": "bounded-memory://",
    "RATELIMIT_MEMORY_KEYS": 20_000,
    "MALLOC_ARENAS": 2,
    "TRUSTED_PROXIES": 0,
    "SEMANTIC": "auto",
    "SEMANTIC_MODEL_DIR": "",
    "USAGE_PRIOR": False,
    "MCP_ENABLED": True,
    "CLICK_PRIOR": False,
    "PROPOSAL_MIN_SESSIONS": 3,
    "SECRET_KEY": "",
    "DEFAULT_LANG": "en",
    "MAX_QUERY_LENGTH": 500,
    "SEARCH_CACHE_SIZE": 512,
    "SEARCH_CACHE_BYTES": 4 * 2**20,
    "SITE_NAME": "Brightwave Help Centre",
    "SITE_URL": "",
    "SITE_POPULAR": "",
    "METRICS": True,
    "METRICS_TOKENS": "",
    "METRICS_PUBLIC": False,
    "LOG_FORMAT": "text",
}

ENV_PREFIX = "KB_"
CONFIG_FILE = "config.py"

#: Flask's own configuration keys (``Flask.default_config``; a web test keeps this list complete).
FRAMEWORK_NAMES = frozenset({
    "APPLICATION_ROOT", "DEBUG", "EXPLAIN_TEMPLATE_LOADING", "MAX_CONTENT_LENGTH", "MAX_COOKIE_SIZE",
    "MAX_FORM_MEMORY_SIZE", "MAX_FORM_PARTS", "PERMANENT_SESSION_LIFETIME", "PREFERRED_URL_SCHEME",
    "PROPAGATE_EXCEPTIONS", "PROVIDE_AUTOMATIC_OPTIONS", "SECRET_KEY_FALLBACKS",
    "SEND_FILE_MAX_AGE_DEFAULT", "SERVER_NAME", "TEMPLATES_AUTO_RELOAD", "TESTING",
    "TRAP_BAD_REQUEST_ERRORS", "TRAP_HTTP_EXCEPTIONS", "TRUSTED_HOSTS", "USE_X_SENDFILE",
    "JSON_SORT_KEYS",
})
#: Families of keys read by Flask and its extensions (sessions, Flask-Limiter, Flask-WTF).
FRAMEWORK_PREFIXES = ("SESSION_", "RATELIMIT_", "WTF_")
#: ``KB_*`` variables that are not settings (the test suite's database).
NOT_SETTINGS_PREFIXES = ("KB_TEST_",)


def parse_origins(value: Any, name: str = "EMBED_ORIGINS") -> tuple[list[str], list[str]]:
    """Origins from a comma-separated string or a list: ``(valid, problems)``.

    An origin is ``https://host`` or ``http://host:port`` with no path, query or wildcard; each
    entry that is not one is reported and left out, so a typo never opens the embed to everyone.
    """
    items = value.split(",") if isinstance(value, str) else list(value or [])
    origins: list[str] = []
    problems: list[str] = []
    for item in items:
        text = str(item).strip().rstrip("/")
        if not text:
            continue
        try:
            parts = urllib.parse.urlsplit(text)
            port = parts.port
        except ValueError:
            parts, port = None, None
        valid = (parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
                 and "*" not in text and not parts.path and not parts.query and not parts.fragment
                 and not parts.username and not parts.password)
        if not valid or parts is None:
            problems.append(f"{name}: {text!r} is not an origin such as 'https://help.example.com' "
                            "(scheme and host, optional port, no path or wildcard); ignored")
            continue
        default_port = {"http": 80, "https": 443}[parts.scheme]
        host = parts.netloc.lower().rsplit(":", 1)[0] if port else parts.netloc.lower()
        origin = f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")
        if origin not in origins:
            origins.append(origin)
    return origins, problems


@dataclass
class LayeredSettings:
    """The merged values, which layer set each one, and the problems found on the way."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def is_known(name: str) -> bool:
    """A supportkb setting or a key Flask or one of its extensions reads."""
    return name in DEFAULTS or name in FRAMEWORK_NAMES or name.startswith(FRAMEWORK_PREFIXES)


def unknown_name(name: str, source: str) -> str:
    """``source: unknown setting 'NAME' (did you mean 'OTHER'?)``."""
    close = difflib.get_close_matches(name, list(DEFAULTS) + sorted(FRAMEWORK_NAMES), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{source}: unknown setting {name!r}{hint}; ignored"


def _coerce(value: str, default: Any) -> Any:
    """Turn an environment string into the type of the default."""
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    return value


def _framework_value(value: str) -> Any:
    """A Flask key from the environment: JSON when it parses (``true``, ``3600``), else the text."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _config_file(path: Path) -> dict[str, Any]:
    """The upper-case names a ``config.py`` defines (as Flask's ``from_pyfile`` reads them)."""
    if not path.is_file():
        return {}
    try:
        namespace = runpy.run_path(str(path))
    except Exception as exc:
        raise ValueError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from exc
    return {name: value for name, value in namespace.items() if name.isupper()}


def _apply(layer: LayeredSettings, name: str, value: Any, source: str) -> None:
    layer.values[name] = value
    layer.sources[name] = source


def _environment(layer: LayeredSettings, env: Mapping[str, str]) -> None:
    for variable, raw in sorted(env.items()):
        if not variable.startswith(ENV_PREFIX) or variable.startswith(NOT_SETTINGS_PREFIXES):
            continue
        name = variable[len(ENV_PREFIX):]
        if name in DEFAULTS:
            try:
                value = _coerce(raw, DEFAULTS[name])
            except ValueError as exc:
                raise ValueError(f"{variable}: expected {type(DEFAULTS[name]).__name__}, got {raw!r}") from exc
            _apply(layer, name, value, variable)
        elif is_known(name):
            _apply(layer, name, _framework_value(raw), variable)
        else:
            layer.problems.append(unknown_name(name, f"environment {variable}"))


def _instance_dir(overrides: Mapping[str, Any], env: Mapping[str, str]) -> Path:
    """The instance folder locates ``config.py``, so only the environment and overrides set it."""
    if "INSTANCE_DIR" in overrides:
        return Path(overrides["INSTANCE_DIR"])
    return Path(env.get(ENV_PREFIX + "INSTANCE_DIR") or DEFAULTS["INSTANCE_DIR"])


def layered_settings(overrides: Mapping[str, Any] | None = None,
                     environ: Mapping[str, str] | None = None,
                     read_config_file: bool = True) -> LayeredSettings:
    """Defaults < ``<INSTANCE_DIR>/config.py`` < ``KB_<NAME>`` variables < ``overrides``.

    ``INDEX_DIR`` follows ``INSTANCE_DIR`` (``<INSTANCE_DIR>/index``) unless a layer sets it.
    Problems (unknown names) are returned, not raised: the caller logs them.
    """
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    layer = LayeredSettings(dict(DEFAULTS), {name: "default" for name in DEFAULTS})
    instance_dir = _instance_dir(overrides, env)
    if read_config_file:
        path = instance_dir / CONFIG_FILE
        for name, value in _config_file(path).items():
            if name == "INSTANCE_DIR":
                layer.problems.append(f"{path}: INSTANCE_DIR cannot be set in the file it locates; "
                                      "use KB_INSTANCE_DIR; ignored")
            elif is_known(name):
                _apply(layer, name, value, str(path))
            else:
                layer.problems.append(unknown_name(name, str(path)))
    _environment(layer, env)
    for name, value in overrides.items():
        _apply(layer, name, value, "overrides")
    layer.values["EMBED_ORIGINS"], problems = parse_origins(layer.values["EMBED_ORIGINS"])
    layer.problems += [f"{layer.sources['EMBED_ORIGINS']}: {problem}" for problem in problems]
    if layer.sources["INDEX_DIR"] == "default" and layer.sources["INSTANCE_DIR"] != "default":
        layer.values["INDEX_DIR"] = str(Path(layer.values["INSTANCE_DIR"]) / "index")
    return layer


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The layered settings (see :func:`layered_settings`); problems are logged as warnings."""
    layer = layered_settings(overrides, environ)
    for problem in layer.problems:
        log.warning("%s", problem)
    return layer.values
