"""DynamoDB access of the analytical store (:mod:`etax.analytics.tables`): the dirty days, and
the risk indicators' cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etax.analytics.cases import CONFIRMED, FALSE_ALARM, OPEN
from etax.analytics.tables import ANALYTICS
from etax.errors import Malformed, StateChanged
from etax.invoices.tables import QUOTAS
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import (
    applied,
    batch_get,
    from_item,
    int_attr,
    pages,
    text_attr,
    to_item,
    transact,
)
from etax.platform.settings import table_name

DIRTY = "dirty"
VERDICTS = "risk-verdicts"
RUNS = "risk-run"
BRIEFING = "briefing"


class DirtyDays(DynamoAccess):
    """The days whose raw archive changed since their last compaction."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    def mark(self, day: str) -> None:
        self.db.update_item(TableName=self.table, Key=self._key(day),
                            UpdateExpression="ADD marks :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})

    def pending(self) -> list[tuple[str, int]]:
        """``(day, marks)`` of every dirty day, oldest first."""
        found = []
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :dirty",
                          ExpressionAttributeValues={":dirty": {"S": DIRTY}}):
            for item in page.get("Items", []):
                found.append((text_attr(item, "sk") or "", int_attr(item, "marks")))
        return found

    def clear(self, day: str, marks: int) -> bool:
        """Forget ``day`` unless a mark came in since ``marks`` was read (then it stays)."""
        return applied(self.db, "delete_item", TableName=self.table, Key=self._key(day),
                       ConditionExpression="marks = :seen",
                       ExpressionAttributeValues={":seen": {"N": str(marks)}})

    @staticmethod
    def _key(day: str) -> dict[str, Any]:
        return {"pk": {"S": DIRTY}, "sk": {"S": day}}


class RiskCases(DynamoAccess):
    """The watch-list's cases, the indicators' verdict counts and the months run, in the
    analytics table (:mod:`etax.analytics.tables`): a case at ``pk = risk#<month>``,
    ``sk = case#<office>#<digest>`` (an office's cases of a month are one Query); the counts
    at ``pk = risk-verdicts``, ``sk = <indicator>``, moved in the transaction that gives a
    verdict; a month run at ``pk = risk-run``, ``sk = <month>``."""

    PAGE = 50

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    @staticmethod
    def _key(identifier: str) -> dict[str, Any]:
        month, office, digest = identifier.split(".")
        return {"pk": {"S": f"risk#{month}"}, "sk": {"S": f"case#{office}#{digest}"}}

    def open(self, case: dict[str, Any]) -> bool:
        """Store a new case; False if it is open already (its verdict, if any, stays)."""
        return applied(self.db, "put_item", TableName=self.table,
                       Item={**self._key(case["id"]), **to_item(case)},
                       ConditionExpression="attribute_not_exists(pk)")

    def announced(self, identifier: str) -> None:
        self.db.update_item(TableName=self.table, Key=self._key(identifier),
                            UpdateExpression="SET announced = :yes",
                            ExpressionAttributeValues={":yes": {"BOOL": True}})

    def get(self, identifier: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=self._key(identifier),
                                ConsistentRead=True).get("Item")
        return _case(item) if item else None

    def page(self, month: str, office: str | None, cursor: str | None, *,
             indicator: str | None = None, verdict: str | None = None,
             limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of ``month``'s cases, of ``office`` alone when given, in id order; only one
        ``indicator``'s, only those with ``verdict`` (``open``: none yet) when given."""
        prefix = f"case#{office}#" if office is not None else "case#"
        request: dict[str, Any] = {
            "TableName": self.table, "Limit": limit, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"risk#{month}"},
                                          ":prefix": {"S": prefix}}}
        filters: list[str] = []
        names: dict[str, str] = {}
        values = request["ExpressionAttributeValues"]
        if indicator is not None:
            filters.append("#indicator = :indicator")
            names["#indicator"] = "indicator"
            values[":indicator"] = {"S": indicator}
        if verdict == OPEN:
            filters.append("attribute_not_exists(#verdict)")
            names["#verdict"] = "verdict"
        elif verdict is not None:
            filters.append("#verdict = :verdict")
            names["#verdict"] = "verdict"
            values[":verdict"] = {"S": verdict}
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        if names:
            request["ExpressionAttributeNames"] = names
        if cursor:
            start = decode_cursor(cursor, ("pk", "sk"), {"pk": f"risk#{month}"})
            if not start["sk"]["S"].startswith(prefix):
                raise Malformed("this cursor does not come from this list", field="cursor")
            request["ExclusiveStartKey"] = start
        answer = self.db.query(**request)
        return ([_case(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def decide(self, case: dict[str, Any], verdict: str, by: str, note: str, at: str) -> None:
        """The verdict on ``case``, and its indicator's count, in one transaction; refused
        (StateChanged naming ``verdict``) if the case was judged meanwhile."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": self._key(case["id"]),
                        "UpdateExpression": "SET #verdict = :verdict, verdict_by = :by, "
                                            "verdict_note = :note, verdict_at = :at",
                        "ConditionExpression": "attribute_exists(pk) AND "
                                               "attribute_not_exists(#verdict)",
                        "ExpressionAttributeNames": {"#verdict": "verdict"},
                        "ExpressionAttributeValues": {":verdict": {"S": verdict},
                                                      ":by": {"S": by}, ":note": {"S": note},
                                                      ":at": {"S": at}}}},
            {"Update": {"TableName": self.table,
                        "Key": {"pk": {"S": VERDICTS}, "sk": {"S": case["indicator"]}},
                        "UpdateExpression": "ADD #verdict :one",
                        "ExpressionAttributeNames": {"#verdict": verdict},
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ], {0: lambda: StateChanged("this case was judged meanwhile: read it again",
                                    field="verdict")})

    def of_taxpayer(self, months: Sequence[str], office: str,
                    taxpayer: str) -> list[dict[str, Any]]:
        """Every case of ``taxpayer`` (of ``office``) in ``months``, the months in order: one
        Query a month, over the office's cases of it."""
        found: list[dict[str, Any]] = []
        for month in months:
            for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                              KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                              FilterExpression="taxpayer = :taxpayer",
                              ExpressionAttributeValues={
                                  ":pk": {"S": f"risk#{month}"},
                                  ":prefix": {"S": f"case#{office}#"},
                                  ":taxpayer": {"S": taxpayer}}):
                found += [_case(item) for item in page.get("Items", [])]
        return found

    def verdicts(self) -> dict[str, dict[str, int]]:
        """Each indicator's verdict counts (``confirmed``, ``false_alarm``)."""
        found: dict[str, dict[str, int]] = {}
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": VERDICTS}}):
            for item in page.get("Items", []):
                found[text_attr(item, "sk") or ""] = {
                    name: int_attr(item, name) for name in (CONFIRMED, FALSE_ALARM)}
        return found

    def run_of(self, month: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key={"pk": {"S": RUNS}, "sk": {"S": month}}).get("Item")
        return from_item(item) if item else None

    def record_run(self, month: str, values: dict[str, Any]) -> None:
        self.db.put_item(TableName=self.table,
                         Item={"pk": {"S": RUNS}, "sk": {"S": month}, **to_item(values)})


def _case(item: dict[str, Any]) -> dict[str, Any]:
    values = from_item(item)
    values.pop("pk", None)
    values.pop("sk", None)
    return values


class IssuingQuotas(DynamoAccess):
    """The sellers' monthly issuing quotas, read from the invoices board's quota table
    (``quota#<credit code>``: ``monthly_fen``) for the ``invoicing-at-quota`` indicator."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(QUOTAS.variable)

    def of(self, sellers: Sequence[str]) -> dict[str, int]:
        """The quota (fen) of each of ``sellers`` that has one."""
        items = batch_get(self.db, self.table,
                          [{"key": {"S": f"quota#{seller}"}} for seller in sellers])
        return {(text_attr(item, "key") or "").removeprefix("quota#"): int_attr(item, "monthly_fen")
                for item in items}


class RevenuePlans(DynamoAccess):
    """The yearly revenue plans in the analytics table: an office's current plan for a year
    at ``pk = plan#<year>``, ``sk = <office>`` (a year's offices are one Query), each revision
    kept at ``pk = plan-history#<year>#<office>``, ``sk = <revision, six digits>``; both
    written in one transaction, conditioned on the revision read."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    def of_year(self, year: int) -> dict[str, dict[str, Any]]:
        """Each office's current plan for ``year``: ``taxes`` (fen by tax), ``revision``,
        ``set_by``, ``set_at``."""
        found: dict[str, dict[str, Any]] = {}
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"plan#{year}"}}):
            for item in page.get("Items", []):
                found[text_attr(item, "sk") or ""] = _plan(item)
        return found

    def get(self, year: int, office: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key={"pk": {"S": f"plan#{year}"}, "sk": {"S": office}}
                                ).get("Item")
        return _plan(item) if item else None

    def history(self, year: int, office: str) -> list[dict[str, Any]]:
        """Every revision of ``office``'s plan for ``year``, the first first."""
        found: list[dict[str, Any]] = []
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={
                              ":pk": {"S": f"plan-history#{year}#{office}"}}):
            found += [_plan(item) for item in page.get("Items", [])]
        return found

    def set(self, year: int, office: str, values: dict[str, Any], seen: int | None) -> None:
        """Store ``values`` (``taxes``, ``revision`` = ``seen`` + 1, ``set_by``, ``set_at``,
        ``reason``) as ``office``'s plan for ``year`` and in its history, if the plan is still
        at revision ``seen`` (None: none yet); else StateChanged naming ``taxes``."""
        condition = ("attribute_not_exists(pk)" if seen is None else "revision = :seen")
        current: dict[str, Any] = {
            "TableName": self.table,
            "Item": {"pk": {"S": f"plan#{year}"}, "sk": {"S": office}, **to_item(values)},
            "ConditionExpression": condition}
        if seen is not None:
            current["ExpressionAttributeValues"] = {":seen": {"N": str(seen)}}
        transact(self.db, [
            {"Put": current},
            {"Put": {"TableName": self.table,
                     "Item": {"pk": {"S": f"plan-history#{year}#{office}"},
                              "sk": {"S": f"{values['revision']:06d}"}, **to_item(values)},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ], {0: lambda: StateChanged("the plan was changed meanwhile: read it again",
                                    field="taxes"),
            1: lambda: StateChanged("the plan was changed meanwhile: read it again",
                                    field="taxes")})


def _plan(item: dict[str, Any]) -> dict[str, Any]:
    values = from_item(item)
    return {"taxes": {str(k): int(v) for k, v in dict(values.get("taxes", {})).items()},
            "revision": int(values.get("revision", 0)), "set_by": values.get("set_by"),
            "set_at": values.get("set_at"), "reason": values.get("reason")}


class BriefingSubscriptions(DynamoAccess):
    """The officers who asked for the daily revenue briefing, in the analytics table:
    ``pk = briefing``, ``sk = <office>#<officer>`` (one partition: every subscription is one
    Query, an office's a prefix of it; a few thousand officers at most)."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    @staticmethod
    def _key(office: str, officer: str) -> dict[str, Any]:
        return {"pk": {"S": BRIEFING}, "sk": {"S": f"{office}#{officer}"}}

    def subscribe(self, office: str, officer: str, at: str) -> str:
        """Subscribe ``officer`` of ``office``; when it was (kept if it was already)."""
        answer = self.db.update_item(
            TableName=self.table, Key=self._key(office, officer), ReturnValues="ALL_NEW",
            UpdateExpression="SET subscribed_at = if_not_exists(subscribed_at, :at)",
            ExpressionAttributeValues={":at": {"S": at}})
        return text_attr(answer["Attributes"], "subscribed_at") or at

    def get(self, office: str, officer: str) -> str | None:
        """When ``officer`` of ``office`` subscribed, None if it is not."""
        item = self.db.get_item(TableName=self.table, Key=self._key(office, officer),
                                ConsistentRead=True).get("Item")
        return text_attr(item, "subscribed_at") if item else None

    def unsubscribe(self, office: str, officer: str) -> bool:
        """Whether ``officer`` was subscribed (and is no more)."""
        return applied(self.db, "delete_item", TableName=self.table,
                       Key=self._key(office, officer),
                       ConditionExpression="attribute_exists(pk)")

    def every(self) -> dict[str, list[str]]:
        """The officers subscribed, by office, in order."""
        found: dict[str, list[str]] = {}
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": BRIEFING}}):
            for item in page.get("Items", []):
                office, _, officer = (text_attr(item, "sk") or "").partition("#")
                found.setdefault(office, []).append(officer)
        return found


class KeyEnterprises(DynamoAccess):
    """Each office's key enterprises (重点税源企业), in the analytics table:
    ``pk = key#<office>``, ``sk = <credit code>`` (an office's list is one Query)."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    @staticmethod
    def _key(office: str, credit_code: str) -> dict[str, Any]:
        return {"pk": {"S": f"key#{office}"}, "sk": {"S": credit_code}}

    def mark(self, office: str, credit_code: str, values: dict[str, Any]) -> dict[str, Any]:
        """Mark ``credit_code`` (``values``: ``marked_by``, ``marked_at``, ``note``); a mark
        already there is kept as it was. The mark as stored."""
        names = {f"#{k}": k for k in values}
        answer = self.db.update_item(
            TableName=self.table, Key=self._key(office, credit_code), ReturnValues="ALL_NEW",
            UpdateExpression="SET " + ", ".join(f"#{k} = if_not_exists(#{k}, :{k})"
                                                for k in values),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{k}": v for k, v in to_item(values).items()})
        return _mark(answer["Attributes"])

    def get(self, office: str, credit_code: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=self._key(office, credit_code),
                                ConsistentRead=True).get("Item")
        return _mark(item) if item else None

    def unmark(self, office: str, credit_code: str) -> None:
        self.db.delete_item(TableName=self.table, Key=self._key(office, credit_code))

    def of(self, office: str) -> list[dict[str, Any]]:
        """``office``'s key enterprises, by credit code."""
        found: list[dict[str, Any]] = []
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"key#{office}"}}):
            found += [_mark(item) for item in page.get("Items", [])]
        return found


def _mark(item: dict[str, Any]) -> dict[str, Any]:
    values = from_item(item)
    return {"credit_code": values["sk"], "marked_by": values.get("marked_by"),
            "marked_at": values.get("marked_at"), "note": values.get("note")}
