"""The consultation's decisions, pure: what becomes of a question, what each channel shows, the
hand-off's states and its service level, the weeks the counters are kept by.

A question is **refused** when the guard reads it as out of domain or another agency's matter
(never a tax answer); **handed off** to the officers of the asker's tax office when the asker
asks for a person, asks about their own records, or the best answer's confidence is below
:data:`THRESHOLD` — only for a signed-in taxpayer whose office the registry knows; anyone else
gets the way to a person instead (sign in, or call 12366), counted as **no answer**; otherwise
the best article **answers**.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

from etax.consult.guard import Intent

Outcome = Literal["answered", "handed_off", "refused", "no_answer"]
OUTCOMES: Final = ("answered", "handed_off", "refused", "no_answer")
Channel = Literal["web", "app", "wechat", "sms"]
CHANNELS: Final = ("web", "app", "wechat", "sms")
THRESHOLD: Final = 0.28
"""Below this confidence an answer is not given as the platform's: tuned on the evaluation set
(docs/benchmarks.md, scripts/bench_consult.py)."""
MAX_QUESTION: Final = 500  # characters
SMS_MAX_CHARS: Final = 268
"""A long SMS of four concatenated segments of 67 UCS-2 characters each; a longer answer is cut
with an ellipsis and the article's link, as the notification fan-out cuts its SMS."""
SLA_SECONDS: Final = 30 * 60
"""The default service level of a hand-off: claimed by an officer within 30 minutes of being
queued (our figure, a setting: ``CONSULT_SLA_SECONDS``)."""

REFUSAL: Final = ("您好，这个问题不属于税务咨询的范围，12366 无法解答。"
                  "如有纳税、缴费或发票方面的问题，欢迎继续提问。")
OTHER_AGENCY: Final = ("您好，这个问题属于{agency}的业务，12366 无法解答，请向{agency}咨询。"
                       "如有纳税、缴费或发票方面的问题，欢迎继续提问。")
SIGN_IN: Final = ("查询您本人的退税、发票、申报等记录需要先登录：请在电子税务局或"
                  "个人所得税App登录后再次提问，我们会转给您主管税务机关的工作人员；也可拨打12366纳税服务热线。")
NO_ANSWER: Final = ("抱歉，暂时没有找到可靠的答案。请换一种说法再问，或登录后发送“转人工”，"
                    "由主管税务机关的工作人员答复；也可拨打12366纳税服务热线。")
HANDED_OFF: Final = ("您的问题已转给主管税务机关的工作人员（服务时限{minutes}分钟内受理），"
                     "答复将发送到您的消息中心和您选择的渠道。")


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks: a signed-in taxpayer (``subject``) with the office the registry gives
    (``office``), or an anonymous asker of a channel (``subject`` None)."""

    key: str  # the session's owner: the subject, or the channel's sender (hashed)
    subject: str | None = None
    office: str | None = None

    @property
    def can_be_handed_off(self) -> bool:
        return self.subject is not None and self.office is not None


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str  # answered | out_of_domain | other_agency | human | own_records |
    #              low_confidence | nothing_found | sign_in


def decide(intent: Intent, asker: Asker, confidence: float | None) -> Decision:
    """The outcome of a question read as ``intent`` with the best answer's ``confidence``
    (None: nothing retrieved)."""
    if intent.kind in ("out_of_domain", "other_agency"):
        return Decision("refused", intent.kind)
    if intent.kind in ("human", "own_records"):
        if asker.can_be_handed_off:
            return Decision("handed_off", intent.kind)
        return Decision("no_answer", "sign_in")
    if confidence is None:
        reason = "nothing_found"
    elif confidence < THRESHOLD:
        reason = "low_confidence"
    else:
        return Decision("answered", "answered")
    return Decision("handed_off", reason) if asker.can_be_handed_off \
        else Decision("no_answer", reason)


def reply_for(decision: Decision, intent: Intent, sla_seconds: int = SLA_SECONDS) -> str:
    """The text of an outcome that is not an article's answer."""
    if decision.reason == "other_agency" and intent.agency:
        return OTHER_AGENCY.format(agency=intent.agency)
    if decision.outcome == "refused":
        return REFUSAL
    if decision.outcome == "handed_off":
        return HANDED_OFF.format(minutes=max(1, sla_seconds // 60))
    return SIGN_IN if decision.reason == "sign_in" else NO_ANSWER


def sms_text(text: str, link: str | None) -> str:
    """The answer as an SMS: the same text, cut with an ellipsis and the link to read it whole
    when it is longer than :data:`SMS_MAX_CHARS`."""
    if len(text) <= SMS_MAX_CHARS:
        return text
    tail = f"…详见{link}" if link else "…"
    return text[:SMS_MAX_CHARS - len(tail)] + tail


# -- hand-offs ------------------------------------------------------------------------------

HandoffState = Literal["waiting", "claimed", "answered", "closed"]
NEXT: Final[dict[str, tuple[str, ...]]] = {
    "claim": ("waiting",), "answer": ("claimed",), "close": ("claimed", "answered")}
"""The states each action starts from (a conditional write holds it)."""


def waiting_seconds(queued_at: datetime, until: datetime) -> int:
    return max(0, int((until - queued_at).total_seconds()))


def within_sla(queued_at: datetime, claimed_at: datetime, sla_seconds: int) -> bool:
    return waiting_seconds(queued_at, claimed_at) <= sla_seconds


def week_of(day: date) -> str:
    """The ISO week a day belongs to (``2026-W49``): hot questions and figures are kept by it."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_days(week: str) -> tuple[date, date]:
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    return monday, monday + timedelta(days=6)
