"""The edge's value types: what a request model declares a field to be, built on the kernel.

Every context's ``requests.py`` declares its money, rates and identifiers with these rather
than with a bounded ``str`` re-read later, so a route parses its body once, at the edge, and
hands typed values inward. Each type checks with the kernel's rule (:mod:`etax.rules.money`,
:mod:`etax.rules.resident_id`) and fails with the rule's own words, which pydantic reports as
``"Value error, <reason>"`` at the field (a 422 naming it, :func:`etax.errors.invalid_from`).

- :data:`Yuan` — a non-negative amount, held as :class:`~decimal.Decimal` yuan with two
  places (requests: a decimal string or whole yuan as a JSON integer; floats, exponents and
  more than two decimals refused); dumps to JSON as ``"1130.00"``.
- :data:`YuanText` — a positive amount in yuan, checked and kept as the string given (a
  provider's callback, whose text is echoed back and signed over as sent).
- :data:`Rate` — a tax rate as a decimal fraction from 0 to 1 (``"0.13"``); which rates apply
  is each context's data.
- :data:`ResidentId` — a resident identity number, check character verified, held normalized
  (upper-case ``X``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints

from etax.rules import money, resident_id

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _to_yuan(value: object) -> Decimal:
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.quantize(_CENT):
            raise ValueError("at most 2 decimal places are allowed")
        value = f"{value:f}"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("an amount is a decimal string in yuan, like \"1130.00\"")
    try:
        fen = money.parse_yuan(value)
    except money.MoneyError as error:
        raise ValueError(error.reason) from None
    return (Decimal(fen) / _HUNDRED).quantize(_CENT)


Yuan = Annotated[
    Decimal,
    BeforeValidator(_to_yuan),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]
"""A non-negative amount in yuan with two places (requests: decimal string or whole yuan)."""


def _positive_yuan(value: str) -> str:
    try:
        money.parse_yuan(value, allow_zero=False)
    except money.MoneyError as error:
        raise ValueError(error.reason) from None
    return value


YuanText = Annotated[str, AfterValidator(_positive_yuan)]
"""A positive amount: a decimal string in yuan, kept as given (checked, not converted)."""


_RATE = re.compile(r"(0|1)(\.[0-9]{1,4})?")


def rate_text(rate: Decimal) -> str:
    """``Decimal("0.030")`` → ``"0.03"``; ``0`` → ``"0"``."""
    normalized = rate.normalize()
    return "0" if normalized == 0 else f"{normalized:f}"


def _to_rate(value: object) -> Decimal:
    if isinstance(value, Decimal):
        value = f"{value:f}"
    if not isinstance(value, str) or _RATE.fullmatch(value.strip()) is None:
        raise ValueError("a rate is a decimal fraction string, like \"0.13\"")
    rate = Decimal(value.strip())
    if rate > 1:
        raise ValueError("a rate is at most 1")
    return rate


Rate = Annotated[
    Decimal,
    BeforeValidator(_to_rate),
    PlainSerializer(rate_text, return_type=str, when_used="json"),
]
"""A tax rate as a decimal fraction between 0 and 1 (``"0.13"``)."""


def _resident_id(value: str) -> str:
    try:
        return resident_id.parse(value).number
    except resident_id.MalformedResidentId as error:
        raise ValueError(error.reason) from None


ResidentId = Annotated[str, StringConstraints(max_length=24), AfterValidator(_resident_id)]
"""A resident identity number (18 characters, check character verified), normalized."""
