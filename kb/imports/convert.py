"""HTML to clean Markdown (markdownify over BeautifulSoup): scripts, styles, forms and page chrome
dropped, images collected, agent-only notes (``<div class="internal-note">``, as supportkb's own
agent view and Zendesk export write them) turned back into ``::: internal`` blocks."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag
from markdownify import MarkdownConverter

from kb.imports.repair import repair

#: Elements whose content never belongs in an article body.
DROPPED = ("script", "style", "noscript", "iframe", "object", "embed", "form", "button", "input",
           "select", "textarea", "template", "svg", "canvas", "link", "meta")
#: Page chrome, dropped from whole HTML pages (not from article bodies).
CHROME = ("nav", "header", "footer", "aside")
NEVER_CHROME = ("[document]", "html", "body", "main", "article")
CHROME_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary")
CHROME_CLASSES = re.compile(r"(^|[-_ ])(nav|navbar|menu|breadcrumbs?|footer|header|sidebar|"
                            r"cookie|skip-link)([-_ ]|$)", re.I)
#: Tags that must be closed; an unclosed one means the HTML is broken (reported, still converted).
MUST_CLOSE = {"a", "b", "blockquote", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "i",
              "ol", "pre", "span", "strong", "table", "ul"}
INTERNAL_CLASS = "internal-note"
EMPTY_ROW = re.compile(r"^\|(\s*\|)+\s*$")  # a table row of empty cells only
EMPTY_CELL = re.compile(r"\|\s{2,}(?=\|)")
CELLS = {"td", "th"}
URL_BREAKERS = re.compile(r"[\s()<>]")
#: ``&name;`` or ``&#123;`` written as text: kept as text, not read as an entity.
ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
#: Elements whose first text starts a Markdown block, and what would read as markup there.
BLOCK_STARTS = {"p", "li", "div", "blockquote", "body", "article", "main", "section", "dd", "[document]"}
BLOCK_MARKER = re.compile(r"^(\s*)(#|>|[-+](?=\s))|^(\s*\d+)(\.)(?=\s|$)")


@dataclass
class Converted:
    """A body as Markdown, the images it shows, and what looked wrong in its HTML."""

    markdown: str
    images: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: embedded frames (videos) turned into links: worth a look
    frames: list[str] = field(default_factory=list)


class _Balance(HTMLParser):
    """Counts tags left open or closed without opening (the parser itself never fails)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in MUST_CLOSE:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in MUST_CLOSE:
            return
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        else:
            self.stray.append(tag)


def soup(html: str) -> BeautifulSoup:
    """Parsed HTML; a body that merely looks like a file name or URL is still HTML, not a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "html.parser")


def html_problems(html: str) -> list[str]:
    """What is broken in ``html``: unclosed or unopened tags (empty when it is well formed)."""
    checker = _Balance()
    checker.feed(html)
    checker.close()
    found = [f"unclosed <{tag}>" for tag in dict.fromkeys(checker.stack)]
    return found + [f"</{tag}> without <{tag}>" for tag in dict.fromkeys(checker.stray)]


class _Converter(MarkdownConverter):
    """markdownify tuned for Python-Markdown (what supportkb renders with): internal notes as
    ``::: internal`` blocks, fenced code languages, code inside list items indented (Python-Markdown
    fences only at the top level), text that would read as markup escaped (``<tag>``, ``&copy;``,
    a paragraph starting ``# ``, ``1. ``, ``- ``), and table cells kept on one row (``|`` escaped,
    line breaks, paragraphs and list items as ``<br>``)."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = super().escape(text, parent_tags)
        text = ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
        return text.replace("|", "\\|") if parent_tags & CELLS else text

    def process_text(self, el: Any, parent_tags: set[str] | None = None) -> str:
        text = super().process_text(el, parent_tags)
        first = el.previous_sibling is None and getattr(el.parent, "name", "") in BLOCK_STARTS
        if first and "_noformat" not in (parent_tags or set()):
            text = BLOCK_MARKER.sub(_escape_marker, text, count=1)
        return text

    def convert_div(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if INTERNAL_CLASS in (el.get("class") or []):
            return f"\n\n::: internal\n{text.strip()}\n:::\n\n"
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "li" not in parent_tags or parent_tags & CELLS:
            return super().convert_pre(el, text, parent_tags)
        lines = text.strip("\n").split("\n")  # an indented block: convert_li indents it further
        return "\n\n" + "\n".join(f"    {line}" if line.strip() else "" for line in lines) + "\n\n"

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """``<br>`` kept as ``<br>`` (the two trailing spaces Markdown has for it do not survive
        editors); a plain line break in code, a space in headings."""
        if "_noformat" in parent_tags:
            return "\n" + text
        if parent_tags & CELLS:
            return "<br>" + text
        return super().convert_br(el, text, parent_tags) if "_inline" in parent_tags else "<br>\n" + text

    def convert_p(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if parent_tags & CELLS:  # paragraphs apart from what is around them in the cell
            before = isinstance(el.previous_sibling, str) and el.previous_sibling.strip()
            after = el.next_sibling is not None and str(el.next_sibling).strip()
            return ("<br><br>" if before else "") + text.strip() + ("<br><br>" if after else "")
        return super().convert_p(el, text, parent_tags)

    def convert_list(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if parent_tags & CELLS:
            return text.strip() + ("<br>" if el.find_next_sibling(True) else "")
        return super().convert_list(el, text, parent_tags)

    convert_ul = convert_list
    convert_ol = convert_list

    def convert_dt(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A term as a bold paragraph, its definitions as paragraphs (no definition lists in
        Python-Markdown without an extension supportkb does not load)."""
        return f"\n\n**{text.strip()}**\n\n" if text.strip() else ""

    def convert_dd(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""


    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Continuation lines indented by four spaces, which Python-Markdown needs for nesting
        (markdownify indents by the bullet's width)."""
        if parent_tags & CELLS:
            numbered = el.parent is not None and el.parent.name == "ol"
            bullet = f"{len(el.find_previous_siblings('li')) + 1}." if numbered else "•"
            return f"{bullet} {text.strip()}" + ("<br>" if el.find_next_sibling("li") else "")
        rendered = super().convert_li(el, text, parent_tags)
        first, _, rest = rendered.partition("\n")
        width = len(first.split(" ", 1)[0]) + 1
        lines = [line[width:] if line.startswith(" " * width) else line.lstrip()
                 for line in rest.split("\n")]
        item = "\n".join([first, *(("    " + line) if line.strip() else "" for line in lines)])
        return item + "\n" if "\n\n" in item.strip() else item  # a loose item ends with a blank line


def _escape_marker(found: re.Match[str]) -> str:
    lead, marker = (found.group(1), found.group(2)) if found.group(2) else (found.group(3), found.group(4))
    return f"{lead}\\{marker}"


def _code_language(el: Tag) -> str:
    for node in (el, el.find("code")):
        for name in (node.get("class") or []) if isinstance(node, Tag) else []:
            if name.startswith(("language-", "lang-")):
                return name.split("-", 1)[1]
    return ""


def _is_chrome(tag: Tag) -> bool:
    if tag.name in NEVER_CHROME:  # <body class="has-fixed-header"> is still the page
        return False
    if tag.name in CHROME or str(tag.get("role") or "") in CHROME_ROLES:
        return True
    return bool(CHROME_CLASSES.search(" ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")))


def _strip(tree: BeautifulSoup, page: bool) -> list[str]:
    """One pass: drop scripts and the like (and page chrome), event and style attributes; an
    embedded frame (a video) becomes a link to it. Returns the frames' URLs."""
    frames: list[str] = []
    for tag in tree.find_all(True):
        if tag.decomposed:
            continue
        source = str(tag.get("src") or "").strip()
        if tag.name == "iframe" and re.match(r"^(https?:)?//", source, re.I):
            link = tree.new_tag("a", href=source)
            link.string = str(tag.get("title") or "").strip() or "Embedded content"
            tag.replace_with(link)
            frames.append(source)
            continue
        if tag.name in DROPPED or (page and _is_chrome(tag)):
            tag.decompose()
            continue
        for name in [a for a in tag.attrs if a.lower().startswith("on") or a == "style"]:
            del tag[name]
        for name in ("src", "href"):  # a space or bracket would end a Markdown link early
            if isinstance(tag.get(name), str):
                tag[name] = URL_BREAKERS.sub(lambda m: f"%{ord(m.group(0)):02X}", tag[name].strip())
        if tag.name == "a" and str(tag.get("href", "")).strip().lower().startswith(
                ("javascript:", "vbscript:", "data:")):
            del tag["href"]
    return frames


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").splitlines()
             if not EMPTY_ROW.match(line)]
    lines = [EMPTY_CELL.sub("| ", line) if line.startswith("|") else line for line in lines]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def to_markdown(html: str, page: bool = False) -> Converted:
    """Clean Markdown of an article body (``page=True`` also drops navigation, headers, footers)."""
    problems = html_problems(html)
    tree = soup(repair(html))  # implied end tags, as a browser reads them
    frames = _strip(tree, page)
    images = [str(img.get("src")) for img in tree.find_all("img") if img.get("src")]
    converter = _Converter(heading_style="ATX", bullets="-", code_language_callback=_code_language,
                           strip=["span", "font"], escape_underscores=False, escape_misc=False,
                           table_infer_header=True)
    return Converted(_tidy(converter.convert_soup(tree)), images, problems, frames)


def _content_root(tree: BeautifulSoup) -> Any:
    return tree.find("main") or tree.find("article") or tree.find("body") or tree


def _title_heading(root: Any) -> Tag | None:
    """The first ``<h1>`` with text that is not page chrome (a logo in the header is not a title)."""
    for heading in root.find_all("h1") if isinstance(root, Tag) else []:
        if heading.get_text(strip=True) and not any(
                _is_chrome(parent) for parent in heading.parents if isinstance(parent, Tag)):
            return heading
    return None


def page_title(html: str) -> str:
    """The title of a whole HTML page: its first ``<h1>`` outside the page chrome, else its
    ``<title>``."""
    tree = soup(html)
    for found in (_title_heading(_content_root(tree)), tree.find("title")):
        if found is not None and found.get_text(strip=True):
            return found.get_text(" ", strip=True)
    return ""


def page_main(html: str) -> tuple[str, str]:
    """``(lang, body html)`` of a page: ``<main>`` or ``<article>`` when there is one, else
    ``<body>``, without the ``<h1>`` :func:`page_title` takes."""
    tree = soup(html)
    root = tree.find("html")
    lang = str(root.get("lang") or "") if isinstance(root, Tag) else ""
    main = _content_root(tree)
    heading = _title_heading(main)
    if heading is not None:
        heading.decompose()
    return lang, main.decode_contents() if isinstance(main, Tag) else str(main)
