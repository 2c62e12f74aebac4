"""Information on demand's pure rules: a subscriber's segment members, a segment's partitions
and prefixes, unknown values named by their place, an officer's reach, the ISO week."""

from __future__ import annotations

from datetime import date

import pytest

from etax.errors import Invalid, Refused
from etax.outreach.catalogue import MAX_PARTITIONS, PROVINCES, province_of_office
from etax.outreach.segments import (
    Profile,
    checked_topics,
    ensure_reach,
    iso_week,
    segment_of,
    subscriber_of,
)


def test_a_profile_is_a_member_of_one_partition_per_topic() -> None:
    profile = Profile("91350100MA0000001X", ("vat", "invoice"), "35", "small_scale", "批发#业")
    assert profile.members() == [
        ("segment#vat#35#small_scale", "批发 业#91350100MA0000001X"),
        ("segment#invoice#35#small_scale", "批发 业#91350100MA0000001X")]
    assert subscriber_of(profile.members()[0][1]) == "91350100MA0000001X"


def test_a_segment_is_the_cross_product_of_its_choices_each_once() -> None:
    segment = segment_of(["vat", "iit", "vat"], ["35", "44"], ["small_scale"], [" 批发业 ", ""])
    assert segment.partitions() == [
        "segment#vat#35#small_scale", "segment#vat#44#small_scale",
        "segment#iit#35#small_scale", "segment#iit#44#small_scale"]
    assert segment.prefixes() == ["批发业#"]
    assert segment_of(["vat"], ["35"], ["general"], []).prefixes() == [None]


@pytest.mark.parametrize(("args", "field"), [
    ((["vat", "weather"], ["35"], ["general"], []), "segment.topics[1]"),
    ((["vat"], ["35", "71"], ["general"], []), "segment.provinces[1]"),
    ((["vat"], ["35"], ["vip"], []), "segment.taxpayer_types[0]"),
])
def test_an_unknown_value_is_named_by_its_place(
        args: tuple[list[str], list[str], list[str], list[str]], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        segment_of(args[0], args[1], args[2], args[3])
    assert raised.value.field == field


def test_a_segment_has_a_bounded_number_of_queries() -> None:
    with pytest.raises(Invalid) as raised:
        segment_of(["vat", "iit", "cit"], list(PROVINCES), ["general", "small_scale",
                                                          "natural_person"], [])
    assert raised.value.field == "segment"
    assert 3 * len(PROVINCES) * 3 > MAX_PARTITIONS


def test_topics_are_checked_and_kept_once_in_order() -> None:
    assert checked_topics(["invoice", "vat", "invoice"]) == ("invoice", "vat")
    with pytest.raises(Invalid) as raised:
        checked_topics(["vat", "lottery"])
    assert raised.value.field == "topics[1]"


def test_an_office_s_province_is_its_code_s_second_and_third_digits() -> None:
    assert province_of_office("13501000000") == "35"
    assert province_of_office("14401000000") == "44"
    assert province_of_office("19901000000") is None  # no such province
    assert province_of_office("3501000000") is None
    assert province_of_office("") is None


def test_an_officer_reaches_its_own_province_and_an_admin_every_one() -> None:
    segment = segment_of(["vat"], ["35", "44"], ["general"], [])
    ensure_reach(segment, "admin", None)
    ensure_reach(segment_of(["vat"], ["35"], ["general"], []), "officer", "35")
    with pytest.raises(Refused) as raised:
        ensure_reach(segment, "officer", "35")
    assert raised.value.field == "segment.provinces"
    assert "44" in raised.value.detail
    with pytest.raises(Refused):
        ensure_reach(segment_of(["vat"], ["35"], ["general"], []), "officer", None)


def test_weeks_are_iso_weeks() -> None:
    assert iso_week(date(2026, 12, 4)) == "2026-W49"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


def test_a_closed_warning_takes_no_step_and_responses_are_named_by_their_state() -> None:
    from etax.errors import StateChanged
    from etax.outreach.warnings import CLOSED, response_step, state_after

    assert state_after("issued", "explained") == "explained"
    assert state_after("explained", CLOSED) == CLOSED
    with pytest.raises(StateChanged) as raised:
        state_after(CLOSED, "acknowledged")
    assert raised.value.field == "action"
    step = response_step("correct", "已更正。", "2026-12-04T00:00:00Z")
    assert (step.by, step.action) == ("taxpayer", "corrected")
