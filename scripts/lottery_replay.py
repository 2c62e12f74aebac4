"""Replay a closed period of an instant invoice lottery and confirm every result.

Anyone holding the export of a period (the service writes it from DynamoDB
once the period has closed and its seed is revealed) can run this script: it
checks the revealed seed against the commitment published before the period
opened, recomputes every draw from the seed, and checks every recorded result
and the prize inventory (sources.md#lottery: draws are notarized and results published;
the replay is ``etax.lottery.audit``).

File format (JSON, UTF-8)::

    {
      "campaign": {                      # etax.lottery.campaign_codec.campaign_to_dict
        "id": "yantai-2026",
        "name": "...", "region": "...",
        "min_amount_yuan": "100.00",
        "eligible_types": ["32"],
        "per_person_daily": 30, "per_person_monthly": 30,
        "periods": [
          {"index": 1, "opens": "2026-02-13", "closes": "2026-02-28",
           "expected_entries": 2950000,
           "tiers": [{"name": "800-yuan", "amount_yuan": "800.00", "count": 6000}, ...]},
          ...
        ]
      },
      "period_index": 1,                 # the period replayed (1-based)
      "seed_hex": "<64 hex digits>",     # the revealed 32-byte seed
      "commitment": "<64 hex digits>",   # SHA-256 of the seed, published before opening
      "records": [                       # etax.lottery.records.record_to_dict, one per draw
        {"campaign_id": "yantai-2026", "period_index": 1,
         "invoice_number": "26370000000000000001",
         "value_hex": "<64 hex digits: HMAC-SHA256(seed, message)>",
         "tier": "50-yuan" | null,
         "result": "won" | "no_prize" | "sold_out",
         "drawn_at": "2026-02-13T09:30:00+08:00"},
        ...
      ]
    }

Usage: python scripts/lottery_replay.py FILE   (FILE may be ``-`` for standard input)

Exit status: 0 when every draw checks out, 1 when there is any discrepancy
(each is printed with its invoice number and a reason), 2 when the file cannot
be read or is malformed, or is the service's error answer instead of an export
(``409`` while the period is still open: one line says so). Standard library
only, plus ``etax`` from the shared layer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers" / "shared" / "python"))

from etax.lottery.audit import ReplayReport, replay
from etax.lottery.campaign_codec import campaign_from_dict
from etax.lottery.campaigns import Period, yuan
from etax.lottery.errors import LotteryError
from etax.lottery.records import DrawRecord, record_from_dict

_KEYS = frozenset({"campaign", "period_index", "seed_hex", "commitment", "records"})


_PROBLEM_KEYS = frozenset({"type", "title", "status", "detail"})
_EXCERPT = 200


class InputError(Exception):
    """The replay file cannot be used; the message says why."""


def problem(answer: Mapping[str, object]) -> str:
    """An error answer (problem+json) on one short line: status, title, detail."""
    parts = [str(answer[k]) for k in ("status", "title", "detail") if answer.get(k) is not None]
    line = " ".join(" ".join(parts).split())
    return line if len(line) <= _EXCERPT else line[:_EXCERPT - 1] + "…"


def load(text: str) -> tuple[Period, str, bytes, str, list[DrawRecord]]:
    """Parse a replay file: the period, campaign id, seed, commitment and records."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise InputError("the file must hold a JSON object")
    top = cast(dict[str, object], data)
    if top.keys() & _PROBLEM_KEYS and not top.keys() & _KEYS:
        raise InputError(f"not an export but the service's error answer: {problem(top)}")
    missing = sorted(_KEYS - top.keys())
    if missing:
        raise InputError(f"the file lacks {', '.join(missing)}")
    campaign_data, index, seed_hex = top["campaign"], top["period_index"], top["seed_hex"]
    commitment, raw_records = top["commitment"], top["records"]
    if not isinstance(campaign_data, dict):
        raise InputError("campaign must be an object")
    if isinstance(index, bool) or not isinstance(index, int):
        raise InputError("period_index must be a whole number")
    if not isinstance(seed_hex, str) or not isinstance(commitment, str):
        raise InputError("seed_hex and commitment must be hex strings")
    if not isinstance(raw_records, list):
        raise InputError("records must be a list")
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        raise InputError("seed_hex is not hexadecimal") from None
    try:
        campaign = campaign_from_dict(cast(Mapping[str, object], campaign_data))
        period = campaign.period(index)
        records = []
        for position, raw in enumerate(cast(list[object], raw_records), start=1):
            if not isinstance(raw, dict):
                raise InputError(f"record #{position} must be an object")
            records.append(record_from_dict(cast(Mapping[str, object], raw)))
    except LotteryError as error:
        raise InputError(error.reason) from None
    return period, campaign.id, seed, commitment, records


def summary(report: ReplayReport, period: Period) -> list[str]:
    """The printed summary: draws, wins per tier, discrepancies, verdict."""
    lines = [
        f"campaign {report.campaign_id}, period {period.index} "
        f"({period.opens} to {period.closes})",
        f"seed matches commitment: {'yes' if report.seed_ok else 'NO'}",
        f"draws: {report.draws}",
    ]
    for tier in period.tiers:
        lines.append(
            f"  {tier.name}: won {report.wins[tier.name]} of {tier.count} "
            f"({yuan(tier.amount_fen)} yuan each), "
            f"sold out {report.sold_out[tier.name]}"
        )
    lines.append(f"  no prize: {report.no_prize}")
    lines.append(f"paid: {yuan(report.paid_fen)} yuan")
    lines.append(f"discrepancies: {len(report.discrepancies)}")
    lines.extend(
        f"  {d.invoice_number or '(period)'}: {d.reason}" for d in report.discrepancies
    )
    lines.append("OK" if report.ok else "FAILED")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Replay a closed period of the invoice lottery and confirm every result."
    )
    parser.add_argument("file", help="the period's export (JSON), or - for standard input")
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        period, campaign_id, seed, commitment, records = load(text)
    except (OSError, UnicodeDecodeError, InputError) as error:
        print(f"lottery_replay: {error}", file=sys.stderr)
        return 2
    report = replay(seed, commitment, period, campaign_id, records)
    print("\n".join(summary(report, period)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
