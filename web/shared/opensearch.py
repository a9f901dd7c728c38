"""OpenSearch descriptions: browsers offer to search the help centre (``/opensearch.xml``) or the
agent console (``/agent/opensearch.xml``) from the address bar; each page links its own."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from flask import Response, current_app, request

CONTENT_TYPE = "application/opensearchdescription+xml"
#: Browsers show at most 16 characters of ShortName.
SHORT_NAME_CHARS = 16


def description(short_name: str, about: str, search_path: str) -> Response:
    """The description of one search form: ``search_path`` takes ``?q={searchTerms}``."""
    base = request.host_url.rstrip("/")
    template = f"{base}{search_path}?q={{searchTerms}}"
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
           f"  <ShortName>{escape(short_name[:SHORT_NAME_CHARS])}</ShortName>\n"
           f"  <Description>{escape(about)}</Description>\n"
           "  <InputEncoding>UTF-8</InputEncoding>\n"
           f"  <Url type=\"text/html\" method=\"get\" template={quoteattr(template)}/>\n"
           "</OpenSearchDescription>\n")
    return Response(xml, content_type=f"{CONTENT_TYPE}; charset=utf-8")


def site_name() -> str:
    return str(current_app.config.get("SITE_NAME") or "supportkb")
