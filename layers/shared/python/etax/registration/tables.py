"""The registry table (described in :mod:`etax.registration.repository`)."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

REGISTRY = TableSpec("RegistryTable", "REGISTRY_TABLE", Key("credit_code"))
