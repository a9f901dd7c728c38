"""Search analytics for writers: what was searched, found, clicked and voted. No Flask, no Whoosh.

``store`` keeps events in SQLite or PostgreSQL, ``recorder`` hands them off from requests,
``reports``/``charts``/``proposals`` turn them into tables, SVG charts and draft articles.
"""
from analytics.recorder import Recorder
from analytics.store import Store, open_store, resolve_url

__all__ = ["Recorder", "Store", "open_store", "resolve_url"]
