"""Every validation rule, one small fixture article each: exact ``path:line: severity: field: message``."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import load_knowledge_base, validate
from tests.kb_support import FIXTURE_KB, PROBLEMS, article, problem_lines, write_articles

YAML_HINT = "check indentation, quote values containing ':' or '#'"
LEVEL_HINT = "0 = information and forwarding, 1 = resolve, 2 = expert escalation"
DATE_HINT = "write dates as YYYY-MM-DD"
NO_SLUG = "no article has this slug (its path under articles/ without .md)"

#: fixture file -> the exact lines ``--check`` prints for it (good-article.md sits beside it)
EXPECTED = {
    "missing-front-matter.md": [
        "articles/missing-front-matter.md:1: error: front matter: missing front matter (hint: start the "
        "file with a '---' line, the YAML fields, then a closing '---' line)"],
    "empty-front-matter.md": [
        "articles/empty-front-matter.md:1: error: front matter: empty front matter "
        "(hint: add at least title, type and level)"],
    "malformed-yaml.md": [
        "articles/malformed-yaml.md:4: error: front matter: malformed YAML: mapping values are not "
        f"allowed here (hint: {YAML_HINT})"],
    "missing-title.md": [
        "articles/missing-title.md:1: error: title: is required "
        "(hint: add 'title: ...' to the front matter)"],
    "empty-title.md": ["articles/empty-title.md:2: error: title: must not be empty"],
    "bad-type.md": [
        "articles/bad-type.md:3: error: type: must be one of technical, billing, product, general "
        "(got 'biling') (hint: did you mean 'billing'?)"],
    "bad-level.md": [f"articles/bad-level.md:4: error: level: must be 0, 1 or 2 (got 'L1') (hint: "
                     f"{LEVEL_HINT})"],
    "missing-type-and-level.md": [
        "articles/missing-type-and-level.md:1: error: level: is required (hint: add 'level: 0', 1 or 2)",
        "articles/missing-type-and-level.md:1: error: type: is required "
        "(hint: add 'type: ...' to the front matter)"],
    "unknown-field.md": [
        "articles/unknown-field.md:1: error: title: is required (hint: add 'title: ...' to the front matter)",
        "articles/unknown-field.md:2: error: titel: unknown field (hint: did you mean 'title'?)"],
    "invalid-dates.md": [
        f"articles/invalid-dates.md:5: error: updated: invalid date '2024-13-01' (hint: {DATE_HINT})",
        f"articles/invalid-dates.md:6: error: review_by: invalid date 'next week' (hint: {DATE_HINT})"],
    "empty-body.md": [
        "articles/empty-body.md:1: error: body: the article has no body text "
        "(hint: write the answer below the front matter)"],
    "broken-link.md": [
        f"articles/broken-link.md:9: error: link: broken link to 'billing/fees.md' (hint: {NO_SLUG})",
        "articles/broken-link.md:9: error: link: broken link to 'god-article.md' "
        "(hint: did you mean 'good-article'?)"],
    "unclosed-internal.md": [
        "articles/unclosed-internal.md:9: error: body: '::: internal' block is never closed with ':::' "
        "(hint: close each '::: internal' block with a line ':::')"],
    "dangling-references.md": [
        "articles/dangling-references.md:6: error: translation_of: no article 'god-article' "
        "(hint: did you mean 'good-article'?)",
        f"articles/dangling-references.md:7: error: related: no article 'no-such-article' (hint: {NO_SLUG})"],
    "stale-review.md": [
        "articles/stale-review.md:5: warning: review_by: review date 2001-01-01 has passed "
        "(hint: review the article and move 'review_by' forward)"],
    "near-duplicate-title.md": [
        "articles/near-duplicate-title.md:2: warning: title: nearly the same title as "
        "articles/good-article.md (hint: merge the articles or make the titles distinct)"],
}


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from ``tmp_path`` so problems name ``articles/...`` as a writer would see them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_problem_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in PROBLEMS.glob("*.md") if p.name != "good-article.md")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rule(name: str, workdir: Path) -> None:
    root = write_articles(workdir / "articles", {})
    shutil.copy(PROBLEMS / "good-article.md", root)
    shutil.copy(PROBLEMS / name, root)
    assert problem_lines(root) == EXPECTED[name]


def test_good_article_alone_has_no_problems(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {})
    shutil.copy(PROBLEMS / "good-article.md", root)
    assert problem_lines(root) == []


def test_fixture_kb_has_only_the_stale_warning(tmp_path: Path) -> None:
    problems = validate(load_knowledge_base(FIXTURE_KB))
    assert [(p.path.rsplit("/", 2)[-2:], p.line, p.field, p.severity) for p in problems] == [
        (["billing", "price-rise.md"], 8, "review_by", "warning")]


def test_duplicate_slugs_differing_in_case(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/refunds.md": article("Refunds for cancelled orders"),
        "billing/Refunds.md": article("Refund timescales and methods"),
    })
    lines = problem_lines(root)
    assert ("articles/billing/refunds.md:1: error: slug: duplicate slug: same as "
            "articles/billing/Refunds.md (hint: rename one file)") in lines
    assert any(line.startswith("articles/billing/Refunds.md:1: error: file name: file and folder names "
                               "must be lowercase") for line in lines)


def test_duplicate_translations(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/refunds.md": article("Refunds"),
        "es/billing/refunds.md": article("Reembolsos", lang="es", translation_of="billing/refunds"),
        "es/billing/reembolsos.md": article("Devoluciones de dinero", lang="es",
                                            translation_of="billing/refunds"),
    })
    unmarked = ("warning: source_hash: translation does not record which version of its source it "
                "translates (hint: when it matches 'billing/refunds', run 'python build.py translations "
                "--mark-current articles/es/billing/{}.md')")
    assert problem_lines(root) == [
        "articles/es/billing/reembolsos.md:6: " + unmarked.format("reembolsos"),
        "articles/es/billing/refunds.md:6: " + unmarked.format("refunds"),
        "articles/es/billing/refunds.md:6: error: translation_of: articles/es/billing/reembolsos.md already "
        "translates 'billing/refunds' into 'es'"]


def test_translation_in_the_same_language_and_self_related(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/refunds.md": article("Refunds", related=["billing/refunds"]),
        "billing/refunds-copy.md": article("Money back on cancelled orders",
                                           translation_of="billing/refunds"),
    })
    assert problem_lines(root) == [
        "articles/billing/refunds-copy.md:5: error: translation_of: original is also in 'en' "
        "(hint: set 'lang' to the translation's language)",
        "articles/billing/refunds.md:5: error: related: an article cannot be related to itself"]


def test_public_article_linking_to_internal_article_warns_unless_in_internal_block(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "agents/credits.md": article("Goodwill credits", audience="internal"),
        "billing/late-fees.md": article("Late fees", body="Read [credits](../agents/credits.md).\n\n"
                                        "::: internal\nAlso [credits](../agents/credits.md).\n:::"),
    })
    assert problem_lines(root) == [
        "articles/billing/late-fees.md:7: warning: link: public article links to internal article "
        "'agents/credits' (hint: customers cannot open it; move the link into a '::: internal' block)"]


def test_absolute_article_links_are_checked_too(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "agents/credits.md": article("Goodwill credits", audience="internal"),
        "billing/late-fees.md": article("Late fees", body="See [fees](/articles/billing/late-fees#top), "
                                        "[credits](/articles/agents/credits) and "
                                        "[old](/articles/billing/lat-fees)."),
    })
    assert problem_lines(root) == [
        "articles/billing/late-fees.md:7: error: link: broken link to '/articles/billing/lat-fees' "
        "(hint: did you mean 'billing/late-fees'?)",
        "articles/billing/late-fees.md:7: warning: link: public article links to internal article "
        "'agents/credits' (hint: customers cannot open it; move the link into a '::: internal' block)"]


def test_links_inside_code_blocks_and_external_links_are_not_checked(workdir: Path) -> None:
    body = "```\n[not a link](missing.md)\n```\n\n[site](https://example.test/x.md) [top](#steps)"
    root = write_articles(workdir / "articles", {"billing/a.md": article("Card fees", body=body)})
    assert problem_lines(root) == []


def test_nested_internal_block(workdir: Path) -> None:
    body = "Text.\n\n::: internal\nA\n::: internal\nB\n:::"
    root = write_articles(workdir / "articles", {"billing/a.md": article("Card fees", body=body)})
    assert problem_lines(root) == [
        "articles/billing/a.md:11: error: body: '::: internal' inside another internal block "
        "(hint: close each '::: internal' block with a line ':::')"]


def test_golden_query_expecting_a_missing_article(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/refunds.md": article("Refunds"),
        "_queries.yml": "- query: refund\n  expect: billing/refunds\n- query: money back\n  expect: "
                        "billing/refund\n",
    })
    assert problem_lines(root) == [
        "articles/_queries.yml:3: error: expect: no article 'billing/refund' (hint: did you mean "
        "'billing/refunds'?)"]


def test_malformed_golden_and_synonym_files(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/refunds.md": article("Refunds"),
        "_queries.yml": "- query: refund\n  expect: billing/refunds\n  k: 0\n- expect: billing/refunds\n",
        "_synonyms.yml": "- [bill, invoice]\n- [lonely]\n- {a: b\n",
    })
    assert problem_lines(root) == [
        "articles/_queries.yml:1: error: k: must be a positive number (got 0)",
        "articles/_queries.yml:4: error: queries: needs 'query' and 'expect'",
        "articles/_synonyms.yml:4: error: yaml: malformed YAML: expected ',' or '}', but got '<stream end>'"]


def test_every_problem_of_several_files_is_reported_at_once(workdir: Path) -> None:
    root = write_articles(workdir / "articles", {
        "billing/a.md": article("Card fees", level=5, titel="x"),
        "billing/b.md": article("Bank fees", type="biling", body="See [x](missing.md)."),
        "billing/c.md": "no front matter\n",
    })
    assert [line.split(" (hint")[0] for line in problem_lines(root)] == [
        "articles/billing/a.md:4: error: level: must be 0, 1 or 2 (got 5)",
        "articles/billing/a.md:5: error: titel: unknown field",
        "articles/billing/b.md:3: error: type: must be one of technical, billing, product, general (got "
        "'biling')",
        "articles/billing/b.md:7: error: link: broken link to 'missing.md'",
        "articles/billing/c.md:1: error: front matter: missing front matter",
    ]


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    kb = load_knowledge_base(tmp_path / "nowhere")
    assert [(p.field, p.message) for p in kb.problems] == [("articles", "folder does not exist")]
