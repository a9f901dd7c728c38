"""UI translations (web/translations, babel.cfg): catalogs complete and current, pages translated."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from web.shared import i18n

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "web" / "translations"
POT = TRANSLATIONS / "messages.pot"
#: ``%(num)d``-style (gettext) and ``{n}``-style (filled in by site.js) placeholders.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")
TRANSLATED = [code for code in i18n.LANGUAGES if code != "en"]


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extracted() -> dict[Any, str]:
    """Every msgid marked in the sources (as ``pybabel extract -F babel.cfg`` finds them), with where."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: dict[Any, str] = {}
    for filename, lineno, msgid, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def messages(catalog: Catalog) -> dict[Any, Message]:
    return {message.id: message for message in catalog if message.id}


def placeholders(value: str | tuple[str, ...] | list[str]) -> set[str]:
    parts = [value] if isinstance(value, str) else list(value)
    return {a or b for part in parts for a, b in PLACEHOLDER.findall(part)}


def plain(value: Any) -> Any:
    """A message id or string as one hashable value (read_mo gives plural forms as lists)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_extraction_finds_the_site_strings(extracted: dict[Any, str]) -> None:
    assert "Search the help centre" in extracted  # a template
    assert "Browse %(team)s articles" in extracted  # gettext in Python
    assert "Technical support" in extracted  # lazy_gettext in Python (babel.cfg keywords)
    assert ("%(num)d article found", "%(num)d articles found") in extracted  # ngettext


def test_template_is_up_to_date_with_the_sources(extracted: dict[Any, str]) -> None:
    in_template = set(messages(read_catalog(POT)))
    new = {msgid: where for msgid, where in extracted.items() if msgid not in in_template}
    assert new == {}, "run pybabel extract and update (docs/site.md, 'Translating the UI')"
    assert in_template - set(extracted) == set(), "messages.pot holds strings no source uses"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_translates_every_source_string(lang: str, extracted: dict[Any, str]) -> None:
    catalog = messages(read_catalog(po_path(lang)))
    missing = {msgid: where for msgid, where in extracted.items() if msgid not in catalog}
    assert missing == {}, "run pybabel update (docs/site.md, 'Translating the UI')"
    untranslated = [msgid for msgid, message in catalog.items()
                    if message.fuzzy or not message.string
                    or (isinstance(message.string, tuple) and not all(message.string))]
    assert untranslated == []
    assert set(catalog) - set(extracted) == set(), "the catalog holds strings no source uses"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = {}
    for msgid, message in messages(read_catalog(po_path(lang))).items():
        expected = placeholders(msgid)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            if form and placeholders(form) != expected:
                wrong[form] = sorted(expected)
            try:  # templates always %-format (Jinja's newstyle gettext): a lone % would be a 500
                form % {name: 1 for name in expected}
            except (ValueError, TypeError, KeyError) as exc:
                wrong[form] = str(exc)
    assert wrong == {}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_hold_no_markup(lang: str) -> None:
    """Templates insert UI text as HTML (values are escaped, the text is not): keep it plain."""
    catalog = messages(read_catalog(po_path(lang)))
    forms = [form for message in catalog.values()
             for value in (message.id, message.string)
             for form in (value if isinstance(value, tuple) else (value,))]
    assert [form for form in forms if re.search(r'[<>"&]', form)] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalog_matches_the_po(lang: str) -> None:
    """The committed .mo is what ``pybabel compile -d web/translations`` makes of the .po."""
    po = read_catalog(po_path(lang))
    with (po_path(lang).with_suffix(".mo")).open("rb") as handle:
        mo = read_mo(handle)
    expected = {plain(m.id): plain(m.string) for m in po if m.id and m.string and not m.fuzzy}
    compiled = {plain(m.id): plain(m.string) for m in mo if m.id}
    assert compiled == expected, "run pybabel compile -d web/translations"


def count_line(body: str, css: str) -> str:
    found = re.search(rf'<p class="{css}"[^>]*>([^<]*)</p>', body)
    assert found, css
    return found.group(1)


def test_pages_are_english_by_default_and_spanish_on_request(client: Any) -> None:
    english = text(client.get("/search?q=refund"))  # one article in the fixture matches
    assert '<html lang="en">' in english
    assert 'class="visually-hidden">Search the help centre</label>' in english
    assert "<h1>Results for “refund”</h1>" in english
    assert count_line(english, "result-count") == "1 article found"
    spanish = text(client.get("/search?q=refund&lang=es"))
    assert 'class="visually-hidden">Buscar en el centro de ayuda</label>' in spanish
    assert "<h1>Resultados para «refund»</h1>" in spanish
    assert count_line(spanish, "result-count") == "1 artículo encontrado"
    assert "Search the help centre" not in spanish


def test_counts_take_the_plural_form(client: Any) -> None:
    english = count_line(text(client.get("/browse/billing")), "result-count")
    spanish = count_line(text(client.get("/browse/billing?lang=es")), "result-count")
    number = english.split()[0]
    assert int(number) > 1
    assert english == f"{number} articles" and spanish == f"{number} artículos"


def test_display_names_and_python_strings_are_translated(client: Any) -> None:
    body = text(client.get("/browse/billing?lang=es"))
    assert "<h1>Facturación</h1>" in body  # a type name (lazy_gettext in web/shared/i18n.py)
    assert "Facturas, pagos, reembolsos y cargos." in body  # its description
    assert 'contact-option__label">Llámenos<' in body  # a contact channel (web/customer/contact.py)
    rejected = client.post("/articles/billing/refund-policy/feedback?lang=es", data={"helpful": "maybe"})
    assert rejected.status_code == 400
    assert "Elija Sí o No, y escriba menos de 1000 caracteres." in text(rejected)


def test_interpolated_query_is_escaped_in_both_languages(client: Any) -> None:
    for lang in ("en", "es"):
        body = text(client.get("/search", query_string={"q": "<b>zzqx</b>", "lang": lang}))
        assert "&lt;b&gt;zzqx&lt;/b&gt;" in body and "<b>zzqx</b>" not in body


def test_dates_in_each_language(app: Any) -> None:
    with app.test_request_context("/"):
        assert i18n.format_date("2026-11-03", "en") == "3 November 2026"
        assert i18n.format_date("2026-11-03", "es") == "3 de noviembre de 2026"
        assert i18n.format_date("not a date", "es") == "not a date"
