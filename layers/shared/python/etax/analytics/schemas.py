"""The analytical store's tables (plan action E19): what each holds, from which events, in
which columns; written down here once, versioned, and documented in docs/analytics.md (a
unit test checks that page lists every column of every table).

Every domain event on the bus is archived raw (:mod:`etax.analytics.archive`), then compacted
into these tables as Parquet (:mod:`etax.analytics.compaction`), one partition per day and
province::

    tables/<name>/v<version>/date=<YYYY-MM-DD>/province=<NN>/part-0.parquet

* ``date`` is the day, in Asia/Shanghai, of the event's time on the bus (when the fact was
  announced); the fact's own dates are columns (``issue_date``, ``confirmed_at``, …).
* ``province`` is the first two digits of the administrative division code of the taxpayer
  the row is about (a credit code's positions 3-4, a resident ID's first two), ``00`` when
  there is none.
* ``key`` columns name the fact: a row per key, however often its event was delivered or
  re-announced (the outbox may announce a fact twice: ``etax.platform.outbox``).
* Amounts are integers in fen (``BIGINT``).
* A natural person appears only as a pseudonym (``party``: a keyed digest,
  :func:`etax.analytics.parties.party`), never by ID number; enterprises by their credit
  code, which is public.

A table's ``version`` changes when a column changes meaning or type; columns may be added to
a version (Parquet readers take the union). The same columns are declared for Athena on the
stages with a Glue catalog (``infra/analytics.py``): :data:`ATHENA_TYPES` maps the types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from etax.analytics.parties import party, province_of
from etax.invoices.spec import TAX_CODE

Row = dict[str, Any]

ATHENA_TYPES: Final = {"VARCHAR": "string", "BIGINT": "bigint", "INTEGER": "int",
                       "DATE": "date", "TIMESTAMP": "timestamp"}
FIRST_DAY: Final = "2024-01-01"
"""The store's first day: what reads every day start from, and Athena's partition projection."""
PARTITIONS: Final = (("date", "DATE", "the Asia/Shanghai day of the event on the bus"),
                     ("province", "VARCHAR", "the taxpayer's province code (two digits), "
                                             "00 when unknown"))


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # DuckDB's SQL type (a key of ATHENA_TYPES)
    description: str

    def __post_init__(self) -> None:
        if self.type not in ATHENA_TYPES:
            raise ValueError(f"{self.name}: unknown type {self.type}")


@dataclass(frozen=True, slots=True)
class Event:
    """One archived event: the bus envelope's fields the tables use."""

    id: str
    source: str
    detail_type: str
    time: str  # ISO 8601, UTC, as EventBridge stamps it
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    version: int
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns naming the fact (one row per key)
    events: tuple[tuple[str, str], ...]  # (source, detail-type) it reads
    row: Callable[[Event], Row | list[Row]]  # the row (or rows) of one event it reads
    province_field: str | None  # the event detail's taxpayer the province is taken from

    @property
    def prefix(self) -> str:
        return f"tables/{self.name}/v{self.version}/"

    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def reads(self, event: Event) -> bool:
        return (event.source, event.detail_type) in self.events


def _fen(value: Any) -> int:
    """An amount in fen from an event's detail (an integer, never a float)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"an amount in fen is an integer, not {value!r}")
    return int(value)


def instant(value: Any) -> str:
    """An ISO 8601 instant as the store keeps it: UTC, no offset (``YYYY-MM-DD HH:MM:SS``)."""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"an instant has its offset: {value!r}")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _common(event: Event) -> Row:
    return {"event_id": event.id, "event_time": instant(event.time)}


COMMON: Final = (Column("event_id", "VARCHAR", "the bus event's id (the first delivery kept)"),
                 Column("event_time", "TIMESTAMP", "when the fact was announced (UTC)"))
# the columns of filing's facts (returns, payments)
TAXPAYER: Final = Column("taxpayer", "VARCHAR",
                         "the taxpayer's credit code, or a person's pseudonym")
TAX_TYPE: Final = Column("tax_type", "VARCHAR", "the tax (vat, iit, …)")
OFFICE: Final = Column("office", "VARCHAR", "the tax office in charge, where known")


def _event_row(event: Event) -> Row:
    return {**_common(event), "source": event.source, "detail_type": event.detail_type}


EVENTS = Table(
    "events", 1, "Every domain event on the bus, by source and type (counts, freshness).",
    (*COMMON, Column("source", "VARCHAR", "the event's source (tax.<context>)"),
     Column("detail_type", "VARCHAR", "the event's type")),
    ("event_id",), (), _event_row, None)

# the columns an invoice and its lines share
NUMBER: Final = Column("number", "VARCHAR", "the invoice number")
PARTIES: Final = (
    Column("issue_date", "DATE", "the day the invoice was issued"),
    Column("seller", "VARCHAR", "the seller's credit code"),
    Column("buyer", "VARCHAR", "the buyer's credit code, or a natural person's pseudonym"))

INVOICE_KINDS: Final = {"InvoiceIssued": "issued", "InvoiceRedIssued": "red",
                        "InvoiceVoided": "voided"}


def _invoice_row(event: Event) -> Row:
    d = event.detail
    return {**_common(event), "kind": INVOICE_KINDS[event.detail_type],
            "number": str(d["number"]), "invoice_type": str(d["type"]),
            "issue_date": str(d["issue_date"]), "seller": str(d["seller_credit_code"]),
            "buyer": party(d.get("buyer_id")), "total_fen": _fen(d["total_fen"]),
            "amount_fen": None if d.get("amount_fen") is None else _fen(d["amount_fen"]),
            "channel": str(d.get("channel") or ""),
            "red_letter_of": d.get("red_letter_of")}


INVOICES = Table(
    "invoices", 1, "Invoices issued, red-letter invoices and voided invoices (B4).",
    (*COMMON, Column("kind", "VARCHAR", "issued, red (a red-letter invoice) or voided"),
     NUMBER, Column("invoice_type", "VARCHAR", "the invoice type code"), *PARTIES,
     Column("total_fen", "BIGINT", "the total with tax, in fen (negative on a red invoice)"),
     Column("channel", "VARCHAR", "where it was issued (web, api, …)"),
     Column("red_letter_of", "VARCHAR", "the invoice a red-letter invoice credits"),
     Column("amount_fen", "BIGINT", "the amount without tax, in fen (negative on a red "
                                    "invoice); added to v1, NULL on invoices announced "
                                    "before")),
    ("kind", "number"),
    tuple(("tax.invoices", kind) for kind in INVOICE_KINDS), _invoice_row,
    "seller_credit_code")


def _line_rows(event: Event) -> list[Row]:
    d = event.detail
    invoice = {**_common(event), "kind": INVOICE_KINDS[event.detail_type],
               "number": str(d["number"]), "issue_date": str(d["issue_date"]),
               "seller": str(d["seller_credit_code"]), "buyer": party(d.get("buyer_id"))}
    rows = []
    for line in d.get("lines") or ():
        code = str(line["tax_code"])
        if not re.fullmatch(TAX_CODE, code):  # the invoices' own rule for the code
            raise ValueError(f"a tax classification code has 19 digits: {code!r}")
        rows.append({**invoice, "line": int(line["line"]), "tax_code": code,
                     "amount_fen": _fen(line["amount_fen"])})
    return rows


INVOICE_LINES = Table(
    "invoice_lines", 1,
    "The lines of invoices issued and red-letter invoices that carry a goods and services "
    "tax classification code (商品和服务税收分类编码), one row a line (B4); voided invoices "
    "are those of the invoices table.",
    (*COMMON, Column("kind", "VARCHAR", "issued or red (a red-letter invoice)"),
     NUMBER, Column("line", "INTEGER", "the line's number on the invoice"), *PARTIES,
     Column("tax_code", "VARCHAR", "the line's tax classification code (19 digits)"),
     Column("amount_fen", "BIGINT", "the line's amount without tax, in fen (negative on a "
                                    "red invoice)")),
    ("kind", "number", "line"),
    (("tax.invoices", "InvoiceIssued"), ("tax.invoices", "InvoiceRedIssued")), _line_rows,
    "seller_credit_code")


def _return_row(event: Event) -> Row:
    d = event.detail
    return {**_common(event), "obligation_id": str(d["obligation_id"]),
            "taxpayer": party(d["taxpayer"]), "tax_type": str(d["tax_type"]),
            "period": str(d["period"]), "return_kind": d.get("kind"),
            "filed_at": instant(d["filed_at"]), "tax_due_fen": _fen(d["tax_due_fen"]),
            "sales_fen": _fen(d["sales_fen"]) if d.get("sales_fen") is not None else None,
            "office": d.get("office")}


RETURNS = Table(
    "returns", 1, "Returns filed (B5), one per obligation.",
    (*COMMON, Column("obligation_id", "VARCHAR", "the obligation the return answers"),
     TAXPAYER, TAX_TYPE,
     Column("period", "VARCHAR", "the tax period (YYYY-MM, YYYY-Qn or YYYY)"),
     Column("return_kind", "VARCHAR", "the return's form"),
     Column("filed_at", "TIMESTAMP", "when it was filed"),
     Column("tax_due_fen", "BIGINT", "the tax the return computed, in fen"),
     Column("sales_fen", "BIGINT", "the taxable sales declared, in fen, where the form has them"),
     OFFICE),
    ("obligation_id",), (("tax.filing", "ReturnFiled"),), _return_row, "taxpayer")


def _payment_row(event: Event) -> Row:
    d = event.detail
    return {**_common(event), "payment_id": str(d["payment_id"]),
            "obligation_id": str(d["obligation_id"]), "taxpayer": party(d["taxpayer"]),
            "tax_type": str(d["tax_type"]), "period": str(d["period"]),
            "amount_fen": _fen(d["amount_fen"]), "method": str(d.get("method") or ""),
            "confirmed_at": instant(d["confirmed_at"]), "office": d.get("office")}


PAYMENTS = Table(
    "payments", 1, "Payments confirmed (B5): the revenue collected.",
    (*COMMON, Column("payment_id", "VARCHAR", "the payment"),
     Column("obligation_id", "VARCHAR", "the obligation it pays"),
     TAXPAYER, TAX_TYPE,
     Column("period", "VARCHAR", "the tax period paid"),
     Column("amount_fen", "BIGINT", "the amount collected, in fen"),
     Column("method", "VARCHAR", "how it was paid"),
     Column("confirmed_at", "TIMESTAMP", "when the provider confirmed it"),
     OFFICE),
    ("payment_id",), (("tax.filing", "PaymentConfirmed"),), _payment_row, "taxpayer")


def _refund_row(event: Event) -> Row:
    d = event.detail
    return {**_common(event), "case_id": str(d["case_id"]), "refund_kind": str(d["kind"]),
            "applicant": party(d["applicant"]), "office": d.get("tax_office"),
            "amount_fen": _fen(d.get("approved_fen", d["amount_fen"])), "paid_at": instant(d["at"])}


REFUNDS = Table(
    "refunds", 1, "Refunds paid (B7).",
    (*COMMON, Column("case_id", "VARCHAR", "the refund case"),
     Column("refund_kind", "VARCHAR", "the kind of refund"),
     Column("applicant", "VARCHAR", "the applicant's credit code, or a person's pseudonym"),
     Column("office", "VARCHAR", "the tax office of the case"),
     Column("amount_fen", "BIGINT", "the amount paid back, in fen"),
     Column("paid_at", "TIMESTAMP", "when the treasury paid it")),
    ("case_id",), (("tax.refunds", "RefundPaid"),), _refund_row, "applicant")

def _taxpayer_row(event: Event) -> Row:
    d = event.detail
    return {**_common(event), "credit_code": str(d["credit_code"]),
            "revision": int(d["revision"]), "status": str(d["status"]),
            "taxpayer_type": d.get("taxpayer_type"), "industry": d.get("industry") or None,
            "office": d.get("tax_office_code")}


TAXPAYERS = Table(
    "taxpayers", 1, "Registrations of enterprises as the registry announced them (B4): "
                    "their type, industry and office, one row per revision.",
    (*COMMON, Column("credit_code", "VARCHAR", "the enterprise's credit code"),
     Column("revision", "BIGINT", "the registry's revision of the record"),
     Column("status", "VARCHAR", "active, suspended, abnormal or cancelled"),
     Column("taxpayer_type", "VARCHAR", "general or small_scale"),
     Column("industry", "VARCHAR", "the registered industry (国民经济行业分类), where known"),
     OFFICE),
    ("credit_code", "revision"), (("tax.registration", "RegistrationChanged"),),
    _taxpayer_row, "credit_code")

TABLES: Final = (EVENTS, INVOICES, INVOICE_LINES, RETURNS, PAYMENTS, REFUNDS, TAXPAYERS)
BY_NAME: Final = {t.name: t for t in TABLES}


def rows_of(table: Table, event: Event) -> list[Row]:
    """``table``'s rows of ``event`` (one, or one a line), its province added to each; none
    for an event it does not read (the events table reads every event)."""
    if table is not EVENTS and not table.reads(event):
        return []
    made = table.row(event)
    taxpayer = event.detail.get(table.province_field) if table.province_field else None
    province = province_of(taxpayer if isinstance(taxpayer, str) else None)
    rows = made if isinstance(made, list) else [made]
    return [{**row, "province": province} for row in rows]
