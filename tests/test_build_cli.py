"""build.py: ``--check`` exit codes and lines, the build summary, and failed builds that change nothing."""
from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import build
from search import Engine, SearchRequest
from search.store import POINTER, VERSIONS, build_lock
from tests.kb_support import FIXTURE_KB, PROBLEMS, article

ROOT = Path(__file__).resolve().parent.parent
STALE = ("articles/billing/price-rise.md:8: warning: review_by: review date 2001-01-01 has passed "
         "(hint: review the article and move 'review_by' forward)")
BUILT = re.compile(r"^Built (\S+): 7 articles, 2 language\(s\), (\d+) changed, (\d+) removed, 0 errors, "
                   r"1 warnings, \d+\.\ds$")


@pytest.fixture()
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture KB in ``articles/``, run from its parent folder."""
    shutil.copytree(FIXTURE_KB, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    for name in ("KB_ARTICLES_DIR", "KB_INDEX_DIR", "KB_INSTANCE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = build.main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def served(index: Path) -> tuple[str, list[str]]:
    """The served version and every version folder: what a failed build must leave alone."""
    return (index / POINTER).read_text(encoding="utf-8"), sorted(p.name for p in (index / VERSIONS).iterdir())


def build_ok(capsys: pytest.CaptureFixture[str], *extra: str) -> re.Match[str]:
    code, out, err = run_main(capsys, "--articles", "articles", "--index", "index", "-q", *extra)
    assert code == 0, err
    assert err == [STALE]
    assert len(out) == 1
    match = BUILT.match(out[0])
    assert match, out[0]
    return match


def test_check_passes_with_warnings(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "--check", "--articles", "articles")
    assert code == 0
    assert err == [STALE]
    assert len(out) == 1 and re.fullmatch(r"OK: 7 articles, 0 errors, 1 warnings \(\d+\.\ds\)", out[0])
    assert not (work / "index").exists()


def test_strict_turns_warnings_into_failure(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "--check", "--strict", "--articles", "articles")
    assert (code, out) == (1, [])
    assert err == [STALE, "Error: 0 error(s), 1 warning(s) in articles; check failed"]


def test_check_fails_on_errors(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "articles" / "billing" / "bad.md").write_text(article("Bad one", level=9), encoding="utf-8")
    code, out, err = run_main(capsys, "--check", "--articles", "articles")
    assert (code, out) == (1, [])
    assert err == ["articles/billing/bad.md:4: error: level: must be 0, 1 or 2 (got 9) "
                   "(hint: 0 = information and forwarding, 1 = resolve, 2 = expert escalation)", STALE,
                   "Error: 1 error(s), 1 warning(s) in articles; check failed"]


def test_check_runs_golden_queries(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(work / "articles" / "_queries.yml", "a", encoding="utf-8") as handle:
        handle.write("- query: zanzibar\n  expect: billing/refund-policy\n  k: 1\n")
    code, _, err = run_main(capsys, "--check", "--articles", "articles")
    assert code == 1
    # golden queries search as a customer: the internal word finds nothing
    assert err[1] == ("articles/_queries.yml:7: error: expect: query 'zanzibar': expected "
                      "'billing/refund-policy' in the top 1, not in the top 10 (top: nothing) "
                      "(hint: improve the article's title, questions or summary, or the query's k)")
    code, _, _ = run_main(capsys, "--check", "--no-golden", "--articles", "articles")
    assert code == 0


def test_build_summary_and_incremental_rebuild(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = build_ok(capsys)
    assert (first.group(2), first.group(3)) == ("7", "0")
    assert served(work / "index") == (first.group(1) + "\n", [first.group(1)])
    again = build_ok(capsys)
    assert (again.group(2), again.group(3)) == ("0", "0")
    full = build_ok(capsys, "--full")
    assert (full.group(2), full.group(3)) == ("7", "0")
    assert (work / "index" / POINTER).read_text(encoding="utf-8") == full.group(1) + "\n"


def test_invalid_content_builds_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_ok(capsys)
    before = served(work / "index")
    (work / "articles" / "billing" / "refund-policy.md").write_text("no front matter\n", encoding="utf-8")
    code, out, err = run_main(capsys, "--articles", "articles", "--index", "index", "-q")
    assert (code, out) == (1, [])
    assert err[-1] == "Error: 3 error(s), 1 warning(s) in articles; nothing built"
    assert served(work / "index") == before


def test_crash_mid_build_leaves_the_served_index(work: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    build_ok(capsys)
    before = served(work / "index")
    engine = Engine(work / "index")
    try:
        version = engine.snapshot().name

        def explode(_article: object) -> dict[str, object]:
            raise RuntimeError("converter exploded")

        monkeypatch.setattr("search.indexer.to_document", explode)
        code, out, err = run_main(capsys, "--articles", "articles", "--index", "index", "-q", "--full",
                                  "--no-golden")
        assert (code, out) == (1, [])
        assert err == [STALE, "Error: build failed, the served index is unchanged: "
                              "RuntimeError: converter exploded"]
        assert served(work / "index") == before
        assert not list((work / "index" / VERSIONS).glob(".*"))
        assert engine.snapshot().name == version
        found = engine.search(SearchRequest("password")).results
        assert [hit.slug for hit in found] == ["technical/reset-password"]
    finally:
        engine.close()


@pytest.mark.parametrize("target", ["search.indexer.write_json", "search.store.os.replace"])
def test_disk_full_leaves_the_served_index(work: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    build_ok(capsys)
    before = served(work / "index")

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(target, full_disk)
    code, out, err = run_main(capsys, "--articles", "articles", "--index", "index", "-q", "--full",
                                  "--no-golden")
    assert (code, out) == (1, [])
    assert err[-2:] == ["Error: build failed, the served index is unchanged: OSError: [Errno 28] "
                        "No space left on device",
                        "Hint: free disk space where the index is built (a build writes a whole new "
                        "version beside the served one) and run the build again"]
    assert served(work / "index") == before
    assert not list((work / "index" / VERSIONS).glob(".*"))


def test_concurrent_build_is_refused(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_ok(capsys)
    before = served(work / "index")
    with build_lock(work / "index"):
        code, out, err = run_main(capsys, "--articles", "articles", "--index", "index", "-q")
    assert (code, out) == (1, [])
    assert err[-2:] == ["Error: build failed, the served index is unchanged: BuildLocked: another build is "
                        "running on index",
                        "Hint: wait for the other build to finish; the served index is left as it is"]
    assert served(work / "index") == before


def test_broken_folder_never_shows_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(PROBLEMS, broken)
    (broken / "latin-1.md").write_bytes("---\ntitle: Factura año\n---\n".encode("latin-1"))
    (broken / "binary.md").write_bytes(bytes(range(256)))
    (broken / "_routing.yml").write_text("billing: [unclosed\n", encoding="utf-8")
    (broken / "_synonyms.yml").write_bytes(b"\xff\xfe")
    (broken / "_queries.yml").write_text("query: not a list\n", encoding="utf-8")
    for extra in (["--check"], ["--check", "--strict"], ["--index", str(tmp_path / "index")]):
        completed = subprocess.run([sys.executable, str(ROOT / "build.py"), "--articles", "broken", *extra],
                                   cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 1
        assert "Traceback" not in completed.stderr
        lines = completed.stderr.splitlines()
        assert "broken/latin-1.md:1: error: file: not valid UTF-8 (invalid continuation byte at byte 20) " \
               "(hint: save the file as UTF-8)" in lines
        assert ("broken/_routing.yml:2: error: yaml: malformed YAML: expected ',' or ']', "
                "but got '<stream end>'") in lines
        assert "broken/_queries.yml:1: error: queries: must be a list of {query, expect, k}" in lines
        assert any(line.startswith("broken/_synonyms.yml:1: error: file: cannot read:") for line in lines)
        assert lines[-1].startswith("Error: 24 error(s), 2 warning(s) in broken; ")
    assert not (tmp_path / "index").exists()


def test_problem_fixtures_all_reported_in_one_run() -> None:
    completed = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check", "--articles", "problems"],
                               cwd=PROBLEMS.parent, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    named = {line.split(":")[0] for line in lines[:-1]}
    assert named == {f"problems/{p.name}" for p in PROBLEMS.glob("*.md") if p.name != "good-article.md"} | {
        "problems/_routing.yml"}
    assert lines[-1] == "Error: 19 error(s), 3 warning(s) in problems; check failed"


def test_demo_kb_passes_check_strict() -> None:
    completed = subprocess.run([sys.executable, "build.py", "--check", "--strict"], cwd=ROOT,
                               capture_output=True, text=True, timeout=300,
                               env={k: v for k, v in os.environ.items() if not k.startswith("KB_")})
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert re.fullmatch(r"OK: \d+ articles, 0 errors, 0 warnings \(\d+\.\ds\)\n", completed.stdout)


def test_golden_check_that_cannot_run_is_an_error_line(work: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("search.indexer.write_json", full_disk)
    code, out, err = run_main(capsys, "--check", "--articles", "articles")
    assert (code, out) == (1, [])
    assert err[:2] == [STALE, "Error: cannot run the golden queries: OSError: [Errno 28] No space left on device"]
    assert err[2].startswith("Hint: free disk space")
