"""Send the messages of a dead-letter queue back to their queue, after the cause is fixed.

    python scripts/redrive.py DLQ_URL QUEUE_URL [--max N] [--endpoint-url URL]

Messages are received from the dead-letter queue ten at a time, sent to the queue with the
same bodies (and message attributes) in one SendMessageBatch (entries it refused are
retried), and only those sent are then deleted from the dead-letter queue (one
DeleteMessageBatch): a crash in between leaves a copy in both, never none — the consumers
are idempotent (the lottery's payout worker pays a draw at most once; a notification is
sent once per channel). Bounded: at most ``--max`` messages (default 100), and it stops
when a receive returns nothing. Prints how many messages it moved.

In an account: the caller's credentials and region. Locally: ``--endpoint-url
http://127.0.0.1:4566`` (the local stack's ``Endpoint`` in ``local-outputs.json``), reached
through the scripts' one local session (:func:`local.client`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

import local

BATCH = 10


def _send_batch(sqs: Any, queue: str, messages: list[dict[str, Any]],
                attempts: int = 3) -> list[dict[str, Any]]:
    """Send ``messages`` to ``queue`` in one SendMessageBatch, retrying the entries a call
    did not take; return the messages that were sent."""
    pending = {f"m{i}": m for i, m in enumerate(messages)}
    sent: list[dict[str, Any]] = []
    for _ in range(attempts):
        entries = []
        for entry_id, message in pending.items():
            entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        answer = sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        sent += [pending[s["Id"]] for s in answer.get("Successful", [])]
        pending = {f["Id"]: pending[f["Id"]] for f in answer.get("Failed", [])}
        if not pending:
            break
    return sent


def redrive(sqs: Any, dead_letters: str, queue: str, limit: int = 100) -> int:
    """Move up to ``limit`` messages from ``dead_letters`` to ``queue``; return how many."""
    moved = 0
    while moved < limit:
        answer = sqs.receive_message(QueueUrl=dead_letters,
                                     MaxNumberOfMessages=min(BATCH, limit - moved),
                                     MessageAttributeNames=["All"], WaitTimeSeconds=1,
                                     VisibilityTimeout=30)
        messages = answer.get("Messages", [])
        if not messages:
            break
        sent = _send_batch(sqs, queue, messages)  # ten per call
        if sent:  # only what was sent leaves the dead-letter queue
            sqs.delete_message_batch(QueueUrl=dead_letters, Entries=[
                {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(sent)])
        moved += len(sent)
        if len(sent) < len(messages):
            break  # the queue refuses some: stop, what is left stays in the dead-letter queue
    return moved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Move dead letters back to their queue.")
    parser.add_argument("dead_letter_queue_url")
    parser.add_argument("queue_url")
    parser.add_argument("--max", type=int, default=100, help="at most this many (default 100)")
    parser.add_argument("--endpoint-url", default=None, help="e.g. http://127.0.0.1:4566")
    args = parser.parse_args(argv)
    sqs = (local.client("sqs", args.endpoint_url) if args.endpoint_url
           else boto3.client("sqs"))
    moved = redrive(sqs, args.dead_letter_queue_url, args.queue_url, args.max)
    print(f"moved {moved} message(s) from {args.dead_letter_queue_url} to {args.queue_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
