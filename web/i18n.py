"""Customer-site UI text in English and Spanish, and which language a visitor gets.

The language comes from ``?lang=`` (remembered in a cookie by the switcher links), then the
cookie, then ``Accept-Language``, then ``DEFAULT_LANG``. Unknown codes fall back quietly.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app, g, request

COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

EN = {
    "skip": "Skip to main content",
    "tagline": "How can we help?",
    "intro": "Search our guides for broadband, mobile and smart home, or browse by topic.",
    "search.label": "Search the help centre",
    "search.placeholder": "e.g. wifi keeps dropping",
    "search.button": "Search",
    "search.title": "Search results",
    "search.for": "Results for “{q}”",
    "search.count": "{n} articles found",
    "search.count_one": "1 article found",
    "search.empty": "Type a question or a few words to search.",
    "search.didyoumean": "Did you mean",
    "search.none": "We couldn't find an article for “{q}”",
    "search.none_tips": "Check the spelling, try fewer or different words, or browse a topic.",
    "search.weak": "These might not answer your question exactly.",
    "search.fallback_lang": "No articles in your language matched, so we're showing all languages.",
    "search.suggestions": "Suggestions",
    "filters": "Filter results",
    "facet.type": "Topic",
    "facet.product": "Product",
    "facet.lang": "Language",
    "facet.tags": "Tag",
    "facet.all": "All",
    "facet.clear": "Clear filters",
    "page.prev": "Previous",
    "page.next": "Next",
    "page.label": "Pages",
    "page.n": "Page {n}",
    "home.topics": "Browse by topic",
    "home.popular": "Popular articles",
    "home.contact": "Contact us",
    "home.contact_intro": "Can't find what you need? Our teams are here to help.",
    "browse.title": "{name} articles",
    "browse.filter_product": "Product",
    "browse.filter_tag": "Tag",
    "browse.count": "{n} articles",
    "browse.range": "Articles {first}–{last} of {n}",
    "browse.missing_page": "There is no page {page} here: this list has {count} page(s).",
    "browse.none": "No articles match these filters yet.",
    "browse.all": "All topics",
    "article.updated": "Last updated",
    "article.related": "Related articles",
    "article.translations": "Also available in",
    "article.contents": "Article",
    "breadcrumbs": "Breadcrumbs",
    "home": "Home",
    "feedback.question": "Was this article helpful?",
    "feedback.yes": "Yes",
    "feedback.no": "No",
    "feedback.comment": "Tell us more (optional)",
    "feedback.comment_hint": ("Please don't include personal details such as account numbers. "
                              "Up to {n} characters."),
    "feedback.thanks": "Thanks for your feedback!",
    "feedback.invalid": "Please choose Yes or No, and keep comments under {n} characters.",
    "contact.title": "Still need help?",
    "contact.intro": "Contact our {team} team:",
    "contact.hours": "Hours",
    "contact.phone": "Call us",
    "contact.chat": "Chat with us",
    "contact.email": "Email us",
    "contact.portal": "Use My Account",
    "contact.remote-desktop": "Ask for a remote support session when you call",
    "contact.knowledge-base": "Browse {team} articles",
    "contact.tutorials": "Step-by-step guides",
    "contact.faq": "Frequently asked questions",
    "contact.chatbot": "Ask our virtual assistant",
    "contact.all": "All ways to contact us",
    "type.technical": "Technical support",
    "type.technical.desc": "Something isn't working: connection, signal, devices and faults.",
    "type.billing": "Billing",
    "type.billing.desc": "Bills, payments, refunds and charges.",
    "type.product": "Products and features",
    "type.product.desc": "How to set up and use your services and devices.",
    "type.general": "General enquiries",
    "type.general.desc": "Opening hours, contact details, policies and your account.",
    "product.account": "Account", "product.broadband": "Broadband", "product.mobile": "Mobile",
    "product.smart-home": "Smart home",
    "language": "Language",
    "error.title": "Something went wrong",
    "error.400": "We couldn't understand that request",
    "error.404": "We can't find that page",
    "error.404_text": "The page may have moved. Try searching for what you need:",
    "error.429": "Too many requests",
    "error.429_text": "Please wait a moment and try again.",
    "error.500": "Something went wrong on our side",
    "error.503": "Search is briefly unavailable",
    "error.back": "Go to the help centre home page",
    "footer.rights": "Answers to your questions, written by our support teams.",
    "instant.results": "{n} suggestions available, use the up and down arrow keys to browse.",
    "instant.none": "No suggestions.",
    "instant.all": "See all results",
}

ES = {
    "skip": "Ir al contenido principal",
    "tagline": "¿En qué podemos ayudarle?",
    "intro": "Busque en nuestras guías de fibra, móvil y hogar inteligente, o explore por tema.",
    "search.label": "Buscar en el centro de ayuda",
    "search.placeholder": "p. ej. el wifi se corta",
    "search.button": "Buscar",
    "search.title": "Resultados de búsqueda",
    "search.for": "Resultados para «{q}»",
    "search.count": "{n} artículos encontrados",
    "search.count_one": "1 artículo encontrado",
    "search.empty": "Escriba una pregunta o unas palabras para buscar.",
    "search.didyoumean": "Quizás quiso decir",
    "search.none": "No encontramos ningún artículo para «{q}»",
    "search.none_tips": "Revise la ortografía, pruebe con otras palabras o explore un tema.",
    "search.weak": "Puede que estos artículos no respondan exactamente a su pregunta.",
    "search.fallback_lang": "No hay artículos en su idioma que coincidan; mostramos todos los idiomas.",
    "search.suggestions": "Sugerencias",
    "filters": "Filtrar resultados",
    "facet.type": "Tema",
    "facet.product": "Producto",
    "facet.lang": "Idioma",
    "facet.tags": "Etiqueta",
    "facet.all": "Todos",
    "facet.clear": "Quitar filtros",
    "page.prev": "Anterior",
    "page.next": "Siguiente",
    "page.label": "Páginas",
    "page.n": "Página {n}",
    "home.topics": "Explorar por tema",
    "home.popular": "Artículos populares",
    "home.contact": "Contacto",
    "home.contact_intro": "¿No encuentra lo que busca? Nuestros equipos están para ayudarle.",
    "browse.title": "Artículos de {name}",
    "browse.filter_product": "Producto",
    "browse.filter_tag": "Etiqueta",
    "browse.count": "{n} artículos",
    "browse.range": "Artículos {first}–{last} de {n}",
    "browse.missing_page": "No existe la página {page}: esta lista tiene {count} página(s).",
    "browse.none": "Todavía no hay artículos con estos filtros.",
    "browse.all": "Todos los temas",
    "article.updated": "Última actualización",
    "article.related": "Artículos relacionados",
    "article.translations": "También disponible en",
    "article.contents": "Artículo",
    "breadcrumbs": "Ruta de navegación",
    "home": "Inicio",
    "feedback.question": "¿Le ha resultado útil este artículo?",
    "feedback.yes": "Sí",
    "feedback.no": "No",
    "feedback.comment": "Cuéntenos más (opcional)",
    "feedback.comment_hint": "No incluya datos personales como números de cuenta. Hasta {n} caracteres.",
    "feedback.thanks": "¡Gracias por su opinión!",
    "feedback.invalid": "Elija Sí o No, y escriba menos de {n} caracteres.",
    "contact.title": "¿Necesita más ayuda?",
    "contact.intro": "Contacte con nuestro equipo de {team}:",
    "contact.hours": "Horario",
    "contact.phone": "Llámenos",
    "contact.chat": "Chatee con nosotros",
    "contact.email": "Escríbanos",
    "contact.portal": "Use Mi cuenta",
    "contact.remote-desktop": "Pida una sesión de asistencia remota al llamar",
    "contact.knowledge-base": "Ver artículos de {team}",
    "contact.tutorials": "Guías paso a paso",
    "contact.faq": "Preguntas frecuentes",
    "contact.chatbot": "Pregunte a nuestro asistente virtual",
    "contact.all": "Todas las formas de contacto",
    "type.technical": "Soporte técnico",
    "type.technical.desc": "Algo no funciona: conexión, cobertura, dispositivos y averías.",
    "type.billing": "Facturación",
    "type.billing.desc": "Facturas, pagos, reembolsos y cargos.",
    "type.product": "Productos y funciones",
    "type.product.desc": "Cómo configurar y usar sus servicios y dispositivos.",
    "type.general": "Consultas generales",
    "type.general.desc": "Horarios, datos de contacto, políticas y su cuenta.",
    "product.account": "Cuenta", "product.broadband": "Fibra", "product.mobile": "Móvil",
    "product.smart-home": "Hogar inteligente",
    "language": "Idioma",
    "error.title": "Algo ha salido mal",
    "error.400": "No hemos podido entender esa petición",
    "error.404": "No encontramos esa página",
    "error.404_text": "Puede que la página se haya movido. Busque lo que necesita:",
    "error.429": "Demasiadas peticiones",
    "error.429_text": "Espere un momento y vuelva a intentarlo.",
    "error.500": "Algo ha fallado por nuestra parte",
    "error.503": "La búsqueda no está disponible en este momento",
    "error.back": "Ir a la página principal del centro de ayuda",
    "footer.rights": "Respuestas a sus preguntas, escritas por nuestros equipos de soporte.",
    "instant.results": "{n} sugerencias disponibles, use las flechas arriba y abajo para recorrerlas.",
    "instant.none": "No hay sugerencias.",
    "instant.all": "Ver todos los resultados",
}

STRINGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}


def supported() -> list[str]:
    """UI languages, the configured default first."""
    default = default_lang()
    return [default] + [code for code in STRINGS if code != default]


def default_lang() -> str:
    configured = str(current_app.config.get("DEFAULT_LANG") or "en")
    return configured if configured in STRINGS else "en"


def requested_lang() -> str | None:
    """A supported ``?lang=`` value (first one only), else None."""
    value = request.args.get("lang", "")
    return value if value in STRINGS else None


def choose_lang() -> str:
    """The visitor's UI language for this request (cached on ``g``)."""
    cached = g.get("site_lang")
    if cached:
        return cached
    lang = requested_lang() or request.cookies.get(COOKIE, "")
    if lang not in STRINGS:
        lang = request.accept_languages.best_match(list(STRINGS)) or default_lang()
    g.site_lang = lang
    return lang


def translate(key: str, lang: str | None = None, **values: object) -> str:
    """The UI string ``key`` in ``lang`` (English, then the key itself, when missing)."""
    lang = lang or choose_lang()
    text = STRINGS.get(lang, EN).get(key) or EN.get(key) or key
    return text.format(**values) if values else text


def format_date(value: str, lang: str | None = None) -> str:
    """``2026-11-23`` as ``23 November 2026`` / ``23 de noviembre de 2026``; unknown stays as is."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    lang = lang or choose_lang()
    month = MONTHS.get(lang, MONTHS["en"]).split()[day.month - 1]
    if lang == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code.upper())


def label(kind: str, value: str) -> str:
    """A facet value for people: ``type``/``product`` codes translated, others as written."""
    if kind in ("type", "product"):
        found = translate(f"{kind}.{value}")
        if found != f"{kind}.{value}":
            return found
        return value.replace("-", " ").capitalize()
    if kind == "lang":
        return language_name(value)
    return value
