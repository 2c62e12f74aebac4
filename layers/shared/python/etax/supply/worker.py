"""What the supply worker does with each message of its queue:

* ``InvoiceSupplyApplied`` → the used-invoice checks (验旧) and the decision (approved, or
  sent to an officer);
* ``InvoiceSupplyApproved`` → the batch allotted and posted through the carrier, or the
  digital quota raised;
* ``InvoiceSupplyShipped`` and its own delayed ``{"track": id, "polls": n}`` messages → the
  carrier's trail, asked again after ``poll_seconds`` until the parcel is delivered (at most
  ``max_polls`` times).

Every step is a conditional transition, so a repeated message moves nothing twice."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from etax.platform.observability import logger


class Steps(Protocol):
    def verify(self, application_id: str) -> str: ...
    def fulfil(self, application_id: str) -> str: ...
    def track(self, application_id: str) -> bool: ...


def describe(body: Mapping[str, Any]) -> dict[str, Any]:
    """The log keys of a message."""
    if "track" in body:
        return {"application_id": str(body["track"])}
    return {"application_id": body["detail"]["application_id"],
            "event": body.get("detail-type")}


@dataclass
class SupplyWorker:
    service: Steps
    sqs: Any
    queue_url: Callable[[], str]
    poll_seconds: int
    max_polls: int

    def step(self, body: Mapping[str, Any], _receives: int = 1) -> str | None:
        """One message; the application's state, or ``None`` for a poll or an ignored event."""
        if "track" in body:
            application_id, polls = str(body["track"]), int(body.get("polls", 0))
            if not self.service.track(application_id):
                self._track_later(application_id, polls)
            return None
        kind = body.get("detail-type")
        application_id = body["detail"]["application_id"]
        if kind == "InvoiceSupplyApplied":
            return self.service.verify(application_id)
        if kind == "InvoiceSupplyApproved":
            return self.service.fulfil(application_id)
        if kind == "InvoiceSupplyShipped":
            if not self.service.track(application_id):
                self._track_later(application_id, 0)
            return "tracking"
        logger.warning("ignored event", extra={"detail_type": kind})
        return None

    def _track_later(self, application_id: str, polls: int) -> None:
        if polls >= self.max_polls:
            logger.warning("tracking given up", extra={"application_id": application_id})
            return
        self.sqs.send_message(QueueUrl=self.queue_url(), DelaySeconds=self.poll_seconds,
                              MessageBody=json.dumps({"track": application_id,
                                                      "polls": polls + 1}))
