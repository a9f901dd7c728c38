"""Article states as the served version knows them: old URLs, withdrawn articles and each
article's verification standing, read from the version's metadata (written by the build from
``kb/states.py`` and ``kb/review.py``), never from the working tree. What a viewer is told is
decided in ``search/visibility.py``."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from kb.verification import DEFAULT_DUE_SOON, assess
from search.snapshot import Snapshot
from search.viewer import Viewer
from search.visibility import archived_answer, may_see, redirect_target, review_data

#: Redirect chains (an old URL of an archived article replaced by a renamed one) end after this.
MAX_HOPS = 5
#: Zendesk (``/hc/[locale/]articles/<id>[-title]``) and Freshdesk (``[/locale]/support/solutions/
#: articles/<id>[-title]``) article URLs.
LEGACY_ARTICLE = re.compile(r"^(?:/(?P<hc>hc)(?:/(?P<hc_locale>[A-Za-z]{2}(?:-[A-Za-z0-9]+)?))?|"
                            r"(?:/(?P<fd_locale>[A-Za-z]{2}(?:-[A-Za-z0-9]+)?))?/support/solutions)"
                            r"/articles/(?P<id>\d+)(?:-[^/]*)?$")


@dataclass(frozen=True)
class Moved:
    """Where an unknown slug went: ``kind`` is ``redirect`` (301 to ``slug``) or ``gone`` (410)."""

    kind: str
    slug: str = ""
    title: str = ""
    lang: str = ""


def _data(snapshot: Snapshot, slug: str) -> dict[str, Any] | None:
    stored = snapshot.searcher().document(slug=slug)
    return stored["data"] if stored else None


def moved(snapshot: Snapshot, slug: str, viewer: Viewer) -> Moved | None:
    """For a slug the viewer cannot open: the article an old URL leads to, the replacement of an
    archived article, or "gone"; None when the slug means nothing to this viewer (a 404)."""
    states = snapshot.meta.get("states") or {}
    redirects: dict[str, str] = states.get("redirects", {})
    archived: dict[str, dict[str, Any]] = states.get("archived", {})
    current = slug
    for _hop in range(MAX_HOPS):
        if current in redirects:
            target = redirect_target(viewer, _data(snapshot, redirects[current]))
            return Moved("redirect", target) if target else None
        answer = archived_answer(viewer, archived.get(current))
        if answer is None:
            return None
        replacement = archived[current]["replaced_by"]
        if replacement:
            data = _data(snapshot, replacement)
            if data is not None:
                return Moved("redirect", replacement) if may_see(viewer, data) else \
                    Moved("gone", title=answer["title"], lang=answer["lang"])
            current = replacement  # replaced by an article archived or moved since
            continue
        return Moved("gone", title=answer["title"], lang=answer["lang"])
    return None


def article_key(path: str) -> tuple[str, str, str] | None:
    """``(system, locale, id)`` of a Zendesk or Freshdesk article URL path, which both resolve by
    id whatever title follows it: ``/hc/en-us/articles/123-Old-title`` -> ``("hc", "en-us",
    "123")``; ``/support/solutions/articles/42-x`` -> ``("solutions", "", "42")``."""
    found = LEGACY_ARTICLE.match(path)
    if found is None:
        return None
    locale = (found.group("hc_locale") or found.group("fd_locale") or "").lower()
    return ("hc" if found.group("hc") else "solutions", locale, found.group("id"))


def _by_article_key(snapshot: Snapshot) -> dict[tuple[str, str, str], str]:
    """Old article URL keys -> slug, once per version; a key without locale (``/hc/articles/123``)
    leads to the original rather than a translation."""
    def build() -> dict[tuple[str, str, str], str]:
        paths: dict[str, str] = (snapshot.meta.get("states") or {}).get("paths", {})
        table: dict[tuple[str, str, str], str] = {}
        bare: dict[tuple[str, str, str], list[str]] = {}
        for path, slug in paths.items():
            key = article_key(path)
            if key is not None:
                table.setdefault(key, slug)
                bare.setdefault((key[0], "", key[2]), []).append(slug)
        for key, slugs in bare.items():
            originals = [s for s in slugs if not (_data(snapshot, s) or {}).get("translation_of")]
            table.setdefault(key, (originals or slugs)[0])
        return table
    return snapshot.once("legacy-article-keys", build)


def moved_path(snapshot: Snapshot, path: str, viewer: Viewer) -> str | None:
    """The slug an old URL path of a replaced help centre (``redirect_from``) leads this viewer
    to: the same path, or a Zendesk or Freshdesk article URL with the same id and locale (its title
    part changes with renames); None when it names nothing the viewer may see."""
    paths: dict[str, str] = (snapshot.meta.get("states") or {}).get("paths", {})
    wanted = "/" + path.strip("/")
    slug = paths.get(wanted)
    key = article_key(wanted) if slug is None else None
    if key is not None:
        slug = _by_article_key(snapshot).get(key)
    return redirect_target(viewer, _data(snapshot, slug)) if slug else None


def verification(snapshot: Snapshot, slug: str, viewer: Viewer,
                 today: dt.date | None = None) -> dict[str, Any] | None:
    """Owners, last check and due date of one served article (agents and admins only)::

        {"owners": [...], "verified": "2026-09-01" | None, "verified_by": str | None,
         "interval_days": 90, "due": "2026-11-30" | None, "days_left": int | None,
         "state": "ok" | "due" | "overdue" | "never"}
    """
    manifest = snapshot.meta.get("verification") or {}
    record = manifest.get("articles", {}).get(slug)
    if record is None or not viewer.sees_internal:
        return review_data(viewer, None)
    verified = dt.date.fromisoformat(record["verified"]) if record["verified"] else None
    found = assess(verified, record["interval"], today or dt.date.today(),
                   manifest.get("due_soon", DEFAULT_DUE_SOON))
    return review_data(viewer, {
        "owners": list(record["owners"]), "verified": record["verified"] or None,
        "verified_by": record["verified_by"] or None, "interval_days": record["interval"],
        "due": found.due.isoformat() if found.due else None, "days_left": found.days_left,
        "state": found.state})
