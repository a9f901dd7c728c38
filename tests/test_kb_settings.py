"""Settings: defaults, then ``KB_*`` environment variables, then explicit overrides."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.settings import DEFAULTS, PROJECT_ROOT, load_settings


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings == DEFAULTS
    assert settings["ARTICLES_DIR"] == str(PROJECT_ROOT / "articles")
    assert settings["INDEX_DIR"] == str(PROJECT_ROOT / "instance" / "index")


def test_environment_is_coerced_to_the_default_type() -> None:
    settings = load_settings(environ={"KB_MAX_QUERY_LENGTH": "200", "KB_ARTICLES_DIR": "/srv/a",
                                      "KB_ANALYTICS_RETENTION_DAYS": "7", "UNRELATED": "x"})
    assert settings["MAX_QUERY_LENGTH"] == 200 and settings["ANALYTICS_RETENTION_DAYS"] == 7
    assert settings["ARTICLES_DIR"] == "/srv/a"


def test_bad_number_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ValueError, match=r"KB_MAX_QUERY_LENGTH: expected int, got 'lots'"):
        load_settings(environ={"KB_MAX_QUERY_LENGTH": "lots"})


def test_overrides_win_over_environment() -> None:
    settings = load_settings({"ARTICLES_DIR": "/b"}, environ={"KB_ARTICLES_DIR": "/a"})
    assert settings["ARTICLES_DIR"] == "/b"


def test_index_follows_the_instance_folder_unless_set(tmp_path: Path) -> None:
    instance = {"KB_INSTANCE_DIR": "/var/kb"}
    assert load_settings(environ=instance)["INDEX_DIR"] == str(Path("/var/kb") / "index")
    assert load_settings(environ={**instance, "KB_INDEX_DIR": "/idx"})["INDEX_DIR"] == "/idx"
    assert load_settings({"INSTANCE_DIR": str(tmp_path)}, environ={})["INDEX_DIR"] == str(tmp_path / "index")
    assert load_settings({"INSTANCE_DIR": "/i", "INDEX_DIR": "/x"}, environ={})["INDEX_DIR"] == "/x"
