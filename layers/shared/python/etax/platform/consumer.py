"""One way to consume an SQS queue: the Lambda entry point of every queue consumer.

A consumer is three things a board supplies — how to read a message (``parse``), what to do
with it (``step``) and which failures it expects — and the kit does the rest the same way
for every board:

- **partial batch failure**: Powertools ``BatchProcessor`` reports failed records one by one
  (``batchItemFailures``; the event source mapping has ``ReportBatchItemFailures``), so only
  those are received again and, after the queue's last receive, rest in its dead-letter
  queue. A batch whose every record failed is still a partial response (not an error, which
  would make the mapping ignore a backoff a record set on itself) unless the consumer asks
  for Powertools' default (``raise_on_entire_batch_failure``);
- **the message**: the body as JSON (:func:`json_body`), or the EventBridge envelope an event
  rule's SQS target delivers (:func:`detail_of`; :func:`event_detail` reads one string of it
  strictly); a message that cannot be read fails alone (``PoisonedMessage`` or the error
  of reading it);
- **backoff** (optional): a record that failed as expected is hidden for
  ``Backoff.seconds(receives)`` instead of the whole visibility timeout;
- **one logging shape**: ``"<name> ran"`` (info) and ``"<name> failed"`` (warning, expected
  failures only; others are logged by Powertools), each with ``consumer``, the keys the
  consumer names (``describe``), ``receives`` and ``state`` or ``error``;
- **once** (optional): the step runs through an idempotency store keyed by the EventBridge
  event's id (or the message id), so a message delivered again does not run it twice.

:func:`batch_consumer` is the same contract for a consumer that handles the batch as a whole
(it writes the batch's outgoing messages together).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from etax.platform.observability import logger
from etax.platform.settings import required

Consumer = Callable[[dict[str, Any], Any], PartialItemFailureResponse]


class PoisonedMessage(ValueError):
    """The message cannot be read: it can only end in the dead-letter queue."""


def json_body(body: str) -> Any:
    """The message body as JSON (a ``ValueError`` when it is not)."""
    return json.loads(body)


def detail_of(body: str) -> Any:
    """The ``detail`` of the EventBridge event in an SQS message (``ValueError`` or
    ``KeyError``/``TypeError`` when the message is not one)."""
    return json.loads(body)["detail"]


def event_detail(body: str, field: str, *, what: str = "event") -> str:
    """``detail.<field>`` of the EventBridge event in an SQS message: a non-empty string, or
    :class:`PoisonedMessage`."""
    try:
        value = json.loads(body)["detail"][field]
    except (ValueError, KeyError, TypeError) as error:
        raise PoisonedMessage(f"not a {what}: {error!r}") from None
    if not isinstance(value, str) or not value:
        raise PoisonedMessage(f"the event's {field} is not a string")
    return value


def bus_event(body: str, *types: str) -> tuple[str, dict[str, Any]]:
    """``(detail-type, detail)`` of the EventBridge event in an SQS message, its type one of
    ``types`` when they are given; else :class:`PoisonedMessage`."""
    try:
        event = json.loads(body)
        kind, detail = event["detail-type"], event["detail"]
    except (ValueError, KeyError, TypeError) as error:
        raise PoisonedMessage(f"not an event: {error!r}") from None
    if not isinstance(kind, str) or not isinstance(detail, dict):
        raise PoisonedMessage("an event has a type and a detail object")
    if types and kind not in types:
        raise PoisonedMessage(f"not one of the events {', '.join(types)}")
    return kind, detail


def receives_of(record: SQSRecord) -> int:
    """How many times this message was received, this time included."""
    return int(record.attributes.approximate_receive_count or "1")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Hide a record that failed as expected for ``seconds(receives)`` (after the last receive
    too: the next receive is the one that moves it to the dead-letter queue)."""

    client: Any
    queue_url_setting: str
    seconds: Callable[[int], int]

    def hide(self, record: SQSRecord, receives: int) -> None:
        self.client.change_message_visibility(
            QueueUrl=required(self.queue_url_setting), ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=self.seconds(receives))


class OnceStore(Protocol):
    """What :class:`etax.platform.idempotency.Idempotency` offers a consumer."""

    def run(self, *, key: str | None, scope: str, principal: str, payload: Any,
            operation: Callable[[], dict[str, Any]], lambda_context: Any = None
            ) -> dict[str, Any]: ...


def message_key(record: SQSRecord) -> str:
    """The key a message is done once by: its EventBridge event's id, else its message id
    (a message sent again by a redrive keeps both)."""
    try:
        event = json.loads(record.body)
    except ValueError:
        return record.message_id
    if isinstance(event, dict) and isinstance(event.get("id"), str) and event["id"]:
        return str(event["id"])
    return record.message_id


def _no_keys(_: Any) -> Mapping[str, Any]:
    return {}


def consumer[T](name: str, parse: Callable[[str], T], step: Callable[[T, int], object], *,
                expected: tuple[type[Exception], ...] = (Exception,),
                describe: Callable[[T], Mapping[str, Any]] = _no_keys,
                backoff: Backoff | None = None, once: OnceStore | None = None,
                raise_on_entire_batch_failure: bool = False) -> Consumer:
    """The Lambda entry point running ``step(parse(body), receives)`` per SQS message.

    ``parse`` raising fails the record without a warning (it is poisoned); ``step`` raising
    one of ``expected`` is logged and backed off, anything else fails the record as it is. A
    ``step`` returning a value other than ``None`` logs it as ``state``."""
    processor = BatchProcessor(event_type=EventType.SQS,
                               raise_on_entire_batch_failure=raise_on_entire_batch_failure)

    def run(subject: T, receives: int, record: SQSRecord) -> object:
        if once is None:
            return step(subject, receives)
        return once.run(key=message_key(record), scope=f"consumer {name}", principal=name,
                        payload=None,
                        operation=lambda: {"state": step(subject, receives)})["state"]

    def handle(record: SQSRecord) -> None:
        subject = parse(record.body)
        receives = receives_of(record)
        keys = {"consumer": name, **describe(subject), "receives": receives}
        try:
            state = run(subject, receives, record)
        except expected as error:
            logger.warning(f"{name} failed", extra={**keys, "error": str(error)})
            if backoff is not None:
                backoff.hide(record, receives)
            raise
        logger.info(f"{name} ran", extra=keys if state is None else {**keys, "state": state})

    def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return process_partial_response(event=event, record_handler=handle,
                                        processor=processor, context=context)

    return consume


def batch_consumer[T](name: str, parse: Callable[[str], T],
                      process: Callable[[Sequence[tuple[str, T]]],
                                        tuple[list[str], Mapping[str, Any]]]) -> Consumer:
    """The Lambda entry point handing the batch's readable messages to ``process`` together.

    A message ``parse`` cannot read is logged and reported failed alone; ``process`` returns
    the message ids to retry and figures for the batch's one log line."""

    def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        batch: list[tuple[str, T]] = []
        failed: list[str] = []
        for record in event.get("Records", []):
            message_id = record["messageId"]
            try:
                batch.append((message_id, parse(record["body"])))
            except (ValueError, KeyError, TypeError) as error:
                logger.error(f"{name}: unreadable message", extra={
                    "consumer": name, "message_id": message_id, "error": str(error)[:500]})
                failed.append(message_id)
        retry, figures = process(batch) if batch else ([], {})
        logger.info(f"{name} ran", extra={"consumer": name, "received": len(batch),
                                          **figures, "failed": len(failed) + len(retry)})
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed + retry]}

    return consume
