"""One set of settings for build.py and the web app: defaults, then environment, then overrides."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

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
    "RATELIMIT_SEARCH": "120 per minute",
    "RATELIMIT_FEEDBACK": "20 per minute",
    "RATELIMIT_STORAGE_URI": "bounded-memory://",
    "RATELIMIT_MEMORY_KEYS": 20_000,
    "MALLOC_ARENAS": 2,
    "TRUSTED_PROXIES": 0,
    "SEMANTIC": "auto",
    "SEMANTIC_MODEL_DIR": "",
    "SECRET_KEY": "",
    "DEFAULT_LANG": "en",
    "MAX_QUERY_LENGTH": 500,
    "SEARCH_CACHE_SIZE": 512,
    "SEARCH_CACHE_BYTES": 4 * 2**20,
    "SITE_NAME": "Brightwave Help Centre",
    "SITE_URL": "",
    "SITE_POPULAR": "",
}

ENV_PREFIX = "KB_"


def _coerce(value: str, default: Any) -> Any:
    """Turn an environment string into the type of the default."""
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    return value


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, overridden by ``KB_<NAME>`` environment variables, overridden by ``overrides``."""
    env = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        raw = env.get(ENV_PREFIX + name)
        if raw is not None:
            try:
                settings[name] = _coerce(raw, default)
            except ValueError as exc:
                raise ValueError(f"{ENV_PREFIX}{name}: expected {type(default).__name__}, got {raw!r}") from exc
    if "KB_INSTANCE_DIR" in env and "KB_INDEX_DIR" not in env:
        settings["INDEX_DIR"] = str(Path(settings["INSTANCE_DIR"]) / "index")
    for name, value in (overrides or {}).items():
        settings[name] = value
    if overrides and "INSTANCE_DIR" in overrides and "INDEX_DIR" not in overrides and "KB_INDEX_DIR" not in env:
        settings["INDEX_DIR"] = str(Path(overrides["INSTANCE_DIR"]) / "index")
    return settings
