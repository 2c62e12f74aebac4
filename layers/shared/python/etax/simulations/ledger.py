"""The simulated partners' kit: one ledger over a DynamoDB table, and the behaviour markers.

A :class:`PartnerLedger` stands for a partner's own books, one item per key in a table whose
partition key is ``key_attribute`` (``key`` for the ledger tables, ``id`` for the supply
table the carrier shares):

* :meth:`~PartnerLedger.attempt` counts the calls for one key (``ADD attempts :one``), so a
  partner can behave differently on the first attempt than on a retry;
* :meth:`~PartnerLedger.record_once` writes a record once per key with a conditional put:
  a second write with the same key returns the first record, never a second one — what a
  real partner's idempotency key (``out_batch_no``, a client message id, the case id) gives —
  and the same key with another payload (in the fields named ``same``) is refused;
* :meth:`~PartnerLedger.marked` says whether a mark item exists (``frozen#<account>``,
  ``blocked#<channel>#<address>``): how a tester makes a partner refuse and later lifts it.

Values are strings (``S``) or integers (``N``). Transport failures are not translated here:
each simulated partner (or the production adapter in front of it) says what they become,
:func:`transport` being the usual way (a :class:`~etax.platform.partners.PartnerUnavailable`).

:class:`Markers` switches the deterministic behaviours by markers in an account or address:
``FAIL`` always refused, ``FLAKY`` unavailable on the first attempt, ``SLOW`` answers late on
the first attempt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from etax.platform.partners import PartnerError, PartnerRefused, PartnerUnavailable

Value = str | int
Record = dict[str, Value]


def _encode(value: Value) -> dict[str, str]:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"a ledger value is a string or an integer, not {value!r}")
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


def _decode(value: Mapping[str, str]) -> Value:
    return int(value["N"]) if "N" in value else value["S"]


@contextmanager
def transport(partner: str) -> Iterator[None]:
    """Every failure inside that is not already a partner's answer becomes
    :class:`PartnerUnavailable` (``"<partner>: <error>"``): retried, never half-known."""
    try:
        yield
    except PartnerError:
        raise
    except Exception as error:
        raise PartnerUnavailable(f"{partner}: {error}") from error


@dataclass(frozen=True, slots=True)
class Markers:
    """The behaviour an account or address text asks of a simulated partner at one attempt."""

    text: str
    attempt: int = 1

    @property
    def fails(self) -> bool:
        return "FAIL" in self.text

    @property
    def flaky_now(self) -> bool:
        return "FLAKY" in self.text and self.attempt == 1

    @property
    def slow_now(self) -> bool:
        return "SLOW" in self.text and self.attempt == 1


class PartnerLedger:
    """A simulated partner's books over one DynamoDB table (see the module doc)."""

    def __init__(self, client: Any, table: str, *, key_attribute: str = "key") -> None:
        self.db = client
        self.table = table
        self.key_attribute = key_attribute

    def _key(self, key: str) -> dict[str, dict[str, str]]:
        return {self.key_attribute: {"S": key}}

    def attempt(self, key: str) -> int:
        """Count one more call for ``key``; the number of this call (1 for the first)."""
        answer = self.db.update_item(
            TableName=self.table, Key=self._key(key), UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["attempts"]["N"])

    def find(self, key: str) -> Record | None:
        """The record written under ``key`` (its fields, without the key), or None."""
        item: dict[str, Any] | None = self.db.get_item(
            TableName=self.table, ConsistentRead=True, Key=self._key(key)).get("Item")
        if not item:
            return None
        return {name: _decode(value) for name, value in item.items()
                if name != self.key_attribute}

    def marked(self, key: str) -> bool:
        """Whether a mark item (``frozen#…``, ``blocked#…``) exists under ``key``."""
        return self.find(key) is not None

    @staticmethod
    def same(record: Record, fields: Mapping[str, Value], same: tuple[str, ...],
             conflict: str) -> Record:
        """``record`` if it agrees with ``fields`` on every name in ``same``; else refused."""
        if any(record.get(name) != fields.get(name) for name in same):
            raise PartnerRefused(conflict)
        return record

    def recorded(self, key: str, fields: Mapping[str, Value], *, same: tuple[str, ...] = (),
                 conflict: str = "") -> Record | None:
        """The record already under ``key`` (checked against ``fields``), or None."""
        found = self.find(key)
        return None if found is None else self.same(found, fields, same, conflict)

    def record_once(self, key: str, fields: Mapping[str, Value], *,
                    same: tuple[str, ...] = (), conflict: str = "") -> tuple[Record, bool]:
        """Write ``fields`` under ``key`` unless a record is there already.

        Returns the record that stands and whether this call wrote it. A record already
        there that differs from ``fields`` in a field named in ``same`` is refused
        (:class:`PartnerRefused` with ``conflict``)."""
        item = {self.key_attribute: {"S": key}} | {
            name: _encode(value) for name, value in fields.items()}
        try:
            self.db.put_item(TableName=self.table, Item=item,
                             ConditionExpression="attribute_not_exists(#k)",
                             ExpressionAttributeNames={"#k": self.key_attribute})
        except self.db.exceptions.ConditionalCheckFailedException:
            # another call with this key wrote first: that record is the one
            found = self.recorded(key, fields, same=same, conflict=conflict)
            if found is None:  # pragma: no cover - a conditional failure means it exists
                raise PartnerUnavailable(f"record {key}: lost and not found") from None
            return found, False
        return dict(fields), True
