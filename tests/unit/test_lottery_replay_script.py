"""scripts/lottery_replay.py: exit 0 on an honest period, 1 on a tampered one, 2 on a bad file."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from etax.lottery.campaign_codec import campaign_to_dict
from etax.lottery.campaigns import CHINA_TZ, Campaign, Period, Tier
from etax.lottery.draw import commitment, draw
from etax.lottery.records import NO_PRIZE, WON, record_to_dict

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lottery_replay.py"
SEED = bytes(range(32))


def campaign() -> Campaign:
    """Small counts, so that 400 draws sell every tier out (sources.md#lottery: 100 / 800)."""
    period = Period(
        index=1,
        opens=date(2026, 3, 1),
        closes=date(2026, 3, 15),
        tiers=(Tier("800-yuan", 800_00, 3), Tier("300-yuan", 300_00, 10),
               Tier("50-yuan", 50_00, 40)),
        expected_entries=200,
    )
    return Campaign(
        id="script-city-2026", name="脚本测试市", region="Test", min_amount_fen=100_00,
        eligible_types=frozenset({"32"}), per_person_daily=2, per_person_monthly=20,
        periods=(period,),
    )


def export() -> dict[str, object]:
    """What the service would export for period 1: a simulated honest period."""
    c = campaign()
    period = c.period(1)
    rng = random.Random(11)
    left = {t.name: t.count for t in period.tiers}
    start = datetime(2026, 3, 1, 8, tzinfo=CHINA_TZ)
    records = []
    for i, n in enumerate(rng.sample(range(10**15), 400)):
        outcome = draw(SEED, c.id, period, f"26370{n:015d}",
                       {name for name, k in left.items() if k == 0})
        if outcome.result == WON and outcome.tier is not None:
            left[outcome.tier.name] -= 1
        records.append(record_to_dict(outcome.to_record(start + timedelta(minutes=i))))
    return {
        "campaign": campaign_to_dict(c),
        "period_index": 1,
        "seed_hex": SEED.hex(),
        "commitment": commitment(SEED),
        "records": records,
    }


def run(tmp_path: Path, data: object) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "period.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )


def test_an_honest_period_exits_0(tmp_path: Path) -> None:
    done = run(tmp_path, export())
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "seed matches commitment: yes" in out
    assert "draws: 400" in out
    assert "800-yuan: won 3 of 3 (800.00 yuan each)" in out
    assert "50-yuan: won 40 of 40" in out
    assert "paid: 7400.00 yuan" in out
    assert "discrepancies: 0" in out
    assert out.rstrip().endswith("OK")


def test_a_tampered_record_exits_1(tmp_path: Path) -> None:
    data = export()
    records = data["records"]
    assert isinstance(records, list)
    loser = next(r for r in records if r["result"] == NO_PRIZE)
    loser.update(result=WON, tier="800-yuan")
    done = run(tmp_path, data)
    assert done.returncode == 1
    assert (
        f"{loser['invoice_number']}: recorded won in tier '800-yuan', "
        "but the value wins no prize"
    ) in done.stdout
    assert done.stdout.rstrip().endswith("FAILED")


def test_a_wrong_seed_exits_1(tmp_path: Path) -> None:
    data = export()
    data["seed_hex"] = bytes(32).hex()
    done = run(tmp_path, data)
    assert done.returncode == 1
    assert "seed matches commitment: NO" in done.stdout


def test_standard_input(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "-"], input=json.dumps(export()),
        capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("commitment"), "the file lacks commitment"),
        (lambda d: d.update(seed_hex="zz"), "seed_hex is not hexadecimal"),
        (lambda d: d.update(period_index=2), "campaign 'script-city-2026' has no period 2"),
        (lambda d: d["records"][0].update(result="lost"), "result 'lost' is not one of"),
        (lambda d: d["campaign"].update(min_amount_yuan="50.00"), "below the national floor"),
        (lambda d: d.update(records={}), "records must be a list"),
    ],
)
def test_a_malformed_file_exits_2(tmp_path: Path, edit: object, message: str) -> None:
    data = export()
    edit(data)  # type: ignore[operator]
    done = run(tmp_path, data)
    assert done.returncode == 2
    assert message in done.stderr


def test_not_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "period.json"
    path.write_text("{", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "not JSON" in done.stderr


def test_an_error_answer_instead_of_an_export_exits_2_on_one_line(tmp_path: Path) -> None:
    """What ``curl …/export > period.json`` saves while the period is open."""
    done = run(tmp_path, {"type": "urn:etax:problem:conflict", "title": "Conflict",
                          "status": 409, "detail": "period 1 closes on 2026-12-16; its seed "
                          "and draws are published the day after"})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("lottery_replay: not an export but the service's error answer: 409 "
                           "Conflict period 1 closes on 2026-12-16; its seed and draws are "
                           "published the day after\n")


def test_a_long_error_answer_is_cut_short(tmp_path: Path) -> None:
    done = run(tmp_path, {"title": "Bad request", "status": 400, "detail": "x" * 5000})
    assert done.returncode == 2
    assert len(done.stderr) < 300
    assert done.stderr.count("\n") == 1
