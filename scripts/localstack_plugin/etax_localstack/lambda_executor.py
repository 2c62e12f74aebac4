"""The ``local`` Lambda runtime executor: one worker process per execution environment.

LocalStack's only stock executor runs each execution environment in a Docker container whose init
binary reports "ready", receives invocations and posts back the response or error plus the logs.
This executor keeps that life cycle but replaces the container with a host process running the
Lambda-like interpreter named by ``ETAX_LAMBDA_PYTHON`` (Python 3.12 with only boto3), so a
dependency missing from the function's layers fails here as it would in the cloud.

* The worker is ``worker_bootstrap.py``, started with ``python -P`` (so this package's directory
  is not importable), cwd = ``LAMBDA_TASK_ROOT`` = the unzipped code, and ``PYTHONPATH`` = the
  code, then every layer's ``python/lib/python3.12/site-packages`` and then every layer's
  ``python/`` (later layers first), which is the search order of Lambda's merged ``/opt``.
* Its environment is exactly what LocalStack injects for the function plus ``PYTHONPATH``,
  ``LAMBDA_TASK_ROOT``, ``PATH``, ``HOME`` and ``TMPDIR``; never LocalStack's own variables.
* Requests and replies travel over two private pipes; the handler's stdout/stderr go to a log
  file that is cut per invocation and framed with START/END/REPORT lines, which LocalStack then
  writes to CloudWatch Logs.
* The function timeout is enforced here: at the deadline the worker's process group is killed,
  the invocation ends as ``Sandbox.Timedout`` and the next invocation starts a fresh worker.
  As on Lambda, the timeout counts from the end of the init (the imports at module level),
  which has its own budget: ``INIT_SECONDS`` (Lambda's ten seconds), or the function timeout
  when that is longer (Lambda runs a slow init again within the invocation's timeout). A cold
  start slowed down by a busy machine is therefore not a timeout of the handler.

Select it with ``LAMBDA_RUNTIME_EXECUTOR=local``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import math
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)

EXECUTOR_NAME = "local"
LAMBDA_PYTHON_ENV = "ETAX_LAMBDA_PYTHON"
BOOTSTRAP = Path(__file__).with_name("worker_bootstrap.py")
WORKER_PATH = "/usr/local/bin:/usr/bin:/bin"
STOP_GRACE_SECONDS = 0.5
LOG_TAIL_BYTES = 16_384


def lambda_python() -> Path:
    """The Lambda-like interpreter from ``ETAX_LAMBDA_PYTHON``; fail loudly if it is unusable."""
    value = os.environ.get(LAMBDA_PYTHON_ENV, "").strip()
    if not value:
        raise LambdaRuntimeException(
            f"{LAMBDA_PYTHON_ENV} is not set: point it at the Python 3.12 interpreter of the "
            "Lambda runtime venv (scripts/localstack_ctl.py setup creates .venv-lambda)"
        )
    path = Path(value)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise LambdaRuntimeException(f"{LAMBDA_PYTHON_ENV}={value} is not an executable file")
    return path


def gateway_host() -> str:
    """The address a worker on this host uses to reach LocalStack's gateway."""
    host = str(config.GATEWAY_LISTEN[0].host)
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        unspecified = not host
    return "127.0.0.1" if unspecified else host


def code_location(function_version: FunctionVersion) -> Path:
    """Where the function's unzipped code lives (LAMBDA_TASK_ROOT)."""
    code = function_version.config.code
    if code is None:
        raise LambdaRuntimeException("the local executor needs a Zip package with code")
    return Path(code.get_unzipped_code_location())


def layer_search_path(function_version: FunctionVersion) -> list[str]:
    """The layers' import directories in the order Lambda's merged ``/opt`` resolves them."""
    runtime = str(function_version.config.runtime or "python3.12")
    layer_roots = [
        Path(layer.code.get_unzipped_code_location())
        for layer in reversed(function_version.config.layers)
        if layer.code is not None
    ]
    site = [root / "python" / "lib" / runtime / "site-packages" for root in layer_roots]
    plain = [root / "python" for root in layer_roots]
    return [str(path) for path in site + plain]


# Without LocalStack installed (the project-wide mypy run) its base classes are ``Any``.
INIT_SECONDS = 10.0  # Lambda's budget for an on-demand init phase


def init_budget(timeout_s: float) -> float:
    """Seconds a worker's init may take before the invocation that started it times out."""
    return max(INIT_SECONDS, timeout_s)


class InitTimeout(LambdaRuntimeException):  # type: ignore[misc, unused-ignore]
    """The worker did not report the end of its init before the deadline."""


class InitExit(LambdaRuntimeException):  # type: ignore[misc, unused-ignore]
    """The worker exited before reporting the end of its init."""

    def __init__(self, message: str, exit_text: str) -> None:
        super().__init__(message)
        self.exit_text = exit_text


@dataclass
class InitOutcome:
    """What the worker reported after importing the handler."""

    error: dict[str, Any] | None
    duration_ms: float


class WorkerProcess:
    """One bootstrap process: its request pipe and the queue its replies arrive on."""

    def __init__(self, process: subprocess.Popen[bytes], requests: IO[str]) -> None:
        self.process = process
        self.requests = requests
        self.replies: queue.Queue[dict[str, Any] | None] = queue.Queue()

    @classmethod
    def spawn(cls, python: Path, env: dict[str, str], cwd: Path, log_path: Path) -> WorkerProcess:
        """Start the bootstrap in its own session so its whole process group can be killed."""
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            with log_path.open("ab") as log_file:
                process = subprocess.Popen(
                    [str(python), "-P", str(BOOTSTRAP), str(request_read), str(reply_write)],
                    env=env,
                    cwd=cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    pass_fds=(request_read, reply_write),
                    start_new_session=True,
                )
        except OSError:
            os.close(request_write)
            os.close(reply_read)
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        worker = cls(process, os.fdopen(request_write, "w", encoding="utf-8"))
        reader = threading.Thread(
            target=worker.read_replies,
            args=(os.fdopen(reply_read, "r", encoding="utf-8"),),
            name=f"etax-lambda-worker-{process.pid}",
            daemon=True,
        )
        reader.start()
        return worker

    def read_replies(self, stream: IO[str]) -> None:
        """Queue every reply line; ``None`` marks the end of the stream (the worker exited)."""
        try:
            with stream:
                for line in stream:
                    if line.strip():
                        self.replies.put(json.loads(line))
        except (OSError, ValueError) as error:
            LOG.warning("unreadable reply from worker %s: %s", self.process.pid, error)
        finally:
            self.replies.put(None)

    def send(self, message: dict[str, Any]) -> None:
        """Send one request line; a dead worker shows up as ``None`` on the reply queue."""
        try:
            self.requests.write(json.dumps(message) + "\n")
            self.requests.flush()
        except (BrokenPipeError, ValueError):
            LOG.debug("worker %s is gone; request not sent", self.process.pid)

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next reply, ``None`` if the worker exited; raise ``queue.Empty`` on timeout."""
        return self.replies.get(timeout=max(timeout, 0.0))

    def max_memory_mb(self) -> int:
        """Peak resident memory of the worker (``VmHWM``), for the REPORT line."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return math.ceil(int(line.split()[1]) / 1024)
        return 0

    def describe_exit(self) -> str:
        """Lambda's wording for how the runtime process ended."""
        try:
            code = self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        if code < 0:
            return f"signal: {signal.Signals(-code).name.removeprefix('SIG').lower()}"
        return f"exit status {code}"

    def kill(self) -> None:
        """Stop the worker and anything it started (its process group), then close the pipe."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(OSError):
            self.requests.close()


class LocalRuntimeExecutor(RuntimeExecutor):  # type: ignore[misc, unused-ignore]
    """Runs one execution environment of a Python function as a local worker process."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self._lock = threading.RLock()
        self._worker: WorkerProcess | None = None
        self._env: dict[str, str] = {}
        self._dir = Path(tempfile.gettempdir()) / "etax-lambda" / id
        self._log_path = self._dir / "worker.log"
        self._log_offset = 0
        self._init: InitOutcome | None = None
        self._init_logs = ""

    # -- life cycle -------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        """Start the worker and wait for its init; an init error is reported on first invoke."""
        self._env = self.worker_environment(env_vars)
        with self._lock:
            self._spawn(deadline=time.monotonic() + config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT)

    def stop(self) -> None:
        """Kill the worker (ending a running invocation) and remove the private directory.

        Deliberately lock-free: LocalStack stops environments while they may be invoking (delete,
        update, shutdown), and the invocation then ends as a runtime exit instead of blocking.
        """
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    def worker_environment(self, env_vars: dict[str, Any]) -> dict[str, str]:
        """LocalStack's variables for this function, plus what a Python process needs here."""
        code_dir = code_location(self.function_version)
        tmp_dir = self._dir / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        env = {key: str(value) for key, value in env_vars.items() if value is not None}
        env.update(
            {
                "LAMBDA_TASK_ROOT": str(code_dir),
                "PYTHONPATH": os.pathsep.join(
                    [str(code_dir), *layer_search_path(self.function_version)]
                ),
                "PATH": f"{lambda_python().parent}{os.pathsep}{WORKER_PATH}",
                "HOME": str(tmp_dir),
                "TMPDIR": str(tmp_dir),
            }
        )
        return env

    def _spawn(self, deadline: float) -> WorkerProcess:
        """Start a worker and wait (until ``deadline``) for the result of its init."""
        self._dir.mkdir(parents=True, exist_ok=True)
        worker = WorkerProcess.spawn(
            lambda_python(), self._env, Path(self._env["LAMBDA_TASK_ROOT"]), self._log_path
        )
        self._worker = worker
        try:
            ready = worker.receive(deadline - time.monotonic())
        except queue.Empty:
            self._discard(worker)
            raise InitTimeout(
                f"worker of {self.function_version.qualified_arn} did not finish init in time"
            ) from None
        if ready is None:
            exit_text = worker.describe_exit()
            self._discard(worker)
            raise InitExit(
                f"worker of {self.function_version.qualified_arn} exited during init "
                f"({exit_text}):\n{self._read_new_logs()}",
                exit_text,
            )
        self._init = InitOutcome(ready.get("error"), float(ready.get("init_ms", 0.0)))
        self._init_logs = self._read_new_logs()
        return worker

    def _discard(self, worker: WorkerProcess) -> None:
        """Kill ``worker``; the next invocation starts a fresh one."""
        worker.kill()
        if self._worker is worker:
            self._worker = None

    # -- invocation ---------------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        """Run one invocation within the function timeout and return result and logs."""
        with self._lock:
            request_id = payload["invoke-id"]
            timeout_s = float(self.function_version.config.timeout)
            started = time.monotonic()
            worker = self._worker
            if worker is None or worker.process.poll() is not None:
                if worker is not None:
                    self._discard(worker)
                try:
                    worker = self._spawn(started + init_budget(timeout_s))
                except InitTimeout:
                    return self._timed_out(request_id, started, timeout_s, memory_mb=0)
                except InitExit as exc:
                    return self._runtime_exit(request_id, started, exc.exit_text)
            deadline = time.monotonic() + timeout_s  # the handler's time, after any init
            init, self._init = self._init, None
            if init is not None and init.error is not None:
                self._discard(worker)
                logs = self._frame_logs(request_id, started, 0, None, status="error")
                return InvocationResult(request_id, json.dumps(init.error).encode(), True, logs)
            worker.send(
                {
                    "request_id": request_id,
                    "invoked_function_arn": payload["invoked-function-arn"],
                    "payload": payload["payload"],
                    "trace_id": payload.get("trace-id"),
                    "deadline_ms": int((time.time() + timeout_s) * 1000),
                }
            )
            try:
                reply = worker.receive(deadline - time.monotonic())
            except queue.Empty:
                memory = worker.max_memory_mb()
                self._discard(worker)
                return self._timed_out(request_id, started, timeout_s, memory)
            if reply is None:
                exit_text = worker.describe_exit()
                self._discard(worker)
                return self._runtime_exit(request_id, started, exit_text)
            init_duration = init.duration_ms if init is not None else None
            logs = self._frame_logs(request_id, started, worker.max_memory_mb(), init_duration)
            return InvocationResult(
                request_id=request_id,
                payload=str(reply["payload"]).encode(),
                is_error=bool(reply["error"]),
                logs=logs,
            )

    def _timed_out(
        self, request_id: str, started: float, timeout_s: float, memory_mb: int
    ) -> InvocationResult:
        """Answer as Lambda does when the deadline passed (the worker is already killed)."""
        message = f"Task timed out after {timeout_s:.2f} seconds"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        note = f"{stamp} {request_id} {message}\n"
        logs = self._frame_logs(request_id, started, memory_mb, None, "timeout", note)
        error = {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: {message}",
        }
        return InvocationResult(request_id, json.dumps(error).encode(), True, logs)

    def _runtime_exit(self, request_id: str, started: float, exit_text: str) -> InvocationResult:
        """The worker died (``sys.exit``, a crash, a stop): Lambda's ``Runtime.ExitError``."""
        message = f"RequestId: {request_id} Error: Runtime exited with error: {exit_text}"
        logs = self._frame_logs(request_id, started, 0, None, "error", message + "\n")
        error = {"errorType": "Runtime.ExitError", "errorMessage": message}
        return InvocationResult(request_id, json.dumps(error).encode(), True, logs)

    # -- logs ---------------------------------------------------------------------------------

    def _read_new_logs(self) -> str:
        """What the worker wrote since the last cut."""
        try:
            with self._log_path.open("rb") as log_file:
                log_file.seek(self._log_offset)
                data = log_file.read()
        except OSError:
            return ""
        self._log_offset += len(data)
        return data.decode("utf-8", errors="replace")

    def _frame_logs(
        self,
        request_id: str,
        started: float,
        memory_mb: int,
        init_duration: float | None,
        status: str | None = None,
        note: str = "",
    ) -> str:
        """The invocation's output between START and END, plus a REPORT line like Lambda's."""
        duration = (time.monotonic() - started) * 1000
        output = self._read_new_logs()
        if output and not output.endswith("\n"):
            output += "\n"
        init_logs, self._init_logs = self._init_logs, ""
        config_ = self.function_version.config
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {math.ceil(duration)} ms\tMemory Size: {config_.memory_size} MB\t"
            f"Max Memory Used: {memory_mb} MB\t"
        )
        if init_duration is not None:
            report += f"Init Duration: {init_duration:.2f} ms\t"
        if status is not None:
            report += f"Status: {status}"
        version = self.function_version.id.qualifier
        return (
            f"{init_logs}START RequestId: {request_id} Version: {version}\n"
            f"{output}{note}END RequestId: {request_id}\n{report}\n"
        )

    def get_logs(self) -> str:
        """The tail of everything this environment's workers wrote (for LocalStack's debug logs)."""
        try:
            with self._log_path.open("rb") as log_file:
                log_file.seek(max(self._log_path.stat().st_size - LOG_TAIL_BYTES, 0))
                return log_file.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    # -- addresses ----------------------------------------------------------------------------

    def get_address(self) -> str:
        """Workers run on this host."""
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        """Workers reach LocalStack on the loopback gateway address."""
        return gateway_host()

    def get_runtime_endpoint(self) -> str:
        """The callback prefix LocalStack advertises (our workers reply over pipes instead)."""
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{gateway_host()}:{port}/_localstack_lambda/{self.id}"

    # -- versions -------------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """Unzip code and layers once per version; reject what a Python worker cannot run."""
        runtime = str(function_version.config.runtime or "")
        if function_version.config.package_type != PackageType.Zip:
            raise LambdaRuntimeException("the local executor runs only Zip packages")
        if not runtime.startswith("python3"):
            raise LambdaRuntimeException(
                f"the local executor runs only Python functions, not '{runtime or 'image'}'"
            )
        lambda_python()
        code = function_version.config.code
        if code is None:
            raise LambdaRuntimeException("the local executor needs a Zip package with code")
        code.prepare_for_execution()
        for layer in function_version.config.layers:
            if layer.code is not None:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to undo: LocalStack owns the unzipped code of a version."""

    @classmethod
    def validate_environment(cls) -> bool:
        """Warn at startup when the Lambda interpreter is missing."""
        try:
            lambda_python()
        except LambdaRuntimeException as exc:
            LOG.warning("local Lambda executor: %s", exc)
            return False
        return True


class LocalRuntimeExecutorPlugin(RuntimeExecutorPlugin):  # type: ignore[misc, unused-ignore]
    """Registers the executor under ``LAMBDA_RUNTIME_EXECUTOR=local``."""

    name = EXECUTOR_NAME

    def load(self, *args: Any, **kwargs: Any) -> type[RuntimeExecutor]:
        return LocalRuntimeExecutor
