"""Article bodies: agent-only blocks, links between articles, sanitized HTML and plain text."""
from __future__ import annotations

import html
import posixpath
import re
import threading
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

INTERNAL_OPEN = re.compile(r"^\s*:::\s*internal\s*$")
BLOCK_CLOSE = re.compile(r"^\s*:::\s*$")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
ARTICLE_URL_PREFIX = "/articles/"

ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
                "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "kbd", "li", "mark", "ol", "p",
                "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
                "ul", "aside"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}, "th": {"align"},
    "div": {"class"}, "aside": {"class"}, "code": {"class"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}


@dataclass
class BodyParts:
    """A body split into what customers see and what only agents see."""

    public: str
    internal: str
    #: (line offset within the body, message) for unbalanced blocks
    problems: list[tuple[int, str]]


def split_internal(body: str) -> BodyParts:
    """Separate ``::: internal`` blocks; an unclosed block keeps the rest of the body internal."""
    public: list[str] = []
    internal: list[str] = []
    problems: list[tuple[int, str]] = []
    opened_at = -1
    if ":::" not in body:  # most bodies: no block at all
        return BodyParts("\n".join(body.splitlines()), "", problems)
    for number, line in enumerate(body.splitlines()):
        if opened_at < 0 and INTERNAL_OPEN.match(line):
            opened_at = number
        elif opened_at >= 0 and INTERNAL_OPEN.match(line):
            problems.append((number, "'::: internal' inside another internal block"))
        elif opened_at >= 0 and BLOCK_CLOSE.match(line):
            opened_at = -1
            internal.append("")
        elif opened_at >= 0:
            internal.append(line)
        else:
            public.append(line)
    if opened_at >= 0:
        problems.append((opened_at, "'::: internal' block is never closed with ':::'"))
    return BodyParts("\n".join(public), "\n".join(internal).strip(), problems)


def agent_markdown(body: str) -> str:
    """The body with each internal block wrapped in a marked ``div`` for the agent view."""
    out: list[str] = []
    inside = False
    for line in body.splitlines():
        if not inside and INTERNAL_OPEN.match(line):
            inside = True
            out += ["", '<div class="internal-note" markdown="1">', ""]
        elif inside and BLOCK_CLOSE.match(line):
            inside = False
            out += ["", "</div>", ""]
        else:
            out.append(line)
    if inside:
        out += ["", "</div>", ""]
    return "\n".join(out)


def find_links(body: str) -> list[tuple[int, str, bool]]:
    """Every link target in the body: (line offset, target, inside an internal block)."""
    found: list[tuple[int, str, bool]] = []
    in_code = internal = False
    for number, line in enumerate(body.splitlines()):
        # Cheap substring tests first: each pattern below needs its marker in the line.
        if ("`" in line or "~" in line) and line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        if ":::" in line:
            if INTERNAL_OPEN.match(line):
                internal = True
            elif internal and BLOCK_CLOSE.match(line):
                internal = False
        if "]" not in line:
            continue
        found += [(number, m.group(1), internal) for m in INLINE_LINK.finditer(line)]
        reference = REFERENCE_LINK.match(line)
        if reference:
            found.append((number, reference.group(1), internal))
    return found


def article_link(from_slug: str, href: str) -> tuple[str, str] | None:
    """``(slug, fragment)`` when ``href`` is a relative link to an article file, else None."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith(("/", "#")):
        return None
    target, _, fragment = href.partition("#")
    if not target.endswith(".md"):
        return None
    base = posixpath.dirname(from_slug)
    slug = posixpath.normpath(posixpath.join(base, target[:-3]))
    if slug.startswith("../") or slug == "..":
        return None
    return slug, fragment


def site_article_slug(href: str) -> str | None:
    """The slug of an absolute help-centre link such as ``/articles/billing/refunds#steps``."""
    if not href.startswith(ARTICLE_URL_PREFIX):
        return None
    slug = href[len(ARTICLE_URL_PREFIX):].split("#", 1)[0].split("?", 1)[0].strip("/")
    return slug or None


class _LinkRewriter(Treeprocessor):
    """Rewrites relative links to article files into article URLs."""

    slug = ""

    def run(self, root: Element) -> None:
        for anchor in root.iter("a"):
            resolved = article_link(self.slug, anchor.get("href", ""))
            if resolved:
                slug, fragment = resolved
                anchor.set("href", ARTICLE_URL_PREFIX + slug + (f"#{fragment}" if fragment else ""))


class _ArticleLinks(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        rewriter = _LinkRewriter(md)
        md.treeprocessors.register(rewriter, "article_links", 5)
        md.article_links = rewriter  # type: ignore[attr-defined]


_converters = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread: building one costs more than converting a page."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        # imported here: fenced_code brings pygments, which a run that renders nothing never needs
        from markdown.extensions.fenced_code import FencedCodeExtension  # noqa: PLC0415
        from markdown.extensions.md_in_html import MarkdownInHtmlExtension  # noqa: PLC0415
        from markdown.extensions.sane_lists import SaneListExtension  # noqa: PLC0415
        from markdown.extensions.tables import TableExtension  # noqa: PLC0415
        from markdown.extensions.toc import TocExtension  # noqa: PLC0415
        # instances, not names: a name makes Markdown scan every installed package's entry points
        converter = markdown.Markdown(extensions=[TableExtension(), FencedCodeExtension(),
                                                  TocExtension(permalink=False), MarkdownInHtmlExtension(),
                                                  SaneListExtension(), _ArticleLinks()])
        _converters.markdown = converter
    return converter


def sanitize(fragment: str) -> str:
    """Keep only safe tags, attributes and URL schemes."""
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"})


def render_html(body: str, slug: str, include_internal: bool) -> str:
    """Sanitized HTML of a body; internal blocks are dropped, or marked for agents."""
    source = agent_markdown(body) if include_internal else split_internal(body).public
    converter = _converter()
    converter.reset()
    converter.article_links.slug = slug  # type: ignore[attr-defined]
    return sanitize(converter.convert(source))


_MARKUP = [
    (re.compile(r"^```.*$|^~~~.*$", re.M), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}\[[^\]]+\]:.*$", re.M), ""),
    (re.compile(r"<[^>]+>"), " "),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s*[-*+]\s+|^\s*\d+\.\s+", re.M), ""),
    (re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", re.M), ""),
    (re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)|`+"), ""),
    (re.compile(r"[|>]+"), " "),
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def plain_text(markdown_text: str) -> str:
    """Readable text of a Markdown fragment, for indexing and snippets."""
    text = markdown_text
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return html.unescape(text).strip()
