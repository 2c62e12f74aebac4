"""DynamoDB access for the tax school (``SCHOOL_TABLE``, :mod:`etax.school.tables`), by ``pk``:

- ``session#<id>`` / ``session`` — the session, with its counters: ``seats_taken`` (never above
  ``capacity``: every change is conditioned on it), ``waiting_count``, ``certificate_seq``,
  ``evaluations`` and ``score_sum``; ``listed`` and ``starts_key`` put it on the public
  schedule (``by_schedule``);
- ``session#<id>`` / ``learner#<subject>`` — a person's place (``status`` enrolled, waiting or
  cancelled; ``waiting_key`` while waiting; ``attended_at`` and ``certificate`` once there;
  ``learner`` and ``starts_key`` on the person's list, ``by_learner``);
- ``session#<id>`` / ``waiting#<waiting key>`` — a place on the waiting list, in order (read
  with a consistent query: the first in line is never a stale index entry);
- ``session#<id>`` / ``evaluation#<subject>`` — an attendee's evaluation, once;
- ``certificate#<number>`` / ``certificate`` — a completion certificate, signed.

A seat and the place that takes it, a waiting place and its count, a seat given up and the
promotion of the first in line: each pair is one transaction with its conditions, so the
counts never disagree with the places however many requests run at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from etax.errors import StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import (
    applied,
    batch_get,
    from_item,
    pages,
    table_name,
    to_item,
    transact,
)
from etax.school.rules import CANCELLED, SEATED, WAITING
from etax.school.tables import LEARNER_INDEX, SCHEDULE_INDEX

LISTED: Final = "sessions"
PAGE: Final = 20


class AlreadyPlaced(StateChanged):
    def __init__(self) -> None:
        super().__init__("you hold a place in this session already: one place a person",
                         field="session_id")


class NoSeat(Exception):
    """No seat for a newcomer (full, people waiting, or the session started)."""


class NoLine(Exception):
    """No waiting list to join (a seat is free and nobody waits, or the session started)."""


class Moved(Exception):
    """The places or counts changed since they were read: read them again."""


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _session_key(session_id: str) -> dict[str, Any]:
    return _key(f"session#{session_id}", "session")


def _place_key(session_id: str, subject: str) -> dict[str, Any]:
    return _key(f"session#{session_id}", f"learner#{subject}")


def _marker_key(session_id: str, waiting_key: str) -> dict[str, Any]:
    return _key(f"session#{session_id}", f"waiting#{waiting_key}")


_OPEN = "starts_at > :now"  # enrolment and cancelling close when the session starts


class SchoolRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("SCHOOL_TABLE")

    # -- sessions ---------------------------------------------------------------------------

    def put_session(self, session_id: str, values: Mapping[str, Any], starts_key: str,
                    pointer: Mapping[str, Any] | None = None) -> None:
        """The session; with ``pointer`` (:func:`etax.school.courses_repository
        .session_pointer`), in one transaction with the item that lists it on its course."""
        put = {"TableName": self.table,
               "Item": {**to_item({**values, "seats_taken": 0, "waiting_count": 0,
                                   "certificate_seq": 0, "evaluations": 0, "score_sum": 0,
                                   "listed": LISTED, "starts_key": starts_key}),
                        **_session_key(session_id)},
               "ConditionExpression": "attribute_not_exists(pk)"}
        if pointer is None:
            self.db.put_item(**put)
            return
        self.db.transact_write_items(TransactItems=[
            {"Put": put}, {"Put": {"TableName": self.table, "Item": dict(pointer)}}])

    def session(self, session_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=_session_key(session_id),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def sessions(self, session_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The sessions of ``session_ids`` that exist, by id (a page's in one BatchGetItem)."""
        keys = [_session_key(i) for i in dict.fromkeys(session_ids)]
        return {s["id"]: s for s in map(from_item, batch_get(self.db, self.table, keys))}

    def course(self, course_id: str) -> dict[str, Any] | None:
        """A course a session is scheduled for (:mod:`etax.school.courses_repository`)."""
        item = self.db.get_item(TableName=self.table, Key=_key(f"course#{course_id}", "course"),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def schedule(self, since: str, cursor: str | None, until: str | None = None,
                 limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the sessions starting from ``since`` (to ``until``), soonest first."""
        condition = "listed = :l AND starts_key >= :since"
        values: dict[str, Any] = {":l": {"S": LISTED}, ":since": {"S": since}}
        if until is not None:
            condition = "listed = :l AND starts_key BETWEEN :since AND :until"
            values[":until"] = {"S": until}
        request: dict[str, Any] = {"TableName": self.table, "IndexName": SCHEDULE_INDEX,
                                   "Limit": limit, "KeyConditionExpression": condition,
                                   "ExpressionAttributeValues": values}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", "listed", "starts_key"), {"listed": LISTED})
        answer = self.db.query(**request)
        return ([from_item(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    # -- places -----------------------------------------------------------------------------

    def place(self, session_id: str, subject: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=_place_key(session_id, subject),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def _place_put(self, session_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        return {"Put": {"TableName": self.table,
                        "Item": {**to_item(values), **_place_key(session_id, values["subject"])},
                        "ConditionExpression": "attribute_not_exists(pk) OR #status = :cancelled",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":cancelled": {"S": CANCELLED}}}}

    def take_seat(self, session_id: str, place: Mapping[str, Any], now: str) -> None:
        """A seat and ``place`` in one transaction, while a seat is free, nobody waits and the
        session has not started: :class:`NoSeat` otherwise, :class:`AlreadyPlaced` if the
        person holds a place."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD seats_taken :one",
                        "ConditionExpression": f"{_OPEN} AND seats_taken < #capacity AND "
                                               "waiting_count = :zero",
                        "ExpressionAttributeNames": {"#capacity": "capacity"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"},
                                                      ":now": {"S": now}}}},
            self._place_put(session_id, {**place, "status": SEATED}),
        ], {1: AlreadyPlaced, 0: NoSeat})

    def join_line(self, session_id: str, place: Mapping[str, Any], waiting_key: str,
                  now: str) -> None:
        """A place on the waiting list (the place, its marker and the count in one
        transaction) while the session is full or others wait, and has not started:
        :class:`NoLine` otherwise."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD waiting_count :one",
                        "ConditionExpression": f"{_OPEN} AND (seats_taken >= #capacity OR "
                                               "waiting_count > :zero)",
                        "ExpressionAttributeNames": {"#capacity": "capacity"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"},
                                                      ":now": {"S": now}}}},
            self._place_put(session_id, {**place, "status": WAITING,
                                         "waiting_key": waiting_key}),
            {"Put": {"TableName": self.table,
                     "Item": {**_marker_key(session_id, waiting_key),
                              "subject": {"S": place["subject"]}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ], {1: AlreadyPlaced, 0: NoLine})

    def first_in_line(self, session_id: str) -> tuple[str, str] | None:
        """The waiting key and subject of the first in line (a consistent read)."""
        answer = self.db.query(
            TableName=self.table, ConsistentRead=True, Limit=1,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :w)",
            ExpressionAttributeValues={":pk": {"S": f"session#{session_id}"},
                                       ":w": {"S": "waiting#"}})
        items = answer.get("Items", [])
        if not items:
            return None
        return items[0]["sk"]["S"].removeprefix("waiting#"), items[0]["subject"]["S"]

    def position(self, session_id: str, waiting_key: str) -> int:
        """The place's position in line (1: first), counted from the markers before it."""
        total = 0
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          Select="COUNT",
                          KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :mine",
                          ExpressionAttributeValues={
                              ":pk": {"S": f"session#{session_id}"},
                              ":first": {"S": "waiting#"},
                              ":mine": {"S": f"waiting#{waiting_key}"}}):
            total += int(page.get("Count", 0))
        return total

    def _cancel_place(self, session_id: str, subject: str, status: str,
                      at: str) -> dict[str, Any]:
        return {"Update": {"TableName": self.table, "Key": _place_key(session_id, subject),
                           "UpdateExpression": "SET #status = :cancelled, cancelled_at = :at "
                                               "REMOVE waiting_key",
                           "ConditionExpression": "#status = :was",
                           "ExpressionAttributeNames": {"#status": "status"},
                           "ExpressionAttributeValues": {":cancelled": {"S": CANCELLED},
                                                         ":at": {"S": at},
                                                         ":was": {"S": status}}}}

    def give_seat_to(self, session_id: str, subject: str, first: tuple[str, str], at: str,
                     now: str) -> None:
        """``subject``'s seat to the first in line, in one transaction: :class:`Moved` if the
        seat, the line or the session changed since they were read."""
        key, promoted = first
        transact(self.db, [
            self._cancel_place(session_id, subject, SEATED, at),
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD waiting_count :minus",
                        "ConditionExpression": f"{_OPEN} AND waiting_count > :zero",
                        "ExpressionAttributeValues": {":minus": {"N": "-1"},
                                                      ":zero": {"N": "0"},
                                                      ":now": {"S": now}}}},
            {"Update": {"TableName": self.table, "Key": _place_key(session_id, promoted),
                        "UpdateExpression": "SET #status = :seated, promoted_at = :at "
                                            "REMOVE waiting_key",
                        "ConditionExpression": "#status = :waiting AND waiting_key = :key",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":seated": {"S": SEATED},
                                                      ":waiting": {"S": WAITING},
                                                      ":at": {"S": at}, ":key": {"S": key}}}},
            {"Delete": {"TableName": self.table, "Key": _marker_key(session_id, key),
                        "ConditionExpression": "attribute_exists(pk)"}},
        ], {0: Moved, 1: Moved, 2: Moved, 3: Moved})

    def free_seat(self, session_id: str, subject: str, at: str, now: str) -> None:
        """``subject``'s seat given up with nobody waiting: :class:`Moved` if someone joined
        the line (or the seat or session changed) since it was read."""
        transact(self.db, [
            self._cancel_place(session_id, subject, SEATED, at),
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD seats_taken :minus",
                        "ConditionExpression": f"{_OPEN} AND waiting_count = :zero",
                        "ExpressionAttributeValues": {":minus": {"N": "-1"},
                                                      ":zero": {"N": "0"},
                                                      ":now": {"S": now}}}},
        ], {0: Moved, 1: Moved})

    def leave_line(self, session_id: str, subject: str, waiting_key: str, at: str,
                   now: str) -> None:
        transact(self.db, [
            self._cancel_place(session_id, subject, WAITING, at),
            {"Delete": {"TableName": self.table, "Key": _marker_key(session_id, waiting_key),
                        "ConditionExpression": "attribute_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD waiting_count :minus",
                        "ConditionExpression": _OPEN,
                        "ExpressionAttributeValues": {":minus": {"N": "-1"},
                                                      ":now": {"S": now}}}},
        ], {0: Moved, 1: Moved, 2: Moved})

    def places(self, session_id: str) -> list[dict[str, Any]]:
        """Every place of the session (any status)."""
        return [from_item(item) for page in pages(
            self.db, "query", TableName=self.table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :l)",
            ExpressionAttributeValues={":pk": {"S": f"session#{session_id}"},
                                       ":l": {"S": "learner#"}})
            for item in page.get("Items", [])]

    def learner_places(self, subject: str, cursor: str | None,
                       limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of ``subject``'s places, the latest session first."""
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": LEARNER_INDEX, "Limit": limit,
            "ScanIndexForward": False, "KeyConditionExpression": "learner = :s",
            "ExpressionAttributeValues": {":s": {"S": subject}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", "learner", "starts_key"), {"learner": subject})
        answer = self.db.query(**request)
        return ([from_item(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def mark_reminded(self, session_id: str, subject: str, at: str) -> bool:
        """Note that a seated person was reminded; False if they were already (or hold no
        seat)."""
        return applied(self.db, "update_item", TableName=self.table,
                       Key=_place_key(session_id, subject),
                       UpdateExpression="SET reminded_at = :at",
                       ConditionExpression="#status = :seated AND "
                                           "attribute_not_exists(reminded_at)",
                       ExpressionAttributeNames={"#status": "status"},
                       ExpressionAttributeValues={":at": {"S": at},
                                                  ":seated": {"S": SEATED}})

    # -- attendance, certificates, evaluations ------------------------------------------------

    def next_certificate(self, session_id: str) -> int:
        answer = self.db.update_item(
            TableName=self.table, Key=_session_key(session_id),
            UpdateExpression="ADD certificate_seq :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["certificate_seq"]["N"])

    def record_attendance(self, session_id: str, subject: str, at: str, number: str,
                          document: Mapping[str, Any], signature: Mapping[str, Any]) -> bool:
        """The attendance and its certificate in one transaction; False if the person holds
        no seat or attended already."""
        try:
            transact(self.db, [
                {"Update": {"TableName": self.table, "Key": _place_key(session_id, subject),
                            "UpdateExpression": "SET attended_at = :at, certificate = :n",
                            "ConditionExpression": "#status = :seated AND "
                                                   "attribute_not_exists(attended_at)",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":at": {"S": at}, ":n": {"S": number},
                                                          ":seated": {"S": SEATED}}}},
                {"Put": {"TableName": self.table,
                         "Item": {**to_item({"document": document, "signature": signature,
                                             "session_id": session_id, "holder": subject}),
                                  **_key(f"certificate#{number}", "certificate")},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ], {0: Moved})
        except Moved:
            return False
        return True

    def certificate(self, number: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=_key(f"certificate#{number}",
                                                               "certificate"),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def evaluate(self, session_id: str, subject: str, values: Mapping[str, Any],
                 refusals: Mapping[int, Any]) -> None:
        """The evaluation, the session's counts and the place's mark in one transaction,
        while the person attended (refusal 0) and has not evaluated (refusal 1)."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": _place_key(session_id, subject),
                        "UpdateExpression": "SET evaluated = :yes",
                        "ConditionExpression": "attribute_exists(attended_at)",
                        "ExpressionAttributeValues": {":yes": {"BOOL": True}}}},
            {"Put": {"TableName": self.table,
                     "Item": {**to_item(values),
                              **_key(f"session#{session_id}", f"evaluation#{subject}")},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": _session_key(session_id),
                        "UpdateExpression": "ADD evaluations :one, score_sum :score",
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"}, ":score": {"N": str(values["score"])}}}},
        ], {1: refusals[1], 0: refusals[0]})
