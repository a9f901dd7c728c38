"""Broken HTML made well formed the way a browser reads it, before conversion.

Python's ``html.parser`` (what BeautifulSoup uses here) does not apply HTML's implied end tags, so
``<ul><li>One<li>Two`` nests the second item in the first and ``<td>A<td>B`` nests the cells. This
pass adds the end tags a browser implies (``li``, ``dt``/``dd``, ``td``/``th``, ``tr``, table
sections, a ``p`` before a block), drops end tags that close nothing, and closes what is left open.
Well-formed HTML comes out as it went in; text, entities and attributes are passed through.
"""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
#: Start tags that end an open ``p`` (HTML's "close a p element" rule, for the common blocks).
CLOSES_P = {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "figure", "footer",
            "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p",
            "pre", "section", "table", "ul"}
#: start tag -> (open tags it ends, tags that bound the search)
IMPLIED = {
    "li": ({"li"}, {"ul", "ol", "table"}),
    "dt": ({"dt", "dd"}, {"dl", "table"}), "dd": ({"dt", "dd"}, {"dl", "table"}),
    "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr"}, {"table", "tbody", "thead", "tfoot"}),
    "tbody": ({"tbody", "thead", "tfoot"}, {"table"}), "thead": ({"tbody", "thead", "tfoot"}, {"table"}),
    "tfoot": ({"tbody", "thead", "tfoot"}, {"table"}),
}


class _Repair(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[str] = []

    def _close_to(self, index: int) -> None:
        while len(self.stack) > index:
            self.out.append(f"</{self.stack.pop()}>")

    def _end_implied(self, ends: set[str], bounds: set[str]) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] in ends:
                self._close_to(index)
                return
            if self.stack[index] in bounds:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in IMPLIED:
            self._end_implied(*IMPLIED[tag])
        if tag in CLOSES_P:
            self._end_implied({"p"}, {"table", "td", "th", "li", "button"})
        self.out.append(self.get_starttag_text() or f"<{tag}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read </br> as <br>
            self.out.append("<br>")
        elif tag in self.stack:
            self._close_to(len(self.stack) - 1 - self.stack[::-1].index(tag))
        # an end tag that closes nothing is dropped

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def repair(html: str) -> str:
    """``html`` with the end tags a browser would imply, stray end tags dropped, all closed."""
    parser = _Repair()
    parser.feed(html)
    parser.close()
    parser._close_to(0)
    return "".join(parser.out)
