"""``Idempotency-Key`` for every POST that creates a thing or moves money.

Backed by Powertools idempotency on the platform's idempotency table
(DynamoDB, TTL on ``expiration``). The key of a record is the route, the
caller and the client's ``Idempotency-Key``; the request body is kept as a
validation hash, so:

- the same key with the same body returns the first answer again, without
  running the operation twice;
- the same key with another body is refused (422 naming ``Idempotency-Key``);
- the same key while the first request is still running is refused (409);
- a missing or unusable key is refused (400 naming ``Idempotency-Key``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from etax.platform.errors import BadRequest, Conflict, Unprocessable
from etax.platform.results import to_json

HEADER = "Idempotency-Key"
ANSWER = "answer_json"  # the stored record's result: the answer's JSON text
MAX_KEY_LENGTH = 255
DEFAULT_EXPIRY_SECONDS = 24 * 3600


def check_key(value: str | None) -> str:
    """The client's key, or a 400 naming the header."""
    if value is None or not value.strip():
        raise BadRequest(f"the {HEADER} header is required on this request", field=HEADER)
    key = value.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(
            f"the {HEADER} header must be 1-{MAX_KEY_LENGTH} printable characters", field=HEADER
        )
    return key


class Idempotency:
    """Runs operations at most once per (scope, caller, key)."""

    def __init__(self, table_name: str, expires_after_seconds: int = DEFAULT_EXPIRY_SECONDS,
                 persistence: DynamoDBPersistenceLayer | None = None) -> None:
        self.persistence = persistence or DynamoDBPersistenceLayer(table_name=table_name)
        self.config = IdempotencyConfig(
            event_key_jmespath="[scope, principal, key]",
            payload_validation_jmespath="payload",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=expires_after_seconds,
        )
        self._run = idempotent_function(
            data_keyword_argument="request",
            persistence_store=self.persistence,
            config=self.config,
        )(self._call)

    @staticmethod
    def _call(request: dict[str, Any], operation: Callable[[], Any]) -> dict[str, str]:
        # Powertools keeps a result with its keys sorted: the answer is kept as its JSON text,
        # so a replay gives back the first answer byte for byte, its keys in their order.
        return {ANSWER: to_json(operation())}

    def run(
        self,
        *,
        key: str | None,
        scope: str,
        principal: str,
        payload: Any,
        operation: Callable[[], Any],
        lambda_context: Any = None,
    ) -> dict[str, Any]:
        """Run ``operation`` once for this key; return its (stored) JSON-able result.

        With the Lambda context, a request cut short by the function's timeout
        can be retried as soon as that time is up, not only after expiry.
        """
        if lambda_context is not None:
            self.config.register_lambda_context(lambda_context)
        request = {"scope": scope, "principal": principal, "key": check_key(key),
                   "payload": payload}
        try:
            stored: dict[str, Any] = self._run(request=request, operation=operation)
        except IdempotencyValidationError:
            raise Unprocessable(
                f"this {HEADER} was already used with a different request", field=HEADER
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                f"a request with this {HEADER} is still being processed; retry shortly",
                field=HEADER,
            ) from None
        if ANSWER not in stored:  # a record kept before answers were kept as text
            return stored
        result: dict[str, Any] = json.loads(stored[ANSWER])
        return result

    @staticmethod
    def key_pattern(function_name: str) -> str:
        """The ``StringLike`` pattern of every record key the store of the Lambda function
        ``function_name`` writes: Powertools keys a record
        ``<AWS_LAMBDA_FUNCTION_NAME>.<module>.<qualified name of the idempotent function>#<hash>``,
        so the infrastructure can hold each function to its own records on the shared table
        (``dynamodb:LeadingKeys``)."""
        function = Idempotency._call
        return f"{function_name}.{function.__module__}.{function.__qualname__}#*"

    def run_request(
        self,
        app: Any,
        *,
        scope: str,
        principal: str,
        payload: Any,
        operation: Callable[[], Any],
    ) -> dict[str, Any]:
        """:meth:`run` for the request a Powertools resolver is handling: the key from its
        ``Idempotency-Key`` header (headers are case-insensitive), its Lambda context."""
        return self.run(key=app.current_event.headers.get(HEADER), scope=scope,
                        principal=principal, payload=payload, operation=operation,
                        lambda_context=app.lambda_context)
