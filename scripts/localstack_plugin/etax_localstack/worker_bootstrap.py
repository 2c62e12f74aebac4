"""Standalone bootstrap of one local Lambda execution environment (a worker process).

The ``local`` runtime executor starts this file with the Lambda-like interpreter
(``ETAX_LAMBDA_PYTHON``: Python 3.12 with only boto3), so it may use nothing but the standard
library. It plays the part of the Lambda runtime inside the sandbox:

* init: import the module named by ``_HANDLER`` once (``LAMBDA_TASK_ROOT`` and the layers are on
  ``PYTHONPATH``) and report either "ready" or the init error in Lambda's form;
* invoke: call the handler with the decoded event and a context object, serialize the result the
  way the Python runtime does (``Decimal`` becomes a number), or report an unhandled exception as
  ``errorMessage``/``errorType``/``requestId``/``stackTrace``;
* keep the module warm between invocations.

The control channel is two pipes whose file descriptors come as ``argv[1]`` (requests) and
``argv[2]`` (replies), one JSON document per line, so the handler's own stdout and stderr stay
free: the executor points them at a log file and cuts it per invocation. The executor enforces
the function timeout by killing this process; this file only stops itself when its parent dies.
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

Handler = Callable[[Any, "LambdaContext"], Any]

PARENT_POLL_SECONDS = 0.5
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class LambdaContext:
    """The context object handed to handlers, with the attributes the Python runtime provides.

    Powertools and most handlers read ``function_name``, ``memory_limit_in_mb``,
    ``invoked_function_arn``, ``aws_request_id`` and ``get_remaining_time_in_millis()``.
    """

    def __init__(
        self,
        request_id: str,
        invoked_function_arn: str,
        deadline_ms: int,
        client_context: Any = None,
        identity: Any = None,
    ) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.client_context = client_context
        self.identity = identity
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the executor kills this invocation."""
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message: str) -> None:
        """Write to the function's log like ``context.log`` in the Python runtime."""
        sys.stdout.write(message)
        sys.stdout.flush()


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every record, as the runtime's log handler does."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


class SingleEventFormatter(logging.Formatter):
    """Keeps a multi-line record (a traceback) in one CloudWatch event, as Lambda does."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\r")


def install_root_log_handler() -> RequestIdFilter:
    """Route the root logger to stdout in the Lambda text format; return its request-id filter."""
    request_filter = RequestIdFilter()
    handler = logging.StreamHandler(sys.stdout)
    formatter = SingleEventFormatter(LOG_FORMAT, LOG_DATE_FORMAT)
    formatter.converter = time.gmtime  # Lambda logs UTC timestamps ("...Z")
    handler.setFormatter(formatter)
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())
    return request_filter


def user_stack(exc: BaseException) -> list[str]:
    """Format the traceback frames that belong to user code (this file's frames are dropped)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    return traceback.format_list(frames)


def error_document(
    error_type: str, message: str, request_id: str, stack: list[str]
) -> dict[str, Any]:
    """An error in the shape Lambda returns to the invoker (and SQS/API Gateway read)."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }


def log_error(document: dict[str, Any]) -> None:
    """Log an error the way the runtime does: one event with the type, message and traceback."""
    text = f"[ERROR] {document['errorType']}: {document['errorMessage']}"
    if document["stackTrace"]:
        text += "\nTraceback (most recent call last):\n" + "".join(document["stackTrace"])
    sys.stdout.write(text.rstrip("\n").replace("\n", "\r") + "\n")


def load_handler(spec: str) -> Handler:
    """Import ``module.function`` from ``_HANDLER``; raise ``InitError`` in Lambda's terms."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}") from exc
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InitError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from exc
    except SyntaxError as exc:
        raise InitError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}"
        ) from exc
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )
    return handler  # type: ignore[no-any-return]


class InitError(Exception):
    """A failure of the init phase, carrying Lambda's error type."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def decimal_default(value: object) -> float:
    """JSON fallback of the Python runtime: a ``Decimal`` (e.g. from DynamoDB) is a number."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class Worker:
    """The init/invoke loop of one execution environment."""

    def __init__(self, requests: IO[str], replies: IO[str]) -> None:
        self.requests = requests
        self.replies = replies
        self.handler: Handler | None = None
        self.request_filter = install_root_log_handler()

    def reply(self, message: dict[str, Any]) -> None:
        """Flush the handler's output first so the executor's log cut is complete."""
        sys.stdout.flush()
        sys.stderr.flush()
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()

    def init(self) -> None:
        """Import the handler once and tell the executor whether that worked."""
        started = time.perf_counter()
        error: dict[str, Any] | None = None
        try:
            self.handler = load_handler(os.environ.get("_HANDLER", ""))
        except InitError as exc:
            error = error_document(exc.error_type, str(exc), "", [])
        except Exception as exc:  # any import-time failure is the function's init error
            error = error_document(type(exc).__name__, str(exc), "", user_stack(exc))
        if error is not None:
            log_error(error)
        init_ms = (time.perf_counter() - started) * 1000
        self.reply({"event": "ready", "error": error, "init_ms": init_ms})

    def invoke(self, request: dict[str, Any]) -> None:
        """Run one invocation and reply with its result or its error document."""
        request_id = str(request["request_id"])
        self.request_filter.request_id = request_id
        if request.get("trace_id"):
            os.environ["_X_AMZN_TRACE_ID"] = str(request["trace_id"])
        context = LambdaContext(
            request_id,
            str(request["invoked_function_arn"]),
            int(request["deadline_ms"]),
            request.get("client_context"),
            request.get("cognito_identity"),
        )
        is_error, payload = self.call_handler(request.get("payload") or "{}", context)
        self.reply(
            {"event": "result", "request_id": request_id, "error": is_error, "payload": payload}
        )

    def call_handler(self, raw_event: str, context: LambdaContext) -> tuple[bool, str]:
        """Return ``(is_error, json_payload)`` for one call of the handler."""
        request_id = context.aws_request_id
        try:
            event = json.loads(raw_event)
        except ValueError as exc:
            document = error_document("Runtime.UnmarshalError", str(exc), request_id, [])
            log_error(document)
            return True, json.dumps(document)
        try:
            assert self.handler is not None
            result = self.handler(event, context)
        except Exception as exc:  # an unhandled handler error is a function error, not ours
            document = error_document(type(exc).__name__, str(exc), request_id, user_stack(exc))
            log_error(document)
            return True, json.dumps(document)
        try:
            return False, json.dumps(result, default=decimal_default)
        except (TypeError, ValueError) as exc:
            message = f"Unable to marshal response: {exc}"
            document = error_document("Runtime.MarshalError", message, request_id, [])
            log_error(document)
            return True, json.dumps(document)

    def serve(self) -> None:
        """Init, then answer invocations until the executor closes the request pipe."""
        self.init()
        for line in self.requests:
            if line.strip():
                self.invoke(json.loads(line))


def exit_when_orphaned(parent_pid: int) -> None:
    """Stop this worker if LocalStack died without stopping it (e.g. it was SIGKILLed)."""
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


def main(argv: list[str]) -> None:
    """Entry point: ``bootstrap.py <request-fd> <reply-fd>``."""
    if len(argv) != 3:
        raise SystemExit("usage: worker_bootstrap.py <request-fd> <reply-fd>")
    requests = os.fdopen(int(argv[1]), "r", encoding="utf-8")
    replies = os.fdopen(int(argv[2]), "w", encoding="utf-8")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    watchdog = threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), daemon=True)
    watchdog.start()
    Worker(requests, replies).serve()


if __name__ == "__main__":
    main(sys.argv)
