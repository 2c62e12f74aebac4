"""Send the messages of a dead-letter queue back to their queue, after the cause is fixed.

    python scripts/redrive.py DLQ_URL QUEUE_URL [--max N] [--endpoint-url URL]

Each message is received from the dead-letter queue, sent to the queue with the same body
(and message attributes), and only then deleted from the dead-letter queue: a crash in
between leaves a copy in both, never none — the consumers are idempotent (the lottery's
payout worker pays a draw at most once). Bounded: at most ``--max`` messages (default 100),
and it stops when a receive returns nothing. Prints how many messages it moved.

Locally: ``--endpoint-url http://127.0.0.1:4566`` (or ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3

BATCH = 10


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
        for message in messages:
            send: dict[str, Any] = {"QueueUrl": queue, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                send["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**send)
            sqs.delete_message(QueueUrl=dead_letters, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Move dead letters back to their queue.")
    parser.add_argument("dead_letter_queue_url")
    parser.add_argument("queue_url")
    parser.add_argument("--max", type=int, default=100, help="at most this many (default 100)")
    parser.add_argument("--endpoint-url", default=None, help="e.g. http://127.0.0.1:4566")
    args = parser.parse_args(argv)
    sqs = boto3.client("sqs", endpoint_url=args.endpoint_url)
    moved = redrive(sqs, args.dead_letter_queue_url, args.queue_url, args.max)
    print(f"moved {moved} message(s) from {args.dead_letter_queue_url} to {args.queue_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
