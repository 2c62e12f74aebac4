"""Invoice tables and their repository.

``INVOICES_TABLE`` — partition key ``number`` (the 20-digit invoice number).
One item per invoice: the signed canonical document (``doc``, ``signature``),
the facts verification needs as attributes (``issue_date``, ``type``,
``total_fen``; on imported legacy invoices also ``amount_fen`` and ``check6``),
the status (``normal`` / ``voided`` / ``red_flushed``) and the per-day
verification counters: genuine checks ``chk_<yyyymmdd>`` and mismatching
checks ``mis_<yyyymmdd>`` (each call removes the previous month's). GSI
``by_seller`` (``seller``, ``issued_at``) lists a seller's invoices
(used-invoice checks, the seller's history); GSI ``by_buyer`` (``buyer_id``, the
buyer's credit code or resident ID, ``issued_at``) a buyer's. Both are sparse and
keys only: an imported legacy invoice has neither ``issued_at`` nor ``seller`` and
is in neither; every issued invoice has carried ``buyer_id`` since the first
release, so ``by_buyer`` holds the old ones too once built (read by
:class:`etax.invoices.pages.InvoicePages`). No scans.

``INVOICE_SEQUENCES_TABLE`` — partition key ``key``:

- ``global#<yy><region><channel>``: ``next_block``, the next free block of the
  national sequence for that year, region and channel (touched once per
  :data:`BLOCK_SIZE` invoices, so never a hot key);
- ``issuer#<credit code>#<yy><region><channel>``: the issuer's current block
  (``block_end``) and its ``next`` sequence number.

``ISSUING_QUOTA_TABLE`` — partition key ``key``: ``quota#<credit code>`` holds
the monthly issuing quota (``monthly_fen``, set by the tax office);
``used#<credit code>#<yyyymm>`` what the month has used (``used_fen``).

Issuing is one ``TransactWriteItems``: the invoice (must not exist), the
issuer's sequence (must still be at the number read), the month's usage (must
stay within the quota). A number is consumed if and only if its invoice is
written, so numbers are never reused and never skipped silently.

When a block runs out the issuer takes the next free block (a block taken
by a request that then loses the race to install it is recorded as
``abandoned#<series>#<block>``, never reused); when the year
(and so the series) changes, the rest of the old block stays visible on the
issuer's old series item (``next`` .. ``block_end``): unused, never silent.

Verification is one ``UpdateItem`` for a genuine check (see
:meth:`InvoiceRepository.count_check`); a failed one adds a counted mismatch
and the caller's failure (:class:`GuardRepository`).

``VERIFICATION_GUARD_TABLE`` — partition key ``key``, TTL ``expires_at``:

- ``fail#<yyyymmdd>#<client key>``: ``n``, the caller's failed checks that day
  (the client key is a digest: no address or phone number is stored);
- ``nonce#wechat#<timestamp>#<nonce>``: a WeChat-style message already taken
  (a replay finds it and is refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from etax.documents.canonical import canonical_bytes
from etax.errors import StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, count_under, table_name, transact, write_transaction

BLOCK_SIZE = 1000
CLEANUP_DAYS = 31


class QuotaExceeded(Exception):
    """The month's usage would pass the issuer's quota."""


class SequenceMoved(Exception):
    """Another request took the number first; read again and retry."""


class StatusChanged(StateChanged):
    """The invoice is not in the status the transition needs (any more)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"invoice {number} was changed meanwhile")
        self.number = number


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    number: str
    document: dict[str, Any]
    signature: dict[str, str]
    status: str
    red_number: str | None
    checks_today: int | None = None
    mismatches_today: int | None = None

    @property
    def envelope(self) -> dict[str, Any]:
        return {"document": self.document, "signature": self.signature}


def _day_attribute(day: date) -> str:
    return f"chk_{day:%Y%m%d}"


def _mismatch_attribute(day: date) -> str:
    return f"mis_{day:%Y%m%d}"


def _count(item: dict[str, Any], attribute: str) -> int | None:
    return int(item[attribute]["N"]) if attribute in item else None


def stored(item: dict[str, Any], day: date | None = None) -> StoredInvoice:
    checks = mismatches = None
    if day is not None:
        checks = _count(item, _day_attribute(day))
        mismatches = _count(item, _mismatch_attribute(day))
    return StoredInvoice(
        number=item["number"]["S"],
        document=json.loads(item["doc"]["S"]),
        signature={k: v["S"] for k, v in item["signature"]["M"].items()},
        status=item["status"]["S"],
        red_number=item.get("red_number", {}).get("S"),
        checks_today=checks,
        mismatches_today=mismatches,
    )


def legacy_invoice_item(document: dict[str, Any], *, voided: bool) -> dict[str, dict[str, Any]]:
    """The item of an imported legacy invoice (:mod:`etax.invoices.legacy`), keyed
    ``<code>-<number>``: its document, no signature, and the facts verification compares."""
    check_code = str(document["check_code"] or "")
    return {
        "number": {"S": f"{document['code']}-{document['number']}"},
        "doc": {"S": canonical_bytes(document).decode()},
        "signature": {"M": {}},
        "status": {"S": "voided" if voided else "normal"},
        "type": {"S": document["type"]},
        "issue_date": {"S": document["issue_date"]},
        "total_fen": {"N": str(document["total_fen"])},
        "amount_fen": {"N": str(document["amount_fen"])},
        **({"check6": {"S": check_code[-6:]}} if check_code else {}),
        "legacy": {"BOOL": True},
    }


@dataclass(frozen=True, slots=True)
class Claim:
    """What a check claims, in stored attributes: compared by the counting write itself."""

    issue_date: str
    attribute: str
    value: int | str
    types: tuple[str, ...]


def _cleanup(day: date, names: dict[str, str]) -> str:
    """``REMOVE`` of the previous :data:`CLEANUP_DAYS` days' counters (so they do not pile up)."""
    removes = []
    for back in range(1, CLEANUP_DAYS + 1):
        earlier = day - timedelta(days=back)
        names[f"#p{back}"] = _day_attribute(earlier)
        names[f"#q{back}"] = _mismatch_attribute(earlier)
        removes += [f"#p{back}", f"#q{back}"]
    return " REMOVE " + ", ".join(removes)


class InvoiceReader(DynamoAccess):
    """Reading invoices by number, for whoever needs nothing else (``INVOICES_TABLE`` only)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.invoices = table_name("INVOICES_TABLE")

    def get(self, number: str) -> StoredInvoice | None:
        item = self.db.get_item(TableName=self.invoices, Key={"number": {"S": number}}).get("Item")
        return stored(item) if item else None


class InvoiceRepository(InvoiceReader):
    """DynamoDB access for invoices, sequences and quotas (low-level client: the
    transactions and the one-call verification need exact expressions)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.sequences = table_name("INVOICE_SEQUENCES_TABLE")
        self.quotas = table_name("ISSUING_QUOTA_TABLE")

    # -- issuing -------------------------------------------------------------------------

    def issuer_state(self, credit_code: str, series: str, month: str) -> dict[str, int | None]:
        """The issuer's sequence position, monthly quota and month's usage: one BatchGetItem."""
        keys = {
            self.sequences: {"Keys": [{"key": {"S": f"issuer#{credit_code}#{series}"}}],
                             "ConsistentRead": True},
            self.quotas: {"Keys": [{"key": {"S": f"quota#{credit_code}"}},
                                   {"key": {"S": f"used#{credit_code}#{month}"}}],
                          "ConsistentRead": True},
        }
        answer = self.db.batch_get_item(RequestItems=keys)
        state: dict[str, int | None] = {"next": None, "block_end": None, "quota": None,
                                        "used": 0}
        for item in answer["Responses"].get(self.sequences, []):
            state["next"] = int(item["next"]["N"])
            state["block_end"] = int(item["block_end"]["N"])
        for item in answer["Responses"].get(self.quotas, []):
            if item["key"]["S"].startswith("quota#"):
                state["quota"] = int(item["monthly_fen"]["N"])
            else:
                state["used"] = int(item["used_fen"]["N"])
        if answer.get("UnprocessedKeys"):
            raise SequenceMoved("issuer state not fully read; retry")
        return state

    def take_block(self, credit_code: str, series: str, seen_next: int | None) -> tuple[int, int]:
        """Give the issuer a fresh block of the national sequence; returns (next, block_end).

        The global counter moves by one per block; the issuer item is replaced
        only if it is still where it was read, so two racing requests cannot
        both install a block (the loser retries and uses the winner's).
        """
        answer = self.db.update_item(
            TableName=self.sequences,
            Key={"key": {"S": f"global#{series}"}},
            UpdateExpression="ADD next_block :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        block = int(answer["Attributes"]["next_block"]["N"]) - 1
        start, end = block * BLOCK_SIZE + 1, (block + 1) * BLOCK_SIZE
        put: dict[str, Any] = {
            "TableName": self.sequences,
            "Item": {"key": {"S": f"issuer#{credit_code}#{series}"}, "next": {"N": str(start)},
                     "block_end": {"N": str(end)}, "block": {"N": str(block)}},
        }
        if seen_next is None:
            put.update(ConditionExpression="attribute_not_exists(#k)",
                       ExpressionAttributeNames={"#k": "key"})
        else:
            put.update(ConditionExpression="#n = :seen", ExpressionAttributeNames={"#n": "next"},
                       ExpressionAttributeValues={":seen": {"N": str(seen_next)}})
        try:
            self.db.put_item(**put)
        except self.db.exceptions.ConditionalCheckFailedException:
            # Another request installed a block first: this one is never used, and says so.
            self.db.put_item(TableName=self.sequences, Item={
                "key": {"S": f"abandoned#{series}#{block}"}, "issuer": {"S": credit_code},
                "first": {"N": str(start)}, "last": {"N": str(end)},
                "reason": {"S": "lost a race to install the issuer's next block"}})
            raise SequenceMoved("another request installed a block first") from None
        return start, end

    def write_issued(
        self,
        *,
        credit_code: str,
        series: str,
        sequence: int,
        month: str,
        quota_fen: int,
        document: dict[str, Any],
        document_json: str,
        signature: dict[str, str],
        facts: dict[str, Any],
        flush_original: str | None = None,
    ) -> None:
        """The issuing transaction (see the module docstring)."""
        total = int(document["total_fen"])
        item = {
            "number": {"S": document["number"]},
            "doc": {"S": document_json},
            "signature": {"M": {k: {"S": v} for k, v in signature.items()}},
            "status": {"S": "normal"},
            "seller": {"S": credit_code},
            "issued_at": {"S": document["issued_at"]},
            **{k: ({"N": str(v)} if isinstance(v, int) else {"S": str(v)})
               for k, v in facts.items()},
        }
        usage: dict[str, Any] = {
            "TableName": self.quotas,
            "Key": {"key": {"S": f"used#{credit_code}#{month}"}},
            "UpdateExpression": "ADD used_fen :total",
            "ExpressionAttributeValues": {":total": {"N": str(total)}},
        }
        if total > 0:  # a credit (red-letter) invoice only gives quota back
            usage["ConditionExpression"] = "attribute_not_exists(used_fen) OR used_fen <= :room"
            usage["ExpressionAttributeValues"][":room"] = {"N": str(quota_fen - total)}
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self.invoices, "Item": item,
                     "ConditionExpression": "attribute_not_exists(#n)",
                     "ExpressionAttributeNames": {"#n": "number"}}},
            {"Update": {"TableName": self.sequences,
                        "Key": {"key": {"S": f"issuer#{credit_code}#{series}"}},
                        "UpdateExpression": "SET #n = :after",
                        "ConditionExpression": "#n = :seq AND block_end >= :seq",
                        "ExpressionAttributeNames": {"#n": "next"},
                        "ExpressionAttributeValues": {":seq": {"N": str(sequence)},
                                                      ":after": {"N": str(sequence + 1)}}}},
            {"Update": usage},
        ]
        if flush_original is not None:
            actions.append({"Update": {
                "TableName": self.invoices,
                "Key": {"number": {"S": flush_original}},
                "UpdateExpression": "SET #s = :flushed, red_number = :red",
                "ConditionExpression": "#s = :normal",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":flushed": {"S": "red_flushed"},
                                              ":normal": {"S": "normal"},
                                              ":red": {"S": document["number"]}},
            }})
        transact(self.db, actions, {
            1: lambda: SequenceMoved("the number was taken; retry"), 2: QuotaExceeded,
            3: lambda: StatusChanged(flush_original or ""),
            0: lambda: SequenceMoved("an invoice with this number exists; retry")})

    # -- reading and transitions ---------------------------------------------------------

    def void(self, number: str, seller: str, month: str) -> StoredInvoice:
        """normal → voided, by its seller; the month's usage is given back in the same
        transaction."""
        invoice = self.get(number)
        if invoice is None:
            raise StatusChanged(number)
        total = int(invoice.document["total_fen"])
        try:
            write_transaction(self.db, [
                {"Update": {
                    "TableName": self.invoices, "Key": {"number": {"S": number}},
                    "UpdateExpression": "SET #s = :voided",
                    "ConditionExpression": "#s = :normal AND seller = :seller",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":voided": {"S": "voided"},
                                                  ":normal": {"S": "normal"},
                                                  ":seller": {"S": seller}}}},
                {"Update": {
                    "TableName": self.quotas, "Key": {"key": {"S": f"used#{seller}#{month}"}},
                    "UpdateExpression": "ADD used_fen :minus",
                    "ExpressionAttributeValues": {":minus": {"N": str(-total)}}}},
            ])
        except self.db.exceptions.TransactionCanceledException:
            raise StatusChanged(number) from None
        return StoredInvoice(number, invoice.document, invoice.signature, "voided",
                             invoice.red_number)

    def count_check(self, number: str, day: date, claim: Claim | None, limit: int,
                    ceiling: int) -> tuple[StoredInvoice | None, bool]:
        """Count one genuine check of ``number`` on ``day`` and read the invoice: ONE call.

        ``UpdateItem`` adds one to the day's counter (``chk_<yyyymmdd>``) only if the
        invoice exists, matches ``claim`` (issue date, type, the claimed value; ``None``
        skips the comparison, for a match found in code), the day is still under
        ``limit`` and its mismatches under ``ceiling``; it removes the previous days'
        counters and returns the whole item (``ALL_NEW``). When the condition fails,
        DynamoDB returns the item as it was (``ReturnValuesOnConditionCheckFailure``),
        so the caller can tell not found (no item), over a limit, and mismatch apart
        without another read. Returns ``(invoice or None, counted)``.
        """
        names = {"#n": "number", "#d": _day_attribute(day), "#m": _mismatch_attribute(day)}
        values: dict[str, Any] = {":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                  ":ceiling": {"N": str(ceiling)}}
        condition = ("attribute_exists(#n) AND (attribute_not_exists(#d) OR #d < :limit) "
                     "AND (attribute_not_exists(#m) OR #m < :ceiling)")
        if claim is not None:
            names.update({"#t": "type", "#c": claim.attribute})
            values[":date"] = {"S": claim.issue_date}
            values[":value"] = ({"N": str(claim.value)} if isinstance(claim.value, int)
                                else {"S": claim.value})
            types = []
            for i, type_ in enumerate(claim.types):
                values[f":t{i}"] = {"S": type_}
                types.append(f":t{i}")
            condition += (f" AND issue_date = :date AND #t IN ({', '.join(types)})"
                          " AND #c = :value")
        try:
            answer = self.db.update_item(
                TableName=self.invoices,
                Key={"number": {"S": number}},
                UpdateExpression="ADD #d :one" + _cleanup(day, names),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self.db.exceptions.ConditionalCheckFailedException as error:
            item = error.response.get("Item")
            return (stored(item, day) if item else None), False
        return stored(answer["Attributes"], day), True

    def count_mismatch(self, number: str, day: date, ceiling: int) -> bool:
        """Add one to the invoice's mismatching checks of ``day`` while under ``ceiling``;
        False when the ceiling was reached (by this or a concurrent check)."""
        names = {"#n": "number", "#m": _mismatch_attribute(day)}
        return applied(
            self.db, "update_item",
            TableName=self.invoices,
            Key={"number": {"S": number}},
            UpdateExpression="ADD #m :one" + _cleanup(day, names),
            ConditionExpression="attribute_exists(#n) AND "
                                "(attribute_not_exists(#m) OR #m < :ceiling)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={":one": {"N": "1"}, ":ceiling": {"N": str(ceiling)}},
        )


class GuardRepository(DynamoAccess):
    """The verification service's own counters and replay guard (``VERIFICATION_GUARD_TABLE``,
    see the module docstring): conditional writes with a TTL, no reads, no scans."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("VERIFICATION_GUARD_TABLE")

    def count_failure(self, client: str, day: date, limit: int, expires_at: int) -> bool:
        """Add one to the caller's failed checks of ``day`` while under ``limit``; False when
        the budget is spent (nothing is added then)."""
        return count_under(self.db, self.table, f"fail#{day:%Y%m%d}#{client}", limit,
                           expires_at)

    def claim_nonce(self, key: str, expires_at: int) -> bool:
        """Record a message's (timestamp, nonce) once; False when it was seen before."""
        return applied(
            self.db, "put_item",
            TableName=self.table,
            Item={"key": {"S": key}, "expires_at": {"N": str(expires_at)}},
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": "key"},
        )
