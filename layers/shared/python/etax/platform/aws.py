"""AWS clients: one per service and region in a process, created on first use.

A Lambda function's init should not pay for clients it may not use on a request (creating a
boto3 client costs tens of milliseconds: docs/benchmarks.md), and a warm function should not
make a second client for a service it already has. :func:`client` is that one place; a
repository or adapter that talks to AWS holds a :class:`LazyClient` (or takes a client in its
constructor, as the tests do) instead of calling ``boto3.client`` itself, and a handler
wiring an adapter that takes a client gives it ``lazy("kms")``: no handler imports boto3
(tests/unit/test_aws_wiring.py holds every handler and context module to that).

Endpoints are never set in code: botocore honours ``AWS_ENDPOINT_URL`` (the local stack sets
it in each function's environment).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def _client(service: str, region_name: str) -> Any:
    import boto3

    return boto3.client(service, region_name=region_name)


def client(service: str) -> Any:
    """The process's client for ``service`` in the function's region (made on first call)."""
    return _client(service, region())


class DynamoAccess:
    """The base of a repository over the low-level DynamoDB client: ``self.db`` is the client
    given (tests give moto's) or the process's client, made on first use."""

    def __init__(self, client: Any | None = None) -> None:
        self._db = client

    @property
    def db(self) -> Any:
        if self._db is None:
            self._db = client("dynamodb")
        return self._db


class LazyClient:
    """Stands for a client until it is used: the first attribute read (``sign``,
    ``send_message_batch``, ``exceptions``…) makes the client with ``make`` (by default the
    process's client for the service, :func:`client`) and every read after goes to it."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if name in ("_make", "_client"):  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


def lazy(service: str) -> LazyClient:
    """The process's client for ``service``, made when it is first used (not now)."""
    return LazyClient(lambda: client(service))


MISSING_OBJECT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
BUSY_CODES = frozenset({  # an AWS service's errors that say "busy now, send it again"
    "TransactionConflictException", "ProvisionedThroughputExceededException",
    "ThrottlingException", "RequestLimitExceeded", "TransactionInProgressException"})


def aws_error_code(error: BaseException) -> str | None:
    """The error code of a botocore ``ClientError``, or None for any other exception."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code else None


def busy(error: BaseException) -> bool:
    """Whether ``error`` is an AWS service saying it is busy (a write conflicting with a
    transaction on the same item, throttling) after the client's own retries."""
    return aws_error_code(error) in BUSY_CODES


def missing_object(error: Exception) -> bool:
    """Whether an S3 call failed because the object is not there (GetObject answers
    ``NoSuchKey``, HeadObject a bare ``404``)."""
    return aws_error_code(error) in MISSING_OBJECT_CODES
