"""``LOG_FORMAT``: text by default, or one JSON object per line with the request id and path."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import make_app
from web.shared.logs import StderrHandler

log = logging.getLogger("web.test_logs")


@pytest.fixture(autouse=True)
def restore_root_handlers() -> Iterator[None]:
    """The JSON handler goes on the root logger: take it off again after each test."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)


def app_with_logging_routes(index_dir: Path, instance: Path, **config: Any) -> Any:
    app = make_app(index_dir, instance, **config)

    @app.get("/_log")
    def logs_a_line() -> str:
        log.warning("looked up %s", "refunds")
        return "ok"

    @app.get("/_fail")
    def fails() -> str:
        raise RuntimeError("broken on purpose")

    return app


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_carry_request_id_and_path(index_dir: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    client = app_with_logging_routes(index_dir, tmp_path / "instance", LOG_FORMAT="json").test_client()
    response = client.get("/_log", headers={"X-Request-Id": "req-42.a_b"})
    assert response.headers["X-Request-Id"] == "req-42.a_b"
    lines = json_lines(capsys.readouterr().err)  # every line parses as one JSON object
    line = next(found for found in lines if found.get("message") == "looked up refunds")
    assert line["level"] == "WARNING" and line["logger"] == "web.test_logs"
    assert line["request_id"] == "req-42.a_b" and line["path"] == "/_log"
    assert line["time"].endswith("+00:00")


def test_a_traceback_stays_inside_one_json_line(index_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    client = app_with_logging_routes(index_dir, tmp_path / "instance", LOG_FORMAT="json").test_client()
    response = client.get("/_fail", headers={"X-Request-Id": "not valid!"})
    assert response.status_code == 500
    generated = response.headers["X-Request-Id"]
    assert generated != "not valid!" and len(generated) == 32
    lines = json_lines(capsys.readouterr().err)
    failure = next(line for line in lines if line["level"] == "ERROR")
    assert "RuntimeError: broken on purpose" in failure["exc_info"]
    assert failure["request_id"] == generated and failure["path"] == "/_fail"


def test_text_is_the_default_and_one_handler_is_kept(index_dir: Path, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    make_app(index_dir, tmp_path / "a")
    assert not [h for h in root.handlers if isinstance(h, StderrHandler)]
    make_app(index_dir, tmp_path / "b", LOG_FORMAT="json")
    make_app(index_dir, tmp_path / "c", LOG_FORMAT="JSON")
    assert len([h for h in root.handlers if isinstance(h, StderrHandler)]) == 1
    with caplog.at_level(logging.WARNING):
        app = make_app(index_dir, tmp_path / "d", LOG_FORMAT="yaml")
    assert app.config["LOG_FORMAT"] == "text"
    assert not [h for h in root.handlers if isinstance(h, StderrHandler)]
    assert "LOG_FORMAT must be one of ('text', 'json') (got 'yaml'); using text" in caplog.text
