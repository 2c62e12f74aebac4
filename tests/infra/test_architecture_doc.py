"""docs/architecture.md's generated section is what scripts/architecture.py writes today."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import architecture  # noqa: E402  (scripts/architecture.py)


@pytest.fixture(scope="module")
def page() -> str:
    return architecture.PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def expected(page: str) -> str:
    return architecture.expected_page(page)


def test_the_committed_page_is_what_the_script_writes(page: str, expected: str) -> None:
    assert page == expected, (
        "docs/architecture.md is out of date: run .venv/bin/python scripts/architecture.py")


def test_every_board_function_route_and_rule_is_on_the_page(expected: str) -> None:
    for board in ("Platform", "Acceptance", "InvoiceServices", "Lottery", "FilingAndPayment",
                  "Calculators", "Supply", "Certificates", "Refunds", "Notifications"):
        assert f"`{board}` in `infra/" in expected
    for row in ("| `POST /v1/invoices` | `invoices` | signed in |",
                "| `GET /v1/health` | `platform` | public |",
                "| `POST /v1/auth/dev-token` | `dev_issuer` (local stage only) | public |",
                '| PrizeWonRule | `{"detail-type": ["PrizeWon"], "source": ["tax.lottery"]}`'
                " | queue PayoutsQueue |",
                "| DailyReminders | schedule `cron(0 1 * * ? *)` | `filing_reminders` |"):
        assert row in expected


def test_a_page_out_of_step_is_seen(page: str, expected: str) -> None:
    stale = page.replace("| `GET /v1/health` | `platform` | public |\n", "")
    assert stale != page
    assert architecture.expected_page(stale) == expected  # the prose stays, the table returns
    with pytest.raises(SystemExit):
        architecture.expected_page(page.replace(architecture.BEGIN, ""))
