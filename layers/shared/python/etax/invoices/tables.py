"""The invoice services' tables (described in :mod:`etax.invoices.repository` and
:mod:`etax.invoices.verification`)."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

INVOICES = TableSpec(
    "InvoicesTable", "INVOICES_TABLE", Key("number"),
    indexes=(Index("by_seller", Key("seller"), Key("issued_at"), "KEYS_ONLY"),
             Index("by_buyer", Key("buyer_id"), Key("issued_at"), "KEYS_ONLY")),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)
SEQUENCES = TableSpec("SequencesTable", "INVOICE_SEQUENCES_TABLE", Key("key"), holds_records=True)
QUOTAS = TableSpec("QuotaTable", "ISSUING_QUOTA_TABLE", Key("key"), holds_records=True)
VERIFICATION_GUARD = TableSpec(
    "VerificationGuardTable", "VERIFICATION_GUARD_TABLE", Key("key"), ttl_attribute="expires_at")
"""callers' failure counters and WeChat nonces (TTL, never read by the hot path)"""
