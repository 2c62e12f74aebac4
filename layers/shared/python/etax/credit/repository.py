"""DynamoDB access for credit ratings (the low-level client, docs/decisions/0014).

``CREDIT_TABLE`` — partition key ``pk``, sort key ``sk``:

======================  =======================  ============================================
pk                      sk                       holds
======================  =======================  ============================================
``taxpayer#<code>``     ``evaluation#<year>``    the year's rating (its answer) and
                                                 ``run_id``, the last run that counted it (a
                                                 re-rating outside a run keeps it);
                                                 ``year_level`` = ``<year>#A`` only when
                                                 rated A
``taxpayer#<code>``     ``listing#<case id>``    a serious-violator listing, and its removal
``taxpayer#<code>``     ``repair#<key>``         a repair application (``key``: a digest of
                                                 its subject: one per fault, per year's
                                                 whole record, per year's direct D)
``run#<id>``            ``run``                  an evaluation run: its segments and progress
======================  =======================  ============================================

Everything an evaluation reads of a taxpayer is ONE Query on its partition. GSI ``by_level``
(``year_level``, ``credit_code``), sparse: the public A-list of a year is one Query, paged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from etax.credit.records import Listing
from etax.credit.results import (
    AList,
    DeductionView,
    DirectDView,
    ListedTaxpayer,
    Rating,
    RecordLink,
    Repair,
    Run,
)
from etax.credit.tables import LEVEL_INDEX
from etax.errors import AlreadyExists, StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import applied, int_attr, table_name, text_attr
from etax.platform.results import as_json

REPAIR_FIELDS = {"fault": "record", "whole_record": "kind", "direct_d": "indicator"}
"""what a second application of the same subject names"""


class RepairExists(AlreadyExists):
    def __init__(self, repair: Repair) -> None:
        subject = {"fault": repair.record, "whole_record": f"the whole record of {repair.year}",
                   "direct_d": f"the direct D {repair.indicator} of {repair.year}"}[repair.kind]
        super().__init__(f"a repair of {subject} was applied for already",
                         field=REPAIR_FIELDS[repair.kind])


@dataclass(frozen=True, slots=True)
class Partition:
    """What the credit table holds of one taxpayer."""

    ratings: dict[int, Rating]
    listings: tuple[Listing, ...]
    repairs: tuple[Repair, ...]


def _taxpayer(code: str) -> dict[str, Any]:
    return {"S": f"taxpayer#{code}"}


def repair_id(code: str, subject: str) -> str:
    """The one application of ``subject``: a fault's record, ``whole_record:<year>`` or
    ``direct_d:<year>:<indicator>``."""
    return f"{code}-{hashlib.sha256(subject.encode()).hexdigest()[:16]}"


def repair_key(application_id: str) -> dict[str, Any] | None:
    code, _, digest = application_id.rpartition("-")
    if not code or len(digest) != 16:
        return None
    return {"pk": _taxpayer(code), "sk": {"S": f"repair#{digest}"}}


def _link(raw: dict[str, Any]) -> RecordLink:
    return RecordLink(raw["reference"], raw.get("link"))


def rating_from_json(text: str) -> Rating:
    raw = json.loads(text)
    link = _link
    return Rating(**{**raw,
                     "deductions": [DeductionView(**{**d, "records": [link(r) for r in
                                                                      d["records"]]})
                                    for d in raw["deductions"]],
                     "direct_d": [DirectDView(**{**d, "record": link(d["record"])})
                                  for d in raw["direct_d"]]})


def _text(value: Any) -> str:
    return json.dumps(as_json(value), ensure_ascii=False, separators=(",", ":"))


def _listing(item: dict[str, Any]) -> Listing:
    removed = text_attr(item, "removed_on")
    return Listing(item["case_id"]["S"], item["credit_code"]["S"],
                   date.fromisoformat(item["listed_on"]["S"]),
                   date.fromisoformat(removed) if removed else None)


def _run(item: dict[str, Any]) -> Run:
    done = len(item.get("done_segments", {}).get("NS", []))
    segments = int_attr(item, "segments")
    return Run(item["run_id"]["S"], int_attr(item, "year"),
               "done" if done >= segments else "running", segments, done,
               int_attr(item, "evaluated"), item["started_by"]["S"], item["started_at"]["S"])


class CreditRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("CREDIT_TABLE")
        self.calls = 0
        """requests made (the benchmark's count)"""

    def _call(self, operation: str, **request: Any) -> Any:
        self.calls += 1
        return getattr(self.db, operation)(**request)

    def partition(self, code: str) -> Partition:
        """Every rating, listing and repair of the taxpayer: one Query (every page)."""
        ratings: dict[int, Rating] = {}
        listings: list[Listing] = []
        repairs: list[Repair] = []
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self.table, "KeyConditionExpression": "pk = :pk",
                "ConsistentRead": True,
                "ExpressionAttributeValues": {":pk": _taxpayer(code)}}
            if start:
                request["ExclusiveStartKey"] = start
            page = self._call("query", **request)
            for item in page["Items"]:
                kind = item["sk"]["S"].split("#", 1)[0]
                if kind == "evaluation":
                    ratings[int_attr(item, "year")] = rating_from_json(item["view"]["S"])
                elif kind == "listing":
                    listings.append(_listing(item))
                elif kind == "repair":
                    repairs.append(Repair(**json.loads(item["view"]["S"])))
            start = page.get("LastEvaluatedKey")
            if not start:
                return Partition(ratings, tuple(listings), tuple(repairs))

    # -- ratings ----------------------------------------------------------------------------

    def put_rating(self, rating: Rating, tax_office: str | None, *,
                   run_id: str | None = None) -> bool:
        """Store the year's rating. Within a run, once per taxpayer and year: a second
        delivery of the run's message finds the run's id there and changes nothing (False).
        Outside a run (a re-rating after a repair or a listing) the rating is updated and
        the id of the run that counted it kept, so a late delivery of that run's message
        neither counts the taxpayer again nor overwrites the re-rating."""
        key = {"pk": _taxpayer(rating.credit_code), "sk": {"S": f"evaluation#{rating.year}"}}
        attributes: dict[str, Any] = {
            "credit_code": {"S": rating.credit_code}, "name": {"S": rating.name},
            "year": {"N": str(rating.year)}, "level": {"S": rating.level},
            "view": {"S": _text(rating)}}
        if tax_office:
            attributes["tax_office"] = {"S": tax_office}
        if rating.level == "A":
            attributes["year_level"] = {"S": f"{rating.year}#A"}
        if run_id is None:
            names = {f"#{k}": k for k in attributes}
            update = "SET " + ", ".join(f"#{k} = :{k}" for k in attributes)
            if "year_level" not in attributes:
                names["#year_level"] = "year_level"
                update += " REMOVE #year_level"
            self._call("update_item", TableName=self.table, Key=key, UpdateExpression=update,
                       ExpressionAttributeNames=names,
                       ExpressionAttributeValues={f":{k}": v for k, v in attributes.items()})
            return True
        item = {**key, **attributes, "run_id": {"S": run_id}}
        self.calls += 1
        return applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(run_id) OR run_id <> :run",
                       ExpressionAttributeValues={":run": {"S": run_id}})

    def rating(self, code: str, year: int) -> tuple[Rating, str | None] | None:
        item = self._call("get_item", TableName=self.table, Key={
            "pk": _taxpayer(code), "sk": {"S": f"evaluation#{year}"}}).get("Item")
        if not item:
            return None
        return rating_from_json(item["view"]["S"]), text_attr(item, "tax_office")

    def latest_rating(self, code: str) -> tuple[Rating, str | None] | None:
        page = self._call("query", TableName=self.table, ScanIndexForward=False, Limit=1,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
                          ExpressionAttributeValues={":pk": _taxpayer(code),
                                                     ":sk": {"S": "evaluation#"}})
        if not page["Items"]:
            return None
        item = page["Items"][0]
        return rating_from_json(item["view"]["S"]), text_attr(item, "tax_office")

    def a_list(self, year: int, cursor: str | None, limit: int) -> AList:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": LEVEL_INDEX, "Limit": limit,
            "KeyConditionExpression": "year_level = :level",
            "ExpressionAttributeValues": {":level": {"S": f"{year}#A"}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("year_level", "credit_code", "pk", "sk"), {"year_level": f"{year}#A"})
        page = self._call("query", **request)
        items = [ListedTaxpayer(i["credit_code"]["S"], i["name"]["S"], int_attr(i, "year"))
                 for i in page["Items"]]
        return AList(year, items, encode_cursor(page.get("LastEvaluatedKey")))

    # -- listings ---------------------------------------------------------------------------

    def put_listing(self, listing: Listing) -> None:
        """Record a listing; a removal keeps the listing day (the update sets only what the
        event carries, so a removal arriving first is completed by its listing)."""
        values: dict[str, Any] = {":code": {"S": listing.credit_code},
                                  ":case": {"S": listing.case_id}}
        sets = ["credit_code = :code", "case_id = :case"]
        if listing.removed_on is None:
            sets.append("listed_on = :listed")
            values[":listed"] = {"S": listing.listed_on.isoformat()}
        else:
            sets.append("removed_on = :removed")
            sets.append("listed_on = if_not_exists(listed_on, :listed)")
            values[":removed"] = {"S": listing.removed_on.isoformat()}
            values[":listed"] = {"S": listing.listed_on.isoformat()}
        self._call("update_item", TableName=self.table,
                   Key={"pk": _taxpayer(listing.credit_code),
                        "sk": {"S": f"listing#{listing.case_id}"}},
                   UpdateExpression="SET " + ", ".join(sets),
                   ExpressionAttributeValues=values)

    # -- repairs ----------------------------------------------------------------------------

    def create_repair(self, repair: Repair, tax_office: str | None) -> None:
        key = repair_key(repair.id)
        assert key is not None
        item = {**key, "view": {"S": _text(repair)}, "state": {"S": repair.state},
                **({"tax_office": {"S": tax_office}} if tax_office else {})}
        if not applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(pk)"):
            raise RepairExists(repair)

    def repair(self, application_id: str) -> tuple[Repair, str | None] | None:
        key = repair_key(application_id)
        if key is None:
            return None
        item = self._call("get_item", TableName=self.table, Key=key,
                          ConsistentRead=True).get("Item")
        if not item:
            return None
        return Repair(**json.loads(item["view"]["S"])), text_attr(item, "tax_office")

    def decide_repair(self, repair: Repair) -> None:
        """applied → approved or refused, once."""
        if not applied(self.db, "update_item", TableName=self.table, Key=repair_key(repair.id),
                       UpdateExpression="SET #state = :state, #view = :view",
                       ConditionExpression="#state = :applied",
                       ExpressionAttributeNames={"#state": "state", "#view": "view"},
                       ExpressionAttributeValues={":state": {"S": repair.state},
                                                  ":view": {"S": _text(repair)},
                                                  ":applied": {"S": "applied"}}):
            raise StateChanged(f"application {repair.id} was decided already", field="state")

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, run: Run) -> bool:
        """Record a new run; False (nothing written) when a run of that id exists."""
        self.calls += 1
        return applied(self.db, "put_item", TableName=self.table, Item={
            "pk": {"S": f"run#{run.id}"}, "sk": {"S": "run"}, "run_id": {"S": run.id},
            "year": {"N": str(run.year)}, "segments": {"N": str(run.segments)},
            "evaluated": {"N": "0"}, "started_by": {"S": run.started_by},
            "started_at": {"S": run.started_at}},
            ConditionExpression="attribute_not_exists(pk)")

    def run(self, run_id: str) -> Run | None:
        item = self._call("get_item", TableName=self.table, ConsistentRead=True,
                          Key={"pk": {"S": f"run#{run_id}"}, "sk": {"S": "run"}}).get("Item")
        return _run(item) if item else None

    def progress(self, run_id: str, evaluated: int, *, segment_done: int | None = None) -> None:
        """Count ``evaluated`` more taxpayers; with ``segment_done``, that segment finished
        (a set: a second delivery of its last page counts it once)."""
        update = "ADD evaluated :n"
        values: dict[str, Any] = {":n": {"N": str(evaluated)}}
        if segment_done is not None:
            update += ", done_segments :seg"
            values[":seg"] = {"NS": [str(segment_done)]}
        self._call("update_item", TableName=self.table,
                   Key={"pk": {"S": f"run#{run_id}"}, "sk": {"S": "run"}},
                   UpdateExpression=update, ExpressionAttributeValues=values)
