"""The consult table (:data:`etax.consult.tables.CONSULT`), over the low-level client.

=================================  ===============  ==========================================
pk                                 sk               holds
=================================  ===============  ==========================================
``session#<id>``                   ``session``      owner, turns (a counter), created_at
``session#<id>``                   ``turn#<nnnn>``  one turn: question, channel, outcome, …,
                                                    ``helpful`` once given (answer id
                                                    ``<session id>.<n>``)
``handoff#<answer id>``            ``handoff``      a hand-off; ``office`` + ``queued``
                                                    (``<state>#<queued_at>``): the by_office
                                                    index, the officers' queue
``hot#<week>``                     ``article#<id>`` how often the article answered that week
``figures#<week>``                 ``figures``      the week's counters (outcomes, feedback,
                                                    hand-offs claimed and within the SLA)
``nonce#wechat#<ts>#<nonce>``      ``nonce``        a WeChat-style message seen (TTL)
=================================  ===============  ==========================================

Sessions and turns expire (``expires_at``, :data:`KEEP_SECONDS`); hand-offs and counters stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from etax.errors import NotFound
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, pages, table_name

KEEP_SECONDS: Final = 180 * 24 * 3600  # sessions and their turns: half a year
FIGURES: Final = ("asked", "answered", "handed_off", "refused", "no_answer", "helpful",
                  "unhelpful", "handoffs_claimed", "claimed_within_sla")


def _value(attribute: Mapping[str, Any]) -> Any:
    if "S" in attribute:
        return attribute["S"]
    if "N" in attribute:
        number = attribute["N"]
        return float(number) if "." in number else int(number)
    if "BOOL" in attribute:
        return bool(attribute["BOOL"])
    return None


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A low-level item as a plain dict (strings, numbers, booleans)."""
    return {name: _value(attribute) for name, attribute in item.items()}


def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    return {"S": str(value)}


def _item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _attribute(v) for k, v in values.items() if v is not None}


def turn_key(answer_id: str) -> dict[str, Any]:
    """The key of a turn from its answer id (``<session id>.<n>``); NotFound if malformed."""
    session_id, _, number = answer_id.partition(".")
    if len(session_id) != 32 or not number.isdigit() or len(number) > 4:
        raise NotFound(f"no answer {answer_id[:80]}", field="answer_id")
    return {"pk": {"S": f"session#{session_id}"}, "sk": {"S": f"turn#{int(number):04d}"}}


class ConsultRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("CONSULT_TABLE")

    # -- sessions and turns ---------------------------------------------------------------

    def next_turn(self, session_id: str, owner: str, *, new: bool, at: str,
                  expires_at: int) -> int:
        """The number of the session's next turn; a new session is made with its owner, a
        given one must exist and be the owner's (else NotFound naming ``session_id``)."""
        condition = "attribute_not_exists(pk)" if new else "#owner = :owner"
        try:
            answer = self.db.update_item(
                TableName=self.table,
                Key={"pk": {"S": f"session#{session_id}"}, "sk": {"S": "session"}},
                UpdateExpression="ADD turns :one SET #owner = if_not_exists(#owner, :owner), "
                                 "created_at = if_not_exists(created_at, :at), "
                                 "expires_at = :ttl",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":owner": {"S": owner},
                                           ":at": {"S": at}, ":ttl": {"N": str(expires_at)}},
                ReturnValues="UPDATED_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            raise NotFound("no such session of yours: leave session_id out to start one",
                           field="session_id") from None
        return int(answer["Attributes"]["turns"]["N"])

    def put_turn(self, answer_id: str, values: Mapping[str, Any]) -> None:
        self.db.put_item(TableName=self.table, Item={**turn_key(answer_id), **_item(values)})

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in pages(self.db, "query", TableName=self.table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :turn)",
                          ExpressionAttributeValues={":pk": {"S": f"session#{session_id}"},
                                                     ":turn": {"S": "turn#"}}):
            found.extend(plain(i) for i in page.get("Items", []))
        return found

    def give_feedback(self, answer_id: str, helpful: bool) -> bool:
        """Record ``helpful`` on the turn once; False when it was given already. NotFound when
        there is no such turn."""
        key = turn_key(answer_id)
        if applied(self.db, "update_item", TableName=self.table, Key=key,
                   UpdateExpression="SET helpful = :h",
                   ConditionExpression="attribute_exists(pk) AND attribute_not_exists(helpful)",
                   ExpressionAttributeValues={":h": {"BOOL": helpful}}):
            return True
        if "Item" not in self.db.get_item(TableName=self.table, Key=key,
                                          ProjectionExpression="pk"):
            raise NotFound(f"no answer {answer_id}", field="answer_id")
        return False

    # -- hand-offs ------------------------------------------------------------------------

    def put_handoff(self, handoff_id: str, values: Mapping[str, Any]) -> bool:
        """Queue a hand-off once (False if it is there already)."""
        return applied(self.db, "put_item", TableName=self.table,
                       Item={"pk": {"S": f"handoff#{handoff_id}"}, "sk": {"S": "handoff"},
                             **_item(values)},
                       ConditionExpression="attribute_not_exists(pk)")

    def handoff(self, handoff_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table,
                                Key={"pk": {"S": f"handoff#{handoff_id}"},
                                     "sk": {"S": "handoff"}}, ConsistentRead=True).get("Item")
        return plain(item) if item else None

    def move(self, handoff_id: str, from_states: tuple[str, ...],
             values: Mapping[str, Any]) -> bool:
        """Set ``values`` on the hand-off while its state is one of ``from_states`` (one
        conditional write: two officers cannot both claim it); False otherwise."""
        names = {f"#f{i}": name for i, name in enumerate(values)}
        sets = ", ".join(f"#f{i} = :v{i}" for i in range(len(values)))
        attributes = {f":v{i}": _attribute(v) for i, v in enumerate(values.values())}
        states = {f":s{i}": {"S": s} for i, s in enumerate(from_states)}
        return applied(self.db, "update_item", TableName=self.table,
                       Key={"pk": {"S": f"handoff#{handoff_id}"}, "sk": {"S": "handoff"}},
                       UpdateExpression=f"SET {sets}",
                       ConditionExpression=f"#state IN ({', '.join(states)})",
                       ExpressionAttributeNames={**names, "#state": "state"},
                       ExpressionAttributeValues={**attributes, **states})

    def waiting(self, office: str, limit: int) -> list[dict[str, Any]]:
        """The office's waiting hand-offs, longest waiting first."""
        answer = self.db.query(TableName=self.table, IndexName="by_office", Limit=limit,
                               KeyConditionExpression="office = :o AND "
                                                      "begins_with(queued, :w)",
                               ExpressionAttributeValues={":o": {"S": office},
                                                          ":w": {"S": "waiting#"}})
        return [plain(i) for i in answer.get("Items", [])]

    # -- counters -------------------------------------------------------------------------

    def count(self, week: str, *names: str) -> None:
        """Add one to each of the week's figures ``names``."""
        self.db.update_item(
            TableName=self.table, Key={"pk": {"S": f"figures#{week}"}, "sk": {"S": "figures"}},
            UpdateExpression="ADD " + ", ".join(f"#n{i} :one" for i in range(len(names))),
            ExpressionAttributeNames={f"#n{i}": n for i, n in enumerate(names)},
            ExpressionAttributeValues={":one": {"N": "1"}})

    def figures(self, week: str) -> dict[str, int]:
        item = self.db.get_item(TableName=self.table,
                                Key={"pk": {"S": f"figures#{week}"},
                                     "sk": {"S": "figures"}}).get("Item") or {}
        found = plain(item)
        return {name: int(found.get(name, 0)) for name in FIGURES}

    def count_hot(self, week: str, article_id: str, question: str) -> None:
        self.db.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"hot#{week}"}, "sk": {"S": f"article#{article_id}"}},
            UpdateExpression="ADD asked :one SET question = :q",
            ExpressionAttributeValues={":one": {"N": "1"}, ":q": {"S": question}})

    def hot(self, week: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in pages(self.db, "query", TableName=self.table,
                          KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"hot#{week}"}}):
            found.extend(plain(i) for i in page.get("Items", []))
        return found

    def claim_nonce(self, key: str, expires_at: int) -> bool:
        """Keep a channel message's nonce; False if it was kept already (a replay)."""
        return applied(self.db, "put_item", TableName=self.table,
                       Item={"pk": {"S": key}, "sk": {"S": "nonce"},
                             "expires_at": {"N": str(expires_at)}},
                       ConditionExpression="attribute_not_exists(pk)")
