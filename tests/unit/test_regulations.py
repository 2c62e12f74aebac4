"""The regulations library's pure model: reading as of a day, derived validity, amendments,
the four-eyes review, the seed corpus and the published event (ADR 0021)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from etax.errors import Invalid, Malformed, Refused, StateChanged
from etax.platform.outbox import Change as StreamChange
from etax.regulations import drafts, seeds
from etax.regulations.codec import canonical_text, text_digest, version_json
from etax.regulations.model import (
    AMENDED,
    EXPIRED,
    IN_FORCE,
    NOT_YET,
    PARTLY_REPEALED,
    REPEALED,
    Act,
    Change,
    Provision,
    Version,
    Work,
    amended,
    parse_date,
    read,
)
from etax.regulations.outbox import PUBLISHED, event_for
from etax.regulations.repository import version_item
from etax.regulations.seeds import DATA, check_corpus, corpus, work_of

ACT = Act("示例办法", "示例公告2020年第1号", date(2020, 1, 1))
AMENDING = Act("关于修改示例办法的公告", "示例公告2024年第2号", date(2024, 3, 1))


def example() -> Work:
    v1 = Version(1, date(2020, 2, 1), ACT, (
        Provision(1, "第一条原文"), Provision(2, "第二条原文"),
        Provision(3, "第三条原文", in_force_from=date(2021, 1, 1))))
    return Work("example", "示例办法", "sat_announcement", "示例公告2020年第1号",
                ("国家税务总局",), date(2020, 1, 1), (v1,))


def amend(work: Work, changes: tuple[Change, ...], valid_from: date) -> Work:
    version = amended(work.versions[-1], changes, AMENDING, valid_from)
    updated = replace(work, versions=(*work.versions, version))
    updated.check()
    return updated


def texts(work: Work, day: date) -> dict[str, str]:
    return {p.label: p.text for p in read(work, day).provisions}


def test_as_of_returns_the_text_in_force_on_each_side_of_an_amendment() -> None:
    work = amend(example(), (Change("amend", 2, "第二条新文"),), date(2024, 7, 1))
    assert texts(work, date(2024, 6, 30))["第2条"] == "第二条原文"
    assert texts(work, date(2024, 7, 1))["第2条"] == "第二条新文"
    reading = read(work, date(2024, 7, 1))
    assert reading.version is not None
    assert reading.version.number == 2
    assert read(work, date(2024, 6, 30)).valid_to == date(2024, 7, 1)


def test_a_repealed_provision_is_left_out_with_a_note_naming_the_repealing_act() -> None:
    work = amend(example(), (Change("repeal", 1),), date(2024, 7, 1))
    work = amend(work, (Change("amend", 2, "第二条再改"),), date(2025, 1, 1))
    before, after = read(work, date(2024, 6, 30)), read(work, date(2025, 6, 1))
    assert "第1条" in texts(work, date(2024, 6, 30))
    assert "第1条" not in texts(work, date(2025, 6, 1))
    [note] = after.notes
    assert note.provision == "第1条"
    assert "示例公告2024年第2号" in note.note
    assert "2024-07-01" in note.note
    assert before.notes == ()


def test_a_provision_not_yet_in_force_is_left_out_with_a_note() -> None:
    work = example()
    early = read(work, date(2020, 6, 1))
    assert "第3条" not in texts(work, date(2020, 6, 1))
    assert [n.provision for n in early.notes] == ["第3条"]
    assert "2021-01-01" in early.notes[0].note
    assert "第3条" in texts(work, date(2021, 1, 1))


def test_status_is_derived_for_the_day_asked() -> None:
    work = example()
    assert work.status_on(date(2020, 1, 31)) == NOT_YET
    assert work.status_on(date(2020, 2, 1)) == IN_FORCE
    work = amend(work, (Change("amend", 2, "新"),), date(2023, 1, 1))
    assert work.status_on(date(2022, 12, 31)) == IN_FORCE
    assert work.status_on(date(2023, 1, 1)) == AMENDED
    work = amend(work, (Change("repeal", 1),), date(2024, 1, 1))
    assert work.status_on(date(2024, 1, 1)) == PARTLY_REPEALED
    work = amend(work, (Change("repeal", 2), Change("repeal", 3)), date(2025, 1, 1))
    assert work.status_on(date(2025, 1, 1)) == REPEALED
    assert read(work, date(2025, 1, 1)).provisions == ()
    assert work.status_on(date(2024, 12, 31)) == PARTLY_REPEALED
    expiring = replace(example(), expires=date(2027, 12, 31))
    assert expiring.status_on(date(2027, 12, 31)) == IN_FORCE
    assert expiring.status_on(date(2028, 1, 1)) == EXPIRED
    assert read(expiring, date(2028, 1, 1)).provisions == ()


def test_before_the_first_version_nothing_is_in_force() -> None:
    reading = read(example(), date(2019, 12, 31))
    assert reading.version is None
    assert reading.provisions == ()
    assert reading.status == NOT_YET
    assert "2020-02-01" in reading.notes[0].note


@pytest.mark.parametrize(("changes", "field"), [
    ((), "changes"),
    ((Change("amend", 9, "无"),), "changes[0]"),
    ((Change("add", 1, "重复"),), "changes[0]"),
    ((Change("amend", 1, "  "),), "changes[0].text"),
    ((Change("amend", 1, "a"), Change("repeal", 1)), "changes"),
    ((Change("add", 9),), "changes[0].text"),
])
def test_a_change_that_does_not_fit_the_current_version_names_its_field(
        changes: tuple[Change, ...], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        amended(example().versions[-1], changes, AMENDING, date(2024, 1, 1))
    assert raised.value.field == field


def test_a_version_starts_after_the_current_one() -> None:
    with pytest.raises(Invalid) as raised:
        amended(example().versions[-1], (Change("amend", 1, "x"),), AMENDING, date(2020, 2, 1))
    assert raised.value.field == "valid_from"


def test_a_repealed_provision_can_be_added_again_but_not_amended() -> None:
    work = amend(example(), (Change("repeal", 1),), date(2024, 1, 1))
    with pytest.raises(Invalid):
        amended(work.versions[-1], (Change("amend", 1, "x"),), AMENDING, date(2025, 1, 1))
    work = amend(work, (Change("add", 1, "第一条重设"),), date(2025, 1, 1))
    assert texts(work, date(2025, 1, 1))["第1条"] == "第一条重设"


def test_a_paragraph_is_a_provision_of_its_own() -> None:
    work = amend(example(), (Change("add", 2, "第二款", paragraph=2),), date(2024, 1, 1))
    assert texts(work, date(2024, 1, 1))["第2条第2款"] == "第二款"
    assert "第2条第2款" not in texts(work, date(2023, 12, 31))


def test_dates_are_calendar_days_or_a_problem_naming_the_field() -> None:
    assert parse_date("2026-01-01", "as_of") == date(2026, 1, 1)
    for bad in ("2026-02-30", "2026-13-01", "20260101", "2026-1-1", "", None, "tomorrow"):
        with pytest.raises(Malformed) as raised:
            parse_date(bad, "as_of")
        assert raised.value.field == "as_of"


def draft() -> drafts.Draft:
    return drafts.Draft("d-1", "example", 1, AMENDING, (Change("amend", 2, "新"),),
                        "officer-a", "2026-12-01T00:00:00Z")


def test_four_eyes_the_drafter_cannot_approve_its_own_draft() -> None:
    submitted = drafts.submit(draft(), "t1")
    with pytest.raises(Refused):
        drafts.approve(submitted, "officer-a", "t2")
    approved = drafts.approve(submitted, "officer-b", "t2")
    assert approved.state == drafts.APPROVED
    assert approved.approver == "officer-b"


def test_each_step_needs_the_state_before_it() -> None:
    with pytest.raises(StateChanged):
        drafts.approve(draft(), "officer-b", "t")  # not submitted
    with pytest.raises(StateChanged):
        drafts.publish(drafts.submit(draft(), "t"), "officer-b", "t", 2, date(2027, 1, 1))
    approved = drafts.approve(drafts.submit(draft(), "t"), "officer-b", "t")
    published = drafts.publish(approved, "officer-a", "t", 2, date(2027, 1, 1))
    with pytest.raises(StateChanged):
        drafts.publish(published, "officer-a", "t", 3, date(2027, 1, 1))


def test_the_seed_corpus_holds_together() -> None:
    works = {w.id: w for w in corpus()}
    assert len(works) >= 10
    today = date(2026, 12, 3)
    assert works["vat-law"].status_on(date(2025, 12, 31)) == NOT_YET
    assert works["vat-law"].status_on(today) == IN_FORCE
    assert works["vat-interim-regulations"].status_on(today) == REPEALED
    assert works["vat-interim-regulations"].status_on(date(2025, 12, 31)) == AMENDED
    assert works["tax-credit-measures-2014-40"].status_on(today) == REPEALED
    assert works["tax-credit-measures-2025-12"].status_on(today) == IN_FORCE
    assert works["major-violation-disclosure-54"].document_number == "国家税务总局令第54号"
    deductions = works["iit-special-additional-deductions"]
    assert "1000元" in texts(deductions, date(2022, 12, 31))["第5条"]
    assert "2000元" in texts(deductions, date(2023, 1, 1))["第5条"]
    iit = works["iit-law"]
    assert "三千五百元" in texts(iit, date(2018, 12, 31))["第6条"]
    assert "六万元" in texts(iit, date(2019, 1, 1))["第6条"]


def test_the_seed_check_refuses_duplicates_and_disorder() -> None:
    raw = json.loads((DATA / "works.json").read_text(encoding="utf-8"))["works"]
    works = [work_of(w) for w in raw]
    with pytest.raises(Invalid) as raised:
        check_corpus([*works, works[0]])
    assert raised.value.field == "id"
    twin = replace(works[1], id="another")
    with pytest.raises(Invalid) as raised:
        check_corpus([*works, twin])
    assert raised.value.field == "document_number"
    iit = next(w for w in works if w.id == "iit-law")
    backwards = replace(iit, versions=(iit.versions[0], replace(
        iit.versions[1], valid_from=date(2010, 1, 1))))
    with pytest.raises(Invalid):
        backwards.check()
    unmarked = replace(iit, versions=(iit.versions[0], replace(
        iit.versions[1], provisions=tuple(replace(p, status="in_force")
                                          for p in iit.versions[1].provisions))))
    with pytest.raises(Invalid):  # changed text not marked amended
        unmarked.check()
    dropped = replace(iit, versions=(iit.versions[0], replace(
        iit.versions[1], provisions=iit.versions[1].provisions[1:])))
    with pytest.raises(Invalid):
        dropped.check()


def test_ids_are_unique_across_the_corpus_files(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    one = json.loads((DATA / "works.json").read_text(encoding="utf-8"))["works"][0]
    for name in ("works.json", "works-extra.json"):
        (tmp_path / name).write_text(json.dumps({"works": [one]}), encoding="utf-8")
    monkeypatch.setattr(seeds, "DATA", tmp_path)
    corpus.cache_clear()
    try:
        with pytest.raises(Invalid) as raised:
            seeds.corpus()
        assert raised.value.field == "id"
    finally:
        corpus.cache_clear()


def test_publishing_announces_the_canonical_text() -> None:
    work = amend(example(), (Change("amend", 2, "第二条新文"),), date(2024, 7, 1))
    version = work.versions[-1]
    item = version_item("example", version, by="officer-b", at="t", draft="d-1")
    plain = {name: next(iter(value.values())) for name, value in item.items()}
    event = event_for(StreamChange("INSERT", new=plain))
    assert event is not None
    assert event.detail_type == PUBLISHED
    assert event.detail["version"] == 2
    assert event.detail["valid_from"] == "2024-07-01"
    assert json.loads(event.detail["text"]) == version_json(version)["provisions"]
    assert event.detail["text"] == canonical_text(version)
    assert event.detail["text_sha256"] == text_digest(version)
    assert event_for(StreamChange("MODIFY", new=plain, old=plain)) is None
    assert event_for(StreamChange("INSERT", new={**plain, "sk": "draft#d-1"})) is None
