"""The ``/embed`` blueprint, shared by the sidebar and deflection views."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("embed", __name__, url_prefix="/embed")
