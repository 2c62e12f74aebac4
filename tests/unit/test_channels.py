"""The message channels' rules: text syntax aside, WeChat-style signatures over the body, the
timestamp window and the nonce key (ADR 0006, amendment)."""

from __future__ import annotations

import hashlib

import pytest

from etax.invoices import channels
from etax.invoices.channels import ChannelAuthError

TOKEN = "t0ken"
NOW = 1_800_000_000
BODY = "<xml><FromUserName>oU</FromUserName><Content>CY 1 2 3</Content></xml>"


def params(timestamp: int = NOW, nonce: str = "n0nce", body: str = BODY) -> dict[str, str]:
    stamp = str(timestamp)
    return {"timestamp": stamp, "nonce": nonce,
            "msg_signature": channels.wechat_msg_signature(TOKEN, stamp, nonce, body)}


def test_msg_signature_is_sha1_of_the_four_parts_sorted() -> None:
    joined = "".join(sorted([TOKEN, "1", "n", "body"]))
    expected = hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 - WeChat's scheme
    assert channels.wechat_msg_signature(TOKEN, "1", "n", "body") == expected
    assert channels.wechat_msg_signature(TOKEN, "1", "n", "body!") != expected


def test_a_fresh_signed_message_is_admitted_with_its_nonce_key() -> None:
    key = channels.check_wechat_message(TOKEN, params(), BODY, NOW)
    assert key == f"nonce#wechat#{NOW}#n0nce"
    assert channels.wechat_nonce_expiry(str(NOW)) == NOW + channels.WECHAT_WINDOW_SECONDS + 60


@pytest.mark.parametrize(("skew", "fresh"), [(-300, True), (300, True), (-301, False),
                                              (301, False), (0, True)])
def test_the_timestamp_window_is_five_minutes_either_way(skew: int, fresh: bool) -> None:
    signed = params(timestamp=NOW + skew)
    if fresh:
        channels.check_wechat_message(TOKEN, signed, BODY, NOW)
    else:
        with pytest.raises(ChannelAuthError) as error:
            channels.check_wechat_message(TOKEN, signed, BODY, NOW)
        assert error.value.field == "timestamp"


@pytest.mark.parametrize(("change", "field"), [
    ({"timestamp": "soon"}, "timestamp"),
    ({"timestamp": ""}, "timestamp"),
    ({"nonce": ""}, "nonce"),
    ({"nonce": "x" * 65}, "nonce"),
    ({"nonce": "a#b"}, "nonce"),
    ({"msg_signature": "0" * 40}, "msg_signature"),
])
def test_bad_parameters_are_named(change: dict[str, str], field: str) -> None:
    with pytest.raises(ChannelAuthError) as error:
        channels.check_wechat_message(TOKEN, {**params(), **change}, BODY, NOW)
    assert error.value.field == field


def test_the_signature_covers_the_body() -> None:
    with pytest.raises(ChannelAuthError) as error:
        channels.check_wechat_message(TOKEN, params(), BODY.replace("oU", "oX"), NOW)
    assert error.value.field == "msg_signature"


def test_the_handshake_keeps_three_parts_and_the_window() -> None:
    stamp = str(NOW)
    good = {"timestamp": stamp, "nonce": "n",
            "signature": channels.wechat_signature(TOKEN, stamp, "n")}
    channels.check_wechat(TOKEN, good, NOW)
    with pytest.raises(ChannelAuthError):
        channels.check_wechat(TOKEN, good, NOW + 301)
    with pytest.raises(ChannelAuthError):
        channels.check_wechat(TOKEN, {**good, "signature": "0"}, NOW)


def test_limit_reply_says_when_to_come_back() -> None:
    assert "约2小时后" in channels.limit_reply(3601)
    assert "约1小时后" in channels.limit_reply(1)
