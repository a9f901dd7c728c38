"""Translations that keep up, from the writer's side: the source hash, ``--check`` warnings,
``build.py translations`` and ``--mark-current``, over a real git repository."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import build
from kb import load_knowledge_base
from kb.fmedit import FrontMatterError, set_field
from kb.translations import source_hash
from tests.translations_support import (
    INTERNAL_TRANSLATION,
    SOURCE,
    TRANSLATION,
    commit,
    git,
    line_of,
    make_repo,
    replace_in,
)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository with the translation marked current and committed."""
    root = make_repo(tmp_path / "kb", monkeypatch)
    assert build.main(["translations", "--articles", "articles", "--mark-current", TRANSLATION,
                       INTERNAL_TRANSLATION]) == 0
    commit(root, "Spanish refunds translation is current")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = build.main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def check(capsys: pytest.CaptureFixture[str], strict: bool = True) -> tuple[int, list[str]]:
    code, _, err = run(capsys, "--check", *(["--strict"] if strict else []), "--no-golden",
                       "--articles", "articles")
    return code, err


def test_a_commit_to_the_source_makes_its_translation_stale(repo: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys) == (0, [])
    replace_in(repo / SOURCE, "within 5 working days", "within 10 working days")
    commit(repo, "Refunds now take 10 days")
    line = line_of(repo / TRANSLATION, "source_hash:")
    warning = (f"{TRANSLATION}:{line}: warning: source_hash: translation may be out of date: "
               "'billing/refunds' changed since it was translated (hint: see 'git log -p "
               f"{SOURCE}'; update the translation, then run 'python build.py translations "
               f"--mark-current {TRANSLATION}')")
    assert check(capsys, strict=False) == (0, [warning])
    assert check(capsys) == (1, [warning, "Error: 0 error(s), 1 warning(s) in articles; check failed"])

    code, out, _ = run(capsys, "translations", "--articles", "articles")
    assert code == 0
    assert out[0] == "es: 2 translation(s), 1 current, 1 stale, 0 not marked, 1 missing"
    assert out[1] == f"  stale     {TRANSLATION}:{line}  (source billing/refunds changed)"
    code, out, _ = run(capsys, "translations", "--articles", "articles", "--lang", "es", "--format", "json")
    report = json.loads("\n".join(out))["languages"]["es"]
    assert report["stale"] == [{"slug": "es/billing/refunds", "path": TRANSLATION, "line": line,
                                "source": "billing/refunds", "source_path": SOURCE}]
    assert report["missing"] == [{"slug": "billing/invoices", "path": "articles/billing/invoices.md"}]


def test_mark_current_clears_it_and_changes_only_that_line(repo: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    replace_in(repo / SOURCE, "the card you paid with", "the card or account you paid with")
    commit(repo, "Refunds to accounts too")
    assert check(capsys)[0] == 1
    before = (repo / TRANSLATION).read_bytes().splitlines(keepends=True)
    code, out, _ = run(capsys, "translations", "--articles", "articles", "--mark-current",
                       "es/billing/refunds")  # a slug works too
    assert code == 0
    new_hash = source_hash(load_knowledge_base(repo / "articles").by_slug()["billing/refunds"])
    assert out == [f"marked: {TRANSLATION} (source billing/refunds, source_hash {new_hash})"]
    after = (repo / TRANSLATION).read_bytes().splitlines(keepends=True)
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(before) == len(after) and changed == [
        (changed[0][0], f'source_hash: "{new_hash}"\n'.encode())]
    assert changed[0][0].startswith(b"source_hash: ")
    assert git(repo, "diff", "--numstat") == f"1\t1\t{TRANSLATION}\n"
    assert check(capsys) == (0, [])
    code, out, _ = run(capsys, "translations", "--articles", "articles", "--mark-current", TRANSLATION)
    assert out[0].startswith("already current: ")
    assert git(repo, "diff", "--numstat") == f"1\t1\t{TRANSLATION}\n"


def test_a_front_matter_only_change_keeps_translations_current(repo: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    replace_in(repo / SOURCE, "tags: [refunds]", "tags: [refunds, money-back]\nreview_by: 2099-01-01")
    replace_in(repo / SOURCE, "level: 0", "level: 1")
    commit(repo, "Tags, level and review date only")
    assert check(capsys) == (0, [])
    replace_in(repo / SOURCE, "can i get my money back", "can i have my money back")
    commit(repo, "An alternate question is translated text too")
    assert check(capsys)[0] == 1


def test_an_unmarked_translation_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "kb", monkeypatch)
    line = line_of(root / TRANSLATION, "translation_of:")
    warnings = check(capsys, strict=False)
    assert warnings[0] == 0 and len(warnings[1]) == 2  # the internal translation's too
    assert warnings[1][1] == (
        f"{TRANSLATION}:{line}: warning: source_hash: translation does not record which version of "
        f"its source it translates (hint: when it matches 'billing/refunds', run 'python build.py "
        f"translations --mark-current {TRANSLATION}')")
    code, out, _ = run(capsys, "translations", "--articles", "articles")
    assert out[:3] == ["es: 2 translation(s), 0 current, 0 stale, 2 not marked, 1 missing",
                       f"  unmarked  {INTERNAL_TRANSLATION}:7  (of billing/invoices)",
                       f"  unmarked  {TRANSLATION}:{line}  (of billing/refunds)"]
    assert out[3] == "  missing   billing/invoices  (articles/billing/invoices.md)"  # only agents can read it


def test_mark_current_refuses_what_is_no_translation(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = (repo / SOURCE).read_bytes()
    code, _, err = run(capsys, "translations", "--articles", "articles", "--mark-current", SOURCE,
                       "articles/nope.md")
    assert code == 1
    assert err == [f"Error: {SOURCE}: not a translation (it has no 'translation_of')",
                   "Error: articles/nope.md: no article file by this name under articles"]
    assert (repo / SOURCE).read_bytes() == before


def test_set_field_keeps_every_other_byte() -> None:
    text = ("---\r\ntitle: A\r\ntranslation_of: b/c  # the original\r\nsummary: >-\r\n  long\r\n"
            "---\r\nBody\r\n")
    added = set_field(text, "source_hash", '"abc"', after="translation_of")
    assert added == text.replace("original\r\n", 'original\r\nsource_hash: "abc"\r\n')
    assert set_field(added, "source_hash", '"def"') == added.replace('"abc"', '"def"')
    folded = text.replace("summary: >-\r\n  long", "source_hash: >-\r\n  old\r\n  value")
    assert set_field(folded, "source_hash", "x") == text.replace("summary: >-\r\n  long", "source_hash: x")
    assert set_field("---\ntitle: A\n---\n", "source_hash", "x", after="nothing") == \
        "---\ntitle: A\nsource_hash: x\n---\n"
    with pytest.raises(FrontMatterError):
        set_field("title: A\n", "source_hash", "x")


def test_review_lists_a_translation_whose_source_changed(repo: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", "--articles", "articles", "--format", "json")
    assert json.loads("\n".join(out))["translations"] == []
    replace_in(repo / SOURCE, "within 5 working days", "within 10 working days")
    commit(repo, "Refunds now take 10 days")
    line = line_of(repo / TRANSLATION, "source_hash:")
    _, out, _ = run(capsys, "review", "--articles", "articles", "--format", "json")
    assert json.loads("\n".join(out))["translations"] == [
        {"slug": "es/billing/refunds", "source": "billing/refunds", "state": "stale",
         "path": TRANSLATION, "line": line}]
    _, out, _ = run(capsys, "review", "--articles", "articles")
    assert f"  stale    es/billing/refunds  translates billing/refunds ({TRANSLATION}:{line})" in out
