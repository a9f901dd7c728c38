"""Checks across articles: links, references, translations, duplicates, staleness."""
from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from rapidfuzz import fuzz

from kb.golden import golden_path
from kb.loader import KnowledgeBase
from kb.markup import article_link, find_links, site_article_slug, split_internal
from kb.model import Article
from kb.owners import OWNERS_FILE, check_owners
from kb.problems import Problem
from kb.progress import track
from kb.states import check_states
from kb.titles import NearTitles
from kb.translations import translation_problems
from kb.verification import check_verified


def _memo(article: Article, name: str, make: Callable[[], Any]) -> Any:
    """A value that depends on the article's file alone, kept on the article; the parse cache
    (kb/filecache.py) stores it with the article, so unchanged files skip the work next run."""
    value = vars(article).get(name)
    if value is None:
        value = vars(article)[name] = make()
    return value


def _problem(article: Article, line: int, name: str, message: str, hint: str = "",
             severity: str = "error") -> Problem:
    return Problem(article.path, line, name, message, hint, severity)  # type: ignore[arg-type]


def _suggest(slug: str, slugs: list[str]) -> str:
    """A did-you-mean for a mistyped slug, comparing whole slugs and their last parts."""
    def closeness(candidate: str) -> float:
        return max(fuzz.ratio(slug, candidate), fuzz.ratio(slug.rsplit("/", 1)[-1],
                                                           candidate.rsplit("/", 1)[-1]) - 5)
    best = max(slugs, key=closeness, default=None)
    if best is not None and closeness(best) >= 75:
        return f"did you mean '{best}'?"
    return "no article has this slug (its path under articles/ without .md)"


def _linked_slug(article: Article, href: str) -> str | None:
    """The article a link points at: a relative ``.md`` link or an absolute ``/articles/`` one."""
    resolved = article_link(article.slug, href)
    return resolved[0] if resolved else site_article_slug(href)


def check_links(article: Article, slugs: dict[str, Article]) -> list[Problem]:
    """Broken links to other articles, and public articles linking to internal ones (a warning,
    so an error under ``--strict``: customers would get a 404 and learn the slug exists)."""
    problems = []
    for offset, href, in_internal_block in _memo(article, "_links", lambda: find_links(article.body)):
        slug = _linked_slug(article, href)
        if slug is None:
            continue
        line = article.body_line + offset
        target = slugs.get(slug)
        if target is None:
            problems.append(_problem(article, line, "link", f"broken link to {href!r}",
                                     _suggest(slug, list(slugs))))
        elif target.is_internal and not article.is_internal and not in_internal_block:
            problems.append(_problem(article, line, "link",
                                     f"public article links to internal article {slug!r}",
                                     "customers cannot open it; move the link into a '::: internal' block",
                                     "warning"))
        elif target.status == "review" and not article.is_agent_only and not in_internal_block:
            problems.append(_problem(article, line, "link",
                                     f"public article links to {slug!r}, still in review",
                                     "customers cannot open it until it is published", "warning"))
        elif target.status in ("archived", "draft") and article.is_indexed:
            replacement = f"link to {target.replaced_by!r} instead" if target.replaced_by else \
                "remove the link or point it to a published article"
            problems.append(_problem(article, line, "link",
                                     f"links to {target.status} article {slug!r}", replacement,
                                     "warning"))
    return problems


def check_references(article: Article, slugs: dict[str, Article]) -> list[Problem]:
    """``related`` and ``translation_of`` must name existing articles."""
    problems = []
    for slug in article.related:
        if slug not in slugs:
            problems.append(_problem(article, article.line_of("related"), "related",
                                     f"no article {slug!r}", _suggest(slug, list(slugs))))
        elif slug == article.slug:
            problems.append(_problem(article, article.line_of("related"), "related",
                                     "an article cannot be related to itself"))
        elif not slugs[slug].is_indexed and article.is_indexed:
            problems.append(_problem(article, article.line_of("related"), "related",
                                     f"{slug!r} is {slugs[slug].status}, never shown",
                                     "remove it or name a published article", "warning"))
    if article.translation_of:
        original = slugs.get(article.translation_of)
        line = article.line_of("translation_of")
        if original is None:
            problems.append(_problem(article, line, "translation_of",
                                     f"no article {article.translation_of!r}",
                                     _suggest(article.translation_of, list(slugs))))
        elif original.lang == article.lang:
            problems.append(_problem(article, line, "translation_of",
                                     f"original is also in {article.lang!r}",
                                     "set 'lang' to the translation's language"))
    return problems


def check_body(article: Article, today: dt.date) -> list[Problem]:
    """Internal blocks must be balanced; ``review_by`` in the past is a warning."""
    problems = [_problem(article, article.body_line + offset, "body", message,
                         "close each '::: internal' block with a line ':::'")
                for offset, message in _memo(article, "_blocks",
                                             lambda: split_internal(article.body).problems)]
    if article.is_stale(today):
        problems.append(_problem(article, article.line_of("review_by"), "review_by",
                                 f"review date {article.review_by} has passed",
                                 "review the article and move 'review_by' forward", "warning"))
    return problems


def check_duplicates(articles: list[Article], titles: NearTitles | None = None) -> list[Problem]:
    """Slugs that differ only in case, two translations into one language, near-duplicate titles."""
    problems: list[Problem] = []
    seen: dict[str, Article] = {}
    translations: dict[tuple[str, str], Article] = {}
    for article in articles:
        key = article.slug.lower()
        if key in seen:
            problems.append(_problem(article, 1, "slug",
                                     f"duplicate slug: same as {seen[key].path}", "rename one file"))
        seen.setdefault(key, article)
        if article.translation_of:
            pair = (article.translation_of, article.lang)
            if pair in translations:
                problems.append(_problem(article, article.line_of("translation_of"), "translation_of",
                                         f"{translations[pair].path} already translates "
                                         f"{article.translation_of!r} into {article.lang!r}"))
            translations.setdefault(pair, article)
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_lang[article.lang].append(article)
    titles = titles or NearTitles()
    for group in by_lang.values():
        problems += _near_duplicate_titles(group, titles)
    return problems


def _near_duplicate_titles(group: list[Article], titles: NearTitles) -> list[Problem]:
    """A warning on the later article (by path) of each pair with nearly the same title."""
    by_title: dict[str, list[Article]] = defaultdict(list)
    for article in sorted(group, key=lambda a: a.path):
        by_title[article.title].append(article)
    problems = []
    for same in by_title.values():  # identical titles
        problems += [_title_warning(later, same[0]) for later in same[1:]]
    for a, b in titles.pairs(group[0].lang, list(by_title)) if group else ():
        first, second = sorted((by_title[a][0], by_title[b][0]), key=lambda x: x.path)
        problems.append(_title_warning(second, first))
    return problems


def _title_warning(article: Article, other: Article) -> Problem:
    return _problem(article, article.line_of("title"), "title", f"nearly the same title as {other.path}",
                    "merge the articles or make the titles distinct", "warning")


def check_golden_targets(kb: KnowledgeBase, slugs: dict[str, Article]) -> list[Problem]:
    """Golden queries must expect an existing article."""
    return [Problem(golden_path(kb.root), g.line, "expect", f"no article {g.expect!r}",
                    _suggest(g.expect, list(slugs))) for g in kb.golden if g.expect not in slugs]


def _side_file(root: Path, name: str) -> str:
    """How problems name a side file: under the articles folder as the writer sees it."""
    shown = os.path.relpath(root)
    return f"{root if shown.startswith('..') else shown}/{name}"


def validate(kb: KnowledgeBase, today: dt.date | None = None,
             titles: NearTitles | None = None, progress: bool = False) -> list[Problem]:
    """Every problem in the knowledge base: the loader's and the cross-article checks, sorted.

    ``titles`` remembers compared titles (save it after a good build) so a rebuild compares only
    new ones."""
    today = today or dt.date.today()
    slugs = kb.by_slug()
    problems = list(kb.problems)
    for article in track(kb.articles, "validate", len(kb.articles), progress):
        problems += check_links(article, slugs)
        problems += check_references(article, slugs)
        problems += check_body(article, today)
        problems += check_verified(article, today)
    problems += check_duplicates(kb.articles, titles)
    problems += check_states(kb.articles)
    problems += check_owners(kb.owners, kb.articles, _side_file(kb.root, OWNERS_FILE))
    problems += check_golden_targets(kb, slugs)
    problems += translation_problems(kb.articles)
    kb.cache.save()  # the parse cache, with the links and blocks found above
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message))
