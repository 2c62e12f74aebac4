"""The stages of the refund pipeline, one method per stage consumer.

Each stage reads the case (consistently), does its work only if the case is in the state the
stage starts from, and moves it with a conditional write (:mod:`etax.refunds.cases`). A
message for a case elsewhere — repeated, late, out of order — is acknowledged and changes
nothing. The write announces the next stage through the table's stream (the outbox), so a
state change and the event announcing it cannot diverge.

The payment stage asks the treasury to pay with the case id as the payment key *before* it
records the payment: if it dies in between, the redelivered message finds the case still
``approved``, asks again with the same key, gets the first payment back and records it. No
case is lost, none is paid twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.refunds.cases import (
    APPROVED,
    CHECKED,
    NOTIFIED,
    PAID,
    REJECTED,
    REVIEW,
    SUBMITTED,
    Case,
    Stage,
    notification_for,
)
from etax.refunds.rules import ReviewPolicy, review_flags
from etax.refunds.sources import Overpayments
from etax.refunds.treasury import Payment, TreasuryError
from etax.rules.dates import business_date


class Repository(Protocol):
    def get(self, case_id: str, *, consistent: bool = False) -> Case | None: ...

    def transition(self, case: Case, target: str, stage: Stage, *,
                   also: Sequence[dict[str, Any]] = (), **changes: Any) -> Case | None: ...

    def record_failure(self, case_id: str, *, state: str, error: str, at: str) -> bool: ...


class Treasury(Protocol):
    def pay(self, key: str, account: str, amount_fen: int) -> Payment: ...


class UnknownCase(Exception):
    """A message names a case this table does not hold (a poisoned message)."""


class NotCovered(TreasuryError):
    """The ledger no longer covers the approved amount: nothing is paid (retried, then the
    dead-letter queue: an officer looks)."""


class Pipeline:
    def __init__(self, repository: Repository, treasury: Treasury | None = None,
                 policy: ReviewPolicy | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 overpayments: Overpayments | None = None) -> None:
        self.repository = repository
        self.treasury = treasury
        self.overpayments = overpayments
        self.policy = policy or ReviewPolicy.shipped()
        self.now = now

    def _at(self) -> str:
        return self.now().astimezone(UTC).isoformat()

    def _case(self, case_id: str) -> Case:
        case = self.repository.get(case_id, consistent=True)
        if case is None:
            raise UnknownCase(f"no refund case {case_id}")
        return case

    def _move(self, case: Case, target: str, by: str, note: str | None = None, *,
              also: Sequence[dict[str, Any]] = (), **changes: Any) -> str:
        moved = self.repository.transition(case, target, Stage(target, self._at(), by, note),
                                           also=also, **changes)
        if moved is None:  # moved by someone else meanwhile: read what it is now
            return self._case(case.case_id).state
        return moved.state

    def check(self, case_id: str) -> str:
        """The automatic document check: ``submitted`` → ``checked``, or ``review`` with the
        flags that ask an officer to look."""
        case = self._case(case_id)
        if case.state != SUBMITTED:
            return case.state
        rules = self.policy.rules_on(business_date(datetime.fromisoformat(case.submitted_at)))
        flags = review_flags(rules, kind=case.kind, amount_fen=case.amount_fen,
                             conditions=case.conditions)
        if flags:
            return self._move(case, REVIEW, "system:checks", "、".join(flags),
                              flags=tuple(flags))
        return self._move(case, CHECKED, "system:checks", f"rules {rules.version}")

    def approve(self, case_id: str) -> str:
        """Approval of a checked case: the approved amount is the computed amount."""
        case = self._case(case_id)
        if case.state != CHECKED:
            return case.state
        return self._move(case, APPROVED, "system:approval", None,
                          approved_fen=case.amount_fen)

    def pay(self, case_id: str) -> str:
        """Payment by the treasury, then the record of it (see the module doc). Raises
        :class:`TreasuryError` after counting the attempt, so the message is retried.

        A refund of an obligation is paid only if its ledger still covers it, and the case
        moves to ``paid`` in one transaction with the ledger's record of the refund
        (conditional on the ledger not having moved: else the message is retried, the
        treasury finds its payment by the case id, and the record is tried again)."""
        if self.treasury is None:
            raise RuntimeError("the payment stage needs a treasury")
        case = self._case(case_id)
        if case.state != APPROVED:
            return case.state
        amount = case.approved_fen if case.approved_fen is not None else case.amount_fen
        try:
            record = self._ledger_record(case, amount)
            payment = self.treasury.pay(case.case_id, case.account_number, amount)
        except TreasuryError as error:
            self.repository.record_failure(case.case_id, state=APPROVED, error=str(error),
                                           at=self._at())
            raise
        return self._move(case, PAID, "treasury", payment.reference, also=record,
                          treasury_ref=payment.reference, paid_at=payment.paid_at,
                          last_error=None)

    def _ledger_record(self, case: Case, amount_fen: int) -> list[dict[str, Any]]:
        """The ledger's record of this refund (none for a case paid from no obligation)."""
        if case.obligation_id is None:
            return []
        if self.overpayments is None:
            raise RuntimeError("the payment stage needs the filing ledger")
        found = self.overpayments.get(case.obligation_id)
        if found is None or found.refundable_fen < amount_fen:
            left = 0 if found is None else found.refundable_fen
            raise NotCovered(f"the ledger of {case.obligation_id} covers {left} fen, not "
                             f"{amount_fen}: not paid")
        return [self.overpayments.record_refund(found, amount_fen)]

    def notify(self, case_id: str) -> str:
        """``paid`` / ``rejected`` → ``notified``, storing the notification the outbox
        publishes (the notification contract)."""
        case = self._case(case_id)
        if case.state not in (PAID, REJECTED):
            return case.state
        notification = notification_for(case)
        return self._move(case, NOTIFIED, "system:notify", notification["id"],
                          notification=notification)


def decide(repository: Repository, case: Case, *, approve: bool, officer: str, at: str,
           note: str | None) -> Case | None:
    """An officer's decision on a case in review: documents approved (→ ``checked``, the
    pipeline goes on) or the refund rejected with the reason (→ ``rejected``)."""
    if case.state != REVIEW:
        return None
    if approve:
        return repository.transition(case, CHECKED, Stage(CHECKED, at, officer, note))
    return repository.transition(case, REJECTED, Stage(REJECTED, at, officer, note),
                                 reason=note)
