"""Agent auth: env tokens, the hashed token file and its commands, console sessions."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AGENT_TOKEN, make_app

CONSOLE = {"X-Requested-With": "supportkb-console"}


@pytest.fixture()
def file_app(index_dir: Path, tmp_path: Path) -> Any:
    return make_app(index_dir, tmp_path / "inst", AGENT_TOKENS="",
                    AGENT_TOKEN_FILE=str(tmp_path / "tokens.json"))


def create_token(app: Any, name: str) -> tuple[str, str]:
    result = app.test_cli_runner().invoke(args=["token", "create", name])
    assert result.exit_code == 0, result.output
    token_id = re.search(r"Created token (\w+) for", result.output).group(1)
    return token_id, result.output.strip().splitlines()[-1]


def test_env_tokens_comma_separated(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst", AGENT_TOKENS=" first-token , second-token ")
    client = app.test_client()
    for token in ("first-token", "second-token"):
        body = client.get("/api/v1/search?q=quixotic", headers={"Authorization": f"Bearer {token}"})
        assert body.get_json()["total"] == 1
    assert client.get("/api/v1/search?q=quixotic",
                      headers={"Authorization": "Bearer first-token,second-token"}).status_code == 401


def test_token_file_commands(file_app: Any, tmp_path: Path) -> None:
    token_id, token = create_token(file_app, "Front line team")
    assert token.startswith("skb_") and len(token) > 40
    stored = (tmp_path / "tokens.json").read_text()
    assert token not in stored
    entry = json.loads(stored)["tokens"][0]
    assert set(entry) == {"id", "name", "hash", "created"} and entry["name"] == "Front line team"
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0

    client = file_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/search?q=quixotic", headers=headers).get_json()["total"] == 1

    listed = file_app.test_cli_runner().invoke(args=["token", "list"])
    assert token_id in listed.output and "Front line team" in listed.output and token not in listed.output

    revoked = file_app.test_cli_runner().invoke(args=["token", "revoke", token_id])
    assert revoked.exit_code == 0 and f"Revoked token {token_id}." in revoked.output
    response = client.get("/api/v1/search?q=quixotic", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"
    again = file_app.test_cli_runner().invoke(args=["token", "revoke", token_id])
    assert again.exit_code != 0 and "no token with id" in again.output


def test_token_list_empty(file_app: Any, tmp_path: Path) -> None:
    result = file_app.test_cli_runner().invoke(args=["token", "list"])
    assert result.output.strip() == f"No tokens in {tmp_path / 'tokens.json'}."


def test_default_token_file_is_in_instance(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst")
    create_token(app, "someone")
    assert (tmp_path / "inst" / "agent_tokens.json").exists()


def test_console_sign_in_requires_csrf(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.post("/agent/signin", data={"token": AGENT_TOKEN}).status_code == 400
    page = client.get("/agent").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/agent/signin", data={"token": "wrong", "csrf_token": csrf}).status_code == 401
    signed = client.post("/agent/signin", data={"token": AGENT_TOKEN, "csrf_token": csrf})
    assert signed.status_code == 302
    assert 'id="console"' in client.get("/agent").get_data(as_text=True)


def test_session_counts_for_api_only_with_console_header(client: Any) -> None:
    assert client.post("/agent/signin", data={"token": AGENT_TOKEN}).status_code == 302
    assert client.get("/api/v1/search?q=quixotic").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=quixotic", headers=CONSOLE).get_json()["total"] == 1
    cross = client.get("/api/v1/search?q=quixotic", headers={**CONSOLE, "Origin": "https://evil.example"})
    assert cross.get_json()["total"] == 0
    same = client.get("/api/v1/search?q=quixotic", headers={**CONSOLE, "Origin": "http://localhost"})
    assert same.get_json()["total"] == 1
    client.post("/agent/signout")
    assert client.get("/api/v1/search?q=quixotic", headers=CONSOLE).get_json()["total"] == 0
    assert 'name="token"' in client.get("/agent").get_data(as_text=True)


def test_revoking_a_token_ends_its_console_sessions(file_app: Any) -> None:
    token_id, token = create_token(file_app, "agent one")
    client = file_app.test_client()
    client.post("/agent/signin", data={"token": token})
    assert client.get("/api/v1/search?q=quixotic", headers=CONSOLE).get_json()["total"] == 1
    file_app.test_cli_runner().invoke(args=["token", "revoke", token_id])
    assert client.get("/api/v1/search?q=quixotic", headers=CONSOLE).get_json()["total"] == 0
    assert 'name="token"' in client.get("/agent").get_data(as_text=True)


def test_no_tokens_configured_rejects_any_bearer(file_app: Any) -> None:
    response = file_app.test_client().get("/api/v1/search?q=x", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401


def test_comparisons_are_constant_time() -> None:
    source = (Path(__file__).parent.parent / "web" / "shared" / "auth.py").read_text()
    tokens = (Path(__file__).parent.parent / "web" / "shared" / "tokens.py").read_text()
    assert "hmac.compare_digest" in source and "hmac.compare_digest" in tokens
