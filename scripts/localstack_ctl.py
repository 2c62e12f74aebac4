#!/usr/bin/env python3
"""Set up, start and stop LocalStack on the host (no Docker) for the e-tax platform.

LocalStack runs as ``python -m localstack.runtime.main`` from its own Python 3.13 virtual
environment (``.venv-localstack``; localstack-core 2026.3 imports ``warnings.deprecated``, new
in 3.13, although its metadata says >=3.10) with the project's plugin package
(``scripts/localstack_plugin``): DynamoDB on LocalStack's bundled moto, a ``local`` Lambda
executor whose workers run the Lambda-like interpreter of ``.venv-lambda`` (Python 3.12 + boto3
only), the ``AWS::ApiGateway::Authorizer`` CloudFormation type and Lambda authorizers on
execute-api calls. Everything LocalStack writes stays in the state directory.

Usage::

    python scripts/localstack_ctl.py setup
    python scripts/localstack_ctl.py start --port 4566 --state-dir .build/localstack [--foreground]
    python scripts/localstack_ctl.py stop --state-dir .build/localstack

Python API (used by ``tests/e2e/conftest.py``)::

    handle = start(free_port(), Path(".build/e2e"))
    handle.endpoint  # "http://127.0.0.1:<port>"
    handle.stop()

Only the standard library is used, so any Python >= 3.9 can run this file (the setup installs
with the uv of the project's environment, ``.venv``); paths are relative to the
repository root (this file's parent's parent), so it works from any directory and in a fresh clone.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCALSTACK_VENV = REPO_ROOT / ".venv-localstack"
LAMBDA_VENV = REPO_ROOT / ".venv-lambda"
LOCALSTACK_REQUIREMENTS = REPO_ROOT / "requirements" / "localstack.txt"
LAMBDA_REQUIREMENTS = REPO_ROOT / "requirements" / "lambda-runtime.txt"
PLUGIN_DIR = REPO_ROOT / "scripts" / "localstack_plugin"
BUILD_DIR = REPO_ROOT / ".build"
DEFAULT_STATE_DIR = BUILD_DIR / "localstack"
DEFAULT_PORT = 4566
STAMP_FILE = ".etax-setup.json"
LOCALSTACK_PYTHON = "3.13"  # what LocalStack's runtime needs
LAMBDA_PYTHON = "3.12"  # the functions' runtime (python3.12)
EMPTY_POLL_BACKOFF_SECONDS = 1  # the longest wait of an event-source poller on an empty source

READY_TIMEOUT_SECONDS = 60.0
# LocalStack's shutdown can hang on its Lambda log thread retrying against the stopping gateway;
# nothing is persisted (PERSISTENCE=0), so SIGKILL after a short grace loses nothing.
STOP_TIMEOUT_SECONDS = 5.0
POLL_SECONDS = 0.2
LOG_TAIL_LINES = 60

PROVIDER_NAME = "etax"
EXECUTOR_NAME = "local"
LAUNCH_MODULE = "localstack.runtime.main"
# Variables of the caller that would leak another environment into LocalStack's interpreter.
DROPPED_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "AWS_ENDPOINT_URL")


class LocalStackError(RuntimeError):
    """Setup, start or stop failed; the message says what to do."""


# -- setup ------------------------------------------------------------------------------------


def python_version_of(python: Path) -> str | None:
    """``"3.12"`` for a working interpreter, ``None`` when it cannot be run."""
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def pyenv_pythons(version: str) -> list[Path]:
    """Interpreters of every pyenv ``<version>.x``, newest first (none when pyenv is absent)."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return []
    listing = subprocess.run(
        [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False
    )
    pattern = re.compile(rf"^{re.escape(version)}\.(\d+)$")
    versions = sorted(
        (line.strip() for line in listing.stdout.splitlines() if pattern.match(line.strip())),
        key=lambda v: int(v.rsplit(".", 1)[1]),
        reverse=True,
    )
    found = []
    for full_version in versions:
        prefix = subprocess.run(
            [pyenv, "prefix", full_version], capture_output=True, text=True, check=False
        )
        if prefix.returncode == 0 and prefix.stdout.strip():
            found.append(Path(prefix.stdout.strip()) / "bin" / f"python{version}")
    return found


def find_python(version: str) -> Path:
    """``$PYTHON3xx`` (e.g. ``PYTHON312``), else pyenv's newest ``<version>.x``, else PATH."""
    variable = "PYTHON" + version.replace(".", "")
    explicit = os.environ.get(variable)
    if explicit:
        if python_version_of(Path(explicit)) != version:
            raise LocalStackError(f"{variable}={explicit} is not a working Python {version}")
        return Path(explicit)
    on_path = shutil.which(f"python{version}")
    candidates = [*pyenv_pythons(version), *([Path(on_path)] if on_path else [])]
    for candidate in candidates:
        if python_version_of(candidate) == version:
            return candidate
    raise LocalStackError(
        f"no Python {version} found: set {variable}=/path/to/python{version}, or install it "
        f"(e.g. `pyenv install {version}`, or Debian's python{version} package) so that pyenv "
        "or PATH can find it"
    )


def venv_python(venv: Path) -> Path:
    """The interpreter inside a virtual environment."""
    return venv / "bin" / "python"


def plugin_sources() -> list[Path]:
    """The files that make up the plugin package (what a change of must trigger a reinstall)."""
    package = PLUGIN_DIR / "etax_localstack"
    return [PLUGIN_DIR / "pyproject.toml", *sorted(package.glob("*.py"))]


def digest(paths: Iterable[Path]) -> str:
    """A content hash of files, names included."""
    hasher = hashlib.sha256()
    for path in paths:
        hasher.update(str(path.relative_to(REPO_ROOT)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def read_stamp(venv: Path) -> dict[str, str]:
    """What the last successful setup installed into ``venv``."""
    try:
        data = json.loads((venv / STAMP_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_stamp(venv: Path, stamp: dict[str, str]) -> None:
    (venv / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n")


def setup_environment() -> dict[str, str]:
    """The caller's environment for setup steps, without another environment's settings."""
    return {key: value for key, value in os.environ.items() if key not in DROPPED_VARIABLES}


def run(command: list[str], what: str) -> None:
    """Run a setup step, failing with its output."""
    print(f"[localstack-ctl] {what}", file=sys.stderr, flush=True)
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=setup_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LocalStackError(
            f"{what} failed ({result.returncode}):\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
        )


def install(venv: Path, *args: str) -> list[str]:
    """An install into ``venv`` by uv, which the project's environment holds (pinned in
    requirements/dev.txt; this script runs in that environment): seconds where pip took a
    minute for LocalStack's environment."""
    found = [Path(sys.executable).parent / "uv", REPO_ROOT / ".venv" / "bin" / "uv"]
    uv = next((path for path in found if path.exists()), None)
    if uv is None:
        raise LocalStackError("uv not found in the project's environment: run `make setup`")
    return [str(uv), "pip", "install", "--quiet", "--python", str(venv_python(venv)), *args]


def create_venv(venv: Path, version: str) -> None:
    """Create ``venv`` on Python ``version`` unless it exists with that working interpreter
    (without pip: uv installs into it)."""
    if python_version_of(venv_python(venv)) == version:
        return
    python = find_python(version)
    run([str(python), "-m", "venv", "--clear", "--without-pip", str(venv)],
        f"creating {venv.relative_to(REPO_ROOT)} with {python}")


def install_plugin() -> None:
    """Install the plugin from a copy under .build, so no build artifacts land in the sources."""
    source = BUILD_DIR / "localstack-plugin-src"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(
        PLUGIN_DIR,
        source,
        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "*.pyc"),
    )
    run(
        install(LOCALSTACK_VENV, "--no-deps", "--no-build-isolation", "--reinstall", str(source)),
        "installing the etax-localstack plugin",
    )


def setup_localstack_venv() -> None:
    """``.venv-localstack`` (Python 3.13): LocalStack's pinned environment plus the plugin."""
    create_venv(LOCALSTACK_VENV, LOCALSTACK_PYTHON)
    stamp = read_stamp(LOCALSTACK_VENV)
    wanted = {
        "requirements": digest([LOCALSTACK_REQUIREMENTS]),
        "plugin": digest(plugin_sources()),
    }
    if stamp.get("requirements") != wanted["requirements"]:
        run(install(LOCALSTACK_VENV, "-r", str(LOCALSTACK_REQUIREMENTS)), "installing LocalStack")
        stamp.pop("plugin", None)
    if stamp.get("plugin") != wanted["plugin"]:
        install_plugin()
    write_stamp(LOCALSTACK_VENV, wanted)


def setup_lambda_venv() -> None:
    """``.venv-lambda``: Python 3.12 with the runtime's boto3 and nothing else (no pip)."""
    create_venv(LAMBDA_VENV, LAMBDA_PYTHON)
    wanted = {"requirements": digest([LAMBDA_REQUIREMENTS])}
    if read_stamp(LAMBDA_VENV) != wanted:
        run(
            install(LAMBDA_VENV, "-r", str(LAMBDA_REQUIREMENTS)),  # no bytecode, as before
            "installing the Lambda runtime SDK into .venv-lambda",
        )
        write_stamp(LAMBDA_VENV, wanted)


@contextlib.contextmanager
def setup_lock() -> Iterator[None]:
    """Serialize setups (parallel test workers each call ``setup()``)."""
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with (BUILD_DIR / "localstack-setup.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def setup() -> None:
    """Create or update both environments; a no-op (well under a second) when up to date."""
    with setup_lock():
        setup_localstack_venv()
        setup_lambda_venv()


# -- processes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessId:
    """A pid plus its start time, so a recycled pid is never mistaken for ours."""

    pid: int
    started: str


def process_stat(pid: int) -> tuple[int, str, str] | None:
    """``(ppid, state, start time)`` from ``/proc/<pid>/stat``; ``None`` if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0], fields[19]


def is_alive(process: ProcessId) -> bool:
    """Running (not a zombie) and still the same process."""
    stat = process_stat(process.pid)
    return stat is not None and stat[1] != "Z" and stat[2] == process.started


def descendants(root: int) -> list[ProcessId]:
    """Every process below ``root`` (LocalStack's Lambda workers sit in their own sessions)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := process_stat(int(entry.name))) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
    found: list[ProcessId] = []
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        stat = process_stat(pid)
        if stat is not None:
            found.append(ProcessId(pid, stat[2]))
            pending.extend(children.get(pid, []))
    return found


def signal_group(process: ProcessId, sig: signal.Signals) -> None:
    """Signal the process group led by ``process`` (or just the process), if it is still ours."""
    if not is_alive(process):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, sig)
        else:
            os.kill(process.pid, sig)


def wait_gone(process: ProcessId, timeout: float, child: subprocess.Popen[bytes] | None) -> bool:
    """Wait until ``process`` exited (reaping it when it is our child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            return True
        if child is None and not is_alive(process):
            return True
        time.sleep(POLL_SECONDS)
    return False


def terminate(process: ProcessId, child: subprocess.Popen[bytes] | None = None) -> None:
    """SIGTERM LocalStack (it stops its workers), then SIGKILL whatever is left of the tree."""
    workers = descendants(process.pid)
    signal_group(process, signal.SIGTERM)
    if not wait_gone(process, STOP_TIMEOUT_SECONDS, child):
        signal_group(process, signal.SIGKILL)
        wait_gone(process, STOP_TIMEOUT_SECONDS, child)
    for worker in workers:
        signal_group(worker, signal.SIGKILL)


# -- start / stop -----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class StatePaths:
    """Where one LocalStack instance keeps everything it writes."""

    root: Path

    @property
    def pid_file(self) -> Path:
        return self.root / "localstack.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "localstack.log"

    def sub(self, name: str) -> Path:
        return self.root / name


def localstack_environment(port: int, state: StatePaths) -> dict[str, str]:
    """The caller's environment minus foreign Python settings, plus the host-mode settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED_VARIABLES and not key.startswith("AWS_ENDPOINT_URL_")
    }
    env.update(
        {
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            "DISABLE_EVENTS": "1",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DNS_ADDRESS": "0",
            "PROVIDER_OVERRIDE_DYNAMODB": PROVIDER_NAME,
            "PROVIDER_OVERRIDE_DYNAMODBSTREAMS": PROVIDER_NAME,
            "PROVIDER_OVERRIDE_S3": PROVIDER_NAME,
            "LAMBDA_RUNTIME_EXECUTOR": EXECUTOR_NAME,
            "ETAX_LAMBDA_PYTHON": str(venv_python(LAMBDA_VENV)),
            "S3_SKIP_SIGNATURE_VALIDATION": "0",
            "TMPDIR": str(state.sub("tmp")),
            "LOCALSTACK_VOLUME_DIR": str(state.sub("volume")),
            "XDG_CACHE_HOME": str(state.sub("cache")),
            "FILESYSTEM_ROOT": str(state.sub("filesystem")),
            "CONFIG_DIR": str(state.sub("config")),
            "HOME": str(state.sub("home")),
        }
    )
    # LocalStack's event-source pollers short-poll an SQS queue or a stream and, while it is
    # empty, wait 1, 2, 4, 8 then 10 s between polls: the first message after a quiet spell
    # waited up to 10 s at each hop of a pipeline. Polled each second at most, a refund's four
    # queues take seconds, not half a minute (docs/benchmarks.md, "The test suites"). The CPU
    # the extra polls take is why the functions serving routes get API Gateway's 29 s on the
    # local stage (infra/platform/api.py). A caller's own value is kept.
    env.setdefault("LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC",
                   str(EMPTY_POLL_BACKOFF_SECONDS))
    return env


def prepare_state(state: StatePaths) -> None:
    """Create the state layout; drop what must not survive a restart (temp files, plugin cache)."""
    shutil.rmtree(state.sub("tmp"), ignore_errors=True)
    shutil.rmtree(state.sub("cache") / "plux", ignore_errors=True)
    for name in ("tmp", "volume", "cache", "filesystem", "config", "home"):
        state.sub(name).mkdir(parents=True, exist_ok=True)


def read_pid(state: StatePaths) -> ProcessId | None:
    """The LocalStack recorded in the state dir, if that process still runs."""
    try:
        pid_text, started = state.pid_file.read_text().split()
    except (OSError, ValueError):
        return None
    process = ProcessId(int(pid_text), started)
    return process if is_alive(process) else None


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The end of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def get_json(url: str) -> dict[str, object] | None:
    """GET a JSON document from LocalStack; ``None`` while it is not answering."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class LocalStackHandle:
    """A running LocalStack: its endpoint, state dir and process."""

    port: int
    state_dir: Path
    process: ProcessId
    child: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return StatePaths(self.state_dir).log_file

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_file, lines)

    def is_ready(self) -> bool:
        """Health answers and LocalStack's READY stage (all on_infra_ready hooks) is done."""
        health = get_json(f"{self.endpoint}/_localstack/health")
        ready = get_json(f"{self.endpoint}/_localstack/init/ready")
        return bool(health and health.get("services") and ready and ready.get("completed"))

    def wait_ready(self, timeout: float) -> None:
        """Block until ready; fail early if the process dies, with the log tail either way."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not is_alive(self.process) or (self.child and self.child.poll() is not None):
                raise LocalStackError(f"LocalStack exited during startup:\n{self.log_tail()}")
            if self.is_ready():
                return
            time.sleep(POLL_SECONDS)
        raise LocalStackError(f"LocalStack not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop LocalStack and its Lambda workers; forget the pid file."""
        terminate(self.process, self.child)
        with contextlib.suppress(OSError):
            StatePaths(self.state_dir).pid_file.unlink()


def start(
    port: int, state_dir: Path, *, ready_timeout: float = READY_TIMEOUT_SECONDS
) -> LocalStackHandle:
    """Set up if needed, start LocalStack on ``127.0.0.1:port`` and wait until it is ready."""
    setup()
    state = StatePaths(state_dir.resolve())
    state.root.mkdir(parents=True, exist_ok=True)
    running = read_pid(state)
    if running is not None:
        raise LocalStackError(f"LocalStack already runs from {state.root} (pid {running.pid})")
    if port_in_use(port):
        raise LocalStackError(f"port {port} on 127.0.0.1 is already in use")
    prepare_state(state)
    with state.log_file.open("wb") as log:
        child = subprocess.Popen(
            [str(venv_python(LOCALSTACK_VENV)), "-m", LAUNCH_MODULE],
            cwd=state.root,
            env=localstack_environment(port, state),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stat = process_stat(child.pid)
    process = ProcessId(child.pid, stat[2] if stat else "0")
    state.pid_file.write_text(f"{process.pid} {process.started}\n")
    handle = LocalStackHandle(port, state.root, process, child)
    try:
        handle.wait_ready(ready_timeout)
    except LocalStackError:
        handle.stop()
        raise
    return handle


def stop(state_dir: Path) -> bool:
    """Stop the LocalStack recorded in ``state_dir``; ``False`` if none was running."""
    state = StatePaths(state_dir.resolve())
    process = read_pid(state)
    if process is None:
        with contextlib.suppress(OSError):
            state.pid_file.unlink()
        return False
    terminate(process)
    with contextlib.suppress(OSError):
        state.pid_file.unlink()
    return True


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """Make Ctrl-C and ``kill <pid>`` of a foreground run stop LocalStack cleanly.

    SIGINT is installed explicitly too: a shell starting us in the background leaves it ignored.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_foreground(handle: LocalStackHandle) -> int:
    """Stay attached until Ctrl-C/SIGTERM (then stop cleanly) or until LocalStack exits."""
    assert handle.child is not None
    with stop_signals_interrupt():
        try:
            code = handle.child.wait()
        except KeyboardInterrupt:
            print("[localstack-ctl] stopping LocalStack", file=sys.stderr, flush=True)
            handle.stop()
            return 0
    print(f"LocalStack exited ({code}):\n{handle.log_tail()}", file=sys.stderr)
    handle.stop()
    return code or 1


# -- command line -----------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="create/update .venv-localstack and .venv-lambda")
    start_cmd = commands.add_parser("start", help="start LocalStack and wait until it is ready")
    start_cmd.add_argument("--port", type=int, default=DEFAULT_PORT)
    start_cmd.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    start_cmd.add_argument("--foreground", action="store_true", help="stay attached until Ctrl-C")
    start_cmd.add_argument("--timeout", type=float, default=READY_TIMEOUT_SECONDS)
    stop_cmd = commands.add_parser("stop", help="stop LocalStack and its Lambda workers")
    stop_cmd.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "setup":
            setup()
            return 0
        if args.command == "stop":
            stopped = stop(args.state_dir)
            print("stopped" if stopped else "not running")
            return 0
        handle = start(args.port, args.state_dir, ready_timeout=args.timeout)
        pid, log = handle.process.pid, handle.log_file
        print(f"LocalStack ready at {handle.endpoint} (pid {pid}, log {log})", flush=True)
        return run_foreground(handle) if args.foreground else 0
    except LocalStackError as error:
        print(f"[localstack-ctl] {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
