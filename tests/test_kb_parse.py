"""Reading one article file: front matter, body, line numbers, and unreadable files as problems."""
from __future__ import annotations

from pathlib import Path

from kb.parse import ParsedFile, parse_file, parse_text
from kb.problems import Problem


def parsed(text: str) -> ParsedFile:
    result = parse_text(text, "a.md")
    assert isinstance(result, ParsedFile), result
    return result


def test_fields_body_and_lines() -> None:
    result = parsed("---\ntitle: Refunds\ntype: billing\nlevel: 0\ntags:\n  - a\n  - b\n---\n\n\n"
                    "First line.\nSecond line.\n\n")
    assert result.metadata == {"title": "Refunds", "type": "billing", "level": 0, "tags": ["a", "b"]}
    assert result.lines == {"title": 2, "type": 3, "level": 4, "tags": 5}
    assert result.body == "First line.\nSecond line."
    assert result.body_line == 11  # the file line of "First line.", so link problems point at it


def test_missing_front_matter() -> None:
    for text in ["", "Just text\n", "title: x\n---\n", "---\ntitle: never closed\n"]:
        problem = parse_text(text, "a.md")
        assert isinstance(problem, Problem)
        assert (problem.line, problem.field, problem.message) == (1, "front matter", "missing front matter")


def test_empty_front_matter_and_non_mapping() -> None:
    for text in ["---\n---\nbody\n", "---\n# only a comment\n---\nbody\n", "---\n- a list\n---\nbody\n",
                 "---\njust a string\n---\nbody\n"]:
        problem = parse_text(text, "a.md")
        assert isinstance(problem, Problem), text
        assert problem.format() == "a.md:1: error: front matter: empty front matter " \
                                   "(hint: add at least title, type and level)"


def test_malformed_yaml_reports_the_file_line() -> None:
    problem = parse_text("---\ntitle: ok\ntype: billing\nlevel: [0\nsummary: x\n---\nbody\n", "a.md")
    assert isinstance(problem, Problem)
    assert problem.format().startswith("a.md:5: error: front matter: malformed YAML: ")
    tab = parse_text("---\ntitle: ok\n\tlevel: 0\n---\nbody\n", "a.md")
    assert isinstance(tab, Problem) and tab.line == 3 and tab.message.startswith("malformed YAML")


def test_impossible_date_stays_text_instead_of_crashing() -> None:
    result = parsed("---\ntitle: x\nupdated: 2024-02-30\nreview_by: 2024-03-01\n---\nbody\n")
    assert result.metadata["updated"] == "2024-02-30"
    assert str(result.metadata["review_by"]) == "2024-03-01"


def test_non_utf8_and_bom_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.md"
    latin.write_bytes("---\ntitle: Factura año\n---\nbody\n".encode("latin-1"))
    problem = parse_file(str(latin), "articles/latin.md")
    assert isinstance(problem, Problem)
    assert problem.format() == ("articles/latin.md:1: error: file: not valid UTF-8 (invalid continuation "
                                "byte at byte 20) (hint: save the file as UTF-8)")
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf---\ntitle: Saved by Notepad\n---\nbody\n")
    assert isinstance(parse_file(str(bom), "bom.md"), ParsedFile)


def test_unreadable_file(tmp_path: Path) -> None:
    problem = parse_file(str(tmp_path / "gone.md"), "gone.md")
    assert isinstance(problem, Problem)
    assert problem.format() == "gone.md:1: error: file: cannot read: No such file or directory"
