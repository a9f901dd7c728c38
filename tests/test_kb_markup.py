"""Article bodies: Markdown rendering, sanitizing, links between articles, internal blocks, plain text."""
from __future__ import annotations

from kb.markup import agent_markdown, article_link, find_links, plain_text, render_html, split_internal

BODY = """## Check the lights

| Light | Meaning |
|---|---|
| Orange | Line down |

```bash
ping 192.168.1.1
```

See [the invoice](../billing/invoice-explained.md#lines), [the site](https://example.test/a.md),
[top](#check-the-lights) and [refunds][r].

[r]: ../billing/refund-policy.md

::: internal
Codeword zanzibar for agents.
:::

After the block.
"""


def test_tables_code_and_heading_ids() -> None:
    html = render_html(BODY, "technical/lights", include_internal=False)
    assert '<h2 id="check-the-lights">Check the lights</h2>' in html
    assert "<table>" in html and "<th>Light</th>" in html and "<td>Orange</td>" in html
    assert '<pre><code class="language-bash">ping 192.168.1.1\n</code></pre>' in html


def test_links_to_article_files_become_article_urls() -> None:
    html = render_html(BODY, "technical/lights", include_internal=False)
    assert 'href="/articles/billing/invoice-explained#lines"' in html
    assert 'href="/articles/billing/refund-policy"' in html
    assert 'href="https://example.test/a.md"' in html
    assert 'href="#check-the-lights"' in html
    assert ".md" not in html.replace("https://example.test/a.md", "")


def test_article_link_resolution() -> None:
    assert article_link("billing/refunds", "invoice.md") == ("billing/invoice", "")
    assert article_link("billing/refunds", "../technical/wifi.md#steps") == ("technical/wifi", "steps")
    assert article_link("refunds", "../outside.md") is None
    for href in ["https://x.test/a.md", "mailto:a@b.test", "/articles/x", "#top", "image.png"]:
        assert article_link("billing/refunds", href) is None, href


def test_internal_blocks_only_in_the_agent_html() -> None:
    public = render_html(BODY, "technical/lights", include_internal=False)
    agent = render_html(BODY, "technical/lights", include_internal=True)
    assert "zanzibar" not in public and "After the block." in public
    assert '<div class="internal-note">\n<p>Codeword zanzibar for agents.</p>\n</div>' in agent


def test_split_internal_and_plain_text() -> None:
    parts = split_internal(BODY)
    assert parts.internal == "Codeword zanzibar for agents."
    assert "zanzibar" not in parts.public and "internal" not in parts.public
    assert parts.problems == []
    text = plain_text(parts.public)
    assert "Check the lights" in text and "Orange Line down" in text and "See the invoice, the site," in text
    for markup in ["##", "|", "```", "](", "<"]:
        assert markup not in text, markup


def test_unclosed_block_keeps_the_rest_internal() -> None:
    parts = split_internal("Public.\n::: internal\nSecret one.\n\nSecret two.")
    assert parts.public == "Public."
    assert parts.internal == "Secret one.\n\nSecret two."
    assert parts.problems == [(1, "'::: internal' block is never closed with ':::'")]
    assert "Secret" not in render_html("Public.\n::: internal\nSecret one.", "a", include_internal=False)
    assert agent_markdown("A\n::: internal\nB").endswith("</div>\n")


def test_sanitizer_strips_scripts_handlers_and_javascript_urls() -> None:
    body = ('<script>alert(1)</script>\n\n<a href="javascript:alert(2)" onclick="steal()">x</a>\n\n'
            '<img src="a.png" onerror="alert(3)">\n\n[link](javascript:alert(4))\n\n'
            '<iframe src="https://evil.test"></iframe><style>p{}</style>\n\n<p style="color:red" '
            'onmouseover="x()">styled</p>\n\n<a href="data:text/html,hi">data</a>')
    html = render_html(body, "a", include_internal=True)
    lowered = html.lower()
    for bad in ["<script", "alert", "onclick", "onerror", "onmouseover", "javascript:", "<iframe", "<style",
                "style=", "data:"]:
        assert bad not in lowered, bad
    assert '<img src="a.png">' in html and "styled" in html


def test_find_links_reports_line_offsets_and_internal_flag() -> None:
    assert find_links("[a](a.md)\n\n::: internal\n[b](b.md)\n:::\n```\n[c](c.md)\n```\n[d]: d.md") == [
        (0, "a.md", False), (3, "b.md", True), (8, "d.md", False)]


def test_plain_text_unescapes_entities_and_keeps_words() -> None:
    text = plain_text("**Bold** and `code` &amp; *more*\n\n- item one\n1. step two")
    assert text.split("\n") == ["Bold and code & more", "item one", "step two"]
