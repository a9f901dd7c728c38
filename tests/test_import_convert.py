"""HTML -> Markdown for imports (kb/imports/convert.py), judged by what supportkb renders from the
Markdown (kb/markup.py: Python-Markdown, then the sanitizer), not by the Markdown text alone."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import load_knowledge_base
from kb.imports.convert import to_markdown
from kb.imports.pipeline import run_import
from kb.imports.repair import repair
from kb.markup import render_html

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def rendered(html: str) -> str:
    return render_html(to_markdown(html).markdown, "imported/page", include_internal=False)


@pytest.mark.parametrize("html, expected", [
    ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
     ["<th>A</th>", "<td>2</td>"]),
    ("<table><tr><th>Key</th><th>Value</th></tr><tr><td>a | b</td><td>c</td></tr></table>",
     ["<td>a | b</td>\n<td>c</td>"]),  # a pipe in a cell is not a new column
    ("<table><tr><th>K</th></tr><tr><td>one<br>two</td></tr></table>", ["<td>one<br>two</td>"]),
    ("<table><tr><th>K</th></tr><tr><td><p>one</p><p>two</p></td></tr></table>",
     ["<td>one<br><br>two</td>"]),
    ("<table><tr><th>K</th></tr><tr><td><ul><li>x</li><li>y</li></ul></td></tr></table>",
     ["<td>• x<br>• y</td>"]),
    ("<ol><li>One<ol><li>One a</li></ol></li><li>Two</li></ol>",
     ["<li>One<ol>\n<li>One a</li>\n</ol>\n</li>\n<li>Two</li>"]),
    ("<ol><li>Run:<pre><code>ls -la\ncd /tmp</code></pre></li><li>Done</li></ol>",
     ["<pre><code>ls -la\ncd /tmp\n</code></pre>\n</li>"]),  # code in a list item stays a block
    ('<pre><code class="language-bash">echo "&lt;hi&gt;"</code></pre>',
     ['<pre><code class="language-bash">echo "&lt;hi&gt;"']),
    ("<p>Type &lt;your-email&gt; then &amp;copy; as text.</p>",
     ["<p>Type &lt;your-email&gt; then &amp;copy; as text.</p>"]),
    ("<p># of devices</p><p>1. is not a list</p><p>- nor this</p><p>&gt; nor a quote</p>",
     ["<p># of devices</p>", "<p>1. is not a list</p>", "<p>- nor this</p>", "<p>&gt; nor a quote</p>"]),
    ("<dl><dt>NAT</dt><dd>Network address translation.</dd></dl>",
     ["<p><strong>NAT</strong></p>", "<p>Network address translation.</p>"]),
    ("<p>1 High Street<br>Leeds</p>", ["<p>1 High Street<br>\nLeeds</p>"]),  # a hard line break
    ("<ol><li>Write to:<br>1 High Street</li></ol>", ["<li>Write to:<br>\n    1 High Street</li>"]),
    ('<p><iframe src="https://video.example/embed/42" title="Set-up video"></iframe></p>',
     ['<a href="https://video.example/embed/42" rel="noopener noreferrer">Set-up video</a>']),
    ('<h2>Setup</h2><h3>Router</h3><p><img src="a.png" alt="Lights"></p>',
     ['<h2 id="setup">Setup</h2>', '<h3 id="router">Router</h3>', '<img alt="Lights" src="a.png">']),
])
def test_what_renders_is_what_the_html_said(html: str, expected: list[str]) -> None:
    page = rendered(html)
    for fragment in expected:
        assert fragment in page, page


@pytest.mark.parametrize("html, expected", [
    ("<ul><li>Book online<li>Be home</ul>", ["<li>Book online</li>\n<li>Be home</li>"]),
    ("<table><tr><th>A<th>B<tr><td>1<td>2</table>", ["<th>A</th>\n<th>B</th>", "<td>1</td>\n<td>2</td>"]),
    ("<p>Intro<ul><li>x</ul><p>After <b>bold", ["<p>Intro</p>\n<ul>\n<li>x</li>\n</ul>",
                                               "<p>After <strong>bold</strong></p>"]),
    ("<dl><dt>NAT<dd>Translation<dt>DNS<dd>Names</dl>", ["<p><strong>DNS</strong></p>\n<p>Names</p>"]),
    ("<p>a &amp; b &lt;c&gt;</p></div></span>", ["<p>a &amp; b &lt;c&gt;</p>"]),  # stray end tags
    ("<p>one</br>two</p>", ["<p>one<br>\ntwo</p>"]),  # </br> is a line break to browsers
    ('<p><img src="img/my photo (1).png" alt="P"> <a href="/files/a b.pdf">PDF</a></p>',
     ['<img alt="P" src="img/my%20photo%20%281%29.png">',
      '<a href="/files/a%20b.pdf" rel="noopener noreferrer">PDF</a>']),
])
def test_html_is_read_as_a_browser_would(html: str, expected: list[str]) -> None:
    converted = to_markdown(html)
    page = render_html(converted.markdown, "imported/page", include_internal=False)
    for fragment in expected:
        assert fragment in page, page


def test_well_formed_html_passes_the_repair_unchanged() -> None:
    bodies = [a["body"] for page in sorted((FIXTURES / "zendesk").glob("articles*.json"))
              for a in json.loads(page.read_text(encoding="utf-8"))["articles"]
              if not a["title"].startswith("Broken")]
    bodies.append('<p title="a &amp; b">x<br/>y &#169; &copy;<!-- note --></p><script>if (a < b) {}</script>')
    assert len(bodies) > 30 and all(repair(body) == body for body in bodies)


def test_an_embedded_frame_is_listed() -> None:
    converted = to_markdown('<iframe src="//video.example/embed/42"></iframe><script src="x.js"></script>')
    assert converted.frames == ["//video.example/embed/42"]
    assert converted.markdown == "[Embedded content](//video.example/embed/42)"


def test_the_rich_fixture_article_survives_every_importer(tmp_path: Path) -> None:
    """The fixtures' hardest body (nested headings, code in a list, a table with a pipe, a line
    break and a list in its cells, a placeholder in angle brackets), from Zendesk, Freshdesk and
    an HTML page alike."""
    for source, path in (("zendesk", FIXTURES / "zendesk"), ("freshdesk", FIXTURES / "freshdesk"),
                         ("html", FIXTURES / "html")):
        run_import(source, path, tmp_path / source)
        article = next(a for a in load_knowledge_base(tmp_path / source).articles
                       if a.title == "Forward ports to a game console")
        page = render_html(article.body, article.slug, include_internal=False)
        for fragment in ('<h2 id="steps">Steps</h2>', '<h3 id="on-the-router">On the router</h3>',
                         "<pre><code>ssh admin@&lt;router-ip&gt;\nshow nat\n</code></pre>",
                         "<td>3074 | 3478</td>", "<td>UDP<br>and TCP</td>", "<td>• RTSP<br>• Local only</td>",
                         "written &lt;router-ip&gt; below (the &amp;nbsp; in old guides",
                         "<p># Lines starting with a hash", "<strong>NAT</strong>"):
            assert fragment in page, (source, fragment, page)
