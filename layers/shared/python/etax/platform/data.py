"""Versioned data shipped with the code: one convention, one loader.

Each context keeps its data beside its modules, in ``etax/<context>/data/<name>.json`` (rates,
brackets, deadlines, limits; entries with effective dates and sources where the law has them),
and reads it with ``load("etax.<context>", "<name>")``. The file is read and parsed once per
execution environment (the result is cached: treat it as read-only).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(package: str, name: str) -> dict[str, Any]:
    """``data/<name>.json`` of ``package`` (e.g. ``load("etax.filing", "deadlines")``), parsed."""
    text = resources.files(package).joinpath("data", f"{name}.json").read_text("utf-8")
    parsed: dict[str, Any] = json.loads(text)
    return parsed
