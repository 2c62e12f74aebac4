"""The tax school's rules (税务学堂, plan action E17). Pure: no AWS.

Sessions
    An officer (or an administrator) schedules a live session of a course for an audience —
    taxpayers (enterprises and natural persons), officers, or both — with a start and an end
    (at most :data:`MAX_HOURS` hours, starting within :data:`MAX_DAYS_AHEAD` days), a place and
    a capacity of 1 to :data:`MAX_CAPACITY` seats.
Enrolment
    Open until the session starts, to the roles of its audience. A person holds one place a
    session: a seat while seats are free and nobody waits, otherwise a place on the waiting
    list, in the order the requests were accepted. The seat count and the place are written
    in one conditional transaction, so concurrent enrolments never take more seats than the
    capacity (:mod:`etax.school.repository`).
Cancelling
    Until the session starts. A seat given up goes to the first in line, in the same
    transaction, and they are told; a place on the list given up moves those behind it up.
Attendance, evaluation, certificate
    Once the session has started, an officer of the organising office records who attended;
    each attendee gets a completion certificate signed with the platform's key (checked by
    anyone, like the tax certificates) and may evaluate the session once (a score of 1 to 5
    and an optional comment).
Reminders
    Each seated person is reminded through the notification fan-out once, within
    :data:`REMIND_HOURS` hours before the start.

The figures are the platform's own choices (docs/sources.md#tax-school).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from etax.errors import Invalid, Refused
from etax.platform.auth import Principal
from etax.platform.privacy import mask_identifier
from etax.rules.dates import SHANGHAI, utc_stamp

Audience = Literal["taxpayers", "officers", "all"]
AUDIENCE_ROLES: Final[dict[str, tuple[str, ...]]] = {
    "taxpayers": ("taxpayer",), "officers": ("officer",), "all": ("taxpayer", "officer")}
ORGANISERS: Final = ("officer", "admin")
LEARNERS: Final = ("taxpayer", "officer")

MAX_CAPACITY: Final = 1000
MAX_HOURS: Final = 12
MAX_DAYS_AHEAD: Final = 366
REMIND_HOURS: Final = 24
MIN_SCORE, MAX_SCORE = 1, 5

SEATED: Final = "enrolled"
WAITING: Final = "waiting"
CANCELLED: Final = "cancelled"

CERTIFICATE_SPEC: Final = "etax-school-certificate/1"
CERTIFICATE_TITLE: Final = "税务学堂培训结业证明"


def check_schedule(starts: datetime, ends: datetime, now: datetime) -> None:
    """A session starts in the future, within a year, and lasts at most twelve hours."""
    if starts <= now:
        raise Invalid("a session starts in the future", field="starts_at")
    if starts - now > timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(f"a session starts within {MAX_DAYS_AHEAD} days", field="starts_at")
    if ends <= starts:
        raise Invalid("a session ends after it starts", field="ends_at")
    if ends - starts > timedelta(hours=MAX_HOURS):
        raise Invalid(f"a session lasts at most {MAX_HOURS} hours", field="ends_at")


def may_enrol(principal: Principal, audience: str) -> None:
    if principal.role not in AUDIENCE_ROLES[audience]:
        raise Refused(f"this session is for {audience}; enrolment is for "
                      f"{' and '.join(AUDIENCE_ROLES[audience])} accounts")


def organises(principal: Principal, session: Mapping[str, Any]) -> bool:
    """An administrator, or an officer of the office that scheduled the session (or
    published the course or library document: :data:`etax.school.catalogue.keeps`)."""
    return principal.role == "admin" or (
        principal.role == "officer" and principal.tax_office == session["tax_office"])


def waiting_key(accepted_at: datetime, request_id: str) -> str:
    """A place's order on the waiting list: the time its request was accepted, to the
    microsecond, then the request's own id (two requests of one microsecond keep an order)."""
    return f"{utc_stamp(accepted_at, 'microseconds')}#{request_id}"


def starts_key(starts_at: str, session_id: str) -> str:
    return f"{starts_at}#{session_id}"


def certificate_number(session_id: str, sequence: int) -> str:
    """``XT-<session id>-<sequence>``: the session's certificates numbered in order."""
    return f"XT-{session_id}-{sequence:04d}"


def verify_path(number: str) -> str:
    return f"/v1/school/certificates/{number}/verify"


def certificate(number: str, session: dict[str, Any], holder: str, attended_at: str,
                issued_at: datetime) -> dict[str, Any]:
    """The completion certificate's document (signed as it is; spec ``etax-school-certificate
    /1``): the session, the holder (the account's identifier), the attendance and the issue
    day in China."""
    return {"spec": CERTIFICATE_SPEC, "number": number, "title": CERTIFICATE_TITLE,
            "holder": holder,
            "session": {"id": session["id"], "title": session["title"],
                        "course": session.get("course"), "starts_at": session["starts_at"],
                        "ends_at": session["ends_at"], "place": session["place"]},
            "tax_office": session["tax_office"], "attended_at": attended_at,
            "issue_date": issued_at.astimezone(SHANGHAI).date().isoformat(),
            "issued_at": utc_stamp(issued_at), "verify": verify_path(number)}


def shown_holder(holder: str) -> str:
    """The holder as a public check shows it: masked (a resident ID is personal)."""
    return mask_identifier(holder)


@dataclass(frozen=True, slots=True)
class Words:
    kind: str
    title: str
    body: str


def words(what: str, session: dict[str, Any], **facts: Any) -> Words:
    """What a person is told, by ``what``: ``enrolled``, ``waiting``, ``promoted``,
    ``reminder`` or ``certified``."""
    when = datetime.fromisoformat(session["starts_at"].replace("Z", "+00:00")).astimezone(
        SHANGHAI).strftime("%Y-%m-%d %H:%M")
    name = f"《{session['title']}》（{when}，{session['place']}）"
    if what == "enrolled":
        return Words("school.enrolled", "税务学堂报名成功", f"您已报名{name}。")
    if what == "waiting":
        return Words("school.waiting", "税务学堂候补登记",
                     f"{name}名额已满，您已进入候补名单第{facts['position']}位；"
                     "有名额空出时按顺序递补并通知您。")
    if what == "promoted":
        return Words("school.promoted", "税务学堂候补成功",
                     f"{name}有名额空出，您已由候补转为正式报名。")
    if what == "reminder":
        return Words("school.reminder", "税务学堂开课提醒", f"您报名的{name}即将开始。")
    if what == "certified":
        return Words("school.certified", "税务学堂结业证明",
                     f"您已完成{name}，结业证明编号{facts['number']}，"
                     f"可访问 {verify_path(facts['number'])} 查验。")
    raise ValueError(f"nothing to say for {what!r}")
