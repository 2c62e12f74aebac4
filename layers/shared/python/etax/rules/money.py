"""Money on invoices: yuan strings at the API, integer fen inside, and the VAT line arithmetic.

Sources and choices
-------------------
sources.md#invoices shows how amounts are written on the wire: decimal yuan, at most two decimals
("64.9", "94339.62", "112", "165106.00"). Everything else here is our own rule, stated once:

* **Representation.** API amounts are decimal strings in yuan with at most two decimals; we store
  integer fen. Binary floats are refused outright (``0.1 + 0.2`` is not money). Amounts above
  :data:`MAX_FEN` (10^13 fen = 100 000 000 000.00 yuan) are refused: no invoice comes near it and
  it keeps every sum far inside exact integer and decimal ranges.
* **The rounding rule** (our choice; the sources have no official text on line rounding):

  1. amounts are *tax-exclusive* (金额, 不含税);
  2. line amount = quantity × unit price, computed exactly, rounded **half-up to the fen**;
  3. line tax = that *rounded* line amount × rate, rounded **half-up to the fen**;
  4. invoice amount = Σ rounded line amounts, invoice tax = Σ rounded line taxes, total
     (价税合计) = amount + tax. Totals are never re-derived from the summed amount, so the printed
     lines always add up to the printed totals.

  Consequences a test can hold us to: a line's tax is never more than amount × rate + 0.5 fen;
  rate 0 gives tax 0; the total is exactly amount + tax.
* **Signs.** :func:`compute_line` accepts only positive quantities and prices. Negative lines exist
  only as red-letter (credit, 红字) invoices, which mirror the original invoice exactly: build them
  with :func:`negate` / :meth:`Totals.negated` rather than by computing from negative quantities,
  so a credit note can never differ from its original by a rounding fen.
* **Quantities and unit prices** are decimals with at most 6 and 8 places respectively (our limits,
  matching what invoicing software commonly prints); their integer part has at most 13 digits.
* **Rates.** The rates we accept when *issuing*: 13 %, 9 %, 6 %, 3 %, 1 %, 0 % (:class:`TaxRate`).
  Verification never needs a rate, so nothing here limits what other issuers printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import Enum

from etax.rules.refusal import Refusal

MAX_FEN = 10**13
"""The largest absolute amount, in fen, accepted anywhere (100 000 000 000.00 yuan)."""

QUANTITY_PLACES = 6
UNIT_PRICE_PLACES = 8
MAX_INTEGER_DIGITS = 13
"""Integer digits allowed in a quantity or unit price (keeps products exact and bounded)."""

_YUAN = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_NOT_NUMBERS = {"nan", "snan", "inf", "infinity"}
# Exact products need about 2 × (13 + 8) digits; 60 leaves room and never rounds.
_EXACT_PRECISION = 60
_ONE = Decimal(1)


class MoneyError(Refusal):
    """An amount, quantity, price or rate is not acceptable; ``reason`` says why, in plain words."""


def _why_not_a_number(text: str, max_places: int, noun: str) -> str:
    """Explain, in the most specific words we can, why ``text`` is not a plain decimal."""
    if any(ch.isspace() for ch in text):
        return f"the {noun} contains spaces"
    if "," in text:
        return "thousands separators are not allowed (write 1130.00, not 1,130.00)"
    if text.lstrip("+-").lower() in _NOT_NUMBERS:
        return "NaN and Infinity are not numbers"
    if "e" in text.lower():
        return "exponents are not allowed (write 1000, not 1e3)"
    if text.startswith("+"):
        return "a leading plus sign is not allowed"
    loose = _DECIMAL.fullmatch(text)
    if loose is not None and loose.group(3) is not None and len(loose.group(3)) > max_places:
        return f"at most {max_places} decimal places are allowed"
    return f"{text!r} is not a plain decimal number like 1130.00"


def _is_text(value: object) -> bool:
    """Runtime guard for values that come from JSON despite their annotations."""
    return isinstance(value, str)


def _reject_non_text(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        kind = type(value).__name__
        raise MoneyError(f"a number must be given as a decimal string or an integer, not {kind}")


def parse_yuan(text: str | int, *, allow_negative: bool = False, allow_zero: bool = True) -> int:
    """Parse an amount in yuan (``"1130"``, ``"1130.5"``, ``"1130.50"``, ``1130``) into fen.

    Strict on purpose: an amount that could be read two ways ("1,130", "1e3", "+5", " 5") is
    refused with a reason rather than guessed at, because money read wrongly is worse than money
    refused. Floats are refused by type.
    """
    _reject_non_text(text)
    negative = False
    if isinstance(text, int):
        negative = text < 0
        magnitude = abs(text)
        if magnitude > MAX_FEN // 100:
            raise MoneyError(f"amounts above {format_yuan(MAX_FEN)} yuan are not accepted")
        fen = magnitude * 100
    else:
        if not text.strip():
            raise MoneyError("the amount is blank")
        match = _YUAN.fullmatch(text)
        if match is None:
            raise MoneyError(_why_not_a_number(text, 2, "amount"))
        sign, whole, cents = match.groups()
        negative = sign == "-"
        # Compare lengths before int(): a thousand-digit string must not reach int().
        if len(whole.lstrip("0")) > len(str(MAX_FEN // 100)):
            raise MoneyError(f"amounts above {format_yuan(MAX_FEN)} yuan are not accepted")
        fen = int(whole) * 100 + int((cents or "").ljust(2, "0"))
    if fen > MAX_FEN:
        raise MoneyError(f"amounts above {format_yuan(MAX_FEN)} yuan are not accepted")
    if negative and not allow_negative:
        raise MoneyError("negative amounts are not allowed here")
    if fen == 0 and not allow_zero:
        raise MoneyError("the amount must not be zero")
    return -fen if negative else fen


def format_yuan(fen: int) -> str:
    """Write fen as yuan with two decimals: ``113000`` → ``"1130.00"``, ``-1230`` → ``"-12.30"``."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"an amount in fen must be an integer, not {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_decimal(text: str | int, *, field_max_places: int, positive: bool = True) -> Decimal:
    """Parse a quantity or unit price exactly (no float on the way) as a :class:`Decimal`.

    ``field_max_places`` is the number of decimal places the field allows
    (:data:`QUANTITY_PLACES`, :data:`UNIT_PRICE_PLACES`). With ``positive`` (the default) the value
    must be greater than zero; otherwise zero and negative values are accepted too.
    """
    _reject_non_text(text)
    if isinstance(text, int):
        value = Decimal(text)
        if len(str(abs(text))) > MAX_INTEGER_DIGITS:
            raise MoneyError(f"at most {MAX_INTEGER_DIGITS} digits before the decimal point")
    else:
        if not text.strip():
            raise MoneyError("the number is blank")
        match = _DECIMAL.fullmatch(text)
        if match is None:
            raise MoneyError(_why_not_a_number(text, field_max_places, "number"))
        _, whole, places = match.groups()
        if places is not None and len(places) > field_max_places:
            raise MoneyError(f"at most {field_max_places} decimal places are allowed")
        if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
            raise MoneyError(f"at most {MAX_INTEGER_DIGITS} digits before the decimal point")
        value = Decimal(text)
    if positive and value <= 0:
        raise MoneyError("the number must be greater than zero")
    return value


def parse_quantity(text: str | int) -> Decimal:
    """A line quantity: positive, at most :data:`QUANTITY_PLACES` decimal places."""
    return parse_decimal(text, field_max_places=QUANTITY_PLACES)


def parse_unit_price(text: str | int) -> Decimal:
    """A tax-exclusive unit price: positive, at most :data:`UNIT_PRICE_PLACES` decimal places."""
    return parse_decimal(text, field_max_places=UNIT_PRICE_PLACES)


class TaxRate(Enum):
    """A VAT rate we accept when issuing an invoice.

    Parse with :meth:`parse`: ``"0.13"``, ``"0.130"`` and ``"0.1300"`` are the same rate, as are
    ``"0"`` and ``"0.00"``. ``value`` is the exact :class:`Decimal` fraction.
    """

    R13 = Decimal("0.13")
    R9 = Decimal("0.09")
    R6 = Decimal("0.06")
    R3 = Decimal("0.03")
    R1 = Decimal("0.01")
    R0 = Decimal("0")

    @classmethod
    def parse(cls, text: str) -> TaxRate:
        """The rate written as a decimal fraction, or :class:`MoneyError` naming the allowed set."""
        allowed = ", ".join(rate.text for rate in cls)
        if not _is_text(text):
            raise MoneyError(f"a tax rate is a decimal string, one of {allowed}")
        if len(text) > 12 or _DECIMAL.fullmatch(text) is None or text.startswith("-"):
            raise MoneyError(f"tax rate {text!r} is not one of {allowed}")
        try:
            return cls(Decimal(text))
        except ValueError:
            raise MoneyError(f"tax rate {text!r} is not one of {allowed}") from None

    @property
    def text(self) -> str:
        """The canonical decimal string: ``"0.13"``, ``"0"``."""
        return "0" if self.value == 0 else f"{self.value:f}"

    @property
    def label(self) -> str:
        """The rate as printed on invoices: ``"13%"``, ``"0%"``."""
        return f"{(self.value * 100).to_integral_value():f}%"


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """One invoice line's rounded amount (tax-exclusive) and tax, in fen."""

    amount_fen: int
    tax_fen: int

    def __post_init__(self) -> None:
        for name in ("amount_fen", "tax_fen"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise MoneyError(f"{name} must be an integer number of fen")
            if abs(value) > MAX_FEN:
                raise MoneyError(f"{name} is above {format_yuan(MAX_FEN)} yuan")
        if self.amount_fen * self.tax_fen < 0:
            raise MoneyError("a line's amount and tax must have the same sign")

    @property
    def is_credit(self) -> bool:
        """True for a red-letter (credit) line, made by :func:`negate`."""
        return self.amount_fen < 0 or self.tax_fen < 0

    def negated(self) -> LineAmounts:
        """The mirror line of a red-letter invoice: same digits, opposite sign."""
        return LineAmounts(-self.amount_fen, -self.tax_fen)


@dataclass(frozen=True, slots=True)
class Totals:
    """An invoice's amount (tax-exclusive), tax and total (价税合计), in fen."""

    amount_fen: int
    tax_fen: int
    total_fen: int

    def __post_init__(self) -> None:
        if self.total_fen != self.amount_fen + self.tax_fen:
            raise MoneyError("the total must equal amount plus tax")

    def negated(self) -> Totals:
        """The totals of the red-letter invoice that cancels this one, to the fen."""
        return Totals(-self.amount_fen, -self.tax_fen, -self.total_fen)


def negate(line: LineAmounts) -> LineAmounts:
    """The only way to a negative line: mirror a computed line for a red-letter invoice."""
    return line.negated()


def tax_on(amount_fen: int, rate: TaxRate) -> int:
    """Tax on a rounded, tax-exclusive amount: amount × rate, half-up to the fen."""
    with localcontext(prec=_EXACT_PRECISION):
        return int((Decimal(amount_fen) * rate.value).quantize(_ONE, rounding=ROUND_HALF_UP))


def _check_factor(value: Decimal, name: str, places: int) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise MoneyError(f"the {name} must be a finite Decimal")
    if value <= 0:
        raise MoneyError(
            f"the {name} must be greater than zero (credit lines are made with negate())"
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise MoneyError(f"the {name} has more than {places} decimal places")
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        raise MoneyError(f"the {name} has more than {MAX_INTEGER_DIGITS} digits before the point")


def compute_line(quantity: Decimal, unit_price: Decimal, rate: TaxRate) -> LineAmounts:
    """Amount and tax of one line by the module's rounding rule (half-up to the fen, twice)."""
    _check_factor(quantity, "quantity", QUANTITY_PLACES)
    _check_factor(unit_price, "unit price", UNIT_PRICE_PLACES)
    try:
        with localcontext(prec=_EXACT_PRECISION):
            exact_fen = quantity * unit_price * 100
            amount_fen = int(exact_fen.quantize(_ONE, rounding=ROUND_HALF_UP))
    except InvalidOperation:  # pragma: no cover - bounded inputs keep this exact
        raise MoneyError("the line amount cannot be computed exactly") from None
    if amount_fen > MAX_FEN:
        raise MoneyError(f"the line amount is above {format_yuan(MAX_FEN)} yuan")
    return LineAmounts(amount_fen, tax_on(amount_fen, rate))


def compute_totals(lines: Iterable[LineAmounts]) -> Totals:
    """Sum rounded lines into invoice totals; total = amount + tax.

    All lines must share one sign: an invoice is either a sale or the red-letter mirror of one.
    """
    items = list(lines)
    if not items:
        raise MoneyError("an invoice needs at least one line")
    if any(line.is_credit for line in items) and any(
        line.amount_fen > 0 or line.tax_fen > 0 for line in items
    ):
        raise MoneyError("an invoice cannot mix sale lines and red-letter (credit) lines")
    amount = sum(line.amount_fen for line in items)
    tax = sum(line.tax_fen for line in items)
    if abs(amount + tax) > MAX_FEN:
        raise MoneyError(f"the invoice total is above {format_yuan(MAX_FEN)} yuan")
    return Totals(amount, tax, amount + tax)
