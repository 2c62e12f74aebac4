"""Registration services: the public check of a credit code, the owner's record, the feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.results import (
    Coded,
    OwnerRecord,
    Structure,
    Verification,
)
from etax.errors import Malformed, NotFound
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.platform.events import DomainEvent
from etax.rules import uscc

if TYPE_CHECKING:  # the feed's pydantic model: only the feed consumer imports it
    from etax.acceptance.registration.feed import FeedRecord


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...

    def put_unless_stale(self, record: RegistrationRecord) -> bool: ...


class Publisher(Protocol):
    def publish(self, events: list[DomainEvent]) -> None: ...


def parse_code(text: str, field: str = "credit_code") -> uscc.CreditCode:
    try:
        return uscc.parse(text)
    except uscc.MalformedCode as error:
        raise Malformed(f"not a Unified Social Credit Code: {error.reason}", field=field) from None


class RegistrationService:
    def __init__(self, registry: Registry, publisher: Publisher | None = None) -> None:
        self.registry = registry
        self.publisher = publisher

    def verify(self, text: str) -> Verification:
        """The public check: is the code well formed, is its checksum right, is it registered?

        The checksum and the registration are reported separately: real
        registered codes exist whose check character is wrong.
        """
        code = parse_code(text)
        record = self.registry.get(code.code)
        return Verification(
            credit_code=code.code,
            checksum_valid=code.checksum_valid,
            checksum_reason=code.checksum_reason,
            structure=Structure(
                registration_authority=Coded(code=code.registration_authority,
                                             name=code.authority_name),
                entity_type=Coded(code=code.registration_authority + code.entity_type,
                                  name=code.entity_type_name),
                region_code=code.region_code,
                organization_code=code.organization_code,
                check_character=code.check_character,
                expected_check_character=code.expected_check_character,
            ),
            warnings=code.warnings,
            registered=record is not None,
            registration=record.public_view() if record else None,
        )

    def owner_record(self, principal: Principal, text: str) -> OwnerRecord:
        """The full record, for the taxpayer itself, an officer of its tax office, or an admin."""
        code = parse_code(text)
        record = self.registry.get(code.code)
        if record is None:
            if principal.role in ("taxpayer", "officer"):
                # Same answer as for someone else's record: do not reveal what exists.
                ensure_can_reach_taxpayer(principal, code.code, None)
            raise NotFound(f"no taxpayer is registered under {code.code}")
        ensure_can_reach_taxpayer(principal, record.credit_code, record.tax_office_code)
        return record.owner_view()

    def apply_feed_record(self, record: FeedRecord) -> bool:
        """Store a feed record unless the registry holds a newer one; announce the change.

        At least once: if announcing fails, the message is retried and the
        same revision is stored and announced again; consumers of
        ``RegistrationChanged`` are idempotent on (credit_code, revision).
        """
        stored = RegistrationRecord(
            **record.model_dump(),
            updated_at=datetime.now(UTC).isoformat(),
        )
        changed = self.registry.put_unless_stale(stored)
        if changed and self.publisher is not None:
            self.publisher.publish([
                DomainEvent(
                    detail_type="RegistrationChanged",
                    detail={
                        "credit_code": stored.credit_code,
                        "status": stored.status.value,
                        "tax_office_code": stored.tax_office_code,
                        "taxpayer_type": stored.taxpayer_type.value,
                        "industry": stored.industry,
                        "revision": stored.revision,
                    },
                    resources=(f"taxpayer/{stored.credit_code}",),
                )
            ])
        return changed
