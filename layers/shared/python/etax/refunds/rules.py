"""Refund amounts: overpayments, the individual income tax annual refund, export refunds.

Pure: no AWS. Amounts are integer fen.

* **General refund of an overpayment** (多缴税款退还) and the **individual income tax annual
  refund** (综合所得年度汇算退税): what one obligation's filing ledger leaves to refund —
  the confirmed payments above the liability, plus the refund the filed annual return
  computed (withheld − tax, sources.md#iit), less what was refunded already
  (:func:`ledger_refund_fen`); never a figure the applicant states.
* **Export refund, exemption-refund method** (免退, trading enterprises; sources.md#vat): per
  purchase line, the VAT-exclusive purchase value × the product's refund rate, rounded half-up
  to the fen, **capped by the VAT actually on the input invoice**; the case refunds the sum of
  the lines. The product's rate comes from :class:`RateTable`, versioned data with effective
  dates (``data/export_refund_rates.json``), looked up on the export date. The official
  product-level table was not found (sources.md#vat): the shipped table is illustrative and says
  so (docs/decisions/0009-refund-pipeline.md).

Errors are :class:`RefundRuleError` naming the field of the request they concern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from etax.platform.data import load
from etax.rules.money import MAX_FEN, format_yuan, parse_yuan

KINDS = ("general", "iit_annual", "export")


class RefundRuleError(ValueError):
    """An amount rule refuses the claim; ``field`` names the request field, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def ledger_refund_fen(*, overpaid_fen: int, refund_due_fen: int, refunded_fen: int,
                      field: str) -> int:
    """What an obligation's ledger leaves to refund: ``overpaid + refund_due − refunded``,
    which must be positive (``field`` names the request field that chose the obligation)."""
    if min(overpaid_fen, refund_due_fen, refunded_fen) < 0:
        raise ValueError("ledger figures are never negative")
    refundable = overpaid_fen + refund_due_fen - refunded_fen
    if refundable <= 0:
        raise RefundRuleError(field, f"the ledger shows nothing to refund: overpaid "
                                     f"{format_yuan(overpaid_fen)}, refund due by the return "
                                     f"{format_yuan(refund_due_fen)}, refunded already "
                                     f"{format_yuan(refunded_fen)}")
    return refundable


# -- export refunds ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductRate:
    code: str
    rate: Decimal
    name: str


@dataclass(frozen=True, slots=True)
class RateVersion:
    version: str
    effective_from: date
    rates: Mapping[str, ProductRate]


class RateTable:
    """Export refund rates by product code, in versions with effective dates.

    The version in force on a day is the one with the latest ``effective_from`` not after it.
    """

    def __init__(self, versions: Sequence[RateVersion]) -> None:
        if not versions:
            raise ValueError("a rate table needs at least one version")
        self.versions = sorted(versions, key=lambda v: v.effective_from)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateTable:
        versions = []
        for raw in data["versions"]:
            rates = {}
            for code, entry in raw["rates"].items():
                rate = Decimal(str(entry["rate"]))
                if not (Decimal(0) <= rate < Decimal(1)):
                    raise ValueError(f"rate of {code} must be in [0, 1): {rate}")
                rates[code] = ProductRate(code, rate, str(entry.get("name", "")))
            versions.append(RateVersion(str(raw["version"]),
                                        date.fromisoformat(raw["effective_from"]), rates))
        return cls(versions)

    @classmethod
    def shipped(cls) -> RateTable:
        """The table in ``data/export_refund_rates.json``."""
        return cls.from_dict(load("etax.refunds", "export_refund_rates"))

    def version_on(self, day: date) -> RateVersion:
        found = [v for v in self.versions if v.effective_from <= day]
        if not found:
            raise RefundRuleError("export_date", f"no export refund rates are in force on "
                                                 f"{day.isoformat()}")
        return found[-1]


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """One purchase behind an export: the product, the VAT-exclusive value, the input VAT."""

    product_code: str
    purchase_fen: int
    input_vat_fen: int


@dataclass(frozen=True, slots=True)
class LineRefund:
    product_code: str
    rate: Decimal
    computed_fen: int
    """purchase value × rate, half-up to the fen"""
    refund_fen: int
    """``computed_fen`` capped by the input VAT"""

    @property
    def capped(self) -> bool:
        return self.refund_fen < self.computed_fen


@dataclass(frozen=True, slots=True)
class ExportRefund:
    table_version: str
    lines: tuple[LineRefund, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.refund_fen for line in self.lines)


def line_refund_fen(purchase_fen: int, input_vat_fen: int, rate: Decimal) -> tuple[int, int]:
    """(purchase × rate half-up to the fen, that capped by the input VAT)."""
    if purchase_fen <= 0:
        raise RefundRuleError("purchase_amount", "the purchase value must be positive")
    if input_vat_fen < 0:
        raise RefundRuleError("input_vat", "the input VAT cannot be negative")
    with localcontext(prec=40):
        computed = int((Decimal(purchase_fen) * rate).quantize(Decimal(1),
                                                               rounding=ROUND_HALF_UP))
    return computed, min(computed, input_vat_fen)


def export_refund(lines: Sequence[PurchaseLine], table: RateTable, on: date) -> ExportRefund:
    """The exemption-refund amount of an export's purchase lines on the export date."""
    if not lines:
        raise RefundRuleError("lines", "an export refund needs at least one purchase line")
    version = table.version_on(on)
    refunds = []
    for index, line in enumerate(lines):
        product = version.rates.get(line.product_code)
        if product is None:
            raise RefundRuleError(f"lines[{index}].product_code",
                                  f"product {line.product_code} has no export refund rate in "
                                  f"table {version.version}")
        try:
            computed, refund = line_refund_fen(line.purchase_fen, line.input_vat_fen,
                                               product.rate)
        except RefundRuleError as error:
            raise RefundRuleError(f"lines[{index}].{error.field}", error.reason) from None
        refunds.append(LineRefund(line.product_code, product.rate, computed, refund))
    result = ExportRefund(version.version, tuple(refunds))
    if result.total_fen <= 0:
        raise RefundRuleError("lines", "none of these products is refunded (rate 0 or no "
                                       "input VAT): there is nothing to refund")
    if result.total_fen > MAX_FEN:
        raise RefundRuleError("lines", f"the refund is above {format_yuan(MAX_FEN)} yuan")
    return result


# -- when an officer looks -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewRules:
    """When the automatic document check sends a case to an officer (one version)."""

    version: str
    effective_from: date
    review_above_fen: Mapping[str, int]
    review_when: frozenset[str]


class ReviewPolicy:
    def __init__(self, versions: Sequence[ReviewRules]) -> None:
        if not versions:
            raise ValueError("a review policy needs at least one version")
        self.versions = sorted(versions, key=lambda v: v.effective_from)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewPolicy:
        return cls([ReviewRules(
            version=str(raw["version"]),
            effective_from=date.fromisoformat(raw["effective_from"]),
            review_above_fen={k: parse_yuan(v) for k, v in raw["review_above_yuan"].items()},
            review_when=frozenset(raw["review_when"]),
        ) for raw in data["versions"]])

    @classmethod
    def shipped(cls) -> ReviewPolicy:
        """The policy in ``data/refund_review.json``."""
        return cls.from_dict(load("etax.refunds", "refund_review"))

    def rules_on(self, day: date) -> ReviewRules:
        found = [v for v in self.versions if v.effective_from <= day]
        return found[-1] if found else self.versions[0]


def review_flags(rules: ReviewRules, *, kind: str, amount_fen: int,
                 conditions: Sequence[str]) -> list[str]:
    """Why an officer must look at a case (empty: the automatic check passes it).

    ``conditions`` are what the check found on the case (``registration_not_active``,
    ``input_vat_cap_applied``); those the rules name send it to review, and so does an
    amount above the kind's threshold.
    """
    flags = [c for c in conditions if c in rules.review_when]
    limit = rules.review_above_fen.get(kind)
    if limit is not None and amount_fen > limit:
        flags.append("amount_above_review_threshold")
    return sorted(set(flags))
