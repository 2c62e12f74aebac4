"""Personal identifiers in logs and error bodies: a short masked form, never the whole value.

A resident ID (居民身份证号码, 18 characters) or a unified social credit code (18 characters)
is shown as its first 6 and last 4 characters (``110101********123X``): enough to tell two
records apart in a log, not enough to be the identifier.
"""

from __future__ import annotations

VISIBLE_HEAD = 6
VISIBLE_TAIL = 4


def mask_identifier(value: str) -> str:
    """``value`` with all but its first 6 and last 4 characters replaced by ``*``.

    A value of 10 characters or fewer would show whole, so it is masked whole; the length is
    kept either way.
    """
    hidden = len(value) - VISIBLE_HEAD - VISIBLE_TAIL
    if hidden <= 0:
        return "*" * len(value)
    return value[:VISIBLE_HEAD] + "*" * hidden + value[-VISIBLE_TAIL:]
