"""The session's LocalStack, started on the host with the project's plugin.

``localstack`` sets up the environments if needed (a no-op when up to date), starts LocalStack on
a free port with its state under ``.build/`` and stops it (with its Lambda workers) at the end.
Nothing is skipped: if LocalStack cannot start, every test using it fails with the log tail.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CTL_PATH = REPO_ROOT / "scripts" / "localstack_ctl.py"


def load_localstack_ctl() -> ModuleType:
    """Import ``scripts/localstack_ctl.py`` by path (``scripts`` is not a package)."""
    name = "localstack_ctl"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CTL_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def state_dir(ctl: ModuleType) -> Path:
    """One state dir per test session (and xdist worker): sessions never share a LocalStack."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return Path(ctl.BUILD_DIR) / f"e2e-localstack-{worker}-{os.getpid()}"


@pytest.fixture(scope="session")
def localstack(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A running LocalStack; ``.endpoint`` is its URL (``http://127.0.0.1:<port>``). When a
    test of the session failed, its log is kept as ``.build/e2e-logs/localstack-<worker>.log``
    (the state dir goes), so a failure on a busy machine can be read afterwards."""
    ctl = load_localstack_ctl()
    directory = state_dir(ctl)
    try:
        ctl.setup()
        handle = ctl.start(ctl.free_port(), directory)
    except ctl.LocalStackError as error:
        pytest.fail(f"LocalStack could not be started: {error}", pytrace=False)
    yield handle
    handle.stop()
    if request.session.testsfailed:
        kept = Path(ctl.BUILD_DIR) / "e2e-logs" / f"localstack-{directory.name}.log"
        kept.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copyfile(handle.log_file, kept)
    shutil.rmtree(directory, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each fuzzed operation its own node id (``test_operation[GET /v1/health]``).

    schemathesis names its items by operation but gives them all the function's node id;
    pytest-xdist schedules by node id, so under two workers the operations of one function
    would collapse into one test. The id is made from the item's own name, the same in every
    worker's collection."""
    for item in items:
        if "[" in item.name and "[" not in item.nodeid and item.parent is not None:
            # pytest names a Function by its original name and call parameters; these items
            # carry their operation in the name alone
            setattr(item, "_id", item.parent.id.child(item.name))  # noqa: B010
