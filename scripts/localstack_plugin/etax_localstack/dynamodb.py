"""DynamoDB and DynamoDB Streams served by the moto that LocalStack bundles.

The stock providers start DynamoDB Local, which needs a Java runtime and a jar download that an
offline machine cannot fetch. An empty subclass of LocalStack's generated API class raises
a not-implemented error for every operation, and ``MotoFallbackDispatcher`` turns each of those
into a call to moto's in-process backend: CreateTable with GSIs/LSIs, UpdateTimeToLive, conditional
writes, TransactWriteItems, Query, BatchWriteItem and the stream APIs all come from moto, and
LocalStack's CloudFormation provider for ``AWS::DynamoDB::Table`` talks to it like to any provider.

Writes are made serializable first (:mod:`etax_localstack.dynamodb_atomic`): moto alone
lets concurrent conditional writes both pass and breaks streams on a cancelled transaction.

Select them with ``PROVIDER_OVERRIDE_DYNAMODB=etax`` and ``PROVIDER_OVERRIDE_DYNAMODBSTREAMS=etax``.
"""

from __future__ import annotations

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.api.dynamodbstreams import DynamodbstreamsApi
from localstack.services.moto import MotoFallbackDispatcher
from localstack.services.plugins import Service, aws_provider

from . import dynamodb_atomic

PROVIDER_NAME = "etax"


# Without LocalStack installed (the project-wide mypy run) its base classes are ``Any``.
class MotoDynamoDBProvider(DynamodbApi):  # type: ignore[misc, unused-ignore]
    """Every DynamoDB operation falls through to moto (no method is overridden on purpose)."""


class MotoDynamoDBStreamsProvider(DynamodbstreamsApi):  # type: ignore[misc, unused-ignore]
    """Every DynamoDB Streams operation falls through to moto, which shares the tables above."""


@aws_provider(api="dynamodb", name=PROVIDER_NAME)  # type: ignore[untyped-decorator]
def dynamodb_etax() -> Service:
    """Build the DynamoDB service whose dispatch table forwards to moto (writes serializable)."""
    dynamodb_atomic.install()
    return Service.for_provider(
        MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher
    )


@aws_provider(api="dynamodbstreams", name=PROVIDER_NAME)  # type: ignore[untyped-decorator]
def dynamodbstreams_etax() -> Service:
    """Build the DynamoDB Streams service whose dispatch table forwards to moto."""
    return Service.for_provider(
        MotoDynamoDBStreamsProvider(), dispatch_table_factory=MotoFallbackDispatcher
    )
