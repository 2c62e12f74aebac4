"""DynamoDB access for the tax school's courses, courseware, Q&A and library (``SCHOOL_TABLE``,
:mod:`etax.school.tables`), by ``pk``:

- ``course#<id>`` / ``course`` — a course with its lessons, ``courseware_seq`` and the
  ``questions`` count; ``listed`` = ``courses`` and ``starts_key`` (its creation) list it on
  ``by_schedule``, the latest first;
- ``course#<id>`` / ``ware#<nnn>`` — a file of the course, numbered in order;
- ``course#<id>`` / ``session#<starts key>`` — a session scheduled for the course (written with
  the session, :meth:`etax.school.repository.SchoolRepository.put_session`);
- ``course#<id>`` / ``question#<id>`` — a question with its answers (at most
  :data:`etax.school.catalogue.MAX_ANSWERS`, kept in the item: one read shows a question
  whole), the ids in the order asked;
- ``library#<id>`` / ``document`` — a library document; once published ``listed`` =
  ``library`` and ``starts_key`` (its publication) put it on ``by_schedule``;
- ``library`` / ``revision`` — the library's revision, a new random one at each publication:
  the search rebuilds its index when it changes;
- ``quota#<subject>#<kind>`` / ``<day>`` — a person's questions or answers of a day (TTL).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, Final

from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import (
    applied,
    count_under,
    failed_conditions,
    from_item,
    pages,
    table_name,
    to_item,
    write_transaction,
)
from etax.school.catalogue import AWAITING_UPLOAD, MAX_ANSWERS, MAX_COURSEWARE, PUBLISHED
from etax.school.tables import SCHEDULE_INDEX

COURSES: Final = "courses"
LIBRARY: Final = "library"
PAGE: Final = 20


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _course_key(course_id: str) -> dict[str, Any]:
    return _key(f"course#{course_id}", "course")


def _ware_key(course_id: str, number: int) -> dict[str, Any]:
    return _key(f"course#{course_id}", f"ware#{number:03d}")


def _question_key(course_id: str, question_id: str) -> dict[str, Any]:
    return _key(f"course#{course_id}", f"question#{question_id}")


def _document_key(document_id: str) -> dict[str, Any]:
    return _key(f"library#{document_id}", "document")


def session_pointer(course_id: str, starts_key: str,
                    values: Mapping[str, Any]) -> dict[str, Any]:
    """The item that lists a session on its course's page."""
    return {**to_item(dict(values)), **_key(f"course#{course_id}", f"session#{starts_key}")}


class CourseRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("SCHOOL_TABLE")

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def _listed(self, listed: str, cursor: str | None, limit: int,
                newest_first: bool = True) -> tuple[list[dict[str, Any]], str | None]:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": SCHEDULE_INDEX, "Limit": limit,
            "ScanIndexForward": not newest_first, "KeyConditionExpression": "listed = :l",
            "ExpressionAttributeValues": {":l": {"S": listed}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", "listed", "starts_key"), {"listed": listed})
        answer = self.db.query(**request)
        return ([from_item(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    # -- courses ----------------------------------------------------------------------------

    def put_course(self, course_id: str, values: Mapping[str, Any]) -> None:
        self.db.put_item(TableName=self.table,
                         Item={**to_item({**values, "courseware_seq": 0, "questions": 0,
                                          "listed": COURSES,
                                          "starts_key": f"{values['created_at']}#{course_id}"}),
                               **_course_key(course_id)},
                         ConditionExpression="attribute_not_exists(pk)")

    def course(self, course_id: str) -> dict[str, Any] | None:
        return self._get(_course_key(course_id))

    def courses(self, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the courses, the latest first."""
        return self._listed(COURSES, cursor, PAGE)

    def course_parts(self, course_id: str, since: str) -> dict[str, list[dict[str, Any]]]:
        """The course's files and its sessions starting from ``since``, in one query of the
        course's partition (its keys sort ``course``, ``question#…``, ``session#<start>…``,
        ``ware#…``: from the first session to come to the last file)."""
        parts: dict[str, list[dict[str, Any]]] = {"ware": [], "session": []}
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
                          ExpressionAttributeValues={":pk": {"S": f"course#{course_id}"},
                                                     ":from": {"S": f"session#{since}"},
                                                     ":to": {"S": "ware#~"}}):
            for item in page.get("Items", []):
                kind = "ware" if item["sk"]["S"].startswith("ware#") else "session"
                parts[kind].append(from_item(item))
        return parts

    # -- courseware -------------------------------------------------------------------------

    def declare_courseware(self, course_id: str, values: Mapping[str, Any]) -> int | None:
        """The next file number of the course with the file declared under it; None when the
        course holds :data:`MAX_COURSEWARE` files already."""
        if not applied(self.db, "update_item", TableName=self.table,
                       Key=_course_key(course_id),
                       UpdateExpression="ADD courseware_seq :one",
                       ConditionExpression="courseware_seq < :max",
                       ExpressionAttributeValues={":one": {"N": "1"},
                                                  ":max": {"N": str(MAX_COURSEWARE)}}):
            return None
        stored = self.course(course_id)
        assert stored is not None
        number = int(stored["courseware_seq"])
        # numbers are given once each (the counter only moves up): this put cannot collide
        self.db.put_item(TableName=self.table,
                         Item={**to_item({**values, "number": number}),
                               **_ware_key(course_id, number)})
        return number

    def courseware(self, course_id: str, number: int) -> dict[str, Any] | None:
        return self._get(_ware_key(course_id, number))

    def settle_courseware(self, course_id: str, number: int, values: Mapping[str, Any]) -> bool:
        """The file's checks and its new state, while it awaits its upload; False otherwise."""
        return self._settle(_ware_key(course_id, number), values)

    def count_download(self, key: dict[str, Any]) -> None:
        self.db.update_item(TableName=self.table, Key=key,
                            UpdateExpression="ADD downloads :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})

    def count_courseware_download(self, course_id: str, number: int) -> None:
        self.count_download(_ware_key(course_id, number))

    def _settle(self, key: dict[str, Any], values: Mapping[str, Any]) -> bool:
        return applied(self.db, "update_item", **self._settling(key, values))

    def _settling(self, key: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """The update that sets ``values`` on the file at ``key`` while it awaits its upload."""
        names = {f"#f{i}": name for i, name in enumerate(values)}
        assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(values)))
        item = to_item(dict(values))
        return {"TableName": self.table, "Key": key,
                "UpdateExpression": f"SET {assignments}",
                "ConditionExpression": "#state = :awaiting",
                "ExpressionAttributeNames": {**names, "#state": "state"},
                "ExpressionAttributeValues": {
                    **{f":v{i}": item[name] for i, name in enumerate(values)},
                    ":awaiting": {"S": AWAITING_UPLOAD}}}

    # -- questions and answers --------------------------------------------------------------

    def ask(self, course_id: str, question_id: str, values: Mapping[str, Any]) -> None:
        self.db.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table,
                     "Item": {**to_item({**values, "answers": [], "answer_count": 0}),
                              **_question_key(course_id, question_id)},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": _course_key(course_id),
                        "UpdateExpression": "ADD questions :one",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ])

    def question(self, course_id: str, question_id: str) -> dict[str, Any] | None:
        return self._get(_question_key(course_id, question_id))

    def questions(self, course_id: str, cursor: str | None,
                  limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the course's questions, the latest first."""
        request: dict[str, Any] = {
            "TableName": self.table, "Limit": limit, "ScanIndexForward": False,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :q)",
            "ExpressionAttributeValues": {":pk": {"S": f"course#{course_id}"},
                                          ":q": {"S": "question#"}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk"), {"pk": f"course#{course_id}"})
        answer = self.db.query(**request)
        return ([from_item(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def answer(self, course_id: str, question_id: str, values: Mapping[str, Any]) -> int | None:
        """The answer appended to the question (its number, 1 first); None when the question
        holds :data:`MAX_ANSWERS` answers or is hidden."""
        try:
            answer = self.db.update_item(
                TableName=self.table, Key=_question_key(course_id, question_id),
                UpdateExpression="SET answers = list_append(answers, :a) ADD answer_count :one",
                ConditionExpression="attribute_exists(pk) AND answer_count < :max AND "
                                    "attribute_not_exists(#hidden)",
                ExpressionAttributeNames={"#hidden": "hidden"},
                ExpressionAttributeValues={":a": {"L": [{"M": to_item(dict(values))}]},
                                           ":one": {"N": "1"},
                                           ":max": {"N": str(MAX_ANSWERS)}},
                ReturnValues="UPDATED_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            return None
        return int(answer["Attributes"]["answer_count"]["N"])

    def hide(self, course_id: str, question_id: str, answer: int | None,
             values: Mapping[str, Any]) -> bool:
        """The question (or its answer ``answer``, 1 first) hidden with ``values`` (the
        reason, who, when); False when it is hidden already or has no such answer."""
        target = "#hidden" if answer is None else f"answers[{answer - 1}].#hidden"
        condition = (f"attribute_not_exists({target})" if answer is None else
                     f"answer_count >= :n AND attribute_not_exists({target})")
        names_values: dict[str, Any] = {":h": {"M": to_item(dict(values))}}
        if answer is not None:
            names_values[":n"] = {"N": str(answer)}
        return applied(self.db, "update_item", TableName=self.table,
                       Key=_question_key(course_id, question_id),
                       UpdateExpression=f"SET {target} = :h",
                       ConditionExpression=f"attribute_exists(pk) AND {condition}",
                       ExpressionAttributeNames={"#hidden": "hidden"},
                       ExpressionAttributeValues=names_values)

    def count(self, subject: str, kind: str, day: str, ceiling: int, expires: int) -> bool:
        """One more of ``kind`` for ``subject`` on ``day`` while under ``ceiling``."""
        return count_under(self.db, self.table, _key(f"quota#{subject}#{kind}", day), ceiling,
                           expires)

    # -- the library ------------------------------------------------------------------------

    def declare_document(self, document_id: str, values: Mapping[str, Any]) -> None:
        self.db.put_item(TableName=self.table,
                         Item={**to_item(dict(values)), **_document_key(document_id)},
                         ConditionExpression="attribute_not_exists(pk)")

    def document(self, document_id: str) -> dict[str, Any] | None:
        return self._get(_document_key(document_id))

    def settle_document(self, document_id: str, values: Mapping[str, Any]) -> bool:
        """As :meth:`settle_courseware`; a published document is put on the library's list
        and the library given a new revision (random, not a count: a table emptied and
        written again never brings an earlier revision back, so its searches build their
        index again) in the same transaction: the search never lags a publication."""
        if values.get("state") != PUBLISHED:
            return self._settle(_document_key(document_id), values)
        values = {**values, "listed": LIBRARY,
                  "starts_key": f"{values['published_at']}#{document_id}"}
        revision = {"Put": {"TableName": self.table,
                            "Item": {**_key(LIBRARY, "revision"),
                                     "revision": {"S": secrets.token_hex(8)}}}}
        try:
            write_transaction(self.db, [
                {"Update": self._settling(_document_key(document_id), values)}, revision])
        except self.db.exceptions.TransactionCanceledException as error:
            if 0 in failed_conditions(error):
                return False
            raise
        return True

    def revision(self) -> str:
        item = self.db.get_item(TableName=self.table, Key=_key(LIBRARY, "revision"),
                                ConsistentRead=True).get("Item")
        return item["revision"]["S"] if item else ""

    def shelf(self, limit: int) -> list[dict[str, Any]]:
        """The published documents, the latest first, at most ``limit``."""
        found: list[dict[str, Any]] = []
        cursor = None
        while len(found) < limit:
            page, cursor = self._listed(LIBRARY, cursor, min(100, limit - len(found)))
            found.extend(page)
            if cursor is None:
                break
        return found

    def count_document_download(self, document_id: str) -> None:
        self.count_download(_document_key(document_id))
