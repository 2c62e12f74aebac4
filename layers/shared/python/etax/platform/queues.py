"""Sending to SQS queues in batches of ten, retrying what a batch did not take.

``SendMessageBatch`` takes at most ten entries, and a call can succeed while some
entries fail (``Failed``): the sender retries only those with backoff (a
``SenderFault`` entry is retried too: a later call may still take it, and a
message is never dropped silently), and returns what could still not be sent so
the caller can fail (and have retried) the work that produced it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from etax.platform.events import batched

MAX_ENTRIES_PER_CALL = 10


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message for one queue; ``key`` names it for the caller (never sent)."""

    queue_url: str
    body: dict[str, Any]
    key: str


@dataclass(frozen=True, slots=True)
class SendFailure:
    message: OutgoingMessage
    code: str
    reason: str


class QueueSender:
    """Sends messages ten per ``SendMessageBatch`` call, queue by queue."""

    def __init__(self, client: Any, *, attempts: int = 3, backoff_seconds: float = 0.1,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.calls = 0
        self.sent = 0

    def send(self, messages: Sequence[OutgoingMessage]) -> list[SendFailure]:
        """Send every message; return those still refused after the retries."""
        by_queue: dict[str, list[OutgoingMessage]] = {}
        for message in messages:
            by_queue.setdefault(message.queue_url, []).append(message)
        failures: list[SendFailure] = []
        for queue_url, queued in by_queue.items():
            for batch in batched(queued, MAX_ENTRIES_PER_CALL):
                failures.extend(self._send(queue_url, list(batch)))
        return failures

    def _send(self, queue_url: str, batch: list[OutgoingMessage]) -> list[SendFailure]:
        pending = {f"m{i}": message for i, message in enumerate(batch)}
        last: dict[str, tuple[str, str]] = {}
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            self.calls += 1
            try:
                answer = self.client.send_message_batch(QueueUrl=queue_url, Entries=[
                    {"Id": entry_id,
                     "MessageBody": json.dumps(message.body, ensure_ascii=False,
                                               separators=(",", ":"))}
                    for entry_id, message in pending.items()])
            except Exception as error:  # the whole call failed: every entry is retried
                last = {entry_id: ("CallFailed", str(error)) for entry_id in pending}
                continue
            self.sent += len(answer.get("Successful", []))
            failed = answer.get("Failed", [])
            last = {f["Id"]: (str(f.get("Code")), str(f.get("Message", ""))) for f in failed}
            pending = {entry_id: pending[entry_id] for entry_id in last}
            if not pending:
                return []
        return [SendFailure(message, *last[entry_id]) for entry_id, message in pending.items()]


class WorkQueue:
    """The messages of a piece of work to one queue, named by the environment variable
    ``url_variable``: a run's segments, the next page of a consumer's own work. Ten per batch;
    :class:`~etax.errors.Unavailable` when some could still not be queued (the caller's work
    fails and is tried again, nothing is dropped)."""

    def __init__(self, url_variable: str, client: Any | None = None) -> None:
        from etax.platform.aws import lazy

        self.url_variable = url_variable
        self.sender = QueueSender(client or lazy("sqs"))

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        from etax.errors import Unavailable
        from etax.platform.settings import required

        url = required(self.url_variable)
        failures = self.sender.send([OutgoingMessage(url, message, str(index))
                                     for index, message in enumerate(messages)])
        if failures:
            raise Unavailable(f"{len(failures)} message(s) could not be queued",
                              retry_after=5)
