"""The reminders benchmark's own pieces over moto (scripts/bench.py): the obligations it seeds
are the ones the API writes, the reminder run finds and reminds each once and logs its
PutEvents calls, the inbox count reads only the run's reminders, and its section of
docs/benchmarks.md replaces only itself."""

from __future__ import annotations

import io
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest

from etax.filing import deadlines
from tests.functional.conftest import LambdaContext, load_handler, with_token_expiry
from tests.functional.test_acceptance_registration import OFFICE
from tests.functional.test_filing import event

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402

DAY = date(2026, 11, 28)


def item_of(dynamodb: Any, taxpayer: str, period: str) -> dict[str, Any]:
    item: dict[str, Any] = dynamodb.get_item(TableName="filing", Key={
        "pk": {"S": f"taxpayer#{taxpayer}"}, "sk": {"S": f"obligation#vat#{period}"}})["Item"]
    return item


def test_the_period_is_overdue_on_the_day_and_inside_the_window() -> None:
    period = bench.overdue_period(DAY)
    due = deadlines.deadline("vat", period).due_date
    assert due < DAY
    assert (DAY - due).days <= deadlines.reminder_window_days()
    later = deadlines.deadline("vat", f"{DAY.year}-{DAY.month:02d}").due_date
    assert later >= DAY  # the latest overdue one: this month's is not due yet


def test_the_taxpayers_of_a_run_are_valid_and_distinct() -> None:
    from etax.rules import uscc

    codes = bench.reminder_taxpayers("A0F3")
    assert len(set(codes)) == 1000
    assert all(uscc.is_valid(c) for c in codes)
    assert not set(codes) & set(bench.reminder_taxpayers("A0F4"))
    with pytest.raises(ValueError, match="at most 1,000"):
        bench.reminder_taxpayers("A0F", 10)


def test_seeded_obligations_are_the_api_s_and_each_is_reminded_once(
        aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")  # unused here
    dynamodb = boto3.client("dynamodb")
    period = bench.overdue_period(DAY)
    codes = bench.reminder_taxpayers("B7C1", 25)
    bench.seed_overdue(dynamodb, "filing", codes[1:], period)
    # the first one through the API, by an admin naming the office
    filing = load_handler("filing")
    created = filing.handler(with_token_expiry(event(
        "filing/create_obligation.json", path="/v1/filing/obligations",
        resource="/v1/filing/obligations", who=("admin", "admin-0001"), key="bench-create",
        body={"taxpayer": codes[0], "tax_type": "vat", "period": period,
              "tax_office": OFFICE})), LambdaContext())
    assert created["statusCode"] == 201, created["body"]
    by_api, seeded = item_of(dynamodb, codes[0], period), item_of(dynamodb, codes[1], period)
    assert set(seeded) == set(by_api)
    differ = {"pk", "obligation_id", "taxpayer", "open_shard", "created_at"}
    assert {k: v for k, v in seeded.items() if k not in differ} == {
        k: v for k, v in by_api.items() if k not in differ}
    assert seeded["open_shard"]["S"].startswith("open#")

    reminders = load_handler("filing_reminders")
    lines = io.StringIO()  # the function's log lines, as its formatter writes them
    copy = logging.StreamHandler(lines)
    copy.setFormatter(reminders.logger.registered_formatter)
    reminders.logger.addHandler(copy)
    try:
        summary = reminders.handler({"date": DAY.isoformat()}, LambdaContext())
        assert summary == {"date": DAY.isoformat(), "due": 25, "reminded": 25,
                           "already_reminded": 0}
        logged = bench.logged_records(lines.getvalue().splitlines(), "reminders sent")
        assert [r["put_events_calls"] for r in logged] == [3]  # 25 events, ten per call
        again = reminders.handler({"date": DAY.isoformat()}, LambdaContext())
        assert again["reminded"] == 0
        logged = bench.logged_records(lines.getvalue().splitlines(), "reminders sent")
        assert [r["put_events_calls"] for r in logged] == [3, 0]
    finally:
        reminders.logger.removeHandler(copy)


def test_the_inbox_count_reads_only_the_run_s_reminders(aws: None) -> None:
    dynamodb = boto3.client("dynamodb")
    ours, other = bench.reminder_taxpayers("C2D5", 2), bench.reminder_taxpayers("C2D6", 1)
    for code in [*ours, *other]:
        dynamodb.put_item(TableName="notifications", Item={
            "recipient": {"S": code}, "sk": {"S": f"n#reminder:{code}:vat:2026-10:2026-11-28"}})
    dynamodb.put_item(TableName="notifications", Item={
        "recipient": {"S": ours[0]}, "sk": {"S": "n#refund:r1:paid"}})
    assert bench.reminders_in_inboxes(dynamodb, "notifications", "reminder:91350100MAC2D5") == 2
    assert bench.in_inboxes(dynamodb, "notifications", ours, "reminder:") == 2


def test_the_report_line_gives_the_duration_and_the_init() -> None:
    cold = ("START RequestId: 1f\nREPORT RequestId: 1f\tDuration: 41230.52 ms\t"
            "Billed Duration: 41231 ms\tMemory Size: 256 MB\tMax Memory Used: 98 MB\t"
            "Init Duration: 812.40 ms\t\n")
    assert bench.report_durations(cold) == (41.23052, 0.8124)
    assert bench.report_durations("REPORT RequestId: 2a  Duration: 900.00 ms  Billed") == (
        0.9, None)
    assert bench.report_durations("no report here") is None


def test_the_section_replaces_only_itself() -> None:
    text = "\n".join(["# Benchmarks", "", "## Push fan-out", "", "fan-out rows", "",
                      "## Reading these figures", "", "- a note", ""])
    first = bench.splice_section(text, bench.REMINDERS_HEADING, bench.reminders_section(None))
    assert first.index("## Push fan-out") < first.index(bench.REMINDERS_HEADING) < first.index(
        "## Reading these figures")
    rows = ["| run | ... |", "| 1 | 41.2 s |"]
    second = bench.splice_section(first, bench.REMINDERS_HEADING, bench.reminders_section(rows))
    assert second.count(bench.REMINDERS_HEADING) == 1
    assert "| 1 | 41.2 s |" in second
    assert "not run here" not in second
    assert second.replace("\n".join(rows) + "\n\n", "") != second
    assert "fan-out rows" in second
    assert "- a note" in second


def test_a_published_section_is_stamped_and_replaces_the_section_it_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "docs" / "benchmarks.md"
    report.parent.mkdir()
    report.write_text("# Benchmarks\n\n## Function init time (fresh interpreter, 3 runs each)\n\n"
                      "old rows\n\n## Layer sizes\n\nkept\n")
    monkeypatch.setattr(bench, "REPORT", report)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr(sys, "argv", ["bench.py", "--init", "--write"])
    bench.publish_section(["## Function init time (fresh interpreter, 5 runs each)", "",
                           "new rows", ""], bench.INIT_HEADING, write=True)
    lines = report.read_text().splitlines()
    assert "old rows" not in lines
    assert "new rows" in lines
    assert "kept" in lines
    assert lines.count("## Layer sizes") == 1
    stamp = lines[lines.index("## Function init time (fresh interpreter, 5 runs each)") + 2]
    assert stamp.startswith("Made by `python scripts/bench.py --init --write` on ")
