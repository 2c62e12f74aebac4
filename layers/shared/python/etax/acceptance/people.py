"""Natural persons registered online with the real-name check, as other contexts look them up
(:class:`etax.refunds.sources.People`): one GetItem on ``taxpayer#<id>`` / ``person``."""

from __future__ import annotations

from typing import Any, Protocol

from etax.refunds.sources import Person


class Repository(Protocol):
    def get(self, pk: str, sk: str) -> dict[str, Any] | None: ...


class RegisteredPeople:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def get(self, resident_id: str) -> Person | None:
        item = self.repository.get(f"taxpayer#{resident_id}", "person")
        if not item or not (item.get("real_name") or {}).get("verified"):
            return None
        return Person(resident_id=str(item["resident_id"]), name=str(item["name"]),
                      tax_office=str(item["tax_office_code"]))
