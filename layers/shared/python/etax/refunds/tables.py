"""The refunds tables (described in :mod:`etax.refunds.repository`): one item per case with
the sparse ``by_review_office`` queue, the applicant's ``by_applicant`` list and a stream as
the outbox; the simulated treasury's books."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

APPLICANT_ATTRIBUTES = ("kind", "state", "amount_fen", "tax_office", "updated_at")
"""what ``by_applicant`` projects besides the keys: enough for the applicant's list"""

REFUNDS = TableSpec(
    "RefundsTable", "REFUNDS_TABLE", Key("case_id"),
    indexes=(Index("by_review_office", Key("review_office"), Key("submitted_at")),
             Index("by_applicant", Key("applicant"), Key("submitted_at"), "INCLUDE",
                   APPLICANT_ATTRIBUTES)),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)
TREASURY = TableSpec("TreasuryTable", "REFUND_TREASURY_TABLE", Key("key"))
