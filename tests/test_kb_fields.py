"""Front matter fields turned into an ``Article``: coercion, defaults and per-field problems."""
from __future__ import annotations

import datetime as dt

from kb.fields import build_article
from kb.model import Article
from kb.parse import ParsedFile, parse_text


def build(front: str, body: str = "Body.", slug: str = "billing/a") -> tuple[Article, list[str]]:
    parsed = parse_text(f"---\n{front}\n---\n\n{body}\n", "a.md")
    assert isinstance(parsed, ParsedFile), parsed
    article, problems = build_article(parsed, slug, "a.md", "hash")
    return article, [p.format() for p in problems]


BASE = "title: Refunds\ntype: billing\nlevel: 1"


def test_all_fields_coerced() -> None:
    article, problems = build(BASE + "\nsummary: ' Short. '\nanswer: Say this."
                              "\nquestions: [can i get my money back]\ntags: [Refunds, PAYMENTS]"
                              "\nproduct: account\naudience: internal\nlang: es"
                              "\ntranslation_of: billing/b\nrelated: billing/c\nchannels: [phone, portal]"
                              "\nupdated: 2024-05-06\nreview_by: 2025-01-02\nowner: billing-team"
                              "\nstatus: draft")
    assert problems == []
    assert (article.title, article.type, article.level, article.summary, article.answer) == \
        ("Refunds", "billing", 1, "Short.", "Say this.")
    assert article.questions == ["can i get my money back"]
    assert article.tags == ["refunds", "payments"]
    assert article.related == ["billing/c"]  # a single value is accepted as a one-item list
    assert article.channels == ["phone", "portal"]
    assert (article.updated, article.review_by) == (dt.date(2024, 5, 6), dt.date(2025, 1, 2))
    assert article.is_internal and article.is_draft and article.lang == "es"
    assert article.is_stale(dt.date(2025, 1, 3)) and not article.is_stale(dt.date(2025, 1, 2))


def test_defaults() -> None:
    article, problems = build(BASE)
    assert problems == []
    assert (article.audience, article.lang, article.status, article.updated) == (
        "public", "en", "published", None)
    assert not article.is_internal and not article.is_draft and not article.is_stale()


def test_level_must_be_an_integer_0_to_2() -> None:
    for value, shown in [("'1'", "'1'"), ("true", "True"), ("1.0", "1.0"), ("-1", "-1"), ("[1]", "[1]")]:
        _, problems = build(f"title: x\ntype: billing\nlevel: {value}")
        assert problems == [f"a.md:4: error: level: must be 0, 1 or 2 (got {shown}) (hint: 0 = information "
                            "and forwarding, 1 = resolve, 2 = expert escalation)"], value


def test_type_and_choice_fields_suggest_the_closest_value() -> None:
    _, problems = build("title: x\ntype: Technical support\nlevel: 0\naudience: interal\nstatus: publish")
    assert problems == [
        "a.md:3: error: type: must be one of technical, billing, product, general (got 'Technical support') "
        "(hint: did you mean 'technical'?)",
        "a.md:5: error: audience: must be one of public, internal (got 'interal') "
        "(hint: did you mean 'internal'?)",
        "a.md:6: error: status: must be one of published, draft, review, archived (got 'publish') "
        "(hint: did you mean 'published'?)"]


def test_type_without_a_close_match_has_no_hint() -> None:
    _, problems = build("title: x\ntype: zzz\nlevel: 0")
    assert problems == [
        "a.md:3: error: type: must be one of technical, billing, product, general (got 'zzz')"]


def test_unknown_fields_suggest_or_list_known_ones() -> None:
    _, problems = build(BASE + "\nsumary: x\ncolour: blue")
    assert problems[0] == "a.md:5: error: sumary: unknown field (hint: did you mean 'summary'?)"
    assert problems[1].startswith(
        "a.md:6: error: colour: unknown field (hint: known fields: title, type, level,")


def test_wrong_value_shapes() -> None:
    _, problems = build("title: [a, b]\ntype: billing\nlevel: 0\ntags: {a: 1}\nquestions: ['', ok]"
                        "\nlang: English\nchannels: [phone, pigeon]\nupdated: soon")
    assert problems == [
        "a.md:2: error: title: must be text (got list)",
        "a.md:6: error: questions: contains an empty item",
        "a.md:5: error: tags: must be a list of text items (hint: write 'tags: [a, b]')",
        "a.md:9: error: updated: invalid date 'soon' (hint: write dates as YYYY-MM-DD)",
        "a.md:7: error: lang: must be a language code like 'en' or 'es' (got 'English')",
        "a.md:8: error: channels: unknown channel 'pigeon' (hint: use one of phone, chat, email, "
        "remote-desktop, portal, knowledge-base, tutorials, faq, chatbot)",
    ]


def test_title_falls_back_to_slug_so_the_article_stays_usable() -> None:
    article, problems = build("type: billing\nlevel: 0")
    assert article.title == "billing/a"
    assert problems == ["a.md:1: error: title: is required (hint: add 'title: ...' to the front matter)"]


def test_empty_body_and_bad_file_names() -> None:
    _, problems = build(BASE, body="   ", slug="Billing/refund_policy")
    assert problems == [
        "a.md:1: error: body: the article has no body text (hint: write the answer below the front matter)",
        "a.md:1: error: file name: file and folder names must be lowercase letters, digits and '-' "
        "(hint: rename the file, e.g. 'refund-policy.md')"]


def test_datetime_becomes_a_date() -> None:
    article, problems = build(BASE + "\nupdated: 2024-05-06 10:30:00")
    assert problems == [] and article.updated == dt.date(2024, 5, 6)
