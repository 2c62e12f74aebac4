"""The outbound feed's pure parts (docs/sharing.md#the-outbound-feed): departments under
agreement as data (a fact that may name a person refused), who receives what, the cursor
(opaque, strict) and the page size; a page signed over exactly what it lists."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from etax.documents.signing import Signature
from etax.errors import Fault, Invalid, Refused
from etax.platform.auth import Principal
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.data import load
from etax.sharing.feed import (
    PAGE_LIMIT,
    SETTLE,
    Departments,
    Entry,
    page_limit,
)
from etax.sharing.outbound import FeedLister, OutboundFeed

TODAY = date(2026, 12, 6)
REGULATOR = "market-regulator-demo"
NOW = datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC)


def shipped() -> dict[str, Any]:
    return copy.deepcopy(load("etax.sharing", "agreements"))


def test_the_shipped_department_receives_the_violators_list_and_registrations() -> None:
    departments = Departments.shipped()
    assert [d.id for d in departments.receiving("tax.violators", "ViolatorListed", TODAY)] == [
        REGULATOR]
    assert departments.receiving("tax.filing", "PaymentConfirmed", TODAY) == []
    assert ("tax.registration", "RegistrationChanged") in departments.facts()
    assert departments.receiving("tax.violators", "ViolatorListed", date(2031, 1, 1)) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"facts": ["tax.filing:PaymentConfirmed"]}, "may name a natural person"),
    ({"facts": ["ViolatorListed"]}, "is not <source>:<detail type>"),
    ({"facts": []}, "none"),
    ({"valid_to": "2025-01-01"}, "before valid_from"),
])
def test_a_department_s_agreement_is_checked(change: dict[str, Any], message: str) -> None:
    raw = shipped()
    raw["departments"][0].update(change)
    with pytest.raises(Fault, match=message):
        Departments.parse(raw)
    raw = shipped()
    raw["departments"].append(raw["departments"][0])
    with pytest.raises(Fault, match="listed twice"):
        Departments.parse(raw)


def test_only_a_department_in_force_reads_a_feed() -> None:
    departments = Departments.shipped()
    assert departments.signed(REGULATOR, TODAY).id == REGULATOR
    for who, day in ((REGULATOR, date(2031, 1, 1)), ("bank-minjiang-demo", TODAY)):
        with pytest.raises(Refused):
            departments.signed(who, day)


@pytest.mark.parametrize(("value", "expected"), [(None, PAGE_LIMIT), ("1", 1), ("100", 100)])
def test_a_page_s_size(value: str | None, expected: int) -> None:
    assert page_limit(value) == expected


@pytest.mark.parametrize("value", ["0", "101", "-1", "ten", "1.5", ""])
def test_a_bad_page_size_names_limit(value: str) -> None:
    with pytest.raises(Invalid) as refused:
        page_limit(value)
    assert refused.value.field == "limit"


class MemoryFeeds:
    def __init__(self) -> None:
        self.entries: dict[str, list[Entry]] = {}

    def append(self, department: str, entry: Entry) -> bool:
        held = self.entries.setdefault(department, [])
        if any(e.event_id == entry.event_id for e in held):
            return False
        held.append(entry)
        return True

    def page(self, department: str, cursor: str | None, before: str,
             limit: int) -> tuple[list[dict[str, Any]], str | None]:
        partition = f"feed#{department}"
        start = decode_cursor(cursor, ("pk", "sk"), {"pk": partition}) if cursor else None
        after = start["sk"]["S"] if start else None
        held = sorted(self.entries.get(department, []), key=lambda e: e.position)
        shown = [e for e in held
                 if (after is None or e.position > after) and e.position < before][:limit]
        last = ({"pk": {"S": partition}, "sk": {"S": shown[-1].position}} if shown else start)
        return [e.shown() for e in shown], encode_cursor(last)


class RecordingSigner:
    def __init__(self) -> None:
        self.signed: list[dict[str, Any]] = []

    def sign(self, document: dict[str, Any]) -> Signature:
        self.signed.append(copy.deepcopy(document))
        return Signature("key-1", "c2lnbmF0dXJl")


def test_listed_once_read_page_by_page_each_page_signed() -> None:
    feeds, signer = MemoryFeeds(), RecordingSigner()
    clock = iter([NOW.replace(microsecond=n) for n in range(10)])
    lister = FeedLister(feeds, now=lambda: next(clock))
    listed = {"case_id": "c-1", "credit_code": "91350100M000100Y43", "listed_on": "2026-12-05"}
    assert lister.deliver("e-1", "tax.violators", "ViolatorListed", "t", listed) == [REGULATOR]
    assert lister.deliver("e-1", "tax.violators", "ViolatorListed", "t", listed) == []  # again
    assert lister.deliver("e-2", "tax.filing", "PaymentConfirmed", "t", {}) == []  # not its
    assert lister.deliver("e-3", "tax.registration", "RegistrationChanged", "t",
                          {"credit_code": "x"}) == [REGULATOR]

    reader = OutboundFeed(feeds, signer, now=lambda: NOW + SETTLE + timedelta(seconds=1))
    department = Principal("partner", REGULATOR)
    first = reader.read(department, None, "1")
    assert [e["id"] for e in first["document"]["entries"]] == ["e-1"]
    assert first["document"]["entries"][0]["detail"] == listed
    assert first["signature"]["key_id"] == "key-1"
    assert signer.signed[-1] == first["document"]  # the signature covers the page as sent
    second = reader.read(department, first["document"]["next"], None)
    assert [e["id"] for e in second["document"]["entries"]] == ["e-3"]
    end = reader.read(department, second["document"]["next"], None)
    assert end["document"]["entries"] == []
    assert end["document"]["next"] == second["document"]["next"]  # read on from there
    with pytest.raises(Refused):
        reader.read(Principal("partner", "bank-minjiang-demo"), None, None)


def test_a_page_waits_for_entries_still_being_written() -> None:
    """An entry received just before a read is not shown yet, and the cursor that read gives
    stands before it: a write under way then is not skipped."""
    feeds = MemoryFeeds()
    read_at = NOW + SETTLE
    received = iter([NOW - timedelta(microseconds=1), read_at - SETTLE / 2])
    lister = FeedLister(feeds, now=lambda: next(received))
    detail = {"credit_code": "x"}
    lister.deliver("e-1", "tax.registration", "RegistrationChanged", "t", detail)
    lister.deliver("e-2", "tax.registration", "RegistrationChanged", "t", detail)
    reader = OutboundFeed(feeds, RecordingSigner(), now=lambda: read_at)
    department = Principal("partner", REGULATOR)
    first = reader.read(department, None, None)  # e-2 may still be being written
    assert [e["id"] for e in first["document"]["entries"]] == ["e-1"]
    read_at += SETTLE
    later = reader.read(department, first["document"]["next"], None)
    assert [e["id"] for e in later["document"]["entries"]] == ["e-2"]
