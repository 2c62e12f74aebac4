"""DynamoDB access for crowd help (:mod:`etax.crowd.tables`).

- ``thread#<question id>``: ``sk = question`` (the question: ``feed = questions`` and
  ``topic_feed = topic#<topic>`` while it is not hidden, ``rank = <1 pinned | 0>#<asked at>``, so
  a Query newest-first lists pinned questions first) and ``sk = answer#<answer id>``;
- ``vote#<post id>`` / ``voter#<person>``: a person's vote on a post and what it granted;
- ``person#<person>``: ``profile`` (pseudonym, reputation), ``earned#<day>`` (reputation from
  votes that day, for the cap) and ``count#<kind>#<day>`` (questions, answers, votes asked
  that day, for the abuse limits); the day items expire (TTL);
- ``event#<id>``: each vote and acceptance (``feed = events``), for recomputation;
- ``draft#<id>``: article drafts of verified answers (``feed = drafts``);
- ``log#<id>``: the moderation log (``feed = moderation``): who hid, pinned, verified what, why.

Every change of reputation is one transaction with the vote or acceptance that causes it, each
reputation written on the condition that it is still the one read (:class:`Raced` otherwise:
the service reads again and retries).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from etax.crowd.model import Answer, ArticleDraft, Mark, Question
from etax.crowd.reputation import START, Grant
from etax.errors import AlreadyExists, LimitReached, NotFound, StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import applied, int_attr, table_name, text_attr, transact

QUESTIONS: Final = "questions"
PAGE: Final = 20


@dataclass(frozen=True, slots=True)
class Quota:
    """A person's allowance of ``kind`` (questions, answers, votes) on ``day``."""

    person: str
    kind: str
    day: str
    ceiling: int
    expires: int  # epoch seconds: the counter's TTL
    retry_after: int  # seconds to the next day

    def refusal(self) -> LimitReached:
        return LimitReached(f"at most {self.ceiling} {self.kind} a day; the allowance renews "
                            f"in {self.retry_after} s", retry_after=self.retry_after)


@dataclass(frozen=True, slots=True)
class Reputations:
    """The reputation writes of one event: (person, old, new) and (person, day, old, new)."""

    people: tuple[tuple[str, int, int], ...]
    earned: tuple[tuple[str, str, int, int], ...]
    expires: int


class Raced(Exception):
    """A reputation or a day's earnings changed between reading and writing."""


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": _s(pk), "sk": _s(sk)}


def _mark(item: dict[str, Any], prefix: str) -> Mark | None:
    by = text_attr(item, f"{prefix}_by")
    return Mark(by, text_attr(item, f"{prefix}_at") or "",
                text_attr(item, f"{prefix}_reason")) if by else None


def rank(pinned: bool, at: str) -> str:
    return f"{1 if pinned else 0}#{at}"


def question_item(q: Question) -> dict[str, Any]:
    return {**_key(f"thread#{q.id}", "question"), "id": _s(q.id), "title": _s(q.title),
            "body": _s(q.body), "topic": _s(q.topic), "tags": {"L": [_s(t) for t in q.tags]},
            "author": _s(q.author), "pseudonym": _s(q.pseudonym), "asked_at": _s(q.asked_at),
            "score": _n(0), "answers": _n(0), "feed": _s(QUESTIONS),
            "topic_feed": _s(f"topic#{q.topic}"), "rank": _s(rank(False, q.asked_at))}


def question_from(item: dict[str, Any]) -> Question:
    return Question(item["id"]["S"], item["title"]["S"], item["body"]["S"], item["topic"]["S"],
                    tuple(t["S"] for t in item["tags"]["L"]), item["author"]["S"],
                    item["pseudonym"]["S"], item["asked_at"]["S"], int_attr(item, "score"),
                    int_attr(item, "answers"), text_attr(item, "accepted"),
                    _mark(item, "pinned"), _mark(item, "hidden"))


def answer_from(item: dict[str, Any]) -> Answer:
    return Answer(item["id"]["S"], item["question"]["S"], item["body"]["S"],
                  item["author"]["S"], item["pseudonym"]["S"], item["answered_at"]["S"],
                  int_attr(item, "score"), _mark(item, "verified"), _mark(item, "hidden"))


def draft_from_item(item: dict[str, Any]) -> ArticleDraft:
    return ArticleDraft(item["id"]["S"], item["state"]["S"], item["topic"]["S"],
                        item["question"]["S"], item["answer"]["S"],
                        tuple(t["S"] for t in item["tags"]["L"]), item["source_question"]["S"],
                        item["source_answer"]["S"], item["verified_by"]["S"],
                        item["created_at"]["S"])


def post_key(post_id: str) -> dict[str, Any]:
    """The item of a question (``q…``) or an answer (``q…-a…``)."""
    if "-" in post_id:
        return _key(f"thread#{post_id.split('-')[0]}", f"answer#{post_id}")
    return _key(f"thread#{post_id}", "question")


class CrowdRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("CROWD_TABLE")

    # -- people --------------------------------------------------------------------------------

    def profile(self, person: str) -> tuple[str, int] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key=_key(f"person#{person}", "profile")).get("Item")
        return (item["pseudonym"]["S"], int_attr(item, "reputation", START)) if item else None

    def ensure_profile(self, person: str, pseudonym: str, at: str) -> tuple[str, int]:
        """The person's profile, made with ``pseudonym`` on their first post or vote."""
        applied(self.db, "put_item", TableName=self.table, Item={
            **_key(f"person#{person}", "profile"), "pseudonym": _s(pseudonym),
            "reputation": _n(START), "since": _s(at)},
            ConditionExpression="attribute_not_exists(pk)")
        found = self.profile(person)
        assert found is not None
        return found

    def profiles(self, people: Sequence[str]) -> dict[str, tuple[str, int]]:
        """Pseudonym and reputation of each of ``people`` (one BatchGetItem per 100)."""
        found: dict[str, tuple[str, int]] = {}
        unique = list(dict.fromkeys(people))
        for start in range(0, len(unique), 100):
            keys = [_key(f"person#{p}", "profile") for p in unique[start:start + 100]]
            request: dict[str, Any] = {self.table: {"Keys": keys}}
            while request:
                answer = self.db.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"].removeprefix("person#")] = (
                        item["pseudonym"]["S"], int_attr(item, "reputation", START))
                request = answer.get("UnprocessedKeys") or {}
        return found

    def earned(self, person: str, day: str) -> int:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key=_key(f"person#{person}", f"earned#{day}")).get("Item")
        return int_attr(item, "earned") if item else 0

    # -- reading posts -------------------------------------------------------------------------

    def thread(self, question_id: str) -> tuple[Question | None, list[Answer]]:
        items = self.db.query(
            TableName=self.table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _s(f"thread#{question_id}")}).get("Items", [])
        question = next((question_from(i) for i in items if i["sk"]["S"] == "question"), None)
        answers = sorted((answer_from(i) for i in items if i["sk"]["S"] != "question"),
                         key=lambda a: a.answered_at)
        return question, answers

    def question(self, question_id: str) -> Question | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key=post_key(question_id)).get("Item")
        return question_from(item) if item else None

    def answer(self, answer_id: str) -> Answer | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key=post_key(answer_id)).get("Item")
        return answer_from(item) if item else None

    def questions(self, topic: str | None, cursor: str | None,
                  limit: int = PAGE) -> tuple[list[Question], str | None]:
        """A page of visible questions (of ``topic``), pinned first, then newest first."""
        index, partition, value = (("by_topic", "topic_feed", f"topic#{topic}") if topic
                                   else ("feed", "feed", QUESTIONS))
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": index, "ScanIndexForward": False,
            "Limit": limit, "KeyConditionExpression": f"{partition} = :v",
            "ExpressionAttributeValues": {":v": _s(value)}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, ("pk", "sk", partition, "rank"),
                                                         {partition: value})
        answer = self.db.query(**request)
        return ([question_from(i) for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def drafts(self, cursor: str | None) -> tuple[list[ArticleDraft], str | None]:
        items, after = self.feed("drafts", cursor)
        return [draft_from_item(i) for i in items], after

    def log(self, cursor: str | None) -> tuple[list[tuple[str, str, str, str, str | None]],
                                               str | None]:
        """The moderation log's page: (at, action, post, by, reason), newest first."""
        items, after = self.feed("moderation", cursor)
        return [(i["at"]["S"], i["action"]["S"], i["post"]["S"], i["by"]["S"],
                 text_attr(i, "reason")) for i in items], after

    def feed(self, name: str, cursor: str | None,
             limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the ``feed`` index's list ``name`` (drafts, moderation), newest first."""
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": "feed", "ScanIndexForward": False,
            "Limit": limit, "KeyConditionExpression": "feed = :v",
            "ExpressionAttributeValues": {":v": _s(name)}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, ("pk", "sk", "feed", "rank"),
                                                         {"feed": name})
        answer = self.db.query(**request)
        return answer.get("Items", []), encode_cursor(answer.get("LastEvaluatedKey"))

    def vote(self, post_id: str, voter: str) -> tuple[int, Grant] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key=_key(f"vote#{post_id}", f"voter#{voter}")).get("Item")
        if not item:
            return None
        return int_attr(item, "value"), Grant(int_attr(item, "granted_author"),
                                              int_attr(item, "granted_voter"))

    # -- writing -------------------------------------------------------------------------------

    @staticmethod
    def _count(quota: Quota) -> dict[str, Any]:
        return {"Update": {
            "TableName": "", "Key": _key(f"person#{quota.person}",
                                         f"count#{quota.kind}#{quota.day}"),
            "UpdateExpression": "ADD n :one SET expires_at = :ttl",
            "ConditionExpression": "attribute_not_exists(n) OR n < :limit",
            "ExpressionAttributeValues": {":one": _n(1), ":limit": _n(quota.ceiling),
                                          ":ttl": _n(quota.expires)}}}

    @staticmethod
    def _reputations(change: Reputations) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = [{"Update": {
            "TableName": "", "Key": _key(f"person#{person}", "profile"),
            "UpdateExpression": "SET reputation = :new",
            "ConditionExpression": "reputation = :old",
            "ExpressionAttributeValues": {":new": _n(new), ":old": _n(old)}}}
            for person, old, new in change.people if old != new]
        actions += [{"Update": {
            "TableName": "", "Key": _key(f"person#{person}", f"earned#{day}"),
            "UpdateExpression": "SET earned = :new, expires_at = :ttl",
            "ConditionExpression": "attribute_not_exists(pk) OR earned = :old",
            "ExpressionAttributeValues": {":new": _n(new), ":old": _n(old),
                                          ":ttl": _n(change.expires)}}}
            for person, day, old, new in change.earned if old != new]
        return actions

    @staticmethod
    def _event(event_id: str, at: str, event: dict[str, Any]) -> dict[str, Any]:
        return {"Put": {"TableName": "", "Item": {
            **_key(f"event#{event_id}", "event"), "feed": _s("events"),
            "rank": _s(f"{at}#{event_id}"),
            "event": _s(json.dumps(event, ensure_ascii=False, sort_keys=True))},
            "ConditionExpression": "attribute_not_exists(pk)"}}

    def _write(self, actions: list[dict[str, Any]],
               refusals: dict[int, Callable[[], Exception]], guarded: int = 0) -> None:
        """The actions in one transaction (each given the table); a cancellation by one of the
        last ``guarded`` actions (the reputation guards) is :class:`Raced`."""
        for action in actions:
            next(iter(action.values()))["TableName"] = self.table
        first = len(actions) - guarded
        transact(self.db, actions, {**refusals, **dict.fromkeys(range(first, len(actions)), Raced)})

    def ask(self, question: Question, quota: Quota) -> None:
        """The question, counted against the asker's questions of the day."""
        self._write([self._count(quota), {"Put": {
            "TableName": "", "Item": question_item(question),
            "ConditionExpression": "attribute_not_exists(pk)"}}],
            {0: quota.refusal, 1: lambda: AlreadyExists("that question exists", field="id")})

    def add_answer(self, answer: Answer, quota: Quota) -> None:
        """The answer, the question's count of answers, the answerer's allowance."""
        item = {**post_key(answer.id), "id": _s(answer.id), "question": _s(answer.question),
                "body": _s(answer.body), "author": _s(answer.author),
                "pseudonym": _s(answer.pseudonym), "answered_at": _s(answer.answered_at),
                "score": _n(0)}
        self._write([
            self._count(quota),
            {"Update": {"TableName": "", "Key": post_key(answer.question),
                        "UpdateExpression": "ADD answers :one",
                        "ConditionExpression": "attribute_exists(pk) AND "
                                               "attribute_not_exists(hidden_by)",
                        "ExpressionAttributeValues": {":one": _n(1)}}},
            {"Put": {"TableName": "", "Item": item,
                     "ConditionExpression": "attribute_not_exists(pk)"}}],
            {0: quota.refusal,
             1: lambda: NotFound("no question of that id", field="question_id"),
             2: lambda: AlreadyExists("that answer exists", field="id")})

    def write_vote(self, post_id: str, voter: str, value: int, previous: int | None,
                   grant: Grant, quota: Quota, event: tuple[str, str, dict[str, Any]],
                   change: Reputations) -> None:
        """In one transaction: the voter's allowance, the vote (on the condition that it is
        still ``previous``), the post's score, the event, the reputations (:class:`Raced`)."""
        condition = ("attribute_not_exists(pk)" if previous is None else "#v = :previous")
        values = {} if previous is None else {":previous": _n(previous)}
        vote = {"Put": {"TableName": "", "Item": {
            **_key(f"vote#{post_id}", f"voter#{voter}"), "value": _n(value),
            "granted_author": _n(grant.author), "granted_voter": _n(grant.voter),
            "day": _s(quota.day), "at": _s(event[1])}, "ConditionExpression": condition}}
        if values:
            vote["Put"] |= {"ExpressionAttributeNames": {"#v": "value"},
                            "ExpressionAttributeValues": values}
        score = {"Update": {"TableName": "", "Key": post_key(post_id),
                            "UpdateExpression": "ADD score :d",
                            "ConditionExpression": "attribute_exists(pk) AND "
                                                   "attribute_not_exists(hidden_by)",
                            "ExpressionAttributeValues": {":d": _n(value - (previous or 0))}}}
        reputations = self._reputations(change)
        self._write([self._count(quota), vote, score, self._event(*event), *reputations],
                    {0: quota.refusal,
                     1: lambda: StateChanged("your vote on this post changed meanwhile",
                                             field="value"),
                     2: lambda: NotFound("no post of that id", field="post")},
                    guarded=len(reputations))

    def accept(self, question: Question, answer: Answer,
               event: tuple[str, str, dict[str, Any]], change: Reputations) -> None:
        reputations = self._reputations(change)
        self._write([
            {"Update": {"TableName": "", "Key": post_key(question.id),
                        "UpdateExpression": "SET accepted = :a",
                        "ConditionExpression": "attribute_not_exists(accepted) AND "
                                               "attribute_not_exists(hidden_by)",
                        "ExpressionAttributeValues": {":a": _s(answer.id)}}},
            {"ConditionCheck": {"TableName": "", "Key": post_key(answer.id),
                                "ConditionExpression": "attribute_not_exists(hidden_by)"}},
            self._event(*event), *reputations],
            {0: lambda: StateChanged("this question has an accepted answer already",
                                     field="answer_id"),
             1: lambda: NotFound("no answer of that id", field="answer_id")},
            guarded=len(reputations))

    # -- moderation ----------------------------------------------------------------------------

    @staticmethod
    def _log(log_id: str, action: str, post: str, mark: Mark) -> dict[str, Any]:
        item = {**_key(f"log#{log_id}", "log"), "feed": _s("moderation"),
                "rank": _s(f"{mark.at}#{log_id}"), "action": _s(action), "post": _s(post),
                "by": _s(mark.by), "at": _s(mark.at)}
        if mark.reason:
            item["reason"] = _s(mark.reason)
        return {"Put": {"TableName": "", "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def pin(self, question: Question, pinned: bool, log_id: str, mark: Mark) -> None:
        update = ("SET pinned_by = :by, pinned_at = :at, #r = :rank" if pinned
                  else "SET #r = :rank REMOVE pinned_by, pinned_at")
        values = {":rank": _s(rank(pinned, question.asked_at))}
        if pinned:
            values |= {":by": _s(mark.by), ":at": _s(mark.at)}
        self._write([{"Update": {
            "TableName": "", "Key": post_key(question.id), "UpdateExpression": update,
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(hidden_by)",
            "ExpressionAttributeNames": {"#r": "rank"}, "ExpressionAttributeValues": values}},
            self._log(log_id, "pin" if pinned else "unpin", question.id, mark)],
            {0: lambda: NotFound("no question of that id", field="question_id")})

    def hide(self, post_id: str, log_id: str, mark: Mark, field: str) -> None:
        """Hide a post (a question leaves the lists); it stays stored, with who and why."""
        self._write([{"Update": {
            "TableName": "", "Key": post_key(post_id),
            "UpdateExpression": "SET hidden_by = :by, hidden_at = :at, hidden_reason = :why "
                                "REMOVE feed, topic_feed",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(hidden_by)",
            "ExpressionAttributeValues": {":by": _s(mark.by), ":at": _s(mark.at),
                                          ":why": _s(mark.reason or "")}}},
            self._log(log_id, "hide", post_id, mark)],
            {0: lambda: StateChanged("no such post, or hidden already", field=field)})

    def verify(self, answer: Answer, draft: ArticleDraft, log_id: str, mark: Mark) -> None:
        """The answer marked officer-verified and its article draft, together."""
        item = {**_key(f"draft#{draft.id}", "draft"), "feed": _s("drafts"),
                "rank": _s(f"{draft.created_at}#{draft.id}"), "id": _s(draft.id),
                "state": _s(draft.state), "topic": _s(draft.topic),
                "question": _s(draft.question), "answer": _s(draft.answer),
                "tags": {"L": [_s(t) for t in draft.tags]},
                "source_question": _s(draft.source_question),
                "source_answer": _s(draft.source_answer),
                "verified_by": _s(draft.verified_by), "created_at": _s(draft.created_at)}
        self._write([
            {"Update": {"TableName": "", "Key": post_key(answer.id),
                        "UpdateExpression": "SET verified_by = :by, verified_at = :at",
                        "ConditionExpression": "attribute_exists(pk) AND "
                                               "attribute_not_exists(verified_by) AND "
                                               "attribute_not_exists(hidden_by)",
                        "ExpressionAttributeValues": {":by": _s(mark.by),
                                                      ":at": _s(mark.at)}}},
            {"Put": {"TableName": "", "Item": item,
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            self._log(log_id, "verify", answer.id, mark)],
            {0: lambda: StateChanged("the answer is verified or hidden already",
                                     field="answer_id")})
