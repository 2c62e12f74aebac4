"""The consultation service: a question answered, refused or handed off (:mod:`.rules`), each
turn kept in its session, counted in the week's figures; the officers' queue of hand-offs;
feedback; hot questions; published figures."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from etax.consult.compose import Composed, Composer
from etax.consult.guard import Guard
from etax.consult.repository import KEEP_SECONDS, ConsultRepository
from etax.consult.requests import AskRequest, FeedbackRequest, ReplyRequest
from etax.consult.results import (
    Answer,
    CitationView,
    Feedback,
    Figures,
    HandoffView,
    Hot,
    HotQuestion,
    Queue,
    RelatedView,
)
from etax.consult.rules import (
    MAX_QUESTION,
    NEXT,
    SLA_SECONDS,
    Asker,
    Channel,
    decide,
    reply_for,
    sms_text,
    waiting_seconds,
    week_of,
    within_sla,
)
from etax.errors import Malformed, NotFound, Refused, StateChanged
from etax.invoices import channels
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import business_date, utc_stamp

MAX_QUEUE = 100
HOT_LISTED = 10


class Offices(Protocol):
    def office_of(self, subject: str) -> str | None:
        """The tax office in charge of a taxpayer (credit code or resident ID), if registered."""
        ...


def sender_key(channel: str, sender: str) -> str:
    """An anonymous channel sender as a session owner: never the number or id itself."""
    return f"{channel}:{hashlib.sha256(sender.encode()).hexdigest()[:24]}"


def article_link(article_id: str) -> str:
    return f"/v1/kb/articles/{article_id}"


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class ConsultService:
    composer: Composer
    guard: Guard
    repository: ConsultRepository
    offices: Offices
    publisher: Publisher
    sla_seconds: int = SLA_SECONDS
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    new_session: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    # -- asking ---------------------------------------------------------------------------

    def asker(self, principal: Principal | None, anonymous: str) -> Asker:
        """A signed-in taxpayer with the office in charge of it; anyone else by ``anonymous``
        (a channel's hashed sender, or ``public``)."""
        if principal is not None and principal.role == "taxpayer":
            return Asker(principal.subject, principal.subject,
                         self.offices.office_of(principal.subject))
        return Asker(anonymous)

    def ask(self, asker: Asker, request: AskRequest) -> Answer:
        moment = self.now()
        day = business_date(moment)
        intent = self.guard.read(request.question)
        composed: Composed | None = None
        if intent.in_domain:  # for a hand-off too: its related questions
            composed = self.composer.compose(request.question, day)
        decision = decide(intent, asker, composed.confidence if composed else None)
        session_id = request.session_id or self.new_session()
        turn = self.repository.next_turn(session_id, asker.key, new=request.session_id is None,
                                         at=utc_stamp(moment),
                                         expires_at=int(moment.timestamp()) + KEEP_SECONDS)
        answer_id = f"{session_id}.{turn}"
        answered = decision.outcome == "answered" and composed is not None
        text = composed.text if answered and composed else reply_for(decision, intent,
                                                                      self.sla_seconds)
        article = composed.article.id if answered and composed else None
        handoff = answer_id if decision.outcome == "handed_off" else None
        self.repository.put_turn(answer_id, {
            "question": request.question, "channel": request.channel,
            "outcome": decision.outcome, "reason": decision.reason, "article_id": article,
            "confidence": composed.confidence if composed else 0.0, "asked_at": utc_stamp(moment),
            "expires_at": int(moment.timestamp()) + KEEP_SECONDS})
        week = week_of(day)
        self.repository.count(week, "asked", decision.outcome)
        if answered and composed:
            self.repository.count_hot(week, composed.article.id, composed.article.question)
        if handoff is not None:
            assert asker.office is not None
            assert asker.subject is not None
            self.repository.put_handoff(handoff, {
                "state": "waiting", "office": asker.office, "asker": asker.subject,
                "queued": f"waiting#{utc_stamp(moment)}#{handoff}", "queued_at": utc_stamp(moment),
                "question": request.question, "channel": request.channel,
                "session_id": session_id, "reason": decision.reason})
        return Answer(
            answer_id=answer_id, session_id=session_id, channel=request.channel,
            outcome=decision.outcome, reason=decision.reason, text=text,
            confidence=composed.confidence if composed else 0.0,
            citations=[CitationView(c.work_id, c.title, c.document_number, c.provision,
                                    c.label, c.as_of, c.summary)
                       for c in (composed.citations if answered and composed else ())],
            related=[RelatedView(r.article_id, r.question)
                     for r in (composed.related if composed and decision.outcome != "refused"
                               else ())],
            article_id=article, link=article_link(article) if article else None,
            handoff_id=handoff)

    # -- the officers' queue --------------------------------------------------------------

    def _view(self, item: dict[str, Any]) -> HandoffView:
        queued = _parse(str(item["queued_at"]))
        until = _parse(str(item["claimed_at"])) if item.get("claimed_at") else self.now()
        waited = waiting_seconds(queued, until)
        return HandoffView(
            id=str(item["pk"]).removeprefix("handoff#"), state=str(item["state"]),
            office=str(item["office"]), question=str(item["question"]),
            channel=str(item["channel"]), queued_at=str(item["queued_at"]),
            waiting_seconds=waited, sla_seconds=self.sla_seconds,
            sla_breached=waited > self.sla_seconds,
            claimed_by=item.get("claimed_by"), claimed_at=item.get("claimed_at"),
            reply=item.get("reply"), answered_at=item.get("answered_at"),
            closed_at=item.get("closed_at"))

    def _office_of(self, principal: Principal, office: str | None) -> str:
        if principal.role == "admin" and office:
            return office
        if principal.role != "officer" or not principal.tax_office:
            raise Malformed("name the tax office: tax_office=<code>", field="tax_office")
        if office not in (None, principal.tax_office):
            raise Refused("an officer lists its own office's queue", field="tax_office")
        return principal.tax_office

    def queue(self, principal: Principal, office: str | None = None) -> Queue:
        office = self._office_of(principal, office)
        return Queue(office, self.sla_seconds,
                     [self._view(i) for i in self.repository.waiting(office, MAX_QUEUE)])

    def _reachable(self, principal: Principal, handoff_id: str) -> dict[str, Any]:
        item = self.repository.handoff(handoff_id)
        if item is None:
            raise NotFound(f"no hand-off {handoff_id[:80]}", field="handoff_id")
        if principal.role == "admin" or (principal.role == "taxpayer"
                                         and principal.subject == item["asker"]):
            return item
        if principal.role == "officer" and principal.tax_office == item["office"]:
            return item
        raise Refused("this hand-off is for the officers of the asker's tax office",
                      field="handoff_id")

    def view(self, principal: Principal, handoff_id: str) -> HandoffView:
        return self._view(self._reachable(principal, handoff_id))

    def _officer_of(self, principal: Principal, handoff_id: str) -> dict[str, Any]:
        if principal.role != "officer":
            raise Refused("only an officer of the asker's tax office handles a hand-off")
        return self._reachable(principal, handoff_id)

    def _move(self, handoff_id: str, action: str, values: dict[str, Any]) -> HandoffView:
        if not self.repository.move(handoff_id, NEXT[action], values):
            current = self.repository.handoff(handoff_id) or {}
            raise StateChanged(f"the hand-off is {current.get('state', 'gone')}: {action} needs "
                               f"it {' or '.join(NEXT[action])}", field="state")
        item = self.repository.handoff(handoff_id)
        assert item is not None
        return self._view(item)

    def claim(self, principal: Principal, handoff_id: str) -> HandoffView:
        item = self._officer_of(principal, handoff_id)
        moment = self.now()
        view = self._move(handoff_id, "claim", {
            "state": "claimed", "claimed_by": principal.subject, "claimed_at": utc_stamp(moment),
            "queued": f"claimed#{item['queued_at']}#{handoff_id}"})
        week = week_of(business_date(moment))
        if within_sla(_parse(str(item["queued_at"])), moment, self.sla_seconds):
            self.repository.count(week, "handoffs_claimed", "claimed_within_sla")
        else:
            self.repository.count(week, "handoffs_claimed")
        return view

    def reply(self, principal: Principal, handoff_id: str, request: ReplyRequest
              ) -> HandoffView:
        item = self._officer_of(principal, handoff_id)
        if item.get("claimed_by") not in (None, principal.subject):
            raise Refused("another officer claimed this hand-off", field="handoff_id")
        view = self._move(handoff_id, "answer", {
            "state": "answered", "reply": request.text, "answered_at": utc_stamp(self.now()),
            "queued": f"answered#{item['queued_at']}#{handoff_id}"})
        self.publisher.publish([DomainEvent("ConsultationAnswered", {
            "handoff_id": handoff_id, "office": item["office"],
            "notification": {
                "id": f"consult:{handoff_id}:answered", "recipient": item["asker"],
                "kind": "consult.answered", "title": "12366 咨询答复",
                "body": f"您的问题“{str(item['question'])[:60]}”已答复：{request.text}"[:2000],
                "link": f"/v1/consult/handoffs/{handoff_id}"}})])
        return view

    def close(self, principal: Principal, handoff_id: str) -> HandoffView:
        item = self._officer_of(principal, handoff_id)
        return self._move(handoff_id, "close", {
            "state": "closed", "closed_at": utc_stamp(self.now()),
            "queued": f"closed#{item['queued_at']}#{handoff_id}"})

    # -- feedback, hot questions, figures -------------------------------------------------

    def feedback(self, answer_id: str, request: FeedbackRequest) -> Feedback:
        if not self.repository.give_feedback(answer_id, request.helpful):
            raise StateChanged("feedback on this answer was given already", field="helpful")
        self.repository.count(week_of(business_date(self.now())),
                              "helpful" if request.helpful else "unhelpful")
        return Feedback(answer_id, request.helpful)

    def _week(self, week: str | None) -> str:
        if week is None:
            return week_of(business_date(self.now()))
        try:
            date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
        except ValueError:
            raise Malformed("week is an ISO week, e.g. 2026-W49", field="week") from None
        if len(week) != 8 or week[4:6] != "-W":
            raise Malformed("week is an ISO week, e.g. 2026-W49", field="week")
        return week

    def hot(self, week: str | None = None) -> Hot:
        week = self._week(week)
        items = sorted(self.repository.hot(week),
                       key=lambda i: (-int(i.get("asked", 0)), str(i["sk"])))[:HOT_LISTED]
        return Hot(week, [HotQuestion(str(i["sk"]).removeprefix("article#"),
                                      str(i.get("question", "")), int(i.get("asked", 0)))
                          for i in items])

    def figures(self, week: str | None = None) -> Figures:
        week = self._week(week)
        n = self.repository.figures(week)
        in_domain = n["asked"] - n["refused"]
        rated = n["helpful"] + n["unhelpful"]
        return Figures(week, n["asked"], n["answered"], n["handed_off"], n["refused"],
                       n["no_answer"], _rate(n["answered"], in_domain),
                       _rate(n["handed_off"], in_domain), _rate(n["no_answer"], in_domain),
                       _rate(n["helpful"], rated), rated, n["handoffs_claimed"],
                       n["claimed_within_sla"], self.sla_seconds)

    # -- the message channels -------------------------------------------------------------

    def admit_wechat(self, token: str, params: Mapping[str, str], body: str) -> None:
        """Signed over its body, fresh and not seen before, as verification's channel admits
        a message; otherwise 403 naming the parameter."""
        try:
            key = channels.check_wechat_message(token, params, body, self.now().timestamp())
        except channels.ChannelAuthError as error:
            raise Refused(error.reason, field=error.field) from None
        if not self.repository.claim_nonce(f"consult#{key}",
                                           channels.wechat_nonce_expiry(params["timestamp"])):
            raise Refused("this message (timestamp and nonce) was received already: a replay",
                          field="nonce")

    def admit_wechat_handshake(self, token: str, params: Mapping[str, str]) -> None:
        try:
            channels.check_wechat(token, params, self.now().timestamp())
        except channels.ChannelAuthError as error:
            raise Refused(error.reason, field=error.field) from None

    def answer_text(self, channel: Channel, sender: str, text: str) -> str:
        """A channel message answered in the same wording as the API (SMS cut with the link
        when too long); a message the API would refuse as input gets the rule back."""
        question = " ".join(text.split())
        if not question or len(question) > MAX_QUESTION:
            return f"请发送1至{MAX_QUESTION}个字的涉税问题。"
        answer = self.ask(Asker(sender_key(channel, sender)),
                          AskRequest(question=question, channel=channel))
        return sms_text(answer.text, answer.link) if channel == "sms" else answer.text
