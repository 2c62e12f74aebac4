"""What the calculators answer (etax.platform.results): one result per calculator, with its
``steps`` and the ``rules`` it used. Amounts are yuan strings with two decimals, rates their
text (``"0.13"``); see :mod:`etax.calculators.common`. Filing stores these answers as a
return's computation (``as_json``, :mod:`etax.filing.returns`). Only the standard library's
dataclasses here: the toolbox's cold start is measured (docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional

# --- shared ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of the computation, as a person would check it on paper."""

    label: str
    formula: str
    value: str


@dataclass(frozen=True)
class Rule:
    """A rule data entry used, with its dates and sources."""

    table: str
    effective_from: str
    effective_to: str | None
    sources: list[str]
    note: str | None = optional()  # a province's vehicle and vessel schedule


# --- individual income tax -------------------------------------------------------------------


@dataclass(frozen=True)
class WithholdingMonth:
    month: int
    cumulative_income: str
    cumulative_basic_deduction: str
    cumulative_social_insurance: str
    cumulative_special_additional: str
    cumulative_other_deductions: str
    cumulative_taxable: str
    rate: str
    quick_deduction: str
    cumulative_tax: str
    withheld_before: str
    withholding: str
    steps: list[Step]


@dataclass(frozen=True)
class Withholding:
    months: list[WithholdingMonth]
    total: str
    special_additional: dict[str, str]  # kind → a month's amount
    date: str
    rules: list[Rule]


@dataclass(frozen=True)
class AnnualSettlement:
    income: str
    basic_deduction: str
    social_insurance: str
    special_additional: dict[str, str]  # kind → the year's amount
    special_additional_total: str
    other_deductions: str
    taxable: str
    level: int
    rate: str
    quick_deduction: str
    tax: str
    withheld: str
    refund_or_payable: str  # positive: to pay; negative: to be refunded
    outcome: str
    exempt_small_amount: bool
    to_pay: str
    to_refund: str
    steps: list[Step]
    date: str
    rules: list[Rule]


@dataclass(frozen=True)
class Cliff:
    """A bonus just above an edge: what it costs compared with the edge's bonus."""

    edge: str
    tax_at_edge: str
    extra_tax: str
    extra_bonus: str


@dataclass(frozen=True)
class BonusTax:
    bonus: str
    months: int
    monthly_equivalent: str
    level: int
    rate: str
    quick_deduction: str
    tax: str
    after_tax: str
    cliff: Cliff | None
    steps: list[Step]
    date: str
    rules: list[Rule]


# --- VAT -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleLine:
    amount: str
    rate: str
    tax: str


@dataclass(frozen=True)
class GeneralVat:
    taxpayer: str  # "general"
    sales: list[SaleLine]
    output_tax: str
    input_tax: str
    input_carried_forward: str
    tax_due: str
    carry_forward: str
    steps: list[Step]
    rules: list[Rule]
    date: str


@dataclass(frozen=True)
class SmallScaleVat:
    taxpayer: str  # "small_scale"
    period: str
    sales: str
    standard_rate: str
    levy_rate: str
    levy_rate_percent: str
    exemption_threshold: str | None  # None: no exemption in force
    exempt: bool
    reason: str
    tax_due: str
    steps: list[Step]
    rules: list[Rule]
    date: str


# --- vehicle and vessel tax ------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceSchedule:
    code: str
    name: str
    verified: bool


@dataclass(frozen=True)
class NationalRange:
    min: str
    max: str


@dataclass(frozen=True)
class VehicleTax:
    province: ProvinceSchedule
    vehicle_class: str
    displacement_l: str | None  # None for a commercial bus
    bracket: str
    national_range: NationalRange
    annual_tax: str
    steps: list[Step]
    date: str
    rules: list[Rule]


# --- departure tax refund --------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    condition: str
    met: bool | None  # None: not checkable with the facts given


@dataclass(frozen=True)
class RefundPurchase:
    index: int
    store: str
    date: str
    amount: str
    vat_rate: str
    refund_rate: str | None  # None: goods at that rate are not refundable
    eligible: bool
    reason: str
    refund_due: str
    agency_fee: str
    net_refund: str


@dataclass(frozen=True)
class StoreDay:
    """The refundable purchases of one store on one day, against the minimum."""

    store: str
    date: str
    total: str
    minimum: str
    eligible: bool


@dataclass(frozen=True)
class DepartureRefund:
    eligible: bool
    reason: str
    conditions: list[Condition]
    purchases: list[RefundPurchase]
    groups: list[StoreDay]
    refund_due: str
    agency_fee: str
    net_refund: str
    payment_methods: list[str]
    minimum: str
    cash_limit: str
    steps: list[Step]
    date: str
    rules: list[Rule]
