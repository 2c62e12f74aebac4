"""What every route does with what a client sends before any domain code runs (the shared
resolver, etax.platform.api): bodies bounded (413), text that is not Unicode refused (422 naming
where), unknown fields refused, problems and their log lines short and with resident IDs masked,
and a JSON body read whatever its Content-Type."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from etax.platform.observability import logger
from tests.functional.conftest import call, load_handler, sample_event
from tests.functional.test_acceptance import PERSON, PERSON_AUTH, person_body
from tests.functional.test_acceptance import request as acceptance_request
from tests.functional.test_filing import create, filing  # noqa: F401
from tests.functional.test_invoices import request
from tests.functional.test_notifications import ADMIN, ME, notification
from tests.functional.test_verification import TOKEN, issued, verification  # noqa: F401

REGISTRATION = "acceptance_registration"  # functions/<name>

MASKED = "350102********1234"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The platform logger's lines, formatted by its own formatter, as the function writes them."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    yield buffer
    logger._logger.removeHandler(handler)


def sms(module: Any, raw: str) -> dict[str, Any]:
    event = request("POST", "/v1/channels/sms")
    event["body"] = raw
    event["headers"]["X-Signature"] = hmac.new(TOKEN.encode(), raw.encode(),
                                               hashlib.sha256).hexdigest()
    return call(module, event)


def test_a_lone_surrogate_is_a_422_naming_the_field(verification: Any) -> None:  # noqa: F811
    # JSON's "\ud800" escape is ASCII on the wire and a lone surrogate once decoded
    answer = sms(verification, '{"from": "\\ud800", "text": "HELP"}')
    assert answer["statusCode"] == 422
    assert answer["json"]["field"] == "from"
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    nested = call(verification, request("POST", "/v1/invoices/verify",
                                        body={"qr": "01,32,,1"}))
    assert nested["statusCode"] != 500
    deep = request("POST", "/v1/invoices/verify")
    deep["body"] = '{"number": "1", "x": [{"y": "ok"}, {"z": "a\\udfffb"}]}'
    assert call(verification, deep)["json"]["field"] == "x[1].z"


def test_a_lone_surrogate_in_a_query_string_is_a_422_naming_it(aws: None) -> None:
    module = load_handler("notifications")
    event = request("GET", "/v1/me/inbox", who=ME)
    event["queryStringParameters"] = {"limit": "\ud800"}
    event["multiValueQueryStringParameters"] = {"limit": ["\ud800"]}
    answer = call(module, event)
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "limit")


def test_a_lone_surrogate_in_a_path_parameter_is_a_422_naming_it(aws: None) -> None:
    event = sample_event(f"{REGISTRATION}/verify.json")
    code = "9135010\ud800"
    event["path"] = f"/v1/registration/verify/{code}"
    event["pathParameters"] = {"credit_code": code}
    answer = call(load_handler(REGISTRATION), event)
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "credit_code")
    answer["body"].encode("utf-8")  # what the function answers can always be sent


def test_a_body_over_the_limit_is_a_413_problem(verification: Any) -> None:  # noqa: F811
    answer = call(verification, request("POST", "/v1/invoices/qr/parse",
                                        body={"payload": "x" * 70_000}))
    assert answer["statusCode"] == 413
    assert answer["json"]["type"] == "urn:etax:problem:too-large"
    assert answer["json"]["max_bytes"] == 64 * 1024
    assert len(answer["body"]) < 500


def test_a_long_value_never_comes_back_whole(verification: Any) -> None:  # noqa: F811
    long = "9" * 60_000
    for body in ({"payload": long}, {"payload": "01,32,," + long}):
        answer = call(verification, request("POST", "/v1/invoices/qr/parse", body=body))
        assert answer["statusCode"] in (400, 422)
        assert len(answer["body"]) < 1000
    verify = call(verification, request("POST", "/v1/invoices/verify",
                                        body={long[:30_000]: "1", "number": long[:30_000]}))
    assert verify["statusCode"] == 422
    assert len(verify["body"]) < 1000


@pytest.mark.parametrize(("path", "who", "body"), [
    ("/v1/invoices/qr/parse", None, {"payload": "01,32,,1", "surplus": 1}),
    ("/v1/notifications", ADMIN, {**notification("x"), "surplus": 1}),
])
def test_unknown_fields_are_refused_naming_them(aws: None, path: str,
                                                who: tuple[str, str] | None,
                                                body: dict[str, Any]) -> None:
    module = load_handler("notifications" if path == "/v1/notifications" else "verification")
    answer = call(module, request("POST", path, who=who, body=body))
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "surplus")


def test_unknown_sms_fields_are_refused(verification: Any) -> None:  # noqa: F811
    answer = sms(verification, json.dumps({"from": "+8613800000000", "text": "HELP",
                                           "surplus": "x" * 1000}))
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "surplus")
    ok = sms(verification, json.dumps({"from": "+8613800000000", "text": "HELP"}))
    assert ok["statusCode"] == 200


def test_a_json_body_is_read_whatever_its_content_type(verification: Any) -> None:  # noqa: F811
    payload = "01,10,011001605111,80100798,64.9,20161018,85342965681116380258"
    event = request("POST", "/v1/invoices/qr/parse", body={"payload": payload})
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers.pop("Content-Type", None)
    event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    event["multiValueHeaders"]["Content-Type"] = ["application/x-www-form-urlencoded"]
    assert call(verification, event)["statusCode"] == 200


def test_a_conflict_masks_the_resident_id_in_its_body_and_its_log_line(
        aws: None, log_lines: io.StringIO) -> None:
    first = acceptance_request(REGISTRATION, "POST", "/v1/registration/natural-persons",
                               PERSON_AUTH, person_body(), key="one")
    assert first["statusCode"] == 201
    log_lines.seek(0)
    log_lines.truncate()
    again = acceptance_request(REGISTRATION, "POST", "/v1/registration/natural-persons",
                               PERSON_AUTH, person_body(), key="two")
    assert again["statusCode"] == 409
    assert PERSON not in again["body"]
    logged = log_lines.getvalue()
    [line] = [json.loads(x) for x in logged.splitlines() if "client problem" in x]
    assert line["problem"]["status"] == 409
    assert PERSON not in logged


def test_a_resident_id_in_a_problem_detail_is_masked_in_the_body_and_the_log(
        filing: Any, log_lines: io.StringIO) -> None:  # noqa: F811
    # the obligation's id carries its taxpayer's identifier: the detail quotes it
    who = ("taxpayer", PERSON)
    assert create(filing, "2025", taxpayer=PERSON, tax_type="iit_annual", who=who,
                  key="one")["statusCode"] == 201
    log_lines.seek(0)
    log_lines.truncate()
    again = create(filing, "2025", taxpayer=PERSON, tax_type="iit_annual", who=who, key="two")
    assert again["statusCode"] == 409
    assert MASKED in again["json"]["detail"]
    assert PERSON not in again["body"]
    logged = log_lines.getvalue()
    assert "client problem" in logged
    assert MASKED in logged
    assert PERSON not in logged
