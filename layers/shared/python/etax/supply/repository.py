"""DynamoDB access for invoice supply (tables and keys: :mod:`etax.supply`), and the reads of
the invoice registry and quotas the checks need. The low-level client, as in
:mod:`etax.invoices.repository`: transitions are exact conditional expressions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from etax.errors import AlreadyExists
from etax.invoices.facts import InvoiceFactsReader
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, pages, table_name
from etax.supply.rules import REVIEW, Batch, IssuedInvoice

MAX_INVOICES_CHECKED = 1000
REVIEW_INDEX = "by_review_office"


class ApplicationExists(AlreadyExists):
    """An application with this id exists already (a 409, never a 500)."""

    def __init__(self, application_id: str) -> None:
        super().__init__(f"application {application_id} exists already")


@dataclass(frozen=True, slots=True)
class Application:
    id: str
    applicant: str
    applicant_name: str
    tax_office: str
    taxpayer_type: str
    kind: str
    state: str
    applied_at: str
    updated_at: str
    request: dict[str, Any]
    trail: list[dict[str, Any]]
    checks: list[dict[str, Any]] | None
    review_reasons: list[str] | None
    batch: dict[str, Any] | None
    shipment: dict[str, Any] | None

    def batch_range(self) -> Batch | None:
        if self.batch is None:
            return None
        return Batch(self.batch["code"], int(self.batch["first"]), int(self.batch["last"]))


def _json(item: dict[str, Any], name: str) -> Any:
    value = item.get(name)
    return json.loads(value["S"]) if value and "S" in value else None


def _application(item: dict[str, Any]) -> Application:
    return Application(
        id=item["id"]["S"], applicant=item["applicant"]["S"],
        applicant_name=item.get("applicant_name", {}).get("S", ""),
        tax_office=item["tax_office"]["S"], taxpayer_type=item["taxpayer_type"]["S"],
        kind=item["kind"]["S"], state=item["state"]["S"], applied_at=item["applied_at"]["S"],
        updated_at=item["updated_at"]["S"], request=_json(item, "request") or {},
        trail=[{k: v["S"] for k, v in entry["M"].items()} for entry in item["trail"]["L"]],
        checks=_json(item, "checks"), review_reasons=_json(item, "review_reasons"),
        batch=_json(item, "batch"), shipment=_json(item, "shipment"),
    )


def _entry(stage: str, at: str, by: str, note: str) -> dict[str, Any]:
    return {"M": {"stage": {"S": stage}, "at": {"S": at}, "by": {"S": by},
                  "note": {"S": note}}}


class SupplyRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("SUPPLY_TABLE")

    def create(self, application: Application, by: str) -> None:
        item = {
            "id": {"S": application.id}, "applicant": {"S": application.applicant},
            "applicant_name": {"S": application.applicant_name},
            "tax_office": {"S": application.tax_office},
            "taxpayer_type": {"S": application.taxpayer_type}, "kind": {"S": application.kind},
            "state": {"S": application.state}, "applied_at": {"S": application.applied_at},
            "updated_at": {"S": application.updated_at},
            "request": {"S": json.dumps(application.request, ensure_ascii=False)},
            "trail": {"L": [_entry(application.state, application.applied_at, by,
                                   "applied online")]},
        }
        if application.kind == "paper":
            item["invoice_type"] = {"S": str(application.request["invoice_type"])}
        if not applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(id)"):
            raise ApplicationExists(application.id)

    def get(self, application_id: str, *, consistent: bool = False) -> Application | None:
        item = self.db.get_item(TableName=self.table, Key={"id": {"S": application_id}},
                                ConsistentRead=consistent).get("Item")
        if not item or "applicant" not in item:
            return None
        return _application(item)

    def move(self, application_id: str, source: str, target: str, *, at: str, by: str,
             note: str, sets: dict[str, Any] | None = None) -> bool:
        """``source`` → ``target`` with one trail entry (and JSON ``sets``), only if the
        application is still in ``source``; False when it is not (moved already). Entering
        review puts it in its office's queue (``review_office``), leaving review takes it out."""
        names = {"#s": "state", "#rv": "review_office"}
        values: dict[str, Any] = {":source": {"S": source}, ":target": {"S": target},
                                  ":at": {"S": at}, ":entry": {"L": [_entry(target, at, by,
                                                                             note)]}}
        updates = ["#s = :target", "updated_at = :at", "trail = list_append(trail, :entry)"]
        for i, (name, value) in enumerate((sets or {}).items()):
            names[f"#f{i}"] = name
            values[f":f{i}"] = {"S": json.dumps(value, ensure_ascii=False)}
            updates.append(f"#f{i} = :f{i}")
        expression = "SET " + ", ".join(updates)
        if target == REVIEW:
            expression += ", #rv = tax_office"
        else:
            expression += " REMOVE #rv"
        return applied(
            self.db, "update_item",
            TableName=self.table, Key={"id": {"S": application_id}},
            UpdateExpression=expression,
            ConditionExpression="#s = :source",
            ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def set_once(self, application_id: str, name: str, value: Any) -> Any:
        """Set the JSON attribute ``name`` unless it is set; return the value it holds."""
        try:
            self.db.update_item(
                TableName=self.table, Key={"id": {"S": application_id}},
                UpdateExpression="SET #n = :v", ConditionExpression="attribute_not_exists(#n)",
                ExpressionAttributeNames={"#n": name},
                ExpressionAttributeValues={":v": {"S": json.dumps(value, ensure_ascii=False)}})
        except self.db.exceptions.ConditionalCheckFailedException:
            item = self.db.get_item(TableName=self.table, Key={"id": {"S": application_id}},
                                    ConsistentRead=True)["Item"]
            return _json(item, name)
        return value

    def allot(self, code: str, quantity: int) -> Batch:
        """The next ``quantity`` numbers under ``code`` (one atomic counter update)."""
        answer = self.db.update_item(
            TableName=self.table, Key={"id": {"S": f"counter#{code}"}},
            UpdateExpression="ADD last_number :q",
            ExpressionAttributeValues={":q": {"N": str(quantity)}}, ReturnValues="UPDATED_NEW")
        last = int(answer["Attributes"]["last_number"]["N"])
        return Batch(code, last - quantity + 1, last)

    def abandon(self, batch: Batch, application_id: str) -> None:
        self.db.put_item(TableName=self.table, Item={
            "id": {"S": f"abandoned#{batch.code}#{batch.first:08d}"},
            "last": {"S": f"{batch.last:08d}"}, "application": {"S": application_id},
            "reason": {"S": "allotted to an application that already had its batch"}})

    def of_applicant(self, applicant: str, *, limit: int = 50) -> list[Application]:
        """The applicant's applications, newest first (Query on ``by_applicant``)."""
        found: list[Application] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table, "IndexName": "by_applicant",
            "KeyConditionExpression": "applicant = :a",
            "ExpressionAttributeValues": {":a": {"S": applicant}},
            "ScanIndexForward": False, "Limit": limit}
        answer = self.db.query(**kwargs)
        found.extend(_application(item) for item in answer.get("Items", []))
        return found

    def review_queue(self, office: str, *, limit: int) -> list[Application]:
        """The office's applications waiting for an officer, oldest first: one Query on the
        sparse ``by_review_office`` index."""
        answer = self.db.query(
            TableName=self.table, IndexName=REVIEW_INDEX, Limit=limit,
            KeyConditionExpression="review_office = :office",
            ExpressionAttributeValues={":office": {"S": office}})
        return [_application(item) for item in answer.get("Items", [])]

    def previous_batch(self, applicant: str, invoice_type: str,
                       before: str) -> Application | None:
        """The applicant's latest application of ``invoice_type`` applied before ``before``
        that was given a batch."""
        for answer in pages(
                self.db, "query", TableName=self.table, IndexName="by_applicant",
                KeyConditionExpression="applicant = :a AND applied_at < :before",
                FilterExpression="invoice_type = :t AND attribute_exists(#b)",
                ExpressionAttributeNames={"#b": "batch"},
                ExpressionAttributeValues={":a": {"S": applicant}, ":before": {"S": before},
                                           ":t": {"S": invoice_type}},
                ScanIndexForward=False):
            for item in answer.get("Items", []):
                return _application(item)
        return None


class IssuedInvoices(DynamoAccess):
    """What 验旧 reads of the invoice registry (through the invoices context's port,
    :mod:`etax.invoices.facts`) and the issuing quota (read only, plus the one quota write a
    digital supply makes)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.facts = InvoiceFactsReader(client)
        self.quotas = table_name("ISSUING_QUOTA_TABLE")

    def paper_batch(self, batch: Batch) -> dict[str, IssuedInvoice]:
        """The issued invoices of a paper batch (keyed ``<code>-<number>`` in the registry),
        by number."""
        found = self.facts.get_many([f"{batch.code}-{n}" for n in batch.numbers()])
        return {f.number.split("-", 1)[1]: IssuedInvoice(
            f.number.split("-", 1)[1], f.status, f.seller) for f in found}

    def of_seller_since(self, seller: str, since: str) -> list[IssuedInvoice]:
        """The seller's invoices issued at or after ``since`` (UTC ISO time), at most
        :data:`MAX_INVOICES_CHECKED` (the newest): a Query on ``by_seller``, then their
        status in batches."""
        numbers = self.facts.numbers_of_seller_since(seller, since, MAX_INVOICES_CHECKED)
        return [IssuedInvoice(f.number, f.status, seller) for f in self.facts.get_many(numbers)]

    def quota(self, seller: str, month: str) -> tuple[int | None, int]:
        """The seller's monthly quota (None: none) and what ``month`` (yyyymm) has used."""
        answer = self.db.batch_get_item(RequestItems={self.quotas: {
            "Keys": [{"key": {"S": f"quota#{seller}"}}, {"key": {"S": f"used#{seller}#{month}"}}],
            "ConsistentRead": True}})
        quota, used = None, 0
        for item in answer["Responses"].get(self.quotas, []):
            if item["key"]["S"].startswith("quota#"):
                quota = int(item["monthly_fen"]["N"])
            else:
                used = int(item["used_fen"]["N"])
        return quota, used

    def set_quota(self, seller: str, monthly_fen: int, application_id: str) -> None:
        """The seller's monthly issuing quota becomes ``monthly_fen`` (the supply that raised
        it is recorded beside it). Setting the same value again changes nothing."""
        self.db.update_item(
            TableName=self.quotas, Key={"key": {"S": f"quota#{seller}"}},
            UpdateExpression="SET monthly_fen = :q, raised_by = :a",
            ExpressionAttributeValues={":q": {"N": str(monthly_fen)},
                                       ":a": {"S": application_id}})
