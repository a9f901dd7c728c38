"""Containerfile and compose.yaml refer to real files, commands, settings and routes.

No container engine runs here: the files are parsed and every reference is checked against the
repository (files copied, commands run, settings set, the health check's route and port).
"""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from commands import build_check
from kb.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = ROOT / "Containerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` with continuation lines joined and comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def env_values(steps: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for keyword, rest in steps:
        if keyword == "ENV":
            values.update(dict(part.split("=", 1) for part in shlex.split(rest)))
    return values


def runtime_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def substitute(value: str) -> str:
    """Compose's ``${NAME:-default}`` with nothing set in the environment."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def steps() -> list[tuple[str, str]]:
    return instructions(CONTAINERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def ignored() -> list[str]:
    text = (ROOT / ".containerignore").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_both_ignore_files_agree_and_keep_what_the_build_needs() -> None:
    assert (ROOT / ".dockerignore").read_text() == (ROOT / ".containerignore").read_text()
    for needed in ("articles", "kb", "search", "web", "analytics", "commands", "build.py", "requirements.txt"):
        assert needed not in ignored()


def test_copied_files_exist_and_are_not_ignored(steps: list[tuple[str, str]]) -> None:
    copies = [shlex.split(rest) for keyword, rest in steps if keyword == "COPY" and "--from" not in rest]
    assert copies
    for parts in copies:
        for source in parts[:-1]:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") not in ignored(), source
    python_packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"tests", "bench"}
    copied = {source.rstrip("/") for parts in copies for source in parts[:-1]}
    assert python_packages <= copied  # every package the app imports is in the image


def test_commands_run_at_build_exist(steps: list[tuple[str, str]]) -> None:
    runs = [rest for keyword, rest in steps if keyword == "RUN"]
    assert "pip install -r requirements.txt" in runs
    build_run = next(shlex.split(rest) for rest in runs if "build.py" in rest)
    assert build_run[:2] == ["python", "build.py"]
    options = build_check._parser().parse_args(build_run[2:])  # the options exist (argparse exits otherwise)
    assert options.index == env_values(steps)["KB_INDEX_DIR"]
    assert options.articles == env_values(steps)["KB_ARTICLES_DIR"]


def test_runtime_serves_the_app_with_gunicorn_threads_as_non_root(steps: list[tuple[str, str]]) -> None:
    runtime = runtime_stage(steps)
    assert dict(runtime)["FROM"].startswith("python:3.11")
    user = dict(runtime)["USER"]
    assert user not in {"root", "0"}
    command = exec_form(dict(runtime)["CMD"])
    assert command[0] == "gunicorn" and "gunicorn==" in (ROOT / "requirements.txt").read_text()
    assert command[command.index("--worker-class") + 1] == "gthread"
    module, _, factory = command[-1].partition(":")
    assert factory == "create_app()"
    web = __import__(module)
    assert callable(web.create_app)
    port = command[command.index("--bind") + 1].rsplit(":", 1)[1]
    assert dict(runtime)["EXPOSE"] == port
    settings = {k[3:] for k in env_values(steps) if k.startswith("KB_")}
    assert settings <= set(DEFAULTS)


def test_health_check_calls_the_health_route(steps: list[tuple[str, str]], app: Any) -> None:
    healthcheck = dict(runtime_stage(steps))["HEALTHCHECK"]
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3:].strip())
    assert command[:2] == ["python", "-c"]
    compile(command[2], "<healthcheck>", "exec")
    url = urlsplit(re.search(r"'(http://[^']+)'", command[2]).group(1))  # type: ignore[union-attr]
    assert str(url.port) == dict(runtime_stage(steps))["EXPOSE"]
    assert app.test_client().get(url.path).status_code == 200


def test_compose_runs_the_image_with_postgresql_analytics(compose: dict[str, Any],
                                                         steps: list[tuple[str, str]]) -> None:
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert (ROOT / app["build"]["context"] / app["build"]["dockerfile"]) == CONTAINERFILE
    for name in app["environment"]:
        assert name.startswith("KB_") and name[3:] in DEFAULTS, name
    url = urlsplit(substitute(app["environment"]["KB_ANALYTICS_URL"]))
    assert url.scheme == "postgresql" and url.hostname == "db" and url.port == 5432
    assert url.username == db["environment"]["POSTGRES_USER"]
    assert url.password == substitute(db["environment"]["POSTGRES_PASSWORD"])
    assert url.path == "/" + db["environment"]["POSTGRES_DB"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy" and "healthcheck" in db
    image_env = env_values(steps)
    mounts = {target: source for source, target in (v.split(":", 1) for v in app["volumes"])}
    assert mounts[image_env["KB_INDEX_DIR"]] in compose["volumes"]
    assert mounts[image_env["KB_INSTANCE_DIR"]] in compose["volumes"]
    declared = json.loads(dict(runtime_stage(steps))["VOLUME"])
    assert set(declared) == {image_env["KB_INDEX_DIR"], image_env["KB_INSTANCE_DIR"]}
