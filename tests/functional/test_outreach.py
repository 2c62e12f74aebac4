"""Information on demand (D15) over moto: a taxpayer subscribes (its segment from the
registry, not from the request); an officer previews a segment of its province and sends a
mailing; the sender delivers it page by page, each person once, under the weekly cap, as
notification events; bad input names the field; another province's segment is refused."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import boto3
import pytest

from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.acceptance.registration.repository import RegistryRepository
from etax.outreach.catalogue import WEEKLY_CAP
from etax.rules import uscc
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_invoices import request

FUZHOU, XIAMEN, GUANGZHOU = "13501000000", "13502000000", "14401000000"
OFFICER = ("officer", "officer-fz-0001", FUZHOU)
GD_OFFICER = ("officer", "officer-gz-0001", GUANGZHOU)
PERSON = "350102199003071234"
QUEUE = "outreach"
SEGMENT = {"topics": ["vat"], "provinces": ["35"], "taxpayer_types": ["small_scale"]}
MAILING = {"segment": SEGMENT, "kind": "policy", "title": "小规模纳税人减按1%征收增值税",
           "body": "小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收增值税。",
           "link": "/v1/kb/articles/vat-small-scale-rate"}


def code(n: int, region: str = "350100") -> str:
    return uscc.complete(f"91{region}MA{n:07d}")


def register(n: int, office: str = FUZHOU, kind: TaxpayerType = TaxpayerType.SMALL_SCALE,
             industry: str = "软件和信息技术服务业") -> str:
    credit_code = code(n, office[1:7])
    RegistryRepository().put_unless_stale(RegistrationRecord(
        credit_code=credit_code, name=f"企业{n}", status=Status.ACTIVE,
        registration_date=date(2020, 1, 2), tax_office_code=office,
        tax_office_name="国家税务总局某税务局", taxpayer_type=kind,
        legal_representative="张三", address="", industry=industry, revision=1,
        updated_at="2026-01-01T00:00:00+00:00"))
    return credit_code


@pytest.fixture
def api(aws: None) -> Any:
    boto3.client("sqs").create_queue(QueueName=QUEUE)
    return load_handler("outreach")


@pytest.fixture
def sender(aws: None) -> Any:
    module = load_handler("outreach_sender")
    sent: list[Any] = []
    module.sender.publisher.publish = lambda events: sent.extend(events)
    module.published = sent  # type: ignore[attr-defined]
    return module


def subscribe(api: Any, who: str, topics: list[str], extra: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    return call(api, request("POST", "/v1/subscriptions", who=("taxpayer", who),
                             body={"topics": topics, **(extra or {})}))


def post(api: Any, path: str, body: Any, who: tuple[str, ...] = OFFICER,
         key: str | None = None) -> dict[str, Any]:
    return call(api, request("POST", path, who=who, body=body, key=key))


def drain(sender: Any) -> int:
    """Run the sender on every queued message until the queue is empty; the messages run."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    runs = 0
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if not got:
            return runs
        message = got[0]
        answer = sender.handler({"Records": [{
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"], "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:outreach",
            "awsRegion": "us-east-1"}]}, LambdaContext())
        assert answer == {"batchItemFailures": []}
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        runs += 1


def test_a_subscription_takes_its_segment_from_the_registry(api: Any) -> None:
    seller = register(1)
    answer = subscribe(api, seller, ["vat", "invoice", "vat"])
    assert answer["statusCode"] == 200, answer["body"]
    shown = json.loads(answer["body"])
    assert shown["topics"] == ["vat", "invoice"]
    assert (shown["province"], shown["taxpayer_type"]) == ("35", "small_scale")
    assert shown["industry"] == "软件和信息技术服务业"
    assert shown["weekly_cap"] == WEEKLY_CAP
    again = call(api, request("GET", "/v1/me/subscriptions", who=("taxpayer", seller)))
    assert json.loads(again["body"])["topics"] == ["vat", "invoice"]
    # the segment facts are not the request's to give
    refused = subscribe(api, seller, ["vat"], {"province": "44"})
    assert refused["statusCode"] == 422
    assert json.loads(refused["body"])["field"] == "province"


def test_changing_topics_moves_the_subscriber_between_segments(api: Any) -> None:
    seller = register(2)
    subscribe(api, seller, ["vat", "invoice"])
    subscribe(api, seller, ["invoice", "credit"])
    table = boto3.client("dynamodb")
    members = {item["pk"]["S"] for item in table.scan(TableName="outreach")["Items"]
               if item["pk"]["S"].startswith("segment#")}
    assert members == {"segment#invoice#35#small_scale", "segment#credit#35#small_scale"}


@pytest.mark.parametrize(("body", "field"), [
    ({"topics": ["weather"]}, "topics[0]"),
    ({"topics": []}, "topics"),
    ({"topics": "vat"}, "topics"),
    ({}, "topics"),
])
def test_bad_subscriptions_name_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    seller = register(3)
    answer = call(api, request("POST", "/v1/subscriptions", who=("taxpayer", seller),
                               body=body))
    assert answer["statusCode"] == 422, answer["body"]
    assert json.loads(answer["body"])["field"] == field


def test_an_unregistered_or_cancelled_taxpayer_cannot_subscribe(api: Any) -> None:
    answer = subscribe(api, code(99), ["vat"])
    assert answer["statusCode"] == 409
    assert "register" in json.loads(answer["body"])["detail"]
    cancelled = register(98)
    record = RegistryRepository().get(cancelled)
    assert record is not None
    RegistryRepository().put_unless_stale(dataclasses.replace(
        record, status=Status.CANCELLED, revision=2))
    assert subscribe(api, cancelled, ["vat"])["statusCode"] == 409


def test_only_taxpayers_subscribe_and_only_officers_mail(api: Any) -> None:
    officer = call(api, request("POST", "/v1/subscriptions", who=OFFICER, body={"topics": ["vat"]}))
    assert officer["statusCode"] == 403
    seller = register(4)
    mailing = post(api, "/v1/mailings", MAILING, who=("taxpayer", seller), key="k-1")
    assert mailing["statusCode"] == 403
    preview = post(api, "/v1/mailings/preview", {"segment": SEGMENT}, who=("taxpayer", seller))
    assert preview["statusCode"] == 403


def test_the_preview_counts_each_person_once_and_only_the_segment(api: Any) -> None:
    small = [register(10 + n) for n in range(3)]
    general = register(20, kind=TaxpayerType.GENERAL)
    xiamen = register(21, office=XIAMEN)
    guangdong = register(22, office=GUANGZHOU)
    for seller in small:
        subscribe(api, seller, ["vat", "invoice"])
    for seller in (general, xiamen, guangdong):
        subscribe(api, seller, ["vat"])
    subscribe(api, register(23), ["iit"])  # small-scale in Fuzhou, not subscribed to VAT
    one = post(api, "/v1/mailings/preview", {"segment": SEGMENT})
    assert one["statusCode"] == 200, one["body"]
    assert json.loads(one["body"])["recipients"] == 4  # the three, and Xiamen (Fujian too)
    both = post(api, "/v1/mailings/preview", {"segment": {**SEGMENT, "topics": ["vat", "invoice"]}})
    assert json.loads(both["body"])["recipients"] == 4  # each person once
    by_industry = post(api, "/v1/mailings/preview", {"segment": {
        **SEGMENT, "industries": ["批发业"]}})
    assert json.loads(by_industry["body"])["recipients"] == 0


def test_an_officer_targets_its_own_province_only(api: Any) -> None:
    answer = post(api, "/v1/mailings/preview",
                  {"segment": {**SEGMENT, "provinces": ["35", "44"]}})
    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["field"] == "segment.provinces"
    mailing = post(api, "/v1/mailings", MAILING, who=GD_OFFICER, key="k-gd")
    assert mailing["statusCode"] == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "advert"}, "kind"),
    ({"title": ""}, "title"),
    ({"title": "政策\u202e推送"}, "title"),
    ({"body": "x" * 2001}, "body"),
    ({"link": "https://example.com"}, "link"),
    ({"segment": {**SEGMENT, "topics": ["vat", "lottery"]}}, "segment.topics[1]"),
    ({"segment": {**SEGMENT, "provinces": ["99"]}}, "segment.provinces[0]"),
    ({"segment": {**SEGMENT, "taxpayer_types": ["vip"]}}, "segment.taxpayer_types[0]"),
])
def test_bad_mailings_name_the_field(api: Any, change: dict[str, Any], field: str) -> None:
    answer = post(api, "/v1/mailings", {**MAILING, **change}, key=f"k-{field}")
    assert answer["statusCode"] in (403, 422), answer["body"]
    assert json.loads(answer["body"])["field"] == field


def test_a_mailing_reaches_each_person_of_the_segment_once(api: Any, sender: Any) -> None:
    small = [register(30 + n) for n in range(5)]
    for seller in small:
        subscribe(api, seller, ["vat", "invoice"])
    other = register(40, kind=TaxpayerType.GENERAL)
    subscribe(api, other, ["vat"])
    sender.sender.page = 2  # several pages per partition
    created = post(api, "/v1/mailings", {**MAILING, "segment": {
        **SEGMENT, "topics": ["vat", "invoice"]}}, key="k-mail")
    assert created["statusCode"] == 201, created["body"]
    mailing = json.loads(created["body"])
    assert (mailing["state"], mailing["sent"]) == ("sending", 0)
    assert "recipients" not in mailing  # counted by the preview, not again on sending
    assert drain(sender) > 2
    notified = [e.detail["notification"] for e in sender.published]
    assert sorted(n["recipient"] for n in notified) == sorted(small)
    assert {n["id"] for n in notified} == {f"outreach:{mailing['id']}:{s}" for s in small}
    assert {n["kind"] for n in notified} == {"outreach.policy"}
    assert notified[0]["link"] == MAILING["link"]
    shown = call(api, request("GET", f"/v1/mailings/{mailing['id']}", who=OFFICER,
                              resource="/v1/mailings/{mailing_id}",
                              params={"mailing_id": mailing["id"]}))
    done = json.loads(shown["body"])
    assert (done["state"], done["sent"], done["capped"]) == ("sent", 5, 0)
    # an officer of another office does not see it
    hidden = call(api, request("GET", f"/v1/mailings/{mailing['id']}", who=GD_OFFICER,
                               resource="/v1/mailings/{mailing_id}",
                               params={"mailing_id": mailing["id"]}))
    assert hidden["statusCode"] == 404


def test_a_replayed_page_notifies_nobody_twice_and_the_cap_holds(api: Any, sender: Any) -> None:
    seller = register(50)
    subscribe(api, seller, ["vat"])
    ids = []
    for n in range(WEEKLY_CAP + 1):
        created = post(api, "/v1/mailings", MAILING, key=f"k-cap-{n}")
        ids.append(json.loads(created["body"])["id"])
        drain(sender)
    got = [e.detail["notification"]["id"] for e in sender.published]
    assert got == [f"outreach:{i}:{seller}" for i in ids[:WEEKLY_CAP]]
    last = json.loads(call(api, request(
        "GET", f"/v1/mailings/{ids[-1]}", who=OFFICER, resource="/v1/mailings/{mailing_id}",
        params={"mailing_id": ids[-1]}))["body"])
    assert (last["sent"], last["capped"]) == (0, 1)
    # once closed, a mailing's messages do nothing
    sender.published.clear()
    assert sender.sender.step({"mailing_id": ids[0], "part": 0, "cursor": None}) \
        == "already sent"
    assert sender.published == []


def test_a_page_received_again_is_published_again_with_the_same_ids(api: Any,
                                                                   sender: Any) -> None:
    seller = register(60)
    subscribe(api, seller, ["vat"])
    mailing = json.loads(post(api, "/v1/mailings", MAILING, key="k-again")["body"])["id"]
    first = {"mailing_id": mailing, "part": 0, "cursor": None}
    sender.sender.step(first)
    sender.sender.step(first)  # the same page again (a redelivered message)
    assert [e.detail["notification"]["id"] for e in sender.published] \
        == [f"outreach:{mailing}:{seller}"] * 2  # the fan-out keeps one by its id
    drain(sender)
    shown = json.loads(call(api, request(
        "GET", f"/v1/mailings/{mailing}", who=OFFICER, resource="/v1/mailings/{mailing_id}",
        params={"mailing_id": mailing}))["body"])
    assert (shown["state"], shown["sent"], shown["capped"]) == ("sent", 1, 0)


def test_a_natural_person_is_in_the_segment_of_its_office(api: Any) -> None:
    boto3.client("dynamodb").put_item(TableName="acceptance", Item={
        "pk": {"S": f"taxpayer#{PERSON}"}, "sk": {"S": "person"},
        "resident_id": {"S": PERSON}, "name": {"S": "陈小明"},
        "tax_office_code": {"S": FUZHOU}, "real_name": {"M": {"verified": {"BOOL": True}}}})
    answer = subscribe(api, PERSON, ["iit"])
    assert answer["statusCode"] == 200, answer["body"]
    assert json.loads(answer["body"])["taxpayer_type"] == "natural_person"
    preview = post(api, "/v1/mailings/preview", {"segment": {
        "topics": ["iit"], "provinces": ["35"], "taxpayer_types": ["natural_person"]}})
    assert json.loads(preview["body"])["recipients"] == 1


WARNING = {"taxpayer": "", "topic": "invoice", "title": "发票作废比例偏高",
           "detail": "贵单位本月作废发票占比明显高于同行业，请核实开票情况。"}


def warn(api: Any, taxpayer: str, who: tuple[str, ...] = OFFICER,
         key: str = "k-warn") -> dict[str, Any]:
    return post(api, "/v1/risk-warnings", {**WARNING, "taxpayer": taxpayer}, who=who, key=key)


def on_warning(api: Any, method: str, warning_id: str, who: tuple[str, ...],
               suffix: str = "", body: Any = None, key: str | None = None) -> dict[str, Any]:
    return call(api, request(method, f"/v1/risk-warnings/{warning_id}{suffix}", who=who,
                             body=body, key=key,
                             resource=f"/v1/risk-warnings/{{warning_id}}{suffix}",
                             params={"warning_id": warning_id}))


def test_a_warning_is_notified_answered_and_closed_with_its_trail(api: Any) -> None:
    seller = register(70)
    sent: list[Any] = []
    api.warnings.publisher.publish = lambda events: sent.extend(events)
    created = warn(api, seller)
    assert created["statusCode"] == 201, created["body"]
    warning = json.loads(created["body"])
    assert (warning["state"], warning["tax_office"], warning["source"]) == (
        "issued", FUZHOU, "officer")
    [event] = sent
    assert event.detail["notification"] == {
        "id": f"risk:{warning['id']}", "recipient": seller, "kind": "risk.warning",
        "title": WARNING["title"], "body": WARNING["detail"],
        "link": f"/v1/risk-warnings/{warning['id']}"}
    me = ("taxpayer", seller)
    explained = on_warning(api, "POST", warning["id"], me, "/responses",
                           {"action": "explain", "text": "作废系客户退货所致，附合同。"}, "k-r1")
    assert json.loads(explained["body"])["state"] == "explained"
    on_warning(api, "POST", warning["id"], me, "/responses",
               {"action": "correct", "text": "已规范开票流程。"}, "k-r2")
    closed = on_warning(api, "POST", warning["id"], OFFICER, "/close",
                        {"conclusion": "说明合理，予以关闭。"}, "k-close")
    shown = json.loads(closed["body"])
    assert [(s["action"], s["by"]) for s in shown["trail"]] == [
        ("issued", "officer:officer-fz-0001"), ("explained", "taxpayer"),
        ("corrected", "taxpayer"), ("closed", "officer:officer-fz-0001")]
    late = on_warning(api, "POST", warning["id"], me, "/responses",
                      {"action": "acknowledge", "text": "收到。"}, "k-r3")
    assert late["statusCode"] == 409
    assert json.loads(late["body"])["field"] == "action"
    mine = call(api, request("GET", "/v1/me/risk-warnings", who=me))
    assert [w["id"] for w in json.loads(mine["body"])["items"]] == [warning["id"]]


def test_a_warning_is_the_taxpayer_s_and_its_office_s_alone(api: Any) -> None:
    seller, other = register(71), register(72)
    warning = json.loads(warn(api, seller)["body"])
    assert on_warning(api, "GET", warning["id"], ("taxpayer", seller))["statusCode"] == 200
    assert on_warning(api, "GET", warning["id"], ("taxpayer", other))["statusCode"] == 403
    assert on_warning(api, "GET", warning["id"], GD_OFFICER)["statusCode"] == 403
    assert on_warning(api, "POST", warning["id"], ("taxpayer", other), "/responses",
                      {"action": "explain", "text": "不是我的。"}, "k-o")["statusCode"] == 403
    assert on_warning(api, "GET", "nope", OFFICER)["statusCode"] == 404
    # an officer warns only the taxpayers of its office
    assert warn(api, seller, who=GD_OFFICER, key="k-gd")["statusCode"] == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"taxpayer": "91350100MA9999999X"}, "taxpayer"),
    ({"topic": "lottery"}, "topic"),
    ({"title": ""}, "title"),
    ({"detail": "x" * 2001}, "detail"),
])
def test_bad_warnings_name_the_field(api: Any, change: dict[str, Any], field: str) -> None:
    seller = register(73)
    answer = post(api, "/v1/risk-warnings", {**WARNING, "taxpayer": seller, **change},
                  key=f"k-{field}")
    assert answer["statusCode"] == 422, answer["body"]
    assert json.loads(answer["body"])["field"] == field


def test_a_response_of_an_unknown_kind_names_the_field(api: Any) -> None:
    seller = register(74)
    warning = json.loads(warn(api, seller)["body"])
    answer = on_warning(api, "POST", warning["id"], ("taxpayer", seller), "/responses",
                        {"action": "ignore", "text": "?"}, "k-bad")
    assert answer["statusCode"] == 422
    assert json.loads(answer["body"])["field"] == "action"


def registration_changed(credit_code: str, message_id: str) -> dict[str, Any]:
    from tests.functional.test_supply import sqs_message

    return sqs_message({"source": "tax.registration", "detail-type": "RegistrationChanged",
                        "detail": {"credit_code": credit_code, "revision": 2}}, message_id)


def test_a_subscriber_follows_its_registration_changes(api: Any) -> None:
    """A small-scale subscriber becomes a general taxpayer (and moves office): its members
    move to the segments its registration now gives, so the small-scale segment no longer
    counts it; a redelivered change does nothing more; a cancelled registration ends the
    subscription; a message that is no registration change is refused alone."""
    moving, staying = register(1), register(2)
    assert subscribe(api, moving, ["vat", "invoice"])["statusCode"] == 200
    assert subscribe(api, staying, ["vat"])["statusCode"] == 200
    small = {"segment": SEGMENT}
    general = {"segment": {**SEGMENT, "provinces": ["35"], "taxpayer_types": ["general"]}}
    assert post(api, "/v1/mailings/preview", small)["json"]["recipients"] == 2

    record = RegistryRepository().get(moving)
    assert record is not None
    RegistryRepository().put_unless_stale(dataclasses.replace(
        record, taxpayer_type=TaxpayerType.GENERAL, tax_office_code=XIAMEN, revision=2))
    refiler = load_handler("outreach_registrations")
    answer = refiler.handler({"Records": [registration_changed(moving, "r-1"),
                                          registration_changed(staying, "r-2"),
                                          sqs_message_of({"detail-type": "Other"}, "r-3")]},
                             LambdaContext())
    assert answer["batchItemFailures"] == [{"itemIdentifier": "r-3"}]
    assert post(api, "/v1/mailings/preview", small)["json"]["recipients"] == 1
    assert post(api, "/v1/mailings/preview", general)["json"]["recipients"] == 1
    mine = call(api, request("GET", "/v1/me/subscriptions", who=("taxpayer", moving)))
    assert (mine["json"]["taxpayer_type"], mine["json"]["province"],
            mine["json"]["topics"]) == ("general", "35", ["vat", "invoice"])
    again = refiler.handler({"Records": [registration_changed(moving, "r-1")]},
                            LambdaContext())
    assert again["batchItemFailures"] == []
    assert post(api, "/v1/mailings/preview", general)["json"]["recipients"] == 1

    RegistryRepository().put_unless_stale(dataclasses.replace(
        record, status=Status.CANCELLED, revision=3))
    refiler.handler({"Records": [registration_changed(moving, "r-4")]}, LambdaContext())
    assert post(api, "/v1/mailings/preview", general)["json"]["recipients"] == 0
    gone = call(api, request("GET", "/v1/me/subscriptions", who=("taxpayer", moving)))
    assert gone["statusCode"] == 404


def sqs_message_of(body: dict[str, Any], message_id: str) -> dict[str, Any]:
    from tests.functional.test_supply import sqs_message

    return sqs_message(body, message_id)
