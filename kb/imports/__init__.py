"""Importers: articles from other help centres (Zendesk Guide, Freshdesk Solutions, QnA sheets, an
old HTML site) turned into supportkb Markdown files.

Each source module reads its input into :class:`~kb.imports.source.SourceArticle` records and
problems for the :class:`~kb.imports.report.Report`; ``mapping.py`` gives each one a support type
and level, ``files.py`` turns it into a Markdown file, and ``writer.py`` writes the lot into the
articles folder (stable slugs, idempotent, writers' edits kept). Nothing here imports Flask or
Whoosh.
"""
from kb.imports.source import BadInput, SourceArticle

__all__ = ["BadInput", "SourceArticle"]
