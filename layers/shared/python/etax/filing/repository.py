"""DynamoDB access for filing and payment (keys and access patterns: :mod:`etax.filing`).

The low-level client, as in the lottery: a confirmed payment is one ``TransactWriteItems``
whose two conditions (the payment still pending, the obligation at the version it was read at)
are what make a replayed or racing callback harmless, and that needs exact expressions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from etax.errors import AlreadyExists
from etax.filing import DUE_INDEX, OPEN_SHARDS, PAYER_INDEX, PAYMENTS_INDEX
from etax.filing.ledger import Allocation, Ledger
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import (
    applied,
    int_attr,
    pages,
    table_name,
    text_attr,
    write_transaction,
)

OPEN, FILED, PAID = "open", "filed", "paid"
PENDING, CONFIRMED, FAILED = "pending", "confirmed", "failed"


class ObligationExists(AlreadyExists):
    """An obligation for this taxpayer, tax and period exists already."""

    def __init__(self, identifier: str) -> None:
        super().__init__(f"the obligation {identifier} exists already", field="period")
        self.identifier = identifier


class StateChanged(Exception):
    """The item is no longer in the state the write expected (a race or a replay)."""


@dataclass(frozen=True, slots=True)
class Obligation:
    obligation_id: str
    taxpayer: str
    tax_office: str | None
    tax_type: str
    period: str
    due_date: date
    statutory_due: date
    extension: str
    status: str
    version: int
    created_by: str
    created_at: str
    return_kind: str | None = None
    return_answer: dict[str, Any] | None = None
    filed_at: str | None = None
    ledger: Ledger | None = None
    paid_at: str | None = None
    last_reminded: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    obligation_id: str
    taxpayer: str
    tax_office: str | None
    tax_type: str
    period: str
    method: str
    amount_fen: int
    status: str
    instruction: dict[str, Any]
    created_at: str
    created_by: str
    provider_ref: str | None = None
    confirmed_at: str | None = None
    paid_on: str | None = None
    allocation: Allocation | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """An entry of the due-date index: an obligation not filed, or filed and not paid."""

    obligation_id: str
    taxpayer: str
    tax_type: str
    period: str
    due_date: date
    status: str
    last_reminded: str | None


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """A payment as its obligation lists it (from the ``payments_of`` index)."""

    payment_id: str
    obligation_id: str
    method: str
    amount_fen: int
    status: str
    created_at: str
    confirmed_at: str | None


def obligation_id(taxpayer: str, tax_type: str, period: str) -> str:
    return f"{taxpayer}:{tax_type}:{period}"


def obligation_key(identifier: str) -> dict[str, Any] | None:
    parts = identifier.split(":")
    if len(parts) != 3 or not all(parts):
        return None
    taxpayer, tax_type, period = parts
    return {"pk": {"S": f"taxpayer#{taxpayer}"}, "sk": {"S": f"obligation#{tax_type}#{period}"}}


def payment_key(payment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"payment#{payment_id}"}, "sk": {"S": "payment"}}




def _ledger_values(ledger: Ledger) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":tax": {"N": str(ledger.tax_fen)},
        ":tax_paid": {"N": str(ledger.tax_paid_fen)},
        ":s_acc": {"N": str(ledger.surcharge_accrued_fen)},
        ":s_paid": {"N": str(ledger.surcharge_paid_fen)},
        ":over": {"N": str(ledger.overpaid_fen)},
        ":through": {"S": ledger.accrued_through.isoformat()} if ledger.accrued_through
        else {"NULL": True},
    }
    return values


LEDGER_SET = ("tax_fen = :tax, tax_paid_fen = :tax_paid, surcharge_accrued_fen = :s_acc, "
              "surcharge_paid_fen = :s_paid, overpaid_fen = :over, accrued_through = :through")


def obligation_from_item(item: dict[str, Any]) -> Obligation:
    due = date.fromisoformat(item["due_date"]["S"])
    ledger = None
    if "tax_fen" in item:
        through = text_attr(item, "accrued_through")
        ledger = Ledger(due_date=due, tax_fen=int_attr(item, "tax_fen"),
                        tax_paid_fen=int_attr(item, "tax_paid_fen"),
                        surcharge_accrued_fen=int_attr(item, "surcharge_accrued_fen"),
                        surcharge_paid_fen=int_attr(item, "surcharge_paid_fen"),
                        overpaid_fen=int_attr(item, "overpaid_fen"),
                        accrued_through=date.fromisoformat(through) if through else None,
                        refund_due_fen=int_attr(item, "refund_due_fen"),
                        refunded_fen=int_attr(item, "refunded_fen"))
    answer = text_attr(item, "return_answer")
    return Obligation(
        obligation_id=item["obligation_id"]["S"], taxpayer=item["taxpayer"]["S"],
        tax_office=text_attr(item, "tax_office"), tax_type=item["tax_type"]["S"],
        period=item["period"]["S"], due_date=due,
        statutory_due=date.fromisoformat(item["statutory_due"]["S"]),
        extension=item["extension"]["S"], status=item["status"]["S"],
        version=int_attr(item, "version"), created_by=item["created_by"]["S"],
        created_at=item["created_at"]["S"], return_kind=text_attr(item, "return_kind"),
        return_answer=json.loads(answer) if answer else None,
        filed_at=text_attr(item, "filed_at"), ledger=ledger, paid_at=text_attr(item, "paid_at"),
        last_reminded=text_attr(item, "last_reminded"))


def payment_from_item(item: dict[str, Any]) -> Payment:
    allocation = None
    if "alloc_tax_fen" in item:
        allocation = Allocation(tax_fen=int_attr(item, "alloc_tax_fen"),
                                surcharge_fen=int_attr(item, "alloc_surcharge_fen"),
                                overpaid_fen=int_attr(item, "alloc_overpaid_fen"),
                                days_late=int_attr(item, "days_late"))
    return Payment(
        payment_id=item["payment_id"]["S"], obligation_id=item["obligation_id"]["S"],
        taxpayer=item["taxpayer"]["S"], tax_office=text_attr(item, "tax_office"),
        tax_type=item["tax_type"]["S"], period=item["period"]["S"],
        method=item["method"]["S"], amount_fen=int_attr(item, "amount_fen"),
        status=item["status"]["S"], instruction=json.loads(item["instruction"]["S"]),
        created_at=item["created_at"]["S"], created_by=item["created_by"]["S"],
        provider_ref=text_attr(item, "provider_ref"),
        confirmed_at=text_attr(item, "confirmed_at"), paid_on=text_attr(item, "paid_on"),
        allocation=allocation)


class FilingRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("FILING_TABLE")

    # -- obligations ---------------------------------------------------------------------

    def create_obligation(self, obligation: Obligation) -> None:
        key = obligation_key(obligation.obligation_id)
        assert key is not None
        item: dict[str, Any] = {
            **key,
            "obligation_id": {"S": obligation.obligation_id},
            "taxpayer": {"S": obligation.taxpayer},
            "tax_type": {"S": obligation.tax_type},
            "period": {"S": obligation.period},
            "due_date": {"S": obligation.due_date.isoformat()},
            "statutory_due": {"S": obligation.statutory_due.isoformat()},
            "extension": {"S": obligation.extension},
            "status": {"S": OPEN},
            "version": {"N": "1"},
            "created_by": {"S": obligation.created_by},
            "created_at": {"S": obligation.created_at},
            "open_shard": {"S": OPEN_SHARDS.of(obligation.obligation_id)},
        }
        if obligation.tax_office:
            item["tax_office"] = {"S": obligation.tax_office}
        if not applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(pk)"):
            raise ObligationExists(obligation.obligation_id)

    def get_obligation(self, identifier: str, *, consistent: bool = False) -> Obligation | None:
        key = obligation_key(identifier)
        if key is None:
            return None
        item = self.db.get_item(TableName=self.table, Key=key,
                                ConsistentRead=consistent).get("Item")
        return obligation_from_item(item) if item else None

    def obligations_of(self, taxpayer: str) -> list[Obligation]:
        """A taxpayer's obligations (Query on its partition, every page)."""
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            params: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :sk)",
                "ExpressionAttributeValues": {":pk": {"S": f"taxpayer#{taxpayer}"},
                                              ":sk": {"S": "obligation#"}}}
            if start:
                params["ExclusiveStartKey"] = start
            page = self.db.query(**params)
            items.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return [obligation_from_item(i) for i in items]

    def file_return(self, obligation: Obligation, *, kind: str, answer: dict[str, Any],
                    ledger: Ledger, filed_at: str, filed_by: str) -> None:
        """open → filed (or straight to paid when nothing is payable); conditional on open."""
        settled = ledger.tax_fen == 0
        values = {**_ledger_values(ledger), ":open": {"S": OPEN},
                  ":status": {"S": PAID if settled else FILED},
                  ":kind": {"S": kind},
                  ":answer": {"S": json.dumps(answer, ensure_ascii=False)},
                  ":at": {"S": filed_at}, ":by": {"S": filed_by}, ":one": {"N": "1"}}
        values[":refund_due"] = {"N": str(ledger.refund_due_fen)}
        update = (f"SET #status = :status, return_kind = :kind, return_answer = :answer, "
                  f"filed_at = :at, filed_by = :by, refund_due_fen = :refund_due, "
                  f"{LEDGER_SET} ADD version :one")
        if settled:
            update = update.replace(" ADD", ", paid_at = :at ADD") + " REMOVE open_shard"
        if not applied(self.db, "update_item", TableName=self.table,
                       Key=obligation_key(obligation.obligation_id), UpdateExpression=update,
                       ConditionExpression="#status = :open",
                       ExpressionAttributeNames={"#status": "status"},
                       ExpressionAttributeValues=values):
            raise StateChanged(obligation.obligation_id)

    # -- payments ------------------------------------------------------------------------

    def create_payment(self, payment: Payment) -> None:
        item: dict[str, Any] = {
            **payment_key(payment.payment_id),
            "payment_id": {"S": payment.payment_id},
            "obligation_id": {"S": payment.obligation_id},
            "taxpayer": {"S": payment.taxpayer},
            "tax_type": {"S": payment.tax_type},
            "period": {"S": payment.period},
            "method": {"S": payment.method},
            "amount_fen": {"N": str(payment.amount_fen)},
            "status": {"S": PENDING},
            "instruction": {"S": json.dumps(payment.instruction, ensure_ascii=False)},
            "created_at": {"S": payment.created_at},
            "created_by": {"S": payment.created_by},
        }
        if payment.tax_office:
            item["tax_office"] = {"S": payment.tax_office}
        self.db.put_item(TableName=self.table, Item=item,
                         ConditionExpression="attribute_not_exists(pk)")

    def get_payment(self, payment_id: str, *, consistent: bool = False) -> Payment | None:
        item = self.db.get_item(TableName=self.table, Key=payment_key(payment_id),
                                ConsistentRead=consistent).get("Item")
        return payment_from_item(item) if item else None

    def confirm_payment(self, payment: Payment, obligation: Obligation, after: Ledger,
                        allocation: Allocation, *, provider_ref: str, confirmed_at: str,
                        paid_on: date) -> None:
        """pending → confirmed and the obligation's ledger moved, in one transaction; raises
        :class:`StateChanged` if the payment is no longer pending or the obligation moved."""
        settled = after.settled()
        obligation_update = (f"SET {LEDGER_SET}, #status = :status"
                             + (", paid_at = :at" if settled else "") + " ADD version :one"
                             + (" REMOVE open_shard" if settled else ""))
        actions: list[dict[str, Any]] = [
            {"Update": {
                "TableName": self.table, "Key": payment_key(payment.payment_id),
                "UpdateExpression": "SET #status = :confirmed, provider_ref = :ref, "
                                    "confirmed_at = :at, paid_on = :on, payer = :payer, "
                                    "alloc_tax_fen = :a_tax, alloc_surcharge_fen = :a_s, "
                                    "alloc_overpaid_fen = :a_over, days_late = :late",
                "ConditionExpression": "#status = :pending",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":confirmed": {"S": CONFIRMED}, ":pending": {"S": PENDING},
                    ":ref": {"S": provider_ref}, ":at": {"S": confirmed_at},
                    ":on": {"S": paid_on.isoformat()}, ":payer": {"S": payment.taxpayer},
                    ":a_tax": {"N": str(allocation.tax_fen)},
                    ":a_s": {"N": str(allocation.surcharge_fen)},
                    ":a_over": {"N": str(allocation.overpaid_fen)},
                    ":late": {"N": str(allocation.days_late)}}}},
            {"Update": {
                "TableName": self.table, "Key": obligation_key(obligation.obligation_id),
                "UpdateExpression": obligation_update,
                "ConditionExpression": "version = :version",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    **_ledger_values(after), ":version": {"N": str(obligation.version)},
                    ":status": {"S": PAID if settled else obligation.status},
                    ":one": {"N": "1"}, **({":at": {"S": confirmed_at}} if settled else {})}}},
        ]
        try:
            write_transaction(self.db, actions)
        except self.db.exceptions.TransactionCanceledException:
            raise StateChanged(payment.payment_id) from None

    def fail_payment(self, payment_id: str, *, provider_ref: str, at: str) -> bool:
        return applied(
            self.db, "update_item",
            TableName=self.table, Key=payment_key(payment_id),
            UpdateExpression="SET #status = :failed, provider_ref = :ref, failed_at = :at",
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":failed": {"S": FAILED}, ":pending": {"S": PENDING},
                                       ":ref": {"S": provider_ref}, ":at": {"S": at}})

    def confirmed_payments(self, taxpayer: str, start: date, end: date) -> list[Payment]:
        """A taxpayer's confirmed payments paid from ``start`` through ``end`` (Business days,
        Asia/Shanghai), oldest first: what a tax payment certificate (完税证明) is issued from.
        Queries the sparse ``by_payer`` index (only confirmed payments carry ``payer``)."""
        return [payment_from_item(i) for page in pages(
            self.db, "query", TableName=self.table, IndexName=PAYER_INDEX,
            KeyConditionExpression="payer = :payer AND paid_on BETWEEN :start AND :end",
            ExpressionAttributeValues={":payer": {"S": taxpayer},
                                       ":start": {"S": start.isoformat()},
                                       ":end": {"S": end.isoformat()}}) for i in page["Items"]]

    def payments_of(self, taxpayer: str) -> list[PaymentLine]:
        """Every payment of the taxpayer, of any status, oldest first: a Query (every page) on
        the sparse ``payments_of`` index."""
        lines = [PaymentLine(
            payment_id=i["payment_id"]["S"], obligation_id=i["obligation_id"]["S"],
            method=i["method"]["S"], amount_fen=int_attr(i, "amount_fen"),
            status=i["status"]["S"], created_at=i["created_at"]["S"],
            confirmed_at=text_attr(i, "confirmed_at")) for page in pages(
            self.db, "query", TableName=self.table, IndexName=PAYMENTS_INDEX,
            KeyConditionExpression="taxpayer = :taxpayer",
            ExpressionAttributeValues={":taxpayer": {"S": taxpayer}}) for i in page["Items"]]
        return sorted(lines, key=lambda line: (line.created_at, line.payment_id))

    # -- reminders -----------------------------------------------------------------------

    def due_between(self, first: date, last: date, *, page_size: int = 500) -> Iterator[Due]:
        """Every open obligation (not filed, or not paid) due from ``first`` through ``last``:
        one Query per shard of the sparse ``by_due`` index, page after page (no Scan)."""
        for shard in OPEN_SHARDS.all():
            for page in pages(
                    self.db, "query", TableName=self.table, IndexName=DUE_INDEX, Limit=page_size,
                    KeyConditionExpression="open_shard = :shard AND due_date BETWEEN :a AND :b",
                    ExpressionAttributeValues={":shard": {"S": shard},
                                               ":a": {"S": first.isoformat()},
                                               ":b": {"S": last.isoformat()}}):
                for item in page["Items"]:
                    yield Due(obligation_id=item["obligation_id"]["S"],
                              taxpayer=item["taxpayer"]["S"], tax_type=item["tax_type"]["S"],
                              period=item["period"]["S"],
                              due_date=date.fromisoformat(item["due_date"]["S"]),
                              status=item["status"]["S"],
                              last_reminded=text_attr(item, "last_reminded"))

    def claim_reminder(self, identifier: str, day: date) -> bool:
        """Mark the obligation reminded on ``day`` unless it was already, or is settled."""
        return applied(
            self.db, "update_item",
            TableName=self.table, Key=obligation_key(identifier),
            UpdateExpression="SET last_reminded = :day",
            ConditionExpression="attribute_exists(open_shard) AND "
                                "(attribute_not_exists(last_reminded) OR last_reminded < :day)",
            ExpressionAttributeValues={":day": {"S": day.isoformat()}})

    def release_reminder(self, identifier: str, day: date) -> None:
        """Undo a claim whose reminder could not be published (so a retry sends it)."""
        try:
            self.db.update_item(
                TableName=self.table, Key=obligation_key(identifier),
                UpdateExpression="REMOVE last_reminded",
                ConditionExpression="last_reminded = :day",
                ExpressionAttributeValues={":day": {"S": day.isoformat()}})
        except self.db.exceptions.ConditionalCheckFailedException:
            return
