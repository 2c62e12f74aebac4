"""The event bus, and queue-fed consumers (SQS with a dead-letter queue) for pipeline stages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from infra.platform.functions import consumes_a_queue, live
from infra.platform.observability import Observability

MAX_RECEIVE_COUNT = 3
# Concurrent batches a back-office consumer may run (the event source mapping's
# MaximumConcurrency, 2-1000): a backlog drains at this pace and cannot take the account's
# Lambda capacity from the authorizer and the public routes. Boards pass their own.
DEFAULT_MAX_CONCURRENCY = 5
# EventBridge's delivery to a target: retried for an hour at most, then the event rests in
# the platform's undelivered-events queue (with the rule and target named in its attributes).
TARGET_RETRY_ATTEMPTS = 8
TARGET_MAX_EVENT_AGE = Duration.hours(1)


def event_bus(scope: Construct, construct_id: str, *, stage: str) -> events.EventBus:
    """The platform's one custom bus: sources ``tax.<context>``, past-tense detail types."""
    return events.EventBus(scope, construct_id, event_bus_name=f"etax-{stage}")


class QueueConsumer(Construct):
    """A queue, its dead-letter queue with an alarm, and a function consuming it.

    The function reports failed records one by one (``ReportBatchItemFailures``,
    Powertools ``BatchProcessor``): the rest of a batch is not retried. After
    ``MAX_RECEIVE_COUNT`` receives a message rests in the dead-letter queue. At most
    ``max_concurrency`` batches run at once; the queue's oldest message has an alarm.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        observability: Observability,
        visibility_factor: int,
        batch_size: int = 10,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        retain: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        consumes_a_queue(function)  # its timeout is what the queue's visibility is made of
        removal = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
        self.dead_letters = sqs.Queue(
            self, "DeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=removal,
        )
        self.queue = sqs.Queue(
            self, "Queue",
            visibility_timeout=Duration.seconds(
                function.timeout.to_seconds() * visibility_factor if function.timeout else 60
            ),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters,
                                                  max_receive_count=MAX_RECEIVE_COUNT),
            removal_policy=removal,
        )
        live(function).add_event_source(sources.SqsEventSource(
            self.queue,
            batch_size=batch_size,
            max_batching_window=Duration.seconds(1),
            report_batch_item_failures=True,
            max_concurrency=max_concurrency,
        ))
        observability.alarm_on_dead_letters(self.dead_letters, construct_id)
        observability.watch_queue(self.queue)


STREAM_BATCH_SIZE = 100


class StreamOutbox(Construct):
    """A table's stream feeding the function that announces its facts on the bus.

    The outbox pattern: a fact is published because it was written, never instead of
    being written. Failing batches are bisected and retried five times, then parked
    (metadata of the records) in an SQS queue with an alarm. The function's code is the
    runtime half of the same kit, ``etax.platform.outbox`` (it fails a batch whole). ``filters``
    (Lambda event filtering patterns, the context's own) keep the records that announce nothing
    from waking the function at all.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        function: lambda_.Function,
        observability: Observability,
        retain: bool,
        filters: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = function
        self.failures = sqs.Queue(
            self, "Failures",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        acknowledge(self.failures, "AwsSolutions-SQS3",
                    "this queue is itself the failure destination of a table stream")
        live(function).add_event_source(sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            # Lambda's default for streams: a poll reads up to this many records, and where
            # the filters are applied after the read (the local stack) a table's burst of
            # records that announce nothing (a reset, a seed) is read ten times faster than
            # at 10; a failing batch is still bisected down to its record
            batch_size=STREAM_BATCH_SIZE,
            bisect_batch_on_error=True,
            retry_attempts=5,
            on_failure=sources.SqsDlq(self.failures),
            filters=[lambda_.FilterCriteria.filter(dict(pattern)) for pattern in filters] or None,
        ))
        observability.alarm_on_dead_letters(self.failures, construct_id)
        observability.watch_stream(function)


def failure_queue(scope: Construct, construct_id: str, *, observability: Observability,
                  retain: bool, what: str) -> sqs.Queue:
    """A queue where failed asynchronous work rests (encrypted, TLS only), with the
    dead-letter alarm: ``what`` says whose failures."""
    queue = sqs.Queue(
        scope, construct_id,
        retention_period=Duration.days(14),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    acknowledge(queue, "AwsSolutions-SQS3", f"this queue is itself the dead-letter queue of {what}")
    observability.alarm_on_dead_letters(queue, construct_id)
    return queue
