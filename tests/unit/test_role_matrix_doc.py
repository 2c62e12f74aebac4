"""docs/role-matrix.md's generated section is what scripts/role_matrix_doc.py writes from the
role matrix today, and the matrix's file is read strictly (tests/role_matrix.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.role_matrix import MATRIX, ROLES, TABLE, _load

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import role_matrix_doc  # noqa: E402  (scripts/role_matrix_doc.py)

HEADER = "route " + " ".join(ROLES)


def test_the_committed_page_is_what_the_script_writes() -> None:
    page = role_matrix_doc.PAGE.read_text(encoding="utf-8")
    assert page == role_matrix_doc.expected_page(page), (
        "docs/role-matrix.md is out of date: run .venv/bin/python scripts/role_matrix_doc.py")


def test_every_row_is_on_the_page_and_a_stale_page_is_seen() -> None:
    page = role_matrix_doc.PAGE.read_text(encoding="utf-8")
    row = "| `GET /v1/refunds/{case_id}` | 401 | 403 | own | ok | 403 | 403 | 403 | ok |"
    assert row in page
    assert all(f"| `{route}`" in page for route in MATRIX)
    stale = page.replace(row, row.replace("| own |", "| ok |"))
    assert stale != page
    assert role_matrix_doc.expected_page(stale) == page  # the prose stays, the table returns
    with pytest.raises(SystemExit):
        role_matrix_doc.expected_page(page.replace(role_matrix_doc.BEGIN, ""))


def test_the_file_has_a_row_per_route_and_a_known_outcome_in_each_cell() -> None:
    assert list(_load(TABLE.read_text(encoding="utf-8"))) == list(MATRIX)
    assert len(MATRIX) > 60


@pytest.mark.parametrize(("table", "reason"), [
    ("route public taxpayer\nGET /v1/x ok ok", "columns"),
    (f"{HEADER}\nGET /v1/x ok ok ok ok ok ok ok", "7 cells for 8 roles"),
    (f"{HEADER}\nGET /v1/x ok ok ok ok ok ok ok maybe", "unknown outcomes ['maybe']"),
    (f"{HEADER}\nGET /v1/x {' ok' * 8}\nGET /v1/x {' ok' * 8}", "two rows"),
])
def test_a_malformed_table_is_refused(table: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        _load(table)
