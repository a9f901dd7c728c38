"""Settings layers through the running app: defaults < instance ``config.py`` < ``KB_*`` < test_config."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from kb.settings import is_known, layered_settings, load_settings
from web import create_app
from web.shared.tracking import recorder

FILE_TOKEN = "config-file-agent-token-0123456789"
FILE_KEY = "config-file-secret-key-0123456789"
INTERNAL_WORD = "quixotic"  # only in the fixture's agent-only article


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``KB_*`` setting from the machine running the tests leaks into these apps."""
    for name in list(os.environ):
        if name.startswith("KB_") and not name.startswith("KB_TEST_"):
            monkeypatch.delenv(name)


def write_config(instance: Path, text: str) -> Path:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "config.py"
    path.write_text(text, encoding="utf-8")
    return path


def app_on(index_dir: Path, instance: Path, **config: Any) -> Flask:
    """An app with only the paths and test switches set, so config.py and KB_* can show through."""
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "INSTANCE_DIR": str(instance),
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, **config})


def site_name_shown(app: Flask) -> str:
    page = app.test_client().get("/").get_data(as_text=True)
    for name in ("From the file", "From the environment", "From test_config", "Brightwave Help Centre"):
        if name in page:
            return name
    raise AssertionError("no known site name on the home page")


def test_config_file_settings_take_effect(index_dir: Path, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    write_config(instance, f'SITE_NAME = "From the file"\nSECRET_KEY = "{FILE_KEY}"\n'
                           f'AGENT_TOKENS = "{FILE_TOKEN}"\nANALYTICS_URL = "off"\n')
    app = app_on(index_dir, instance)
    client = app.test_client()

    assert site_name_shown(app) == "From the file"

    agent = {"Authorization": f"Bearer {FILE_TOKEN}"}
    found = client.get(f"/api/v1/search?q={INTERNAL_WORD}", headers=agent)
    assert found.status_code == 200
    assert "agents/goodwill-credits" in [hit["slug"] for hit in found.get_json()["results"]]
    anonymous = client.get(f"/api/v1/search?q={INTERNAL_WORD}").get_json()
    assert "agents/goodwill-credits" not in [hit["slug"] for hit in anonymous["results"]]

    # the console session cookie is signed with the file's key, and no key file is generated
    assert client.post("/agent/signin", data={"token": FILE_TOKEN}).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    checker = Flask("checker")
    checker.secret_key = FILE_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(checker)
    assert serializer is not None and "agent" in serializer.loads(cookie.value)
    assert not (instance / "secret_key").exists()

    # analytics off: no recorder, nothing written after searches and a click
    assert recorder(app) is None
    client.get("/search?q=refund")
    client.post("/api/v1/click", json={"query": "refund", "slug": "billing/refund-policy", "position": 1})
    assert not (instance / "analytics.sqlite3").exists()


def test_without_a_config_file_analytics_records(index_dir: Path, tmp_path: Path) -> None:
    """The control for the opt-out above: the default does record."""
    app = app_on(index_dir, tmp_path / "instance")
    assert recorder(app) is not None
    assert site_name_shown(app) == "Brightwave Help Centre"
    recorder(app).close()


def test_environment_overrides_the_file_and_test_config_overrides_both(
        index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    write_config(instance, 'SITE_NAME = "From the file"\nANALYTICS_URL = "off"\nMAX_QUERY_LENGTH = 20\n')
    monkeypatch.setenv("KB_SITE_NAME", "From the environment")
    monkeypatch.setenv("KB_MAX_QUERY_LENGTH", "30")
    app = app_on(index_dir, instance)
    assert site_name_shown(app) == "From the environment"
    client = app.test_client()
    assert client.get("/api/v1/search?q=" + "a" * 25).status_code == 200
    assert client.get("/api/v1/search?q=" + "a" * 35).get_json()["error"]["code"] == "query_too_long"

    app = app_on(index_dir, instance, SITE_NAME="From test_config")
    assert site_name_shown(app) == "From test_config"


def test_misspelled_names_are_reported_with_the_closest_setting(
        index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    instance = tmp_path / "instance"
    path = write_config(instance, 'SITE_NAEM = "typo"\nANALYTICS_URL = "off"\nSESSION_COOKIE_SECURE = True\n'
                                  'import os\nhelper = 1\n')
    monkeypatch.setenv("KB_ANALYTICS_ULR", "off")
    with caplog.at_level(logging.WARNING):
        app = app_on(index_dir, instance)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"settings: {path}: unknown setting 'SITE_NAEM' (did you mean 'SITE_NAME'?); ignored" in warnings
    assert ("settings: environment KB_ANALYTICS_ULR: unknown setting 'ANALYTICS_ULR' "
            "(did you mean 'ANALYTICS_URL'?); ignored") in warnings
    assert len(warnings) == 2  # Flask's own SESSION_COOKIE_SECURE and lower-case names are fine
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "SITE_NAEM" not in app.config


def test_flask_keys_are_allowed_in_every_layer() -> None:
    assert all(is_known(name) for name in Flask.default_config)
    assert is_known("RATELIMIT_ENABLED") and is_known("WTF_CSRF_ENABLED")
    assert not is_known("SITE_NAEM")


def test_flask_keys_from_the_environment_are_parsed_as_json(tmp_path: Path) -> None:
    layer = layered_settings(environ={"KB_INSTANCE_DIR": str(tmp_path), "KB_SESSION_COOKIE_SECURE": "true",
                                      "KB_SERVER_NAME": "help.example.com"})
    assert layer.values["SESSION_COOKIE_SECURE"] is True
    assert layer.values["SERVER_NAME"] == "help.example.com"
    assert layer.problems == []


def test_layers_and_index_folder(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    path = write_config(instance, 'INDEX_DIR = "/from/file"\nINSTANCE_DIR = "/elsewhere"\nSITE_NAME = "F"\n')
    env = {"KB_INSTANCE_DIR": str(instance)}
    layer = layered_settings(environ=env)
    assert layer.values["INDEX_DIR"] == "/from/file"
    assert layer.values["INSTANCE_DIR"] == str(instance)
    assert layer.sources["SITE_NAME"] == str(path) and layer.sources["INDEX_DIR"] == str(path)
    assert layer.problems == [f"{path}: INSTANCE_DIR cannot be set in the file it locates; "
                              "use KB_INSTANCE_DIR; ignored"]
    assert load_settings({"INDEX_DIR": "/over"}, environ={**env, "KB_INDEX_DIR": "/env"})["INDEX_DIR"] == "/over"
    assert load_settings(environ={**env, "KB_INDEX_DIR": "/env"})["INDEX_DIR"] == "/env"
    # build.py and the app read the same file
    assert load_settings(environ=env)["SITE_NAME"] == "F"


def test_a_broken_config_file_names_itself(tmp_path: Path) -> None:
    path = write_config(tmp_path, "SITE_NAME = (\n")
    with pytest.raises(ValueError, match=f"{path}: cannot be read: SyntaxError"):
        layered_settings(environ={"KB_INSTANCE_DIR": str(tmp_path)})
