"""The feedback table's repository (the layout is in :mod:`etax.feedback`): invitations put
once, a rating and its counters in one transaction, a survey's response and its counters in
another, lists by one Query."""

from __future__ import annotations

import json
from typing import Any

from etax.errors import AlreadyExists, Malformed
from etax.feedback.rules import ANSWERED, PENDING, SCORES
from etax.feedback.tables import CLOSING_INDEX, PERSON_INDEX
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import applied, int_attr, table_name, text_attr, transact

PAGE = 50
SURVEYS_LISTED = 100
LISTED = "surveys"  # the one partition of by_closing


class AlreadyRated(AlreadyExists):
    def __init__(self) -> None:
        super().__init__("this service has been rated already", field="invitation")


class AlreadyAnswered(AlreadyExists):
    def __init__(self) -> None:
        super().__init__("you have answered this survey already", field="survey")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in item.items():
        if "S" in value:
            out[name] = value["S"]
        elif "N" in value:
            out[name] = int(value["N"])
        elif "BOOL" in value:
            out[name] = value["BOOL"]
    return out


class FeedbackRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("FEEDBACK_TABLE")

    # -- invitations -------------------------------------------------------------------------

    def invite(self, invitation: dict[str, str]) -> bool:
        """Put an invitation once; False when the service has one already."""
        item = {name: _s(value) for name, value in invitation.items()}
        item.update(pk=_s(f"inv#{invitation['id']}"), sk=_s("invitation"), state=_s(PENDING),
                    invited=_s(f"{invitation['invited_on']}#{invitation['id']}"))
        return applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(pk)")

    def invitation(self, invitation_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table,
                                Key={"pk": _s(f"inv#{invitation_id}"), "sk": _s("invitation")},
                                ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def mark_notified(self, invitation_id: str) -> None:
        self.db.update_item(TableName=self.table,
                            Key={"pk": _s(f"inv#{invitation_id}"), "sk": _s("invitation")},
                            UpdateExpression="SET notified = :yes",
                            ExpressionAttributeValues={":yes": {"BOOL": True}})

    def of_person(self, person: str, cursor: str | None) -> tuple[list[dict[str, Any]],
                                                                  str | None]:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": PERSON_INDEX,
            "KeyConditionExpression": "person = :p",
            "ExpressionAttributeValues": {":p": _s(person)}, "ScanIndexForward": False,
            "Limit": PAGE}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", "person", "invited"), {"person": person})
        answer = self.db.query(**request)
        return ([_plain(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def rate(self, invitation: dict[str, Any], *, score: int, comment: str | None,
             month: str, at: str) -> None:
        """The rating, its invitation answered and the counters of its office, kind and month,
        in one transaction: a retry (or a second rating) fails the rating's condition and
        counts nothing."""
        key = f"inv#{invitation['id']}"
        rating = {"pk": _s(key), "sk": _s("rating"), "score": _n(score), "rated_at": _s(at),
                  "office": _s(invitation["office"]), "service": _s(invitation["service"]),
                  "month": _s(month)}
        if comment is not None:
            rating["comment"] = _s(comment)
        transact(self.db, [
            {"Put": {"TableName": self.table, "Item": rating,
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": {"pk": _s(key), "sk": _s("invitation")},
                        "UpdateExpression": "SET #state = :answered, score = :score, "
                                            "answered_at = :at",
                        "ConditionExpression": "#state = :pending",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":answered": _s(ANSWERED),
                                                      ":pending": _s(PENDING),
                                                      ":score": _n(score), ":at": _s(at)}}},
            {"Update": {"TableName": self.table,
                        "Key": {"pk": _s(f"agg#{invitation['office']}#{invitation['service']}"),
                                "sk": _s(month)},
                        "UpdateExpression": f"ADD #count :one, #total :score, s{score} :one",
                        "ExpressionAttributeNames": {"#count": "count", "#total": "total"},
                        "ExpressionAttributeValues": {":one": _n(1), ":score": _n(score)}}},
        ], {0: AlreadyRated, 1: AlreadyRated})

    def aggregates(self, office: str, service: str, period: str) -> list[dict[str, Any]]:
        """The counters of an office and kind for a month (``YYYY-MM``: one item at most) or
        a year (``YYYY``: its months), one Query."""
        answer = self.db.query(
            TableName=self.table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": _s(f"agg#{office}#{service}"), ":p": _s(period)})
        return [{"count": int_attr(i, "count"), "total": int_attr(i, "total"),
                 **{f"s{s}": int_attr(i, f"s{s}") for s in SCORES}}
                for i in answer.get("Items", [])]

    # -- surveys ---------------------------------------------------------------------------

    def publish(self, survey: dict[str, Any]) -> None:
        item = {"pk": _s(f"survey#{survey['id']}"), "sk": _s("survey"), "id": _s(survey["id"]),
                "title": _s(survey["title"]), "closes_on": _s(survey["closes_on"]),
                "published_at": _s(survey["published_at"]),
                "questions": _s(json.dumps(survey["questions"], ensure_ascii=False)),
                "listed": _s(LISTED), "closes": _s(f"{survey['closes_on']}#{survey['id']}")}
        if survey["office"] is not None:
            item["office"] = _s(survey["office"])
        if not applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(pk)"):
            raise AlreadyExists("a survey with this id exists already", field="id")

    @staticmethod
    def _survey(item: dict[str, Any]) -> dict[str, Any]:
        return {"id": item["id"]["S"], "title": item["title"]["S"],
                "office": text_attr(item, "office"), "closes_on": item["closes_on"]["S"],
                "published_at": item["published_at"]["S"],
                "questions": json.loads(item["questions"]["S"])}

    def survey(self, survey_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table,
                                Key={"pk": _s(f"survey#{survey_id}"), "sk": _s("survey")},
                                ConsistentRead=True).get("Item")
        return self._survey(item) if item else None

    def open_surveys(self, today: str) -> list[dict[str, Any]]:
        """The surveys closing today or later, soonest first (one Query of ``by_closing``)."""
        answer = self.db.query(
            TableName=self.table, IndexName=CLOSING_INDEX,
            KeyConditionExpression="listed = :l AND closes >= :today",
            ExpressionAttributeValues={":l": _s(LISTED), ":today": _s(today)},
            Limit=SURVEYS_LISTED)
        return [self._survey(i) for i in answer.get("Items", [])]

    def respond(self, survey_id: str, respondent: str, answers: dict[str, Any],
                added: dict[str, int], at: str) -> None:
        """The response (once per respondent) and the survey's counters, one transaction."""
        names = {f"#c{i}": name for i, name in enumerate(added)}
        values = {f":c{i}": _n(value) for i, value in enumerate(added.values())}
        transact(self.db, [
            {"Put": {"TableName": self.table,
                     "Item": {"pk": _s(f"survey#{survey_id}"), "sk": _s(respondent),
                              "answers": _s(json.dumps(answers, ensure_ascii=False)),
                              "answered_at": _s(at)},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table,
                        "Key": {"pk": _s(f"survey#{survey_id}"), "sk": _s("results")},
                        "UpdateExpression": "ADD " + ", ".join(
                            f"#c{i} :c{i}" for i in range(len(added))),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values}},
        ], {0: AlreadyAnswered})

    def counters(self, survey_id: str) -> dict[str, int]:
        item = self.db.get_item(TableName=self.table,
                                Key={"pk": _s(f"survey#{survey_id}"), "sk": _s("results")},
                                ConsistentRead=True).get("Item") or {}
        return {name: int(value["N"]) for name, value in item.items() if "N" in value}

    def responses(self, survey_id: str, cursor: str | None) -> tuple[list[str], str | None]:
        """A page of the survey's stored answers (JSON texts), no one named."""
        pk = f"survey#{survey_id}"
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :r)",
            "ExpressionAttributeValues": {":pk": _s(pk), ":r": _s("response#")},
            "ProjectionExpression": "pk, sk, answers", "Limit": PAGE}
        if cursor:
            start = decode_cursor(cursor, ("pk", "sk"), {"pk": pk})
            if not start["sk"]["S"].startswith("response#"):
                raise Malformed("this cursor does not come from this list", field="cursor")
            request["ExclusiveStartKey"] = start
        answer = self.db.query(**request)
        return ([i["answers"]["S"] for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))
