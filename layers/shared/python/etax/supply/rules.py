"""Invoice supply (发票领用, plan action B7): what a supply is, the used-invoice checks (验旧)
and when a supply is approved without an officer. Pure: no AWS.

What "supply" means (sources.md#invoices; the choices where the sources say nothing are ours)
-------------------------------------------------------------------------------
* **Paper and volume invoices** (纸质发票: 04 增值税普通发票, 11 卷票, 01 增值税专用发票) are
  physical stock: a supply is *a type and a quantity* (份, or 卷 for volume invoices), and on
  approval the tax office allots a batch — one invoice code and a range of 8-digit numbers —
  and sends it by post (the logistics adapter). The batch is what the next supply's 验旧
  checks: every number of it must be accounted for.
* **Fully digitalized invoices** (数电票, 31/32) have no stock: the tax authority manages a
  total invoicing quota (授信额度) per taxpayer (sources.md#invoices). A supply is *a new monthly
  issuing quota* (the issuing service's ``quota#<credit code>``); on approval the quota is
  raised, and the next invoice may use it. This is the one way quotas change through the API.

The used-invoice checks (验旧), from the issued-invoice data
-----------------------------------------------------------
Paper (the applicant's previous delivered batch of the same type):

* ``previous_batch_accounted`` — every number of that batch is either an issued invoice in
  the invoice registry (key ``<code>-<number>``, issued by the applicant) or handed back
  unused with this application (``returned_numbers``, to be cancelled: 缴销);
* ``no_foreign_numbers`` — no number of the batch was issued under another seller's name.

Digital (the applicant's invoices of the last :attr:`SupplyPolicy.window_days` days):

* ``numbers_accounted`` — within each block of the issuer's number sequence
  (:mod:`etax.rules.invoice_numbers`), the numbers used are consecutive: a hole is a number
  consumed without an invoice;
* ``void_share`` — voided and red-flushed invoices are at most
  :attr:`SupplyPolicy.max_void_share` of them (a higher share is an anomaly);
* ``quota_used`` — the month has used at least :attr:`SupplyPolicy.min_quota_use` of the
  current quota (no quota yet: passes; a first quota needs no history).

Approval (our choice; sources.md#credit only says a D credit level restricts supply): never
automatic for a taxpayer whose latest credit rating (:mod:`etax.credit`) is D — an officer
decides, the reason named; otherwise automatic when every check passed and the request is
within the automatic limit (:attr:`SupplyPolicy.paper_auto_max` per type,
:attr:`SupplyPolicy.digital_auto_max_fen` per taxpayer type); otherwise an officer of the
applicant's tax office approves or rejects. The limits are versioned data
(:data:`POLICIES`, by effective date), not code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from etax.rules import invoice_numbers

Kind = Literal["paper", "digital"]

PAPER_TYPES: Final = ("04", "11", "01")
"""Paper and volume invoice types a taxpayer may be supplied with."""

# -- the state machine ----------------------------------------------------------------------

SUBMITTED: Final = "submitted"
REVIEW: Final = "review"          # checks failed or over the automatic limit: an officer decides
APPROVED: Final = "approved"
REJECTED: Final = "rejected"      # terminal
SHIPPED: Final = "shipped"        # paper: handed to the carrier
DELIVERED: Final = "delivered"    # paper: the carrier delivered it (terminal)
QUOTA_RAISED: Final = "quota_raised"  # digital: the new quota is in force (terminal)

STATES: Final = frozenset({SUBMITTED, REVIEW, APPROVED, REJECTED, SHIPPED, DELIVERED,
                           QUOTA_RAISED})
TERMINAL: Final = frozenset({REJECTED, DELIVERED, QUOTA_RAISED})
TRANSITIONS: Final = frozenset({
    (SUBMITTED, APPROVED), (SUBMITTED, REVIEW),
    (REVIEW, APPROVED), (REVIEW, REJECTED),
    (APPROVED, SHIPPED), (SHIPPED, DELIVERED),
    (APPROVED, QUOTA_RAISED),
})


def can_move(source: str, target: str) -> bool:
    return (source, target) in TRANSITIONS


# -- policy as data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplyPolicy:
    effective_from: date
    paper_max: Mapping[str, int]
    """Most copies (or rolls) of a type one application may ask for."""
    paper_auto_max: Mapping[str, int]
    """Most copies approved without an officer."""
    digital_auto_max_fen: Mapping[str, int]
    """Highest monthly quota approved without an officer, by taxpayer type."""
    digital_max_fen: int
    window_days: int
    max_void_share: Decimal
    min_quota_use: Decimal


POLICIES: Final = (
    SupplyPolicy(
        effective_from=date(2024, 12, 1),  # 数电票 nationwide (sources.md#invoices)
        paper_max={"04": 250, "11": 20, "01": 100},
        paper_auto_max={"04": 50, "11": 5, "01": 25},
        digital_auto_max_fen={"small_scale": 100_000_00, "general": 10_000_000_00},
        digital_max_fen=1_000_000_000_00,
        window_days=60,
        max_void_share=Decimal("0.3"),
        min_quota_use=Decimal("0.5"),
    ),
)


def policy_for(day: date, policies: Sequence[SupplyPolicy] = POLICIES) -> SupplyPolicy:
    """The policy in force on ``day`` (the latest whose ``effective_from`` is not after it)."""
    in_force = [p for p in policies if p.effective_from <= day]
    if not in_force:
        raise LookupError(f"no invoice supply policy in force on {day}")
    return max(in_force, key=lambda p: p.effective_from)


# -- checks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Batch:
    """A paper batch: one invoice code and the numbers ``first`` .. ``last`` (inclusive)."""

    code: str
    first: int
    last: int

    def numbers(self) -> list[str]:
        return [f"{n:08d}" for n in range(self.first, self.last + 1)]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "first": f"{self.first:08d}", "last": f"{self.last:08d}",
                "count": self.last - self.first + 1}


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    """What the checks need of an issued invoice."""

    number: str
    status: str = "normal"
    seller: str = ""


def paper_checks(applicant: str, previous: Batch | None,
                 issued: Mapping[str, IssuedInvoice], returned: Iterable[str]) -> list[Check]:
    """验旧 of a paper batch: ``issued`` maps a number of ``previous`` to its invoice in the
    registry (absent: not issued); ``returned`` are numbers handed back unused."""
    if previous is None:
        return [Check("previous_batch_accounted", True,
                      "first supply of this type: no earlier batch to account for")]
    returned_set = set(returned)
    missing, foreign = [], []
    for number in previous.numbers():
        invoice = issued.get(number)
        if invoice is None:
            if number not in returned_set:
                missing.append(number)
        elif invoice.seller != applicant:
            foreign.append(number)
    batch = f"batch {previous.code} {previous.first:08d}-{previous.last:08d}"
    checks = [Check(
        "previous_batch_accounted", not missing,
        f"every number of {batch} is issued or handed back" if not missing else
        f"{len(missing)} number(s) of {batch} neither issued nor handed back, e.g. "
        f"{', '.join(missing[:5])}")]
    checks.append(Check(
        "no_foreign_numbers", not foreign,
        "no number of the batch was issued by another seller" if not foreign else
        f"{len(foreign)} number(s) of the batch were issued by another seller, e.g. "
        f"{', '.join(foreign[:5])}"))
    return checks


def _holes(sequences: Iterable[int], block_size: int) -> list[int]:
    by_block: dict[int, list[int]] = {}
    for sequence in sequences:
        by_block.setdefault((sequence - 1) // block_size, []).append(sequence)
    holes: list[int] = []
    for used in by_block.values():
        used.sort()
        seen = set(used)
        holes.extend(n for n in range(used[0], used[-1] + 1) if n not in seen)
    return holes


def digital_checks(invoices: Sequence[IssuedInvoice], *, quota_fen: int | None, used_fen: int,
                   policy: SupplyPolicy, block_size: int) -> list[Check]:
    """验旧 of the applicant's 数电票 of the policy's window (see the module doc)."""
    by_series: dict[str, list[int]] = {}
    for invoice in invoices:
        try:
            parsed = invoice_numbers.parse_number(invoice.number)
        except invoice_numbers.InvoiceNumberError:
            continue  # not one of ours (legacy or another issuer's form): not in a block
        series = f"{parsed.year2:02d}{parsed.region}{parsed.channel}"
        by_series.setdefault(series, []).append(parsed.sequence)
    holes = [(series, hole) for series, used in sorted(by_series.items())
             for hole in _holes(used, block_size)]
    checks = [Check(
        "numbers_accounted", not holes,
        f"{len(invoices)} invoice(s) of the last {policy.window_days} days, no number skipped"
        if not holes else
        f"{len(holes)} number(s) used without an invoice, e.g. series {holes[0][0]} "
        f"sequence {holes[0][1]}")]
    voided = sum(1 for i in invoices if i.status in ("voided", "red_flushed"))
    share = Decimal(voided) / Decimal(len(invoices)) if invoices else Decimal(0)
    checks.append(Check(
        "void_share", share <= policy.max_void_share,
        f"{voided} of {len(invoices)} invoice(s) voided or red-flushed "
        f"(at most {policy.max_void_share:%} allowed)"))
    if quota_fen is None or quota_fen <= 0:
        checks.append(Check("quota_used", True, "no quota yet: a first quota needs no history"))
    else:
        use = Decimal(used_fen) / Decimal(quota_fen)
        checks.append(Check(
            "quota_used", use >= policy.min_quota_use,
            f"this month used {use:.0%} of the current quota "
            f"(at least {policy.min_quota_use:.0%} before a raise is automatic)"))
    return checks


@dataclass(frozen=True, slots=True)
class Decision:
    automatic: bool
    reasons: list[str] = field(default_factory=list)


def decide(kind: Kind, checks: Sequence[Check], *, policy: SupplyPolicy, taxpayer_type: str,
           invoice_type: str | None = None, quantity: int | None = None,
           monthly_quota_fen: int | None = None, credit_level: str | None = None) -> Decision:
    """Approve automatically, or send to an officer with the reasons."""
    reasons = [f"check {c.name} failed: {c.detail}" for c in checks if not c.passed]
    if credit_level == "D":
        reasons.append("the taxpayer's credit rating is D (纳税缴费信用 D 级): invoice supply is "
                       "restricted, an officer decides")
    if kind == "paper":
        limit = policy.paper_auto_max[invoice_type or ""]
        if (quantity or 0) > limit:
            reasons.append(f"{quantity} copies of type {invoice_type} are more than the "
                           f"{limit} approved automatically")
    else:
        limit = policy.digital_auto_max_fen.get(taxpayer_type, 0)
        if (monthly_quota_fen or 0) > limit:
            reasons.append("the monthly quota asked for is above the automatic limit for "
                           f"{taxpayer_type} taxpayers")
    return Decision(automatic=not reasons, reasons=reasons)


# -- paper batches ----------------------------------------------------------------------------

_CODE_SUFFIX = {"04": "04", "11": "06"}  # 12-digit codes: digits 11-12 (sources.md#invoices, alxd)


def batch_code(invoice_type: str, region4: str, year: int) -> str:
    """The invoice code of the batches of ``invoice_type`` for a region and year.

    12 digits for 普票 and 卷票: ``0`` + region + year (2) + print batch ``001`` + the type
    suffix (04 普票, 06 卷票); 10 digits for 专票: region + year (2) + print batch ``1`` +
    type digit ``1`` + ``3`` (three copies, our choice) + ``0`` (computer-issued). Each is
    read back as its type by :func:`etax.rules.invoice_types.classify_legacy_code`.
    """
    if len(region4) != 4 or not region4.isdigit():
        raise ValueError(f"a region is four digits, not {region4!r}")
    year2 = f"{year % 100:02d}"
    if invoice_type in _CODE_SUFFIX:
        return f"0{region4}{year2}001{_CODE_SUFFIX[invoice_type]}"
    if invoice_type == "01":
        return f"{region4}{year2}1130"
    raise ValueError(f"no paper batches of type {invoice_type}")
