"""Numbers of the fully digitalized invoices (数电票) we issue, and the blocks we allocate them in.

Sources (sources.md#invoices, "数电票 / 全电发票")
-----------------------------------------
A 数电票 number has 20 digits and no separate invoice code: digits 1-2 are the last two digits of
the year, 3-4 the region code of the province-level tax bureau, 5 the issuing channel, 6-20 a
sequence. The real example ``23442000000014209621`` reads year 2023, region 44 (广东), channel 2.

Choices where the sources say nothing (**not found**):

* **Channel digits.** The official meaning of digit 5 is not found. Ours, as data in
  :data:`CHANNEL_DIGITS`: web = 1, mobile = 2, api = 3. :func:`parse_number` therefore parses the
  numbers *we* issue; other issuers' numbers are only checked for shape by the QR and
  verification rules.
* **Region codes.** The list of tax-bureau region codes is not found. We use the province part of
  the GB/T 2260 region code (two digits, as in the example's 44 = 广东) and take it from the
  seller's Unified Social Credit Code (:func:`region_of_credit_code`, positions 3-4). How the
  five 计划单列市 bureaus (大连, 宁波, 厦门, 青岛, 深圳) are coded is not found; they get their
  province's digits. Only the form is checked: two digits, not ``00``.
* **Years.** Two digits are read as 20xx (数电票 did not exist before 2000).
* **Sequences** run from 1 to 10^15 − 1; 0 is never issued. Issuers draw numbers from disjoint
  :class:`SequenceBlock` ranges (block k covers ``[k·size + 1, (k + 1)·size]``), so concurrent
  issuers never collide without talking to each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from etax.rules import uscc
from etax.rules.refusal import Refusal

LENGTH = 20
SEQUENCE_DIGITS = 15
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
FIRST_YEAR = 2000
LAST_YEAR = 2099

CHANNEL_DIGITS: dict[str, str] = {"web": "1", "mobile": "2", "api": "3"}
"""Our issuing channels and the digit each writes at position 5 (our choice; see module doc)."""
_CHANNELS_BY_DIGIT = {digit: name for name, digit in CHANNEL_DIGITS.items()}


class InvoiceNumberError(Refusal):
    """An invoice number, or a part of one, is not acceptable; ``reason`` says why."""


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _check_region(region: object) -> str:
    if not isinstance(region, str) or len(region) != 2 or not _digits(region):
        raise InvoiceNumberError(f"a region code is two digits, not {region!r}")
    if region == "00":
        raise InvoiceNumberError("region code 00 is not a region")
    return region


@dataclass(frozen=True, slots=True)
class InvoiceNumber:
    """A parsed 数电票 number of ours."""

    year2: int
    region: str
    channel: str
    sequence: int

    @property
    def year(self) -> int:
        """The four-digit year (two digits are read as 20xx)."""
        return FIRST_YEAR + self.year2

    @property
    def text(self) -> str:
        """The 20-digit number."""
        return format_number(self.year, self.region, self.channel, self.sequence)

    def __str__(self) -> str:
        return self.text


def format_number(year: int, region: str, channel: str, sequence: int) -> str:
    """Write a 20-digit number: ``YY`` + region + channel digit + 15-digit sequence."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvoiceNumberError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    region = _check_region(region)
    digit = CHANNEL_DIGITS.get(channel)
    if digit is None:
        raise InvoiceNumberError(f"channel {channel!r} is not one of {', '.join(CHANNEL_DIGITS)}")
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise InvoiceNumberError("the sequence must be an integer")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise InvoiceNumberError(f"the sequence must be between 1 and {MAX_SEQUENCE}")
    return f"{year % 100:02d}{region}{digit}{sequence:0{SEQUENCE_DIGITS}d}"


def parse_number(text: str) -> InvoiceNumber:
    """Split one of our 20-digit numbers into its parts, or say why it is not one."""
    if not isinstance(text, str):
        raise InvoiceNumberError("an invoice number is a string of digits")
    if len(text) != LENGTH:
        raise InvoiceNumberError(
            f"a fully digitalized invoice number has {LENGTH} digits, this one has {len(text)}"
        )
    if not _digits(text):
        raise InvoiceNumberError("an invoice number has only the digits 0-9")
    region = _check_region(text[2:4])
    channel = _CHANNELS_BY_DIGIT.get(text[4])
    if channel is None:
        raise InvoiceNumberError(
            f"channel digit {text[4]} is not one of ours "
            f"({', '.join(f'{d} {n}' for n, d in CHANNEL_DIGITS.items())})"
        )
    sequence = int(text[5:])
    if sequence == 0:
        raise InvoiceNumberError("sequence 0 is never issued")
    return InvoiceNumber(int(text[:2]), region, channel, sequence)


def region_of_credit_code(credit_code: str) -> str:
    """The province part of a credit code's region (positions 3-4): ``91350100M000100Y43`` → 35.

    The code must be well-formed; a wrong check character is accepted, because real registered
    codes with a wrong check character exist (sources.md#uscc) and the region is still theirs.
    """
    try:
        parsed = uscc.parse(credit_code)
    except uscc.MalformedCode as error:
        raise InvoiceNumberError(f"not a credit code: {error.reason}") from None
    region = parsed.region_code
    if not _digits(region):
        raise InvoiceNumberError(f"the credit code's region {region!r} is not six digits")
    return _check_region(region[:2])


@dataclass(frozen=True, slots=True)
class SequenceBlock:
    """A run of sequence numbers, ``start`` to ``start + size - 1``, owned by one issuer."""

    start: int
    size: int

    def __post_init__(self) -> None:
        if self.start < 1:
            raise InvoiceNumberError("a sequence block starts at 1 or later")
        if self.size < 1:
            raise InvoiceNumberError("a sequence block holds at least one number")
        if self.end > MAX_SEQUENCE:
            raise InvoiceNumberError(f"a sequence block must end by {MAX_SEQUENCE}")

    @property
    def end(self) -> int:
        """The last sequence number in the block (inclusive)."""
        return self.start + self.size - 1

    def numbers(self) -> range:
        """Every sequence number of the block, in order."""
        return range(self.start, self.end + 1)

    def contains(self, sequence: int) -> bool:
        return self.start <= sequence <= self.end

    def overlaps(self, other: SequenceBlock) -> bool:
        return self.start <= other.end and other.start <= self.end


def block_for(block_index: int, size: int) -> SequenceBlock:
    """Block ``k`` of a given size: ``[k·size + 1, (k + 1)·size]``; distinct k never overlap."""
    if block_index < 0:
        raise InvoiceNumberError("block indexes start at 0")
    if size < 1:
        raise InvoiceNumberError("a sequence block holds at least one number")
    return SequenceBlock(block_index * size + 1, size)
