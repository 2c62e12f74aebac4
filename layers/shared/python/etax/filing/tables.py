"""The filing table (described in :mod:`etax.filing`): the sparse ``by_due`` index the
reminder run queries and the sparse ``by_payer`` index of confirmed payments; its stream is the
outbox of returns filed and payments confirmed (:mod:`etax.filing.outbox`)."""

from __future__ import annotations

from etax.filing import DUE_INDEX, PAYER_INDEX, PAYMENTS_INDEX
from etax.platform.tables import Index, Key, TableSpec

DUE_INDEX_ATTRIBUTES = ("obligation_id", "taxpayer", "tax_type", "period", "status",
                        "last_reminded")
"""what ``by_due`` projects besides the keys: enough to remind"""

PAYMENT_INDEX_ATTRIBUTES = ("obligation_id", "method", "amount_fen", "status", "created_at",
                            "confirmed_at")
"""what ``payments_of`` projects besides the keys: a payment as its obligation lists it"""

FILING = TableSpec(
    "FilingTable", "FILING_TABLE", Key("pk"), Key("sk"),
    indexes=(Index(DUE_INDEX, Key("open_shard"), Key("due_date"), "INCLUDE",
                   DUE_INDEX_ATTRIBUTES),
             Index(PAYER_INDEX, Key("payer"), Key("paid_on")),
             Index(PAYMENTS_INDEX, Key("taxpayer"), Key("payment_id"), "INCLUDE",
                   PAYMENT_INDEX_ATTRIBUTES)),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)
