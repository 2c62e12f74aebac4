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
  Also every mobile number written with its country code (``+8613800138000`` →
  ``+86138****8000``; a bare 11-digit number is not recognised: tax office codes such as
  ``13501000000`` look the same) and every bearer token (a JWT: ``eyJ….….…``), which is
  replaced whole by ``[token]``.
- :func:`mask_fields` — for log lines: the values of fields that hold a person's data by
  their name (:data:`PERSONAL_FIELDS`: phone, bank card or account, name, ID number, token, …)
  masked whatever their shape, since a bank account or a name cannot be told from the text.
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
_MOBILE = re.compile(r"(?<![0-9A-Za-z+])\+86[- ]?1[3-9]\d{9}(?![0-9A-Za-z])")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
TOKEN_MASK = "[token]"  # noqa: S105 - what replaces a token, not one
# fields whose values are a person's data whatever they look like (log lines only)
PHONE_FIELDS = frozenset({"phone", "mobile", "contact_phone"})
PERSONAL_FIELDS = PHONE_FIELDS | frozenset({
    "name", "holder", "real_name", "address",
    "bank_card", "card", "account", "account_number", "id_number", "resident_id",
    "recipient", "token", "authorization", "openid", "email",
})


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
    """``text`` with every resident ID number and every ``+86`` mobile number in it masked
    (:func:`mask_identifier`) and every bearer token replaced by ``[token]``."""
    text = _JWT.sub(TOKEN_MASK, text)
    text = _MOBILE.sub(lambda match: mask_identifier(match.group(0)), text)
    return _RESIDENT_ID.sub(_mask_match, text)


def mask_fields(value: Any) -> Any:
    """``value`` (dicts and lists, nested) with the value of every :data:`PERSONAL_FIELDS`
    key masked: phone numbers by :func:`mask_phone`, other strings by :func:`mask_identifier`,
    anything else wholly."""
    if isinstance(value, dict):
        return {key: _masked_value(str(key).lower(), item)
                if str(key).lower() in PERSONAL_FIELDS else mask_fields(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_fields(item) for item in value]
    return value


def mask_phone(value: str) -> str:
    """A phone number with its first 3 and last 4 characters kept (``138****8000``)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _masked_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return mask_phone(value) if key in PHONE_FIELDS else mask_identifier(value)
    if isinstance(value, dict | list | tuple):
        return "***"
    return "*" * len(str(value))


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
