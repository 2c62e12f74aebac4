"""Operations alerts: an alarm's change of state as the on-duty officers read it, and the
roster that says who is on duty.

CloudWatch publishes each change of an alarm's state to the platform's alarm topic as JSON
(``AlarmName``, ``AlarmDescription``, ``NewStateValue``, ``OldStateValue``,
``NewStateReason``, ``StateChangeTime``); the topic delivers it raw to the alerts' queue.
An ``ALARM`` opens an alert, sent to every officer whose shift covers its instant; the next
``OK`` of the same alarm resolves it and tells the same officers. ``INSUFFICIENT_DATA`` is
not an alert (the platform's alarms treat missing data as fine).

A shift is a stretch of at most :data:`MAX_SHIFT_HOURS` hours, set at most
:data:`MAX_AHEAD_DAYS` days ahead, for one officer (the subject they sign in with).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from etax.errors import Invalid
from etax.rules.dates import SHANGHAI, utc_stamp

ALARM: Final = "ALARM"
OK: Final = "OK"
MAX_SHIFT_HOURS: Final = 24
MAX_AHEAD_DAYS: Final = 90
KEPT_DAYS: Final = 90  # a shift or an alert is kept this long after it ends or is raised
NAME_LIMIT: Final = 255  # CloudWatch's limit for an alarm's name
REASON_LIMIT: Final = 600  # characters of the reason carried into an alert
ALERT_ID: Final = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{12}")  # what AlarmChange.alert_id gives


@dataclass(frozen=True, slots=True)
class AlarmChange:
    name: str
    state: str  # ALARM | OK | INSUFFICIENT_DATA
    old_state: str
    reason: str
    description: str
    changed_at: datetime  # aware, UTC

    @property
    def alert_id(self) -> str:
        """The alert's id: its instant (so ids sort by time), then a digest of the alarm and
        the instant — the same change delivered twice is the same alert."""
        stamp = self.changed_at.strftime("%Y%m%dT%H%M%S")
        key = f"{self.name}|{self.changed_at.isoformat()}".encode()
        return f"{stamp}Z-{hashlib.sha256(key).hexdigest()[:12]}"


def _instant(text: str) -> datetime:
    """``2026-12-06T10:00:00.000+0000`` (CloudWatch), ISO with ``Z`` or an offset, or naive
    (taken as UTC)."""
    cleaned = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip()).replace("Z", "+00:00")
    moment = datetime.fromisoformat(cleaned)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def parse_alarm(body: str) -> AlarmChange:
    """An alarm's change of state from the topic's message (raw delivery); ``ValueError`` when
    it is not one."""
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError("not an alarm's message")
    name, state = message.get("AlarmName"), message.get("NewStateValue")
    if not isinstance(name, str) or not name or len(name) > NAME_LIMIT:
        raise ValueError("an alarm's message names no alarm")
    if state not in (ALARM, OK, "INSUFFICIENT_DATA"):
        raise ValueError("an alarm's message has no new state")
    changed = message.get("StateChangeTime")
    if not isinstance(changed, str):
        raise ValueError("an alarm's message has no time of change")
    return AlarmChange(name=name, state=str(state), old_state=str(message.get("OldStateValue")),
                       reason=str(message.get("NewStateReason") or "")[:REASON_LIMIT],
                       description=str(message.get("AlarmDescription") or "")[:REASON_LIMIT],
                       changed_at=_instant(changed))


def words(change: AlarmChange, alert_id: str) -> tuple[str, str]:
    """The notification's title and body: what alarmed, why, when (Beijing time), and how the
    alert ``alert_id`` is acknowledged."""
    when = change.changed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if change.state == ALARM:
        title = f"平台告警：{change.name}"
        lines = [f"告警：{change.name}", f"说明：{change.description or '（无）'}",
                 f"原因：{change.reason or '（无）'}", f"时间：{when}（北京时间）",
                 f"请确认（POST /v1/office/alerts/{alert_id}/ack）并处理。"]
    else:
        title = f"告警已恢复：{change.name}"
        lines = [f"告警：{change.name} 已恢复正常", f"原因：{change.reason or '（无）'}",
                 f"时间：{when}（北京时间）"]
    return title[:100], "\n".join(lines)[:2000]


@dataclass(frozen=True, slots=True)
class Shift:
    shift_id: str
    officer: str
    starts_at: datetime
    ends_at: datetime
    set_by: str

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def check_shift(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """A shift ends after it starts, lasts at most :data:`MAX_SHIFT_HOURS` hours, has not
    ended yet and starts at most :data:`MAX_AHEAD_DAYS` days ahead; 422 naming the field."""
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment.tzinfo is None:
            raise Invalid(f"{name}: a time with its offset (e.g. +08:00)", field=name)
    if ends_at <= starts_at:
        raise Invalid("ends_at: after starts_at", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise Invalid(f"ends_at: a shift lasts at most {MAX_SHIFT_HOURS} hours", field="ends_at")
    if ends_at <= now:
        raise Invalid("ends_at: a shift that has not ended yet", field="ends_at")
    if starts_at > now + timedelta(days=MAX_AHEAD_DAYS):
        raise Invalid(f"starts_at: at most {MAX_AHEAD_DAYS} days ahead", field="starts_at")


def on_duty(shifts: Iterable[Shift], moment: datetime) -> list[str]:
    """The officers whose shift covers ``moment``, each once, in order."""
    return sorted({s.officer for s in shifts if s.covers(moment)})


def as_detail(change: AlarmChange) -> dict[str, Any]:
    """The change as the alert records it."""
    return {"alarm": change.name, "state": change.state, "old_state": change.old_state,
            "reason": change.reason, "description": change.description,
            "changed_at": utc_stamp(change.changed_at)}
