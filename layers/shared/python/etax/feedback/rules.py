"""The pure rules of ratings and surveys: which completed service invites whom, when an
invitation expires, what an aggregate publishes, and whether a survey's answers fit its
questions. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from etax.errors import Invalid
from etax.rules.dates import business_date
from etax.rules.text import unsafe_lines_reason

INVITATION_DAYS: Final = 30
"""An invitation may be answered for 30 days from the day the service was completed: long
enough for a person who reads the inbox now and then, short enough that the rating is of the
service as it is remembered. A choice of this platform (no rule found; docs/sources.md)."""

PUBLISHED_FROM: Final = 5
"""An aggregate of fewer ratings is published without its mean and distribution: with two or
three ratings of a small office in a month, a person who knows who was served could tell
what each of them gave."""

SCORES: Final = (1, 2, 3, 4, 5)
MEAN_PLACES: Final = Decimal("0.01")

SERVICE_LABELS: Final = {"application": "办税申请", "refund": "退税", "complaint": "投诉举报",
                         "consultation": "12366 咨询"}
"""the kinds of service rated, with the label a person reads"""

PENDING: Final = "pending"
ANSWERED: Final = "answered"
EXPIRED: Final = "expired"  # shown only: a pending invitation past its last day


@dataclass(frozen=True, slots=True)
class Completed:
    """A completed service, as an event on the bus announced it."""

    kind: str
    service_id: str
    office: str
    person: str
    completed_at: str


def _text(detail: Mapping[str, Any], name: str) -> str | None:
    value = detail.get(name)
    return value if isinstance(value, str) and value else None


def _recipient(detail: Mapping[str, Any]) -> str | None:
    notification = detail.get("notification")
    return _text(notification, "recipient") if isinstance(notification, Mapping) else None


def completed(detail_type: str, detail: Mapping[str, Any]) -> Completed | None:
    """The completed service an event announces, or None (another event, or one without a
    person to invite: an anonymous report).

    Each board names the person its way: the acceptance and refund events carry the
    ``applicant`` (the principal's subject: a credit code or a resident ID); the complaint
    and consultation events name the person only as the recipient of their notification.
    """
    at = _text(detail, "at") or _text(detail, "occurred_at") or ""
    if detail_type in ("ApplicationApproved", "ApplicationRejected"):
        kind, service_id = "application", _text(detail, "application_id")
        office, person = _text(detail, "tax_office"), _text(detail, "applicant")
    elif detail_type == "RefundPaid":
        kind, service_id = "refund", _text(detail, "case_id")
        office, person = _text(detail, "tax_office"), _text(detail, "applicant")
    elif detail_type == "ComplaintAnswered":
        kind, service_id = "complaint", _text(detail, "case_id")
        office, person = _text(detail, "office"), _recipient(detail)
        at = _text(detail, "answered_at") or at
    elif detail_type == "ConsultationAnswered":
        kind, service_id = "consultation", _text(detail, "handoff_id")
        office, person = _text(detail, "office"), _recipient(detail)
    else:
        return None
    if service_id is None or office is None or person is None:
        return None
    return Completed(kind, service_id, office, person, at)


def invitation_id(kind: str, service_id: str) -> str:
    """The invitation of a service: the same for every delivery of its event."""
    digest = hashlib.sha256(f"{kind}\x00{service_id}".encode()).hexdigest()
    return f"inv-{digest[:24]}"


def completed_on(completed_at: str, fallback: datetime) -> date:
    """The business day (Asia/Shanghai) the service was completed."""
    try:
        return business_date(datetime.fromisoformat(completed_at.replace("Z", "+00:00")))
    except ValueError:
        return business_date(fallback)


def expires_on(invited_on: date) -> date:
    """The last day an invitation may be answered."""
    return invited_on + timedelta(days=INVITATION_DAYS)


def state_of(stored: str, expires: str, today: date) -> str:
    """What a person reads: answered, pending, or expired (pending past its last day)."""
    if stored == PENDING and today > date.fromisoformat(expires):
        return EXPIRED
    return stored


def mean(count: int, total: int) -> str | None:
    """The mean score as a decimal string of two places (never a float), None without
    ratings."""
    if count <= 0:
        return None
    return str((Decimal(total) / Decimal(count)).quantize(MEAN_PLACES, rounding=ROUND_HALF_UP))


def published(count: int) -> bool:
    return count >= PUBLISHED_FROM


def month_of(value: str, field: str = "month") -> str:
    """``YYYY-MM``, checked."""
    if len(value) == 7 and value[4] == "-":
        try:
            date(int(value[:4]), int(value[5:]), 1)
            return value
        except ValueError:
            pass
    raise Invalid("a month, e.g. 2026-12", field=field)


def year_of(value: str) -> str:
    if len(value) == 4 and value.isdigit() and 2000 <= int(value) <= 2999:
        return value
    raise Invalid("a year, e.g. 2026", field="year")


# -- surveys ---------------------------------------------------------------------------------

TEXT_ANSWER_MAX: Final = 500


def check_questions(questions: Sequence[Any]) -> None:
    """What a survey's questions must be beyond their types (each error names the path):
    ids unique; options (2–10, unique) for single and multiple choice and only there; a scale
    with ``min`` < ``max`` and nothing else of the others."""
    seen: set[str] = set()
    for index, question in enumerate(questions):
        path = f"questions[{index}]"
        if question.id in seen:
            raise Invalid(f"question id {question.id} is used twice", field=f"{path}.id")
        seen.add(question.id)
        choice = question.kind in ("single", "multiple")
        if choice:
            options = question.options or []
            if not 2 <= len(options) <= 10:
                raise Invalid("a choice question has 2 to 10 options", field=f"{path}.options")
            if len(set(options)) != len(options):
                raise Invalid("the options of a question are unique", field=f"{path}.options")
        elif question.options is not None:
            raise Invalid(f"a {question.kind} question has no options", field=f"{path}.options")
        if question.kind == "scale":
            if question.min is None or question.max is None:
                raise Invalid("a scale has min and max", field=f"{path}.min")
            if question.min >= question.max:
                raise Invalid("a scale's min is below its max", field=f"{path}.max")
        elif question.min is not None or question.max is not None:
            raise Invalid(f"a {question.kind} question has no min or max", field=f"{path}.min")


def check_answers(questions: Sequence[Mapping[str, Any]],
                  answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers checked against their questions' kinds, in the questions' order; each
    error names ``answers.<question id>``. Every question but a text one is answered."""
    known = {q["id"] for q in questions}
    for name in answers:
        if name not in known:
            raise Invalid("no such question in this survey", field=f"answers.{name}"[:80])
    checked: dict[str, Any] = {}
    for question in questions:
        qid, kind, field = question["id"], question["kind"], f"answers.{question['id']}"
        value = answers.get(qid)
        if value is None:
            if kind == "text":
                continue
            raise Invalid("this question is answered", field=field)
        if kind == "single":
            if not isinstance(value, str) or value not in question["options"]:
                raise Invalid("one of the question's options", field=field)
        elif kind == "multiple":
            if (not isinstance(value, list) or not value
                    or not all(isinstance(v, str) for v in value)
                    or len(set(value)) != len(value)):
                raise Invalid("a list of distinct options of the question", field=field)
            if any(v not in question["options"] for v in value):
                raise Invalid("one of the answers is not an option of the question",
                              field=field)
        elif kind == "scale":
            if (not isinstance(value, int) or isinstance(value, bool)
                    or not question["min"] <= value <= question["max"]):
                raise Invalid(f"a whole number from {question['min']} to {question['max']}",
                              field=field)
        else:
            if not isinstance(value, str):
                raise Invalid("a text", field=field)
            value = value.strip()
            if len(value) > TEXT_ANSWER_MAX:
                raise Invalid(f"at most {TEXT_ANSWER_MAX} characters", field=field)
            reason = unsafe_lines_reason(value)
            if reason is not None:
                raise Invalid(reason, field=field)
            if not value:
                continue
        checked[qid] = value
    return checked


def counters(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> dict[str, int]:
    """The survey's counters one response adds: ``o#<q>#<o>`` per option chosen, ``s#<q>``
    (the value) and ``n#<q>`` per scale, ``t#<q>`` per text answer, ``responses``. Questions
    and options are named by position, so any id or option text is safe as a name."""
    added = {"responses": 1}
    for qi, question in enumerate(questions):
        value = answers.get(question["id"])
        if value is None:
            continue
        kind = question["kind"]
        if kind in ("single", "multiple"):
            for chosen in ([value] if kind == "single" else value):
                added[f"o#{qi}#{question['options'].index(chosen)}"] = 1
        elif kind == "scale":
            added[f"s#{qi}"] = int(value)
            added[f"n#{qi}"] = 1
        else:
            added[f"t#{qi}"] = 1
    return added


def respondent_key(survey_id: str, person: str) -> str:
    """The response's sort key: the same for a person's every attempt, naming nobody."""
    digest = hashlib.sha256(f"{survey_id}\x00{person}".encode()).hexdigest()
    return f"response#{digest[:32]}"


def texts_of(questions: Sequence[Mapping[str, Any]], stored: str) -> list[tuple[str, str]]:
    """The text answers of one stored response (question id, text), in the questions' order."""
    answers = json.loads(stored)
    return [(q["id"], answers[q["id"]]) for q in questions
            if q["kind"] == "text" and isinstance(answers.get(q["id"]), str)]
