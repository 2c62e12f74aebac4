"""The refund pipeline's stage consumers (:func:`etax.platform.consumer.consumer`): the case
id read from the EventBridge event in the SQS message, the stage run, a failed record
reported alone (after the queue's last receive it rests in its dead-letter queue)."""

from __future__ import annotations

from collections.abc import Callable

from etax.platform.consumer import Consumer, consumer, event_detail


def case_id_of(body: str) -> str:
    return event_detail(body, "case_id", what="refund event")


def stage_consumer(name: str, step: Callable[[str], str]) -> Consumer:
    """The Lambda entry point of stage ``name`` running ``step(case_id)`` per message."""
    return consumer(f"refund {name}", case_id_of, lambda case_id, _: step(case_id),
                    describe=lambda case_id: {"case_id": case_id})
