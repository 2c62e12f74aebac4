"""The run's messages to its queue (``CREDIT_RUN_QUEUE_URL``), ten per SendMessageBatch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etax.errors import Unavailable
from etax.platform.aws import lazy
from etax.platform.queues import OutgoingMessage, QueueSender
from etax.platform.settings import required


class QueueFanout:
    def __init__(self, client: Any | None = None) -> None:
        self.sender = QueueSender(client or lazy("sqs"))

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        url = required("CREDIT_RUN_QUEUE_URL")
        failures = self.sender.send([OutgoingMessage(url, m, str(i))
                                     for i, m in enumerate(messages)])
        if failures:
            raise Unavailable(f"{len(failures)} run message(s) could not be queued",
                              retry_after=5)
