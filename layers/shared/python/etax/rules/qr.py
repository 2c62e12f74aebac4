"""The national VAT invoice QR payload: parse what is printed, render what we print.

Sources (sources.md#invoices, "QR payload")
-----------------------------------
Comma-separated fields ``版本(01),类型,发票代码,发票号码,金额,开票日期(yyyymmdd),校验码,<4-hex>,``.
Real payloads (codeprj.com, csdn)::

    01,10,011001605111,80100798,64.9,20161018,85342965681116380258      (电子普票, no 4-hex field)
    01,01,1200154130,03630024,94339.62,20160621,,9335,                 (专票, empty check code)
    01,04,4200161350,00015045,165106.00,20160501,48114255542168294433,DBFE,
    01,32,,23442000000014209621,112,20230215,,74AE                     (数电普票, no code)

Also sourced: version must be ``01``; too few fields are rejected; whitespace around fields is
trimmed; the trailing comma is present in some payloads and absent in others.

Choices where the sources say nothing (**not found**):

* **The 4-hex field** (:attr:`QrPayload.tail`). Its meaning is not found. Parsing accepts any four
  hex digits (or none, as in the first example). When we render *our own* invoices we fill it
  with :func:`tail_for`: the first four hex digits, upper-case, of SHA-256 over the other seven
  fields as rendered, joined by commas. It is a typo check on our own payloads, not a signature.
* **Seven fields.** The first real example ends after the check code; we read a missing eighth
  field as an empty tail. Fewer than seven fields, or more than eight, are rejected.
* **The amount** keeps what the payload says, to the fen, at most two decimals. Red-letter
  invoices may print a negative amount, so a leading minus is accepted. Whether a 数电 payload's
  amount includes tax is not found; as the platform checks 数电 by the total (sources.md#invoices),
  we read it as the total (价税合计) and print the total there on our own 数电票
  (:func:`for_invoice`), **with its sign**: a red-letter invoice's total is negative, and so is
  its QR amount, so the QR verifies against the invoice and the lottery can tell it apart (the
  printed sign of the national payload is not in a source read here; the amount field is the
  invoice's amount as printed, and a red-letter invoice prints negative amounts).
* **Codes per type.** 数电 types (31, 32) have an empty code and a 20-digit number; every other
  type has a 10- or 12-digit code and an 8-digit number. The check code is empty or 20 digits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from etax.rules import invoice_types
from etax.rules.invoice_types import type_name as type_name
from etax.rules.money import MAX_FEN, MoneyError, format_yuan, parse_yuan

VERSION = "01"
CHECK_CODE_LENGTH = 20
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class QrError(ValueError):
    """A QR payload that is not a national invoice payload; names the ``field`` and the ``reason``.

    ``field`` is one of ``version``, ``type``, ``code``, ``number``, ``amount``, ``date``,
    ``check_code``, ``tail`` or ``payload`` (the text as a whole, e.g. its field count).
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def _check_version(version: str) -> None:
    if version != VERSION:
        raise QrError("version", f"the version must be {VERSION}, not {version!r}")


def _check_type(type_: str) -> None:
    if not invoice_types.is_known_type(type_):
        known = ", ".join(invoice_types.TYPE_NAMES)
        raise QrError("type", f"{type_!r} is not a known invoice type ({known})")


def _check_code(type_: str, code: str) -> None:
    if invoice_types.is_fully_digitalized(type_):
        if code != "":
            raise QrError("code", "a fully digitalized invoice (31, 32) has no invoice code")
    elif not (_digits(code, 10) or _digits(code, 12)):
        raise QrError("code", f"type {type_} needs a 10- or 12-digit invoice code, not {code!r}")


def _check_number(type_: str, number: str) -> None:
    if invoice_types.is_fully_digitalized(type_):
        if not _digits(number, 20):
            raise QrError("number", "a fully digitalized invoice (31, 32) has a 20-digit number")
    elif not _digits(number, 8):
        raise QrError("number", f"type {type_} has an 8-digit invoice number, not {number!r}")


def _check_check_code(check_code: str) -> None:
    if check_code != "" and not _digits(check_code, CHECK_CODE_LENGTH):
        raise QrError(
            "check_code",
            f"the check code is empty or {CHECK_CODE_LENGTH} digits, not {check_code!r}",
        )


def _check_tail(tail: str) -> None:
    if tail != "" and _HEX4.fullmatch(tail) is None:
        raise QrError("tail", f"the last field is empty or four hex digits, not {tail!r}")


@dataclass(frozen=True, slots=True)
class QrPayload:
    """The eight fields of an invoice QR payload, typed. Constructing one validates it."""

    version: str
    type: str
    code: str
    number: str
    amount_fen: int
    issue_date: date
    check_code: str = ""
    tail: str = ""

    def __post_init__(self) -> None:
        _check_version(self.version)
        _check_type(self.type)
        _check_code(self.type, self.code)
        _check_number(self.type, self.number)
        if isinstance(self.amount_fen, bool) or not isinstance(self.amount_fen, int):
            raise QrError("amount", "the amount must be an integer number of fen")
        if abs(self.amount_fen) > MAX_FEN:
            raise QrError("amount", f"amounts above {format_yuan(MAX_FEN)} yuan are not accepted")
        if isinstance(self.issue_date, datetime) or not isinstance(self.issue_date, date):
            raise QrError("date", "the issue date must be a date (without a time)")
        _check_check_code(self.check_code)
        _check_tail(self.tail)
        if self.tail != self.tail.upper():
            raise QrError("tail", "the last field is kept in upper case")


def _parse_date(text: str) -> date:
    if not _digits(text, 8):
        raise QrError("date", f"the issue date is written yyyymmdd, not {text!r}")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise QrError("date", f"{text} is not a calendar date") from None


def _split(text: str) -> list[str]:
    parts = [part.strip() for part in text.strip().split(",")]
    if len(parts) == 9 and parts[-1] == "":
        parts.pop()  # the optional trailing comma
    if len(parts) < 7:
        raise QrError("payload", f"a payload has 7 or 8 fields, this one has {len(parts)}")
    if len(parts) > 8:
        raise QrError("payload", f"a payload has 7 or 8 fields, this one has {len(parts)}")
    if len(parts) == 7:
        parts.append("")  # no 4-hex field at all, as in the sources' first example
    return parts


def parse(text: str) -> QrPayload:
    """Parse a scanned payload; raise :class:`QrError` naming the first field that is wrong."""
    if not isinstance(text, str):  # JSON bodies can carry anything
        raise QrError("payload", "a QR payload is text")
    version, type_, code, number, amount, issued, check_code, tail = _split(text)
    # Field by field, left to right, so the error names the first wrong field.
    _check_version(version)
    _check_type(type_)
    _check_code(type_, code)
    _check_number(type_, number)
    try:
        amount_fen = parse_yuan(amount, allow_negative=True)
    except MoneyError as error:
        raise QrError("amount", error.reason) from None
    issue_date = _parse_date(issued)
    _check_check_code(check_code)
    _check_tail(tail)
    return QrPayload(
        version=version,
        type=type_,
        code=code,
        number=number,
        amount_fen=amount_fen,
        issue_date=issue_date,
        check_code=check_code,
        tail=tail.upper(),
    )


def _fields(p: QrPayload) -> list[str]:
    """The first seven fields in canonical form (amount with two decimals, date yyyymmdd)."""
    return [
        p.version,
        p.type,
        p.code,
        p.number,
        format_yuan(p.amount_fen),
        f"{p.issue_date.year:04d}{p.issue_date.month:02d}{p.issue_date.day:02d}",
        p.check_code,
    ]


def render(p: QrPayload) -> str:
    """The canonical payload: eight fields and a trailing comma, amount with two decimals."""
    return ",".join([*_fields(p), p.tail]) + ","


def tail_for(p: QrPayload) -> str:
    """Our rule for the 4-hex field of payloads we print (see the module doc: meaning not found)."""
    digest = hashlib.sha256(",".join(_fields(p)).encode("utf-8")).hexdigest()
    return digest[:4].upper()


def with_tail(p: QrPayload) -> QrPayload:
    """The same payload with the 4-hex field set by :func:`tail_for`, ready to print."""
    return QrPayload(
        version=p.version,
        type=p.type,
        code=p.code,
        number=p.number,
        amount_fen=p.amount_fen,
        issue_date=p.issue_date,
        check_code=p.check_code,
        tail=tail_for(p),
    )


def for_invoice(type_: str, number: str, total_fen: int, issue_date: date) -> str:
    """The payload we print on a 数电票 of ours: its **signed** total in the amount field
    (negative on a red-letter invoice), no code, no check code, our 4-hex tail."""
    return render(with_tail(QrPayload(version=VERSION, type=type_, code="", number=number,
                                      amount_fen=total_fen, issue_date=issue_date)))
