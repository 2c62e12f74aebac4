"""Signed documents the platform issues (e-invoices, tax certificates): the canonical JSON a
signature covers (:mod:`.canonical`), signing with the platform's KMS key and checking offline
(:mod:`.signing`), and what every printed document shares (:mod:`.pdf`)."""
