"""The business day: the calendar day in Asia/Shanghai, which every context counts in.

If the runtime has no time-zone database (the layer ships no ``tzdata`` and minimal images may
lack ``/usr/share/zoneinfo``), we use the fixed offset UTC+8, which is exact for every date we
handle: China has kept UTC+8 without daylight saving since 1991.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _shanghai() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the runtime's tz database
        return timezone(timedelta(hours=8), "Asia/Shanghai")


SHANGHAI = _shanghai()


def business_date(now: datetime) -> date:
    """The calendar day in Asia/Shanghai at instant ``now`` (which must carry a time zone)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware; a naive time has no business day")
    return now.astimezone(SHANGHAI).date()


def day_allowance(now: datetime) -> tuple[str, int, int]:
    """A person's allowance of the day at ``now``: the day (Asia/Shanghai, ISO), the epoch
    second a counter of it may expire (two days after the day ends: it outlives the day
    whatever the clock skew) and the seconds until the next day (at least 1: a
    ``Retry-After``)."""
    today = business_date(now)
    tomorrow = datetime.combine(today + timedelta(days=1), time(), SHANGHAI)
    retry = max(1, int((tomorrow - now).total_seconds()) + 1)
    return today.isoformat(), int((tomorrow + timedelta(days=2)).timestamp()), retry


def months_between(first: str, last: str) -> int:
    """How many months ``first`` to ``last`` (``YYYY-MM``, both counted) span: 1 for the same
    month, 0 or less when ``last`` is before ``first``."""
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1


def utc_stamp(moment: datetime, timespec: str = "seconds") -> str:
    """``moment`` as the platform writes instants: UTC, ISO 8601, ``Z`` for the zone
    (``2026-12-06T14:57:03Z``; ``timespec="milliseconds"`` where order within a second
    matters)."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
