"""Tax certificates issued online (plan action B7): the tax residency certificate
(《中国税收居民身份证明》) and the tax payment certificate (完税证明). Pure: no AWS.

The sources have nothing on either certificate (**not found**); the rules below are ours,
stated once, as data where they are numbers:

Tax residency certificate — issued at once, without an officer, when:

* the applicant is an **enterprise** in the taxpayer registry, ``active``, registered on or
  before the last day of the year asked for (an enterprise established under Chinese law is
  a resident enterprise), or a **natural person** signed in with a valid resident ID number
  (GB 11643: a person domiciled in China is a resident individual), who gives their name;
* the year is a calendar year from :data:`RESIDENCY_YEARS_BACK` years ago to the current
  year (Asia/Shanghai);
* the other jurisdiction is an ISO 3166-1 alpha-2 code other than ``CN`` (a list of treaty
  partners was not found, so none is enforced).

A natural person's certificate is issued in the name of the municipal tax office of the
region of their resident ID (``1`` + the ID's first four digits + ``000000``, the form of
the registry's tax office codes, e.g. ``13501000000`` 福州).

Tax payment certificate — issued at once for a period of at most
:data:`PAYMENT_PERIOD_MAX_DAYS` days ending no later than today, listing every tax payment
the filing-and-payment service recorded for the taxpayer in the period; none → refused.

Verification — anyone checks a certificate by number; ``digest``, if given, is the SHA-256 of
a copy's canonical document as 64 hexadecimal digits (either case). Anything else is refused
(a 422 naming ``digest``), not answered "altered": a malformed digest says nothing about the
copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from etax.documents.canonical import presented_digest

RESIDENCY: Final = "tax_residency"
TAX_PAYMENT: Final = "tax_payment"
KIND_NAMES: Final = {RESIDENCY: "中国税收居民身份证明", TAX_PAYMENT: "中华人民共和国税收完税证明"}
NUMBER_PREFIX: Final = {RESIDENCY: "RC", TAX_PAYMENT: "TP"}
RESIDENCY_YEARS_BACK: Final = 3
PAYMENT_PERIOD_MAX_DAYS: Final = 366
_COUNTRY = re.compile(r"[A-Z]{2}")


class CertificateRefused(ValueError):
    """The certificate cannot be issued; ``field`` names what decided it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_residency_year(year: int, today: date, registered_on: date | None) -> None:
    if not today.year - RESIDENCY_YEARS_BACK <= year <= today.year:
        raise CertificateRefused("year", f"a residency certificate is issued for "
                                         f"{today.year - RESIDENCY_YEARS_BACK}-{today.year}")
    if registered_on is not None and registered_on > date(year, 12, 31):
        raise CertificateRefused("year", f"the enterprise was registered on {registered_on}, "
                                         f"after {year}")


def check_country(code: str) -> str:
    country = code.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise CertificateRefused("country", "an ISO 3166-1 alpha-2 code, e.g. SG")
    if country == "CN":
        raise CertificateRefused("country", "the certificate is for use outside China")
    return country


def check_digest(text: str) -> str:
    """A presented document digest in the form :func:`etax.certificates.documents.digest`
    gives (64 lowercase hex digits); outer spaces and upper case are accepted."""
    value = presented_digest(text)
    if value is None:
        raise CertificateRefused("digest", "the SHA-256 of the certificate's document: 64 "
                                           "hexadecimal digits")
    return value


def check_period(start: date, end: date, today: date) -> None:
    if end < start:
        raise CertificateRefused("to", "the period ends before it starts")
    if end > today:
        raise CertificateRefused("to", "the period cannot end after today")
    if (end - start).days + 1 > PAYMENT_PERIOD_MAX_DAYS:
        raise CertificateRefused("from", f"a period of at most {PAYMENT_PERIOD_MAX_DAYS} days")


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """One confirmed tax payment as the payment service records it (:mod:`.payments`), and
    as the certificate prints it (:meth:`as_document`: neither the taxpayer, who is the
    holder, nor the collecting office)."""

    payment_id: str
    taxpayer: str
    tax_kind: str
    tax_kind_name: str
    period_start: date
    period_end: date
    paid_on: date
    amount_fen: int
    voucher: str
    tax_office_code: str

    def as_document(self) -> dict[str, object]:
        return {"payment_id": self.payment_id, "tax_kind": self.tax_kind,
                "tax_kind_name": self.tax_kind_name,
                "period": f"{self.period_start.isoformat()}/{self.period_end.isoformat()}",
                "paid_on": self.paid_on.isoformat(), "amount_fen": self.amount_fen,
                "voucher": self.voucher}


def payment_lines(lines: Sequence[PaymentRecord], start: date,
                  end: date) -> list[PaymentRecord]:
    """The payments made in ``start`` .. ``end`` (by payment date), oldest first; refused when
    there are none. Refunds are not payments: a non-positive amount is refused as bad data."""
    chosen = sorted((p for p in lines if start <= p.paid_on <= end),
                    key=lambda p: (p.paid_on, p.payment_id))
    for line in chosen:
        if line.amount_fen <= 0:
            raise ValueError(f"payment {line.payment_id} has a non-positive amount")
    if not chosen:
        raise CertificateRefused("from", "no tax was paid in this period")
    return chosen
