"""One imported article as a supportkb Markdown file: front matter, clean body, local media."""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import yaml

from kb.imports.convert import to_markdown
from kb.imports.links import rewrite
from kb.imports.report import Report
from kb.imports.source import SourceArticle, check_body
from kb.media import MEDIA_DIR, MEDIA_URL

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's when PyYAML has it
# Copied images and attachments go to ``MEDIA_DIR`` under the articles folder (the loader skips
# ``_`` names), linked at ``MEDIA_URL`` (kb/media.py, docs/import-export.md).
MAX_SLUG_WORDS = 8
IMAGE_LINK = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)(\))")
#: Images and links: both are rewritten when they point at a copied local file.
ANY_LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
LINK_ONLY = re.compile(r"(?<!!)(\[[^\]]*\]\()([^)\s]+)(\))")
#: The target of any link or image, also of a linked image (``[![alt](a.png)](a.png)``).
LINK_TARGET = re.compile(r"(\]\()([^)\s]+)(\))")
#: Link targets that are pages (other articles), never copied as files.
PAGE_SUFFIXES = {".html", ".htm", ".md", ".php", ".asp", ".aspx", ".jsp"}


@dataclass
class Rendered:
    """The file text of one article and the media files it needs copied (source -> target)."""

    text: str
    media: dict[Path, str] = field(default_factory=dict)


def slugify(text: str, fallback: str) -> str:
    """``How do I pay?`` -> ``how-do-i-pay``; accents folded, at most MAX_SLUG_WORDS words."""
    text = re.sub(r"(\w)['’](\w)", r"\1\2", text)  # "router's" -> "routers"
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)[:MAX_SLUG_WORDS]
    return "-".join(words) or fallback


def base_slug(article: SourceArticle) -> str:
    """The slug an article gets the first time: ``[lang/]type/title-words``."""
    name = slugify(article.title, f"{article.source}-{article.source_id}")
    return posixpath.join(*([article.lang.lower()] if article.lang != "en" else []), article.type, name)


def _is_remote(src: str) -> bool:
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:|//)", src, re.I))


def _media(article: SourceArticle, markdown: str, images: list[str],
           report: Report) -> tuple[str, dict[Path, str]]:
    """Copy local images (relative to the source file) into _media; list remote ones."""
    media: dict[Path, str] = {}
    links: dict[str, str] = {}
    for src in images:
        if src.startswith("data:"):
            report.warn(article.source_id, "inline data: image dropped", article.origin)
            links[src] = ""
        elif src.startswith(MEDIA_URL + "/"):  # supportkb's own media (an export): keep the link
            target = unquote(src[len(MEDIA_URL) + 1:])
            found = article.base_dir / MEDIA_DIR / target if article.base_dir else None
            if found is not None and found.is_file() and ".." not in target:
                media[found] = target
            else:
                report.warn(article.source_id, f"media file {src!r} not found", article.origin)
        elif _is_remote(src):
            report.remote_images.append((article.source_id, src))
        else:
            found = _local_file(article, src)
            if found is None or not found.is_file():
                report.warn(article.source_id, f"local image {src!r} not found", article.origin)
                continue
            root = Path(article.extra.get("root") or article.base_dir or ".").resolve()
            if not found.resolve().is_relative_to(root):
                report.warn(article.source_id, f"local file {src!r} is outside {root}: not copied",
                            article.origin)
                continue
            target = posixpath.join(article.source, found.resolve().relative_to(root).as_posix())
            media[found] = target
            links[src] = f"{MEDIA_URL}/{quote(target)}"  # a space would end the Markdown link

    def swap(match: re.Match[str]) -> str:
        new = links.get(match.group(2))
        return match.group(0) if new is None else f"{match.group(1)}{new}{match.group(3)}"
    return LINK_TARGET.sub(swap, markdown), media


def _local_file(article: SourceArticle, src: str) -> Path | None:
    """Where a local ``src`` is: relative to the source file, or (``/img/a.png``) to the root of
    the source (the site folder of an HTML import)."""
    relative = unquote(urlparse(src).path)
    base = article.extra.get("root") if relative.startswith("/") else None
    base = base or article.base_dir
    return Path(base) / relative.lstrip("/") if base else None


def _linked_files(article: SourceArticle, markdown: str) -> list[str]:
    """Links (not images) to local files that are not pages (``files/manual.pdf``): copied too."""
    found = []
    for match in LINK_ONLY.finditer(markdown):
        target = match.group(2)
        if _is_remote(target) or target.startswith(("#", MEDIA_URL + "/")):
            continue
        suffix = posixpath.splitext(urlparse(target).path)[1].lower()
        path = _local_file(article, target)
        if suffix and suffix not in PAGE_SUFFIXES and path is not None and path.is_file():
            found.append(target)
    return found


def front_matter(article: SourceArticle, translation_of: str, slug: str) -> dict[str, object]:
    """The fields written, in a writer-friendly order; empty ones left out."""
    fields: dict[str, object] = {"title": article.title, "type": article.type, "level": article.level}
    if article.summary:
        fields["summary"] = article.summary
    if article.questions:
        fields["questions"] = list(article.questions)
    if article.tags:
        fields["tags"] = list(dict.fromkeys(tag.strip().lower() for tag in article.tags if tag.strip()))
    if article.internal:
        fields["audience"] = "internal"
    if article.lang != "en":
        fields["lang"] = article.lang
    if translation_of:
        fields["translation_of"] = translation_of
        if article.extra.get("source_hash"):
            fields["source_hash"] = article.extra["source_hash"]
    if article.extra.get("related_slugs"):
        fields["related"] = list(article.extra["related_slugs"])
    if article.updated:
        fields["updated"] = article.updated
    if article.draft:
        fields["status"] = "draft"
    if article.url_path and article.url_path != f"/articles/{slug}":  # not its own address
        fields["redirect_from"] = [article.url_path]
    return fields


def render(article: SourceArticle, slug: str, translation_of: str, report: Report,
           links: dict[str, str] | None = None) -> Rendered | None:
    """The file for ``article``, or None (reported) when it has nothing to say."""
    check_body(article)
    if article.is_html:
        converted = to_markdown(article.body, page=bool(article.extra.get("page")))
        body, images = converted.markdown, converted.images
        for problem in converted.problems:
            report.warn(article.source_id, f"broken HTML: {problem}", article.origin)
        for frame in converted.frames:
            report.warn(article.source_id, f"embedded frame kept as a link: {frame}", article.origin)
    else:
        body, images = article.body.strip(), [m.group(2) for m in IMAGE_LINK.finditer(article.body)]
    if not article.title.strip():
        report.skip(article.source_id, "no title", article.origin)
        return None
    if not body.strip():
        report.skip(article.source_id, "empty body", article.origin)
        return None
    local = [str(path) for path in article.extra.get("attachments", [])]
    local += _linked_files(article, body)
    local += [m.group(2) for m in ANY_LINK.finditer(body) if m.group(2).startswith(MEDIA_URL + "/")
              and m.group(2) not in images]
    body, media = _media(article, body, images + local, report)
    report.remote_images += [(article.source_id, url) for url in article.extra.get("remote", [])]
    body, unresolved = rewrite(body, article, slug, links or {})
    for target in dict.fromkeys(unresolved):
        report.warn(article.source_id, f"link {target!r} matches no imported article: kept as it is",
                    article.origin)
    meta = yaml.dump(front_matter(article, translation_of, slug), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100)
    return Rendered(f"---\n{meta}---\n\n{body}\n", media)
