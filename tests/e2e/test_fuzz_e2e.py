"""The API fuzzed over its own OpenAPI document, on the deployed local stack.

Schemathesis reads ``layers/shared/python/etax/platform/openapi.json`` (the document the API
serves at ``GET /v1/openapi.json``, docs/decisions/0019-openapi-contract.md) and sends each
operation requests generated from it: valid ones (positive) and ones that break a declared
rule (negative). Every answer must hold to four checks: no 5xx (``not_a_server_error``), the
documented status, content type and schema (``status_code_conformance``,
``content_type_conformance``, ``response_schema_conformance``), and :func:`problem_details`:
a 4xx is ``application/problem+json`` with ``status``, ``title`` and ``detail``, and a 400 or
422 names its ``field``.

* :func:`test_operation` runs every operation once as a caller who may reach it: no token on a
  public route, on a signed-in one a token (``POST /v1/auth/dev-token``) of the first role the
  role matrix (tests/role_matrix.txt) lets through, so the requests reach the route's logic;
* :func:`test_signed_in_operation_without_a_token` sends a few to each signed-in route without
  a token (401 from the gateway);
* :func:`test_links` runs Schemathesis's state machine over the document's ``links`` (an
  issued invoice's ``number`` → ``GET /v1/invoices/{number}``, a created application → its
  documents, …: ``scripts/openapi.py``'s ``links``);
* the partners' routes (:data:`SIGNED_BY_PARTNERS`) are fuzzed like the others, but a request
  with a made-up signature never passes the signature check, so the parsers behind it are not
  reached: :func:`test_partner_route_with_any_body` sends them arbitrary bytes as well and asks
  for no 5xx and a problem for each 4xx. What is behind the signature is tested with signed
  requests in the functional suite (tests/functional/test_verification.py's channels,
  tests/functional/test_filing.py's callbacks).

The signed-in requests are sent as a company and a person of the run's own (:data:`SELLER`,
:data:`PERSON`, registered in Guangzhou), so what the run makes touches no demo record and no
number sequence the other suites see. One probe is answered by LocalStack itself, not by the
API: see :func:`refused_by_the_emulator`.

Examples are bounded (:data:`EXAMPLES`, :data:`STEPS`) and derandomized: a failure replays with
the same requests. With ``ETAX_E2E_OUTPUTS=local-outputs.json`` it runs against a stack already
running. At the end it prints the number of requests sent (``-s``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, strategies
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from etax.rules import uscc
from tests.e2e.test_edge_limits_e2e import clear_edge_limits
from tests.e2e.test_lottery_e2e import register_seller
from tests.e2e.test_refunds_e2e import register
from tests.role_matrix import MATRIX

Case = schemathesis.Case[Any]

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "layers" / "shared" / "python" / "etax" / "platform" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(DOCUMENT)

EXAMPLES = 12
"""Requests per operation as a caller who may reach it (positive and negative together)."""
EXAMPLES_WITHOUT_TOKEN = 3
"""Requests per signed-in operation without a token (the gateway refuses them all alike)."""
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.explicit,
                                                     hypothesis.Phase.generate])

# Who signs in for a route, in the order tried (the first the role matrix lets through): a
# company and a natural person of the run's own, registered in Guangzhou so that what the run
# makes (invoices, applications, filings) touches no record or number sequence of the demo
# data or of the other suites (Fujian), an officer of their office, the administrator.
SELLER = uscc.complete("91440101MA5F0B8X1")
PERSON = "440106199001017776"
OFFICE = "14401000000"
IDENTITIES: dict[str, dict[str, str]] = {
    "taxpayer": {"role": "taxpayer", "subject": SELLER},
    "person": {"role": "taxpayer", "subject": PERSON},
    "officer": {"role": "officer", "subject": "officer-fuzz-0001", "tax_office": OFFICE},
    "admin": {"role": "admin", "subject": "admin-0001"},
}
REACHES = {"ok", "own", "own-404"}

SIGNED_BY_PARTNERS = {
    "POST /v1/filing/callbacks/{method}": "a payment provider's HMAC of the body (X-Signature)",
    "GET /v1/channels/wechat": "the WeChat channel token's signature of timestamp and nonce",
    "POST /v1/channels/wechat": "the WeChat channel token's msg_signature; an XML body",
    "POST /v1/channels/sms": "the SMS channel token's HMAC of the body (X-Signature)",
}
"""Routes a fuzzer cannot get past the signature of: listed, fuzzed, and sent any bytes."""

PROBLEM = "application/problem+json"


@schemathesis.check
def problem_details(ctx: CheckContext, response: schemathesis.Response,
                    case: Case) -> bool | None:
    """A 4xx is ``application/problem+json`` with ``status``, ``title``, ``detail``; a 400 or
    422 names the failing ``field``."""
    if not 400 <= response.status_code < 500:
        return None
    assert_problem(response.status_code, (response.headers.get("content-type") or [""])[0],
                   response.content)
    return True


def assert_problem(status: int, content_type: str, content: bytes) -> None:
    assert content_type.split(";")[0].strip() == PROBLEM, \
        f"a {status} answered as {content_type!r}, not {PROBLEM}: {content[:200]!r}"
    body = json.loads(content)
    assert isinstance(body, dict), f"a {status} problem is not an object: {body!r}"
    missing = [k for k in ("status", "title", "detail") if not body.get(k)]
    assert not missing, f"a {status} problem without {missing}: {body}"
    assert body["status"] == status, f"a {status} answer says status {body['status']}"
    if status in (400, 422):
        field = body.get("field")
        assert isinstance(field, str), f"a {status} problem names no field: {body}"
        assert field, f"a {status} problem names an empty field: {body}"


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, problem_details]


def route(case: Case) -> str:
    return f"{case.operation.method.upper()} {case.operation.path}"


def signed_in(operation: Any) -> bool:
    return {"bearer": []} in operation.definition.raw.get("security", [])


def identity_for(key: str) -> str | None:
    """The role of :data:`IDENTITIES` that reaches the route, ``None`` for a public route."""
    outcomes = MATRIX[key]
    if outcomes["public"] in REACHES:
        return None
    return next((role for role in IDENTITIES if outcomes[role] in REACHES), "taxpayer")


@pytest.fixture(scope="module", autouse=True)
def _spare_the_callers_budget(aws: Any, stack: dict[str, Any]) -> Iterator[None]:
    """The run's failed verification checks count against this machine's daily budget of
    failed checks (one source IP, 50 a day), and its requests against the route classes'
    five-minute limits of that address (etax.platform.limits), which the suites after this one
    share: when the run ends, its failure and request counters are taken back."""
    yield
    clear_edge_limits(aws, stack)
    dynamodb, table = aws("dynamodb"), stack["VerificationGuardTableName"]
    for page in dynamodb.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression="#k", ExpressionAttributeNames={"#k": "key"}):
        for item in page["Items"]:
            if item["key"]["S"].startswith("fail#"):
                dynamodb.delete_item(TableName=table, Key={"key": item["key"]})


@pytest.fixture(scope="module")
def tokens(api: str, aws: Any, stack: dict[str, Any]) -> dict[str, str]:
    """A bearer token of each of :data:`IDENTITIES`, from the local stack's dev issuer; the
    company registered (with an issuing quota) and the person too."""
    minted = {}
    for name, identity in IDENTITIES.items():
        answer = requests.post(f"{api}/v1/auth/dev-token", json=identity, timeout=30)
        assert answer.status_code == 200, answer.text
        minted[name] = answer.json()["token"]
    register_seller(aws, stack, SELLER, "广州模糊测试示例有限公司")
    register(api, {"Authorization": f"Bearer {minted['person']}"}, PERSON, OFFICE)
    return minted


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    """The fuzz run's HTTP session; at its end it prints how many requests it sent."""
    sent = [0]

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent[0] += 1

    with requests.Session() as http:
        http.hooks["response"].append(count)
        started = time.monotonic()
        yield http
        print(f"\nfuzz run: {sent[0]} requests in {time.monotonic() - started:.0f} s")


@SCHEMA.parametrize()
@SETTINGS
def test_operation(case: Case, api: str, tokens: dict[str, str],
                   session: requests.Session) -> None:
    role = identity_for(route(case))
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    response = case.call(base_url=api, session=session, headers=headers, timeout=30)
    if refused_by_the_emulator(case, response):
        return
    case.validate_response(response, checks=CHECKS, headers=headers)


def refused_by_the_emulator(case: Case, response: schemathesis.Response) -> bool:
    """Whether LocalStack's own HTTP layer refused the request before API Gateway saw it: a
    body sent as ``multipart/form-data`` (Schemathesis's malformed Content-Type probe) gets a
    bare 400 with no body and no request id, because the emulator's service router parses
    form bodies to find which AWS service is called. API Gateway on AWS passes it on to the
    function, whose answer to any body that is not JSON the other probes check. A multipart
    request that reached the API is checked like any other."""
    content_type = str(case.headers.get("Content-Type", "")) if case.headers else ""
    return (content_type.startswith("multipart/form-data") and response.status_code == 400
            and "x-amzn-requestid" not in response.headers and not response.content)


@SCHEMA.include(func=lambda ctx: signed_in(ctx.operation)).parametrize()
@hypothesis.settings(SETTINGS, max_examples=EXAMPLES_WITHOUT_TOKEN)
def test_signed_in_operation_without_a_token(case: Case, api: str,
                                             session: requests.Session) -> None:
    if case.headers:
        case.headers.pop("Authorization", None)
    response = case.call(base_url=api, session=session, timeout=30)
    if refused_by_the_emulator(case, response):
        return
    case.validate_response(response, checks=CHECKS)
    if case.method.upper() == case.operation.method.upper():  # not a method the API lacks
        assert response.status_code == 401, \
            f"{route(case)} without a token: {response.status_code}"


STEPS = 100
"""Scenarios of the state machine (each a few linked steps)."""


def test_links(api: str, tokens: dict[str, str], session: requests.Session) -> None:
    """Schemathesis's state machine over the document's ``links``: each step checked like
    :func:`test_operation`; the steps that followed a link from a 2xx are counted and some
    must have been taken (the links resolve against real answers)."""
    taken: list[str] = []
    steps: list[str] = []

    linked = schemathesis.openapi.from_path(DOCUMENT)  # valid requests only: things get made
    linked.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
    # the document's links only: a link schemathesis infers from a list's answer (crowd help's
    # questions → a question) draws differently as the run itself adds to the list, which
    # Hypothesis refuses as flaky data generation; each operation is fuzzed by test_operation
    # and reached with real ids by the role matrix
    linked.config.phases.stateful.inference.algorithms = []

    class Links(linked.as_state_machine()):  # type: ignore[misc]
        def step(self, input: Any) -> Any:
            if input.transition is not None and input.is_applied \
                    and not input.transition.is_inferred:
                taken.append(input.transition.id)
            output = super().step(input)
            steps.append(f"{route(input.case)} {output.response.status_code}")
            return output

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            role = identity_for(route(case))
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            return {"base_url": api, "session": session, "headers": headers, "timeout": 30}

        def validate_response(self, response: schemathesis.Response, case: Case,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            if refused_by_the_emulator(case, response):
                return
            case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))

    Links.run(settings=hypothesis.settings(
        SETTINGS, max_examples=STEPS, stateful_step_count=6,
        phases=[hypothesis.Phase.generate]))
    made = sum(1 for step in steps if step.endswith(" 201"))
    print(f"\nstate machine: {len(steps)} steps, {made} things made, {len(taken)} links "
          f"followed ({len(set(taken))} kinds)")
    # every step was checked as test_operation checks; how many links are followed depends on
    # which generated creations the stack accepts (about 30 on a fresh stack, fewer after the
    # other suites), so the run asserts its steps, not a count of links
    assert steps, "the state machine ran no step"


def test_the_partner_routes_are_in_the_document() -> None:
    documented = {f"{method.upper()} {path}"
                  for path, item in json.loads(DOCUMENT.read_text())["paths"].items()
                  for method in item}
    assert set(SIGNED_BY_PARTNERS) <= documented


@pytest.mark.parametrize("key", sorted(SIGNED_BY_PARTNERS))
def test_partner_route_with_any_body(key: str, api: str, session: requests.Session) -> None:
    method, path = key.split(" ", 1)

    @given(body=strategies.binary(max_size=512) | strategies.text(max_size=256).map(str.encode),
           segment=strategies.sampled_from(["alipay", "wechat", "unionpay", "bank", "x", "%00"]),
           signature=strategies.text(alphabet="0123456789abcdef", max_size=64))
    @hypothesis.settings(SETTINGS)
    def send(body: bytes, segment: str, signature: str) -> None:
        url = api + path.replace("{method}", segment)
        answer = session.request(method, url, data=body if method != "GET" else None,
                                 params={"signature": signature, "msg_signature": signature,
                                         "timestamp": "1", "nonce": "n", "echostr": "e"},
                                 headers={"X-Signature": signature,
                                          "Content-Type": "application/octet-stream"},
                                 timeout=30)
        assert answer.status_code < 500, f"{key}: {answer.status_code} {answer.text[:200]}"
        if answer.status_code >= 400:
            assert_problem(answer.status_code, answer.headers.get("Content-Type", ""),
                           answer.content)

    send()
