"""The analytical store's pure parts: the archive's days and names, the tables' rows (a fact
once, a person pseudonymized, bad details refused), the Parquet files DuckDB writes and the
views over them, and the queries in Athena's dialect."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from etax.analytics import queries
from etax.analytics.archive import (
    NotAnEvent,
    by_day,
    day_of,
    event_of,
    events_in,
    lines_of,
    raw_key,
)
from etax.analytics.compaction import Spill, Spilled, write_partitions
from etax.analytics.parties import party, province_of, pseudonym
from etax.analytics.reports import checked_range
from etax.analytics.schemas import (
    ATHENA_TYPES,
    BY_NAME,
    INVOICE_LINES,
    INVOICES,
    PARTITIONS,
    PAYMENTS,
    TABLES,
    Event,
    instant,
    rows_of,
)
from etax.analytics.service import month_bounds, utc_naive
from etax.errors import Invalid
from etax.rules.dates import months_between

KEY = b"k" * 32
COMPANY = "91350100M000100Y43"
PERSON = "350102199003071234"
ROOT = Path(__file__).resolve().parents[2]


def envelope(kind: str, detail: dict[str, Any], *, event_id: str = "e-1",
             time: str = "2026-12-04T17:30:00Z", source: str = "tax.filing") -> dict[str, Any]:
    return {"id": event_id, "source": source, "detail-type": kind, "time": time,
            "detail": detail}


def payment(payment_id: str = "pay-1", amount: Any = 100_000, **extra: Any) -> dict[str, Any]:
    return {"payment_id": payment_id, "obligation_id": "ob-1", "taxpayer": COMPANY,
            "tax_type": "vat", "period": "2026-11", "amount_fen": amount,
            "method": "bank_transfer", "confirmed_at": "2026-12-04T17:29:59+00:00",
            "office": "13501000000", **extra}


def test_the_day_is_china_s_and_a_bad_time_is_not_an_event() -> None:
    assert day_of("2026-12-04T17:30:00Z") == "2026-12-05"  # 01:30 in Beijing
    assert day_of("2026-12-04T15:59:59+00:00") == "2026-12-04"
    for bad in ("yesterday", "2026-12-04T10:00:00"):
        with pytest.raises(NotAnEvent):
            day_of(bad)
    with pytest.raises(NotAnEvent):
        event_of({"id": "x", "source": "aws.s3", "detail-type": "A", "time": "2026-12-04T00:00Z",
                  "detail": {}})
    with pytest.raises(NotAnEvent):
        event_of({"id": "x"})


def test_a_batch_is_named_by_its_events_whatever_their_order() -> None:
    a = event_of(envelope("PaymentConfirmed", payment(), event_id="a"))
    b = event_of(envelope("PaymentConfirmed", payment(), event_id="b"))
    assert raw_key("2026-12-05", [a, b]) == raw_key("2026-12-05", [b, a])
    assert raw_key("2026-12-05", [a]) != raw_key("2026-12-05", [a, b])
    assert raw_key("2026-12-05", [a]).startswith("raw/date=2026-12-05/")
    late = event_of(envelope("PaymentConfirmed", payment(), time="2026-12-01T00:00:00Z"))
    assert sorted(by_day([a, late])) == ["2026-12-01", "2026-12-05"]


def test_raw_lines_read_back_and_damage_is_counted() -> None:
    events = [event_of(envelope("PaymentConfirmed", payment(), event_id=str(n)))
              for n in range(3)]
    body = lines_of(events) + b"not json\n" + b'{"id": "no source"}\n'
    found, damaged = events_in(body)
    assert [e.id for e in found] == ["0", "1", "2"]
    assert damaged == 2


def test_a_person_is_a_keyed_pseudonym_and_a_company_its_code() -> None:
    assert party(COMPANY, KEY) == COMPANY
    alias = party(PERSON, KEY)
    assert alias == pseudonym(PERSON, KEY)
    assert alias is not None
    assert alias.startswith("p:")
    assert PERSON not in alias
    assert party(PERSON.lower(), KEY) == alias  # an x check digit in either case
    assert party(PERSON, b"another key") != alias
    assert party(None, KEY) is None
    assert party("", KEY) is None
    assert province_of(COMPANY) == "35"
    assert province_of(PERSON) == "35"
    assert province_of("nonsense") == province_of(None) == "00"


def compacted(events: list[Event], work: Path, *names: str
              ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int], Spilled]:
    """The facts each table keeps of ``events`` (read back from the Parquet files DuckDB
    wrote, the province from the partition), how many, and what was spilled."""
    connection = duckdb.connect()
    with Spill(work / "spill") as spill:
        spill.add(events)
    found: dict[str, list[dict[str, Any]]] = {}
    counts = {}
    for name in names:
        count, files = write_partitions(connection, BY_NAME[name], spill.paths[name],
                                        work / name)
        counts[name] = count
        found[name] = []
        for province, paths in files.items():
            for path in paths:
                cursor = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
                columns = [d[0] for d in cursor.description]
                found[name] += [{**dict(zip(columns, row, strict=True)), "province": province}
                                for row in cursor.fetchall()]
    return found, counts, spill.result


def test_one_row_per_fact_the_earliest_kept(tmp_path: Path) -> None:
    first = event_of(envelope("PaymentConfirmed", payment(), event_id="b",
                              time="2026-12-04T17:30:00Z"))
    again = event_of(envelope("PaymentConfirmed", payment(), event_id="a",
                              time="2026-12-04T17:31:00Z"))  # the outbox announced it twice
    other = event_of(envelope("PaymentConfirmed", payment("pay-2", 5), event_id="c"))
    floaty = event_of(envelope("PaymentConfirmed", payment("pay-3", 1.5), event_id="d"))
    found, counts, spilled = compacted([again, other, first, first, floaty], tmp_path,
                                       "payments", "events", "invoices")
    rows = {r["payment_id"]: r for r in found["payments"]}
    assert set(rows) == {"pay-1", "pay-2"}
    assert rows["pay-1"]["event_id"] == "b"
    assert rows["pay-1"]["amount_fen"] == 100_000
    assert rows["pay-1"]["confirmed_at"] == datetime(2026, 12, 4, 17, 29, 59)
    assert rows["pay-1"]["province"] == "35"
    assert spilled.refused == {"payments": ["d"]}
    assert spilled.rows["payments"] - counts["payments"] == 2  # "b" again, and "a"
    assert counts["events"] == 4  # by event id: the two announcements are two events
    assert counts["invoices"] == 0


def test_an_invoice_to_a_person_keeps_no_id_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etax.analytics.parties._key", lambda: KEY)
    issued = event_of(envelope("InvoiceIssued", {
        "number": "26352000000000000001", "type": "81", "issue_date": "2026-12-04",
        "seller_credit_code": COMPANY, "buyer_id": PERSON, "total_fen": 21800,
        "channel": "mobile"}, source="tax.invoices"))
    [row] = rows_of(INVOICES, issued)
    assert row["buyer"] == pseudonym(PERSON, KEY)
    assert PERSON not in json.dumps(row)


def test_an_invoices_classified_lines_are_a_row_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("etax.analytics.parties._key", lambda: KEY)
    detail = {"number": "26352000000000000002", "type": "81", "issue_date": "2026-12-04",
              "seller_credit_code": COMPANY, "buyer_id": PERSON, "total_fen": 33900,
              "amount_fen": 30000, "channel": "web",
              "lines": [{"line": 1, "tax_code": "1070101010100000000", "amount_fen": 20000},
                        {"line": 3, "tax_code": "3040203000000000000", "amount_fen": 10000}]}
    issued = event_of(envelope("InvoiceIssued", detail, source="tax.invoices"))
    rows = rows_of(INVOICE_LINES, issued)
    assert [(r["line"], r["tax_code"], r["amount_fen"]) for r in rows] == [
        (1, "1070101010100000000", 20000), (3, "3040203000000000000", 10000)]
    assert {r["province"] for r in rows} == {COMPANY[2:4]}
    assert all(r["buyer"] == pseudonym(PERSON, KEY) and r["kind"] == "issued" for r in rows)
    [invoice] = rows_of(INVOICES, issued)
    assert invoice["amount_fen"] == 30000
    # an invoice without classified lines has none; a voided one is the invoices table's
    assert rows_of(INVOICE_LINES, event_of(envelope("InvoiceIssued", {
        **detail, "lines": None}, source="tax.invoices"))) == []
    assert rows_of(INVOICE_LINES, event_of(envelope("InvoiceVoided", detail,
                                                    source="tax.invoices"))) == []
    for bad in ("107", "9070101010100000000"):  # too short; no part 9 in the code table
        with pytest.raises(ValueError, match="19 digits"):
            rows_of(INVOICE_LINES, event_of(envelope("InvoiceIssued", {
                **detail, "lines": [{"line": 1, "tax_code": bad, "amount_fen": 1}]},
                source="tax.invoices")))


def test_instants_are_kept_in_utc() -> None:
    assert instant("2026-12-05T09:00:00+08:00") == "2026-12-05 01:00:00"
    with pytest.raises(ValueError, match="offset"):
        instant("2026-12-05T09:00:00")


def test_parquet_written_and_read_through_the_deduplicating_view(tmp_path: Path) -> None:
    connection = duckdb.connect()
    days = {
        "2026-12-05": [event_of(envelope("PaymentConfirmed", payment(f"pay-{n}", 100 * n),
                                         event_id=f"e{n}")) for n in range(1, 4)],
        # the same payment announced again on another day: a second partition holds it
        "2026-12-06": [event_of(envelope("PaymentConfirmed", payment("pay-1", 100),
                                         event_id="late", time="2026-12-06T01:00:00Z"))]}
    layout = []
    for day, events in days.items():
        with Spill(tmp_path / day / "spill") as spill:
            spill.add(events)
        _, written = write_partitions(connection, PAYMENTS, spill.paths["payments"],
                                      tmp_path / "t" / f"date={day}")
        layout += [p for paths in written.values() for p in paths]
    files = ", ".join(f"'{p}'" for p in layout)
    source = (f"(SELECT * FROM read_parquet([{files}], "  # noqa: S608 (the test's files)
              "hive_partitioning = true, "
              "hive_types = {'date': DATE, 'province': VARCHAR})) AS files")
    connection.execute(f"CREATE VIEW payments AS {queries.deduplicated(PAYMENTS, source)}")
    start, end = month_bounds("2026-12", "2026-12")
    answer = connection.execute(queries.revenue("tax", office=True), [
        utc_naive(start), utc_naive(end), "13501000000"]).fetchall()
    assert answer == [("vat", 3, 600)]  # 100 + 200 + 300, the late copy counted once
    types = dict(connection.execute(
        "SELECT column_name, column_type FROM (DESCRIBE payments)").fetchall())
    assert types["amount_fen"] == "BIGINT"
    assert types["confirmed_at"] == "TIMESTAMP"


def test_month_bounds_are_china_s_months() -> None:
    start, end = month_bounds("2026-11", "2026-12")
    assert start.isoformat() == "2026-11-01T00:00:00+08:00"
    assert end.isoformat() == "2027-01-01T00:00:00+08:00"
    assert months_between("2026-11", "2027-02") == 4
    assert checked_range("2026-01", "2026-12") == ("2026-01", "2026-12")
    for first, last, field in (("2026-1", "2026-12", "from"), ("2026-12", None, "to"),
                               ("2026-12", "2026-11", "to"), ("2023-01", "2026-12", "to"),
                               ("0000-01", "2026-12", "from"), ("2099-01", "9999-12", "to")):
        with pytest.raises(Invalid) as refused:
            checked_range(first, last)
        assert refused.value.field == field


@pytest.mark.parametrize("sql", [
    *queries.every_query(),
    *(queries.deduplicated(t, f"{t.name}_files") for t in TABLES),
])
def test_every_query_transpiles_to_athena(sql: str) -> None:
    [athena] = sqlglot.transpile(sql, read="duckdb", write="athena")
    sqlglot.parse_one(athena, read="athena")  # and reads back in Athena's dialect
    assert "strftime" not in athena.lower()  # DuckDB's date function rewritten


def test_the_tables_are_documented_column_by_column() -> None:
    page = (ROOT / "docs" / "analytics.md").read_text()
    for table in TABLES:
        heading = f"### `{table.name}` (v{table.version})"
        assert heading in page, table.name
        section = page.split(heading, 1)[1].split("\n#", 1)[0]  # to the next heading
        for column in table.columns:
            row = f"| `{column.name}` | {column.type} | {ATHENA_TYPES[column.type]} |"
            assert row in section, f"{table.name}.{column.name}"
    for name, _, _ in PARTITIONS:
        assert f"`{name}`" in page


def test_every_table_reads_only_its_events() -> None:
    assert INVOICES.reads(Event("x", "tax.invoices", "InvoiceIssued", "", {}))
    assert not INVOICES.reads(Event("x", "tax.filing", "InvoiceIssued", "", {}))
    assert len({t.name for t in TABLES}) == len(TABLES)
