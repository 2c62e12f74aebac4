"""The filing ledger as the refund pipeline reads and moves it
(:class:`etax.refunds.sources.Overpayments`).

A refund of an obligation reads the obligation's ledger consistently and, when the treasury
has paid, adds the amount to ``refunded_fen`` in the same ``TransactWriteItems`` that moves the
case to ``paid``, conditional on ``refunded_fen`` still holding the value the refund was
checked against. ``overpaid_fen`` only grows (payments) and ``refund_due_fen`` is fixed by the
return, so ``refunded_fen`` can never pass ``overpaid + refund_due``: two refunds racing on one
ledger cannot both be recorded, and a refund found not covered is never paid. A case is
created under the same condition (:meth:`FilingOverpayments.unchanged`, in the case's own
transaction): an application computed from a ledger that a refund paid meanwhile is computed
again, not stored.
"""

from __future__ import annotations

from typing import Any, Protocol

from etax.filing.repository import Obligation, obligation_key
from etax.refunds.sources import Overpayment


class Repository(Protocol):
    table: str

    def get_obligation(self, identifier: str, *, consistent: bool = False
                       ) -> Obligation | None: ...


def overpayment_of(obligation: Obligation) -> Overpayment:
    ledger = obligation.ledger
    if ledger is None:
        return Overpayment(obligation.obligation_id, obligation.taxpayer, obligation.tax_office,
                           obligation.tax_type, obligation.period, obligation.return_kind,
                           0, 0, 0, 0, 0)
    paid = ledger.tax_paid_fen + ledger.surcharge_paid_fen + ledger.overpaid_fen
    return Overpayment(
        obligation_id=obligation.obligation_id, taxpayer=obligation.taxpayer,
        tax_office=obligation.tax_office, tax_type=obligation.tax_type,
        period=obligation.period, return_kind=obligation.return_kind, paid_fen=paid,
        liability_fen=ledger.tax_fen + ledger.surcharge_paid_fen,
        overpaid_fen=ledger.overpaid_fen, refund_due_fen=ledger.refund_due_fen,
        refunded_fen=ledger.refunded_fen)


class FilingOverpayments:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def get(self, obligation_id: str) -> Overpayment | None:
        obligation = self.repository.get_obligation(obligation_id, consistent=True)
        return None if obligation is None else overpayment_of(obligation)

    def _as_read(self, overpayment: Overpayment) -> dict[str, Any]:
        """The obligation's key and the condition that its refunded sum is still as read."""
        key = obligation_key(overpayment.obligation_id)
        assert key is not None
        before = overpayment.refunded_fen
        condition = ("attribute_not_exists(refunded_fen) OR refunded_fen = :before" if before == 0
                     else "refunded_fen = :before")
        return {"TableName": self.repository.table, "Key": key,
                "ConditionExpression": f"attribute_exists(pk) AND ({condition})",
                "ExpressionAttributeValues": {":before": {"N": str(before)}}}

    def unchanged(self, overpayment: Overpayment) -> dict[str, Any]:
        return {"ConditionCheck": self._as_read(overpayment)}

    def record_refund(self, overpayment: Overpayment, amount_fen: int) -> dict[str, Any]:
        if amount_fen <= 0 or amount_fen > overpayment.refundable_fen:
            raise ValueError(f"{amount_fen} fen is not refundable from {overpayment.obligation_id}"
                             f" ({overpayment.refundable_fen} fen is)")
        update = self._as_read(overpayment)
        update["UpdateExpression"] = "SET refunded_fen = :after"
        update["ExpressionAttributeValues"][":after"] = {
            "N": str(overpayment.refunded_fen + amount_fen)}
        return {"Update": update}
