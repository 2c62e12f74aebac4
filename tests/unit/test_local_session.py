"""How the tests and scripts reach a local stack: one localstack-client session per endpoint
(scripts/local.py), and no other place that assembles a local endpoint into a client."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import local  # noqa: E402


def test_a_client_reaches_the_endpoint_it_is_given_with_the_local_credentials() -> None:
    sqs = local.client("sqs", "http://127.0.0.1:4777")
    assert sqs.meta.endpoint_url == "http://127.0.0.1:4777"
    assert sqs.meta.region_name == local.REGION
    assert sqs._request_signer._credentials.access_key == "test"


def test_a_callers_endpoint_variable_does_not_take_the_client_elsewhere(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")  # e.g. `make up`'s stack
    assert local.client("dynamodb", "http://127.0.0.1:4888").meta.endpoint_url == \
        "http://127.0.0.1:4888"
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"  # left as it was


def test_a_session_is_made_once_per_endpoint() -> None:
    assert local.session("http://127.0.0.1:4999") is local.session("http://127.0.0.1:4999")


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("http://127.0.0.1:4566", True), ("http://localhost:4566", True),
    ("https://dynamodb.cn-north-1.amazonaws.com.cn", False),
])
def test_only_loopback_endpoints_are_local(endpoint: str, expected: bool) -> None:
    assert local.is_local(endpoint) is expected


# Where a client may still be given an endpoint URL: the session itself, and the operator
# scripts' path to an account's endpoint.
ALLOWED = {"scripts/local.py", "scripts/import_legacy_invoices.py"}


def test_no_test_or_script_assembles_a_local_client_itself() -> None:
    offenders = []
    for path in [*ROOT.glob("scripts/*.py"), *ROOT.glob("tests/**/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative == "tests/unit/test_local_session.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"boto3\.(client|resource)\([^)]*endpoint_url", source, re.S):
            offenders.append(relative)
    assert offenders == []
