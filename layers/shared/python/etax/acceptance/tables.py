"""The tables of online acceptance: the registry (described in
:mod:`etax.acceptance.registration.repository`), and the acceptance table (described in
:mod:`etax.acceptance.repository`): applications and registrations, the officers'
``by_office`` queue, a stream as the outbox."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

QUEUE_ATTRIBUTES = ("id", "item", "item_name", "category", "applicant", "state", "updated_at")
"""what ``by_office`` projects besides the keys: enough for an officer's queue page"""

ACCEPTANCE = TableSpec(
    "AcceptanceTable", "ACCEPTANCE_TABLE", Key("pk"), Key("sk"),
    indexes=(Index("by_office", Key("office"), Key("queue"), "INCLUDE", QUEUE_ATTRIBUTES),),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)

REGISTRY = TableSpec("RegistryTable", "REGISTRY_TABLE", Key("credit_code"), holds_records=True)
