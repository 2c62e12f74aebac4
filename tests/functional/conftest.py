"""Functional tests: a function's handler called with a sample event from events/, AWS served
in-process by moto. The environment below is what the infrastructure gives each function."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.client import BaseClient
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID as ACCOUNT
from moto.dynamodb.models import dynamodb_backends

from tests.tables import create_table, every_table

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
FUNCTIONS = ROOT / "functions"

REGION = "us-east-1"
FUNCTION_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_SERVICE_NAME": "functional-test",
    "POWERTOOLS_METRICS_NAMESPACE": "ETax",
    "POWERTOOLS_DEV": "false",
    "ETAX_STAGE": "local",
    "ETAX_VERSION": "test",
    "REGISTRY_TABLE": "registry",
    "IDEMPOTENCY_TABLE": "idempotency",
    "EVENT_BUS_NAME": "etax-test",
    "INVOICES_TABLE": "invoices",
    "INVOICE_SEQUENCES_TABLE": "sequences",
    "ISSUING_QUOTA_TABLE": "quotas",
    "VERIFICATION_GUARD_TABLE": "verification-guard",
    "EDGE_LIMITS_TABLE": "edge-limits",  # read only with EDGE_LIMITS (test_edge_limits.py)
    "LOTTERY_TABLE": "lottery",
    "LOTTERY_DRAWS_TABLE": "lottery-draws",
    "LOTTERY_LEDGER_TABLE": "lottery-ledger",
    "FILING_TABLE": "filing",
    "SUPPLY_TABLE": "supply",
    "CERTIFICATES_TABLE": "certificates",
    "REFUNDS_TABLE": "refunds",
    "REFUND_TREASURY_TABLE": "refund-treasury",
    "ACCEPTANCE_TABLE": "acceptance",
    "DOCUMENTS_BUCKET": "documents",
    "PACKAGES_BUCKET": "packages",
    "COURSEWARE_BUCKET": "courseware",
    "NOTIFICATIONS_TABLE": "notifications",
    "NOTIFICATION_LEDGER_TABLE": "notification-ledger",
    "REGULATIONS_TABLE": "regulations",
    "KNOWLEDGE_TABLE": "knowledge",
    "REGULATION_SUBSCRIPTIONS_TABLE": "regulation-subscriptions",
    "CONSULT_TABLE": "consult",
    "CROWD_TABLE": "crowd",
    "OUTREACH_TABLE": "outreach",
    "OUTREACH_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/outreach",
    "VIOLATORS_TABLE": "violators",
    "COMPLAINTS_TABLE": "complaints",
    "CREDIT_TABLE": "credit",
    "FEEDBACK_TABLE": "feedback",
    "ANALYTICS_TABLE": "analytics",
    "SHARING_TABLE": "sharing",
    "OFFICE_TABLE": "office",
    "IDEAS_TABLE": "ideas",
    "SCHOOL_TABLE": "school",
    "APPS_TABLE": "apps",
    "AUTH_ISSUER": "https://dev-issuer.etax.local",
    "AUTH_AUDIENCE": "etax-api",
    # the simulated partners, as on the local and test stages (docs/partners.md)
    "PAYOUT_PROVIDER": "simulated",
    "NOTIFICATION_PROVIDER": "simulated",
    "TREASURY_PROVIDER": "simulated",
    "CARRIER_PROVIDER": "simulated",
    "BANK_PROVIDER": "simulated",
    "PAYMENT_PROVIDER": "simulated",
}
os.environ.update(FUNCTION_ENV)
for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(variable, None)


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/11/28/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def sample_event(name: str) -> dict[str, Any]:
    """A copy of ``events/<name>``."""
    return copy.deepcopy(json.loads((EVENTS / name).read_text()))


def load_handler(function: str) -> ModuleType:
    """Import ``functions/<function>/handler.py`` afresh (its module-level clients under moto)."""
    module_name = f"function_{function}_handler"
    spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS / function / "handler.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


# The authorizer hands every verdict on with the token's exp (test_authorizer.py proves it) and
# the functions refuse a verdict without one; contexts written by hand in tests get this one.
AUTHORIZER_EXP = "4102444800"  # 2100-01-01T00:00:00Z


def with_token_expiry(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with ``exp`` in its authorizer context if it has a context without one."""
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return event
    authorizer = context.get("authorizer")
    if not isinstance(authorizer, dict) or not authorizer.get("role") or "exp" in authorizer:
        return event
    return {**event, "requestContext": {**context, "authorizer": {**authorizer,
                                                                  "exp": AUTHORIZER_EXP}}}


# With ETAX_ANSWER_SHAPES=<file>, every API answer's status and JSON shape (keys in the order
# sent, leaves by type, a list by the forms of its items) is appended to <file>: two runs'
# sorted files are the same when a change kept every answer byte for byte in form
# (scripts/answer_shapes.py; docs/adding-a-board.md, "Changing what exists").
ANSWER_SHAPES = os.environ.get("ETAX_ANSWER_SHAPES")
_answers_seen: dict[str, int] = {}


def _shape(value: Any) -> Any:
    if isinstance(value, list):  # the forms its items take (the order of items is data)
        forms = {json.dumps(_shape(item), ensure_ascii=False) for item in value}
        return [json.loads(form) for form in sorted(forms)]
    if isinstance(value, tuple):  # an object, as object_pairs_hook gave it
        return {"{}": [[key, _shape(item)] for key, item in value]}
    return type(value).__name__


def _record_shape(answer: dict[str, Any], is_json: bool) -> None:
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
    _answers_seen[test] = number = _answers_seen.get(test, 0) + 1
    shape = (_shape(json.loads(answer["body"], object_pairs_hook=tuple))
             if answer.get("body") and is_json else None)
    line = json.dumps([test, number, answer["statusCode"], shape], ensure_ascii=False)
    with open(f"{ANSWER_SHAPES}.{os.getpid()}", "a", encoding="utf-8") as out:
        out.write(line + "\n")


def call(module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke a handler; decode the JSON body of an API answer."""
    answer: dict[str, Any] = module.handler(with_token_expiry(event), LambdaContext())
    if "statusCode" in answer:
        answer = dict(answer)
        headers = {k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()}
        headers.update(answer.get("headers") or {})
        answer["headers"] = headers
        is_json = headers.get("Content-Type", "").endswith("json")
        answer["json"] = json.loads(answer["body"]) if answer.get("body") and is_json else None
        if ANSWER_SHAPES:
            _record_shape(answer, is_json)
    return answer


@functools.cache
def made_tables() -> dict[str, Any]:
    """moto's DynamoDB tables of every context (from their specifications), made once per
    process through the API and kept: a test starts from a copy (a few milliseconds, where
    thirty CreateTable calls take a tenth of a second, every test)."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        for spec in every_table():
            create_table(dynamodb, spec, FUNCTION_ENV[spec.variable])
        tables: dict[str, Any] = copy.deepcopy(dynamodb_backends[ACCOUNT][REGION].tables)
    return tables


@pytest.fixture
def aws() -> Iterator[None]:
    """moto for every AWS call, with every context's tables (from their specifications), the
    documents bucket and the bus created."""
    tables = made_tables()
    with mock_aws():
        dynamodb_backends[ACCOUNT][REGION].tables = copy.deepcopy(tables)
        boto3.client("s3").create_bucket(Bucket=FUNCTION_ENV["DOCUMENTS_BUCKET"])
        boto3.client("s3").create_bucket(Bucket=FUNCTION_ENV["PACKAGES_BUCKET"])
        boto3.client("s3").create_bucket(Bucket=FUNCTION_ENV["COURSEWARE_BUCKET"])
        boto3.client("events").create_event_bus(Name=FUNCTION_ENV["EVENT_BUS_NAME"])
        yield


@dataclass
class ApiCalls:
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def of(self, service: str) -> list[str]:
        return [op for svc, op, _ in self.calls if svc == service]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def api_calls(aws: None) -> Iterator[ApiCalls]:
    """Every AWS API call made by any client (boto3's and Powertools'), in order."""
    recorded = ApiCalls()
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        recorded.calls.append((client.meta.service_model.service_name, operation, params))
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", spy):
        yield recorded


@pytest.fixture
def dev_key(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """The dev issuer's KMS key (ECC P-256, sign/verify)."""
    key_id: str = boto3.client("kms").create_key(
        KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("AUTH_DEV_KEY_ID", key_id)
    return key_id


SELLER = "91350100M000100Y43"
QUOTA_FEN = 100_000_00  # 100,000.00 yuan


class DigestKms:
    """KMS signing a SHA-256 digest (MessageType DIGEST) as AWS KMS and LocalStack do; moto
    does not implement DIGEST yet, so the functional tests stand in for KMS with a local key
    (the e2e tests sign with LocalStack's KMS)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())

    def sign(self, KeyId: str, Message: bytes, MessageType: str,
             SigningAlgorithm: str) -> dict[str, Any]:
        assert (MessageType, SigningAlgorithm) == ("DIGEST", "ECDSA_SHA_256")
        signature = self.key.sign(Message, ec.ECDSA(Prehashed(hashes.SHA256())))
        return {"KeyId": f"arn:aws:kms:us-east-1:123456789012:key/{KeyId}",
                "Signature": signature}

    def get_public_key(self, KeyId: str) -> dict[str, Any]:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"KeyId": f"arn:aws:kms:us-east-1:123456789012:key/{KeyId}", "PublicKey": der}


@pytest.fixture
def invoicing(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    from tests.functional.test_acceptance_registration import put_record

    put_record(SELLER)
    boto3.client("dynamodb").put_item(TableName="quotas", Item={
        "key": {"S": f"quota#{SELLER}"}, "monthly_fen": {"N": str(QUOTA_FEN)}})
    module = load_handler("invoices")
    module.signer.kms = DigestKms()
    return module


def business_metrics(out: str) -> list[tuple[str, float, dict[str, str]]]:
    """(name, value, dimensions) of every business metric in ``out`` (captured stdout), from
    the Powertools EMF lines (one per :func:`etax.platform.observability.business` call; the
    cold-start and flushed metrics of ``instrument`` are left out). Each line must carry
    the total's dimension set ``[service]``; the dimensions returned are the metric's own
    (``service`` left out: the tests' functions share one service name)."""
    from typing import get_args

    from etax.platform.observability import BusinessMetric

    names = set(get_args(BusinessMetric))
    found = []
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        emf = json.loads(line)
        [directive] = emf["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]:
            name = metric["Name"]
            if name not in names:
                continue
            assert ["service"] in directive["Dimensions"], line
            keys = max(directive["Dimensions"], key=len)
            value = emf[name]
            found.append((name, float(value[0] if isinstance(value, list) else value),
                          {k: emf[k] for k in keys if k != "service"}))
    return found


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The events the functions publish on the bus (EventPublisher.publish), kept in order
    and not sent."""
    sent: list[Any] = []
    monkeypatch.setattr("etax.platform.events.EventPublisher.publish",
                        lambda self, events: sent.extend(events))
    return sent
