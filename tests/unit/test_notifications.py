"""The pure parts of the fan-out: the contract, preference resolution, channel messages,
deduplication keys, the batch sender's accounting, inbox cursors."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from etax.notifications import CHANNELS
from etax.notifications.contract import Notification, from_event
from etax.notifications.messages import (
    SMS_MAX_CHARS,
    ChannelMessage,
    channel_message,
    delivery_id,
    inbox_key,
    listed,
    mask,
    render,
)
from etax.notifications.preferences import (
    DEFAULT,
    ChannelPreference,
    Preferences,
    PreferencesIn,
    from_request,
    from_stored,
    resolve,
)
from etax.notifications.repository import BadCursor, decode_cursor, encode_cursor
from etax.notifications.service import entry_view
from etax.platform.queues import OutgoingMessage, QueueSender
from etax.platform.results import as_json
from etax.simulations.channels import refuses

PERSON = "350102199003071234"


def notification(**changes: Any) -> Notification:
    fields = {"id": "refund:RF1:paid", "recipient": PERSON, "kind": "refund.paid",
              "title": "退税已到账", "body": "您的退税已退付。", "link": "/v1/refunds/RF1"}
    return Notification.model_validate({**fields, **changes})


# -- the contract ------------------------------------------------------------------------------


def test_an_event_carrying_a_notification() -> None:
    event = {"source": "tax.refunds", "detail-type": "RefundPaid",
             "detail": {"case_id": "RF1", "notification": notification().as_detail()}}
    parsed = from_event(event)
    assert (parsed.source, parsed.detail_type) == ("tax.refunds", "RefundPaid")
    assert parsed.notification == notification()
    assert "link" not in notification(link=None).as_detail()


@pytest.mark.parametrize(("field", "value"), [
    ("id", ""), ("id", "has space"), ("recipient", ""), ("kind", "Refund.Paid"),
    ("kind", "refund..paid"), ("title", "  "), ("body", ""), ("link", "https://x.example/"),
    ("title", "长" * 101),
])
def test_the_contract_refuses_what_is_malformed(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        notification(**{field: value})
    assert raised.value.errors()[0]["loc"] == (field,)


# -- preferences -------------------------------------------------------------------------------


def test_whoever_set_nothing_gets_the_app_push_to_their_account() -> None:
    assert from_stored(None) is DEFAULT
    assert from_stored({}) is DEFAULT
    assert [(r.channel, r.address) for r in resolve(DEFAULT, PERSON, "refund.paid")] == [
        ("app", PERSON)]


def test_resolution_follows_the_choice_in_channel_order() -> None:
    body = PreferencesIn.model_validate({"channels": {
        "app": {"address": "device-token-0001"},
        "email": {"address": "z@example.cn", "kinds": ["filing"]},
        "sms": {"address": "+86 138-0013-8000"},
        "wechat": {"address": "oWx-openid-01", "enabled": False}}})
    preferences = from_request(body, updated_at="2026-11-28T08:00:00+00:00")
    routes = resolve(preferences, PERSON, "refund.paid")
    assert [(r.channel, r.address) for r in routes] == [("sms", "+8613800138000"),
                                                        ("app", "device-token-0001")]
    assert [r.channel for r in resolve(preferences, PERSON, "filing.reminder")] == [
        "sms", "email", "app"]
    assert from_stored(preferences.as_dict()) == preferences


def test_no_channels_means_the_inbox_only() -> None:
    preferences = from_request(PreferencesIn.model_validate({"channels": {}}), updated_at="t")
    assert resolve(preferences, PERSON, "refund.paid") == []
    assert preferences.as_dict()["default"] is False


def test_preferences_are_answered_and_stored_in_one_form() -> None:
    preferences = Preferences((ChannelPreference("sms", True, "+8613800138000", ("refund",)),
                               ChannelPreference("app", False, None)), "2026-11-28")
    expected = {"channels": {
        "sms": {"enabled": True, "address": "+8613800138000", "kinds": ["refund"]},
        "app": {"enabled": False, "address": None}},
        "updated_at": "2026-11-28", "default": False}
    assert as_json(preferences.view()) == expected
    assert preferences.as_dict() == expected
    assert as_json(DEFAULT.view()) == {
        "channels": {"app": {"enabled": True, "address": None}}, "updated_at": None,
        "default": True}


def test_an_inbox_entry_shows_each_delivery_with_what_is_known_of_it() -> None:
    entry = {"notification": {"id": "n-1", "kind": "refund.paid", "title": "T", "body": "B"},
             "received_at": "2026-11-28T08:00:00+00:00",
             "deliveries": {"sms": {"state": "sent", "address": "138****8000", "attempts": 1,
                                    "sent_at": "2026-11-28T08:00:01+00:00", "reference": "r-1"},
                            "app": {"state": "queued", "address": PERSON[:4] + "****",
                                    "attempts": 0, "last_error": None}}}
    view = entry_view(entry)
    assert list(as_json(view)) == ["id", "kind", "title", "body", "link", "source",
                                   "received_at", "read_at", "deliveries"]
    assert as_json(view) == {
        "id": "n-1", "kind": "refund.paid", "title": "T", "body": "B", "link": None,
        "source": None, "received_at": "2026-11-28T08:00:00+00:00", "read_at": None,
        "deliveries": {
            "app": {"state": "queued", "address": PERSON[:4] + "****", "attempts": 0},
            "sms": {"state": "sent", "address": "138****8000", "attempts": 1,
                    "sent_at": "2026-11-28T08:00:01+00:00", "reference": "r-1"}}}
    assert list(as_json(view)["deliveries"]) == ["app", "sms"]


kinds = st.from_regex(r"[a-z]{1,5}(\.[a-z]{1,5}){0,2}", fullmatch=True)


@given(kind=kinds, prefixes=st.lists(kinds, max_size=4))
def test_a_kind_filter_is_a_dotted_prefix(kind: str, prefixes: list[str]) -> None:
    wants = ChannelPreference("sms", True, "+8613800138000", tuple(prefixes)).wants(kind)
    assert wants == any(kind.split(".")[:len(p.split("."))] == p.split(".") for p in prefixes)
    assert not ChannelPreference("sms", False, "+8613800138000", None).wants(kind)


@given(st.lists(st.sampled_from(CHANNELS), unique=True), st.booleans())
def test_stored_preferences_come_back_as_chosen(channels: list[str], enabled: bool) -> None:
    preferences = Preferences(tuple(ChannelPreference(c, enabled, f"addr-{c}-0001",
                                                      ("refund",) if enabled else None)
                                    for c in CHANNELS if c in channels), "2026-11-28")
    assert from_stored(preferences.as_dict()) == preferences


@pytest.mark.parametrize("number", ["13800138000", "+8613800138000", "8613800138000",
                                    "138 0013 8000", "138-0013-8000"])
def test_mobile_numbers_are_stored_in_one_form(number: str) -> None:
    body = PreferencesIn.model_validate({"channels": {"sms": {"address": number}}})
    assert body.channels.sms is not None
    assert body.channels.sms.address == "+8613800138000"


# -- messages and keys ---------------------------------------------------------------------------


def test_keys_are_stable_per_notification_and_channel() -> None:
    assert inbox_key("refund:RF1:paid") == "n#refund:RF1:paid"
    assert delivery_id("refund:RF1:paid", "sms") == "refund:RF1:paid#sms"
    assert {delivery_id("a", c) for c in CHANNELS} == {f"a#{c}" for c in CHANNELS}
    assert listed("2026-11-28T08:00:00+00:00", "a") < listed("2026-11-28T08:00:01+00:00", "a")


def test_addresses_are_masked_on_the_inbox() -> None:
    assert mask("sms", "+8613800138000") == "+86138****8000"
    assert mask("email", "chen@example.cn") == "c***@example.cn"
    assert mask("wechat", "oWx-openid-0001") == "oWx-…01"
    assert mask("app", "short") == "short"


@given(title=st.text(min_size=1, max_size=100).filter(str.strip),
       body=st.text(min_size=1, max_size=2000).filter(str.strip))
def test_an_sms_is_one_signed_segment(title: str, body: str) -> None:
    text = render("sms", notification(title=title, body=body))["text"]
    assert len(text) <= SMS_MAX_CHARS
    assert text.startswith("【国家税务总局】")


def test_other_channels_get_title_body_and_link() -> None:
    assert render("email", notification()) == {"title": "退税已到账", "body": "您的退税已退付。",
                                               "link": "/v1/refunds/RF1"}
    assert "link" not in render("app", notification(link=None))


def test_a_channel_message_survives_the_queue() -> None:
    message = channel_message(notification(), "wechat", "oWx-openid-0001")
    assert ChannelMessage.from_body(message.as_body()) == message
    assert message.delivery_id == "refund:RF1:paid#wechat"


def test_simulated_refusals() -> None:
    assert refuses("email", "FAIL@example.cn")
    assert refuses("sms", "+8617000012345")
    assert not refuses("sms", "+8613800138000")
    assert not refuses("wechat", "oWx-openid-0001")


# -- the batch sender --------------------------------------------------------------------------


class FakeSqs:
    """Takes every entry except those whose body is in ``refuse`` (for ``times`` calls)."""

    def __init__(self, refuse: set[str] = frozenset(), times: int = 1,  # type: ignore[assignment]
                 crash_first: bool = False) -> None:
        self.refuse = dict.fromkeys(refuse, times)
        self.crash_first = crash_first
        self.calls: list[tuple[str, list[dict[str, str]]]] = []
        self.received: list[str] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        assert 1 <= len(Entries) <= 10
        self.calls.append((QueueUrl, Entries))
        if self.crash_first:
            self.crash_first = False
            raise ConnectionError("reset")
        ok, failed = [], []
        for entry in Entries:
            if self.refuse.get(entry["MessageBody"], 0) > 0:
                self.refuse[entry["MessageBody"]] -= 1
                failed.append({"Id": entry["Id"], "Code": "InternalError", "SenderFault": False})
            else:
                ok.append({"Id": entry["Id"], "MessageId": "x"})
                self.received.append(entry["MessageBody"])
        return {"Successful": ok, "Failed": failed}


def messages(count: int, queues: int = 1) -> list[OutgoingMessage]:
    return [OutgoingMessage(f"q{i % queues}", {"n": i}, f"k{i}") for i in range(count)]


@given(count=st.integers(0, 95), queues=st.integers(1, 4))
def test_full_batches_of_ten_per_queue(count: int, queues: int) -> None:
    sqs = FakeSqs()
    sender = QueueSender(sqs, sleep=lambda _: None)
    assert sender.send(messages(count, queues)) == []
    per_queue = [sum(1 for i in range(count) if i % queues == q) for q in range(queues)]
    assert len(sqs.calls) == sum(math.ceil(n / 10) for n in per_queue)
    assert sorted(sqs.received) == sorted(f'{{"n":{i}}}' for i in range(count))


@given(refused=st.sets(st.integers(0, 24)), times=st.integers(1, 4))
def test_partial_failures_are_retried_never_dropped(refused: set[int], times: int) -> None:
    sqs = FakeSqs({f'{{"n":{i}}}' for i in refused}, times=times)
    sender = QueueSender(sqs, attempts=3, sleep=lambda _: None)
    failures = sender.send(messages(25))
    failed = {f.message.key for f in failures}
    # every message is either taken exactly once or handed back to the caller
    assert sorted(sqs.received + [f'{{"n":{k[1:]}}}' for k in failed]) == sorted(
        f'{{"n":{i}}}' for i in range(25))
    assert failed == ({f"k{i}" for i in refused} if times >= 3 else set())
    assert len(sqs.received) == len(set(sqs.received))


def test_a_failed_call_is_retried_whole() -> None:
    sqs = FakeSqs(crash_first=True)
    assert QueueSender(sqs, sleep=lambda _: None).send(messages(10)) == []
    assert [len(entries) for _, entries in sqs.calls] == [10, 10]
    assert len(sqs.received) == 10


# -- cursors ---------------------------------------------------------------------------------


def test_a_cursor_only_opens_its_own_inbox() -> None:
    key = {"recipient": {"S": PERSON}, "sk": {"S": "n#a"}, "inbox_of": {"S": PERSON},
           "listed": {"S": "2026-11-28T08:00:00+00:00#a"}}
    assert decode_cursor(encode_cursor(key), PERSON) == key
    for cursor, owner in ((encode_cursor(key), "91350100M000100Y43"), ("%%%", PERSON),
                          (encode_cursor({"recipient": {"S": PERSON}}), PERSON), ("", PERSON)):
        with pytest.raises(BadCursor):
            decode_cursor(cursor, owner)
