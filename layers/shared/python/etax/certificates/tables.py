"""The certificates table (described in :mod:`etax.certificates.repository`)."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

CERTIFICATES = TableSpec("CertificatesTable", "CERTIFICATES_TABLE", Key("id"), holds_records=True)
