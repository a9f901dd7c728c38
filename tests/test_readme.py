"""The README is the front door: every setting is documented and the quick start is real."""
from __future__ import annotations

import re
from pathlib import Path

from kb.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, re.M))
    assert set(DEFAULTS) - documented == set()
    assert documented - set(DEFAULTS) == set()


def test_quick_start_commands_name_real_files() -> None:
    assert "python -m pip install -r requirements.txt && python build.py && flask --app web run" in README
    assert "python -m pip install -r requirements-dev.txt && python -m pytest -n 2" in README
    assert (ROOT / "requirements.txt").exists() and (ROOT / "requirements-dev.txt").exists()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -q -r requirements-dev.txt && python -m pytest -n 2" in ci


def test_linked_docs_exist() -> None:
    for link in re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", README):
        assert (ROOT / link).exists(), link


def test_ci_fails_instead_of_skipping_browser_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^export CI=true$", ci, re.M)
    support = (ROOT / "tests" / "browser_support.py").read_text(encoding="utf-8")
    assert 'os.environ.get("CI") == "true"' in support
