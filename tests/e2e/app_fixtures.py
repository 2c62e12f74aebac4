"""Fixtures for tests of the deployed app: the CDK app deployed once per session to the
session's LocalStack (``localstack`` fixture), the demo data seeded, and clients for it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

import local  # noqa: E402  (scripts/local.py: the same deploy and seed `make up` runs)


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Outputs of the deployed, seeded app (as in local-outputs.json): a LocalStack of the
    session's own, deployed and seeded; or, with ``ETAX_E2E_OUTPUTS=local-outputs.json``, the
    stack ``make up`` is running (quicker while working on a test; the suites assume a fresh
    stack, so a full run uses its own)."""
    running = os.environ.get("ETAX_E2E_OUTPUTS")
    if running:
        outputs: dict[str, Any] = json.loads(Path(running).read_text())
        return outputs
    localstack = request.getfixturevalue("localstack")
    outputs = local.deploy(localstack.endpoint)
    local.seed(outputs)
    return outputs


@pytest.fixture(scope="session")
def api(stack: dict[str, Any]) -> str:
    """The API's base URL (``…/_aws/execute-api/<id>/v1``)."""
    url: str = stack["ApiUrl"]
    return url


@pytest.fixture(scope="session")
def aws(stack: dict[str, Any]) -> Callable[[str], Any]:
    """``aws("sqs")`` → a boto3 client for the local stack."""
    return lambda service: local.client(service, stack["Endpoint"])
