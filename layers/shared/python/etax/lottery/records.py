"""The draw record: what an auditor needs to replay one draw, and its JSON form.

The service stores one record per draw; the export and ``scripts/lottery_replay.py``
exchange them as :func:`record_to_dict`'s objects. Only the form is checked here;
whether a record is *right* is :func:`etax.lottery.audit.replay`'s question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, cast

from etax.lottery.errors import RecordError

__all__ = [
    "NO_PRIZE", "RESULTS", "SOLD_OUT", "WON", "DrawRecord", "Result", "record_from_dict",
    "record_to_dict",
]

Result = Literal["won", "no_prize", "sold_out"]
WON: Final = "won"
NO_PRIZE: Final = "no_prize"
SOLD_OUT: Final = "sold_out"
RESULTS: Final[frozenset[str]] = frozenset({WON, NO_PRIZE, SOLD_OUT})

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class DrawRecord:
    """What an auditor needs to replay one draw (stored by the service, exported for audit).

    ``tier`` is the tier's name or None; ``result`` is ``"won"``, ``"no_prize"``
    or ``"sold_out"``; ``drawn_at`` is timezone-aware. Only the form is checked
    here; whether the record is *right* is :func:`~etax.lottery.audit.replay`'s question.
    """

    campaign_id: str
    period_index: int
    invoice_number: str
    value_hex: str
    tier: str | None
    result: Result
    drawn_at: datetime

    def __post_init__(self) -> None:
        if not _HEX64.fullmatch(self.value_hex):
            raise RecordError(
                f"invoice {self.invoice_number}: the draw value must be 64 lower-case hex digits"
            )
        if self.result not in RESULTS:
            raise RecordError(
                f"invoice {self.invoice_number}: result {self.result!r} is not one of "
                f"{', '.join(sorted(RESULTS))}"
            )
        if self.drawn_at.utcoffset() is None:
            raise RecordError(f"invoice {self.invoice_number}: drawn_at needs a time zone")


_RECORD_KEYS = frozenset(
    {"campaign_id", "period_index", "invoice_number", "value_hex", "tier", "result", "drawn_at"}
)


def record_to_dict(record: DrawRecord) -> dict[str, object]:
    """A JSON-able record; ``drawn_at`` as ISO 8601 with its offset."""
    return {
        "campaign_id": record.campaign_id,
        "period_index": record.period_index,
        "invoice_number": record.invoice_number,
        "value_hex": record.value_hex,
        "tier": record.tier,
        "result": record.result,
        "drawn_at": record.drawn_at.isoformat(),
    }


def record_from_dict(data: Mapping[str, object]) -> DrawRecord:
    """The inverse of :func:`record_to_dict`; a malformed record raises :class:`RecordError`."""
    if not isinstance(data, Mapping):
        raise RecordError("a draw record must be an object")
    missing = sorted(_RECORD_KEYS - data.keys())
    if missing:
        raise RecordError(f"a draw record lacks {', '.join(missing)}")
    unknown = sorted(str(k) for k in data.keys() - _RECORD_KEYS)
    if unknown:
        raise RecordError(f"a draw record has unknown keys: {', '.join(unknown)}")
    strings = {}
    for key in ("campaign_id", "invoice_number", "value_hex", "result", "drawn_at"):
        value = data[key]
        if not isinstance(value, str):
            raise RecordError(f"a draw record's {key} must be a string")
        strings[key] = value
    number = strings["invoice_number"]
    index = data["period_index"]
    if isinstance(index, bool) or not isinstance(index, int):
        raise RecordError(f"invoice {number}: period_index must be a whole number")
    tier = data["tier"]
    if tier is not None and not isinstance(tier, str):
        raise RecordError(f"invoice {number}: tier must be a name or null")
    try:
        drawn_at = datetime.fromisoformat(strings["drawn_at"])
    except ValueError:
        raise RecordError(
            f"invoice {number}: drawn_at {strings['drawn_at']!r} is not an ISO 8601 time"
        ) from None
    return DrawRecord(
        campaign_id=strings["campaign_id"],
        period_index=index,
        invoice_number=number,
        value_hex=strings["value_hex"],
        tier=tier,
        result=cast(Result, strings["result"]),
        drawn_at=drawn_at,
    )

