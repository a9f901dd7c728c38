"""Exporters: the knowledge base out again, as a Zendesk Guide dump (``zendesk.py``) or a plain
JSON document of public articles (``json_dump.py``). Which articles may leave is the caller's
``visible`` predicate (the command line passes the one visibility check of ``search/``)."""
