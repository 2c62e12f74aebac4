"""scripts/redrive.py over moto: dead letters go back ten per call, and only what the queue
took leaves the dead-letter queue."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import redrive  # noqa: E402


def bodies(sqs: Any, url: str) -> list[str]:
    out: list[str] = []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     VisibilityTimeout=30).get("Messages", []):
        out += [m["Body"] for m in got]
    return sorted(out)


@pytest.fixture
def queues(aws: None) -> tuple[Any, str, str]:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    queue = sqs.create_queue(QueueName="live")["QueueUrl"]
    for n in range(23):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"m{n:02d}")
    return sqs, dlq, queue


def test_dead_letters_go_back_ten_per_call(queues: tuple[Any, str, str]) -> None:
    sqs, dlq, queue = queues
    calls: list[int] = []
    original = sqs.send_message_batch

    def counted(**kwargs: Any) -> Any:
        calls.append(len(kwargs["Entries"]))
        return original(**kwargs)

    sqs.send_message_batch = counted
    assert redrive.redrive(sqs, dlq, queue, limit=100) == 23
    assert max(calls) == 10
    assert len(calls) <= 5  # 23 messages: three calls when every receive is full
    assert bodies(sqs, queue) == [f"m{n:02d}" for n in range(23)]
    assert bodies(sqs, dlq) == []


def test_what_the_queue_refuses_stays_in_the_dead_letter_queue(
        queues: tuple[Any, str, str]) -> None:
    sqs, dlq, queue = queues
    original = sqs.send_message_batch

    def refuse_m07(**kwargs: Any) -> Any:
        keep = [e for e in kwargs["Entries"] if e["MessageBody"] != "m07"]
        answer = original(**{**kwargs, "Entries": keep}) if keep else {"Successful": []}
        answer["Failed"] = [{"Id": e["Id"], "SenderFault": True, "Code": "Refused"}
                            for e in kwargs["Entries"] if e["MessageBody"] == "m07"]
        return answer

    sqs.send_message_batch = refuse_m07
    moved = redrive.redrive(sqs, dlq, queue, limit=100)
    assert moved < 23
    arrived = bodies(sqs, queue)
    assert "m07" not in arrived
    assert len(arrived) == moved
    counts = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert sum(int(v) for v in counts.values()) == 23 - moved  # m07 among them, not lost
