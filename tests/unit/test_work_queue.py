"""A piece of work's messages to its queue: all of them sent (ten a batch), or Unavailable so
the work is tried again; the queue named by its environment variable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from etax.errors import Unavailable
from etax.platform.queues import WorkQueue


class Sqs:
    def __init__(self, refuse: set[str] | None = None) -> None:
        self.refuse = refuse or set()
        self.batches: list[list[dict[str, Any]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]
                           ) -> dict[str, Any]:
        self.batches.append(Entries)
        failed = [{"Id": e["Id"], "Code": "Throttled", "SenderFault": False, "Message": "slow"}
                  for e in Entries if json.loads(e["MessageBody"]).get("n") in self.refuse]
        return {"Successful": [{"Id": e["Id"]} for e in Entries
                               if e["Id"] not in {f["Id"] for f in failed}],
                "Failed": failed}


def test_the_messages_go_ten_a_batch_to_the_named_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORK_QUEUE_URL", "https://sqs/work")
    sqs = Sqs()
    WorkQueue("WORK_QUEUE_URL", sqs).send([{"n": str(i)} for i in range(12)])
    assert [len(b) for b in sqs.batches] == [10, 2]


def test_a_message_still_refused_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORK_QUEUE_URL", "https://sqs/work")
    queue = WorkQueue("WORK_QUEUE_URL", Sqs(refuse={"3"}))
    queue.sender.sleep = lambda _: None
    with pytest.raises(Unavailable):
        queue.send([{"n": str(i)} for i in range(5)])
