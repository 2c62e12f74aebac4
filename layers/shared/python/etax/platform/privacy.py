"""What the platform may show of a client's input: personal identifiers masked, text bounded.

Used in the two places everything the platform writes passes through: the problem body
(:meth:`etax.platform.errors.ProblemError.body`) and the log formatter
(:mod:`etax.platform.observability`). Domain code may call :func:`excerpt` where it quotes
input in a message, but does not have to: the problem body bounds and masks it anyway.

- :func:`mask_identifier` — one identifier, first 6 and last 4 characters kept
  (``350102199003071234`` → ``350102********1234``, the form GB 11643 IDs are shown in).
- :func:`mask_text` — every resident ID number found in a text, masked the same way. A
  resident ID is 17 digits and a digit or ``X`` whose characters 7-14 are a date (1900-2099),
  standing alone (no letter or digit either side); customs declaration numbers, bank cards and
  invoice numbers of 18 or 20 digits do not carry a date there and are left as they are.
- :func:`excerpt` — at most ``limit`` characters, the cut marked with ``…``; characters that
  are not valid Unicode (lone surrogates) become U+FFFD so the text can always be encoded.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

EXCERPT_LIMIT = 80  # characters of a client's value the platform repeats back
ELLIPSIS = "…"
_KEEP_START, _KEEP_END = 6, 4

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{6})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def mask_identifier(value: str) -> str:
    """``value`` with all but its first 6 and last 4 characters hidden (short values wholly)."""
    if len(value) <= _KEEP_START + _KEEP_END:
        return "*" * len(value)
    return value[:_KEEP_START] + "*" * (len(value) - _KEEP_START - _KEEP_END) + value[-_KEEP_END:]


def _is_date(yyyymmdd: str) -> bool:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


def _mask_match(match: re.Match[str]) -> str:
    if not _is_date(match.group(2)):
        return match.group(0)
    return mask_identifier(match.group(0))


def mask_text(text: str) -> str:
    """``text`` with every resident ID number in it masked (:func:`mask_identifier`)."""
    return _RESIDENT_ID.sub(_mask_match, text)


def valid_text(value: str) -> bool:
    """True if ``value`` is valid Unicode text (no lone surrogate: it can be encoded as UTF-8)."""
    return _SURROGATE.search(value) is None


def excerpt(value: str, limit: int = EXCERPT_LIMIT) -> str:
    """At most ``limit`` characters of ``value`` (the cut marked ``…``), always encodable."""
    if len(value) > limit:
        value = value[: max(limit - 1, 0)] + ELLIPSIS
    return _SURROGATE.sub("\ufffd", value)


def scrub(value: Any, limit: int = EXCERPT_LIMIT) -> Any:
    """``value`` (str, or lists and dicts of them) with every string bounded and masked."""
    if isinstance(value, str):
        return excerpt(mask_text(value), limit)
    if isinstance(value, dict):
        return {scrub(k, limit) if isinstance(k, str) else k: scrub(v, limit)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, limit) for item in value]
    return value
