"""Ratings of service and surveys: the invitations made from the bus's events, the rating of
one, the published aggregates; surveys published, answered once, their results. Rights come
from the caller's verified principal alone; time from the platform's clock."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from etax.errors import Invalid, Malformed, NotFound, Refused, StateChanged
from etax.feedback import rules
from etax.feedback.repository import FeedbackRepository
from etax.feedback.requests import RateRequest, ResponseRequest, SurveyRequest
from etax.feedback.results import (
    Aggregate,
    Answered,
    Asked,
    Invitation,
    OptionCount,
    QuestionResult,
    QuestionShown,
    Rated,
    Results,
    Survey,
    SurveyResults,
    Surveys,
    SurveySummary,
    TextAnswer,
    TextPage,
)
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import business_date

INVITED = "FeedbackInvited"


def _now() -> datetime:
    return datetime.now(UTC)


class NoSuchInvitation(NotFound):
    def __init__(self) -> None:
        super().__init__("no invitation with this id (or none of yours)", field="invitation")


class NoSuchSurvey(NotFound):
    def __init__(self) -> None:
        super().__init__("no survey with this id", field="survey")


def invitation_event(invitation: dict[str, str]) -> DomainEvent:
    """The invitation announced: the person's notice in the inbox (the notification
    contract; the person is named as its recipient only)."""
    label = rules.SERVICE_LABELS[invitation["service"]]
    return DomainEvent(INVITED, {
        "invitation": invitation["id"], "service": invitation["service"],
        "office": invitation["office"], "expires_on": invitation["expires_on"],
        "notification": {
            "id": f"feedback-invited:{invitation['id']}", "recipient": invitation["person"],
            "kind": "feedback.invited", "title": f"请评价本次{label}服务",
            "body": (f"您的{label}事项 {invitation['service_id'][:60]} 已办结。欢迎在 "
                     f"{invitation['expires_on']} 前为本次服务评分（1–5 分）。"),
            "link": "/v1/me/feedback"}},
        resources=(f"feedback/{invitation['id']}",))


class InvitationService:
    """The consumer's step: one invitation per completed service, announced once."""

    def __init__(self, repository: FeedbackRepository, publisher: Publisher,
                 clock: Callable[[], datetime] = _now) -> None:
        self.repository = repository
        self.publisher = publisher
        self.clock = clock

    def invite(self, done: rules.Completed) -> str:
        invited_on = rules.completed_on(done.completed_at, self.clock())
        invitation = {"id": rules.invitation_id(done.kind, done.service_id),
                      "service": done.kind, "service_id": done.service_id,
                      "office": done.office, "person": done.person,
                      "invited_on": invited_on.isoformat(),
                      "expires_on": rules.expires_on(invited_on).isoformat()}
        if not self.repository.invite(invitation):
            stored = self.repository.invitation(invitation["id"])
            if stored is None or stored.get("notified"):
                return "already"
            invitation = {name: stored[name] for name in invitation}  # as first written
        # announced, then marked: a failure between the two announces it again on the
        # retry, with the same notification id, which the fan-out delivers once
        self.publisher.publish([invitation_event(invitation)])
        self.repository.mark_notified(invitation["id"])
        return "invited"


def _invitation(item: dict[str, Any], today: Any) -> Invitation:
    return Invitation(
        id=item["id"], service=item["service"],
        service_label=rules.SERVICE_LABELS.get(item["service"], item["service"]),
        service_id=item["service_id"], office=item["office"], invited_on=item["invited_on"],
        expires_on=item["expires_on"],
        state=rules.state_of(item["state"], item["expires_on"], today),
        score=item.get("score"), answered_at=item.get("answered_at"))


def _aggregate(office: str, service: str, period: str, rows: list[dict[str, int]]) -> Aggregate:
    count = sum(r["count"] for r in rows)
    if not rules.published(count):
        return Aggregate(office=office, service=service, period=period, count=count,
                         withheld=f"fewer than {rules.PUBLISHED_FROM} ratings: the mean and "
                                  "distribution are not published")
    return Aggregate(office=office, service=service, period=period, count=count,
                     mean=rules.mean(count, sum(r["total"] for r in rows)),
                     distribution={str(s): sum(r[f"s{s}"] for r in rows)
                                   for s in rules.SCORES})


class FeedbackService:
    def __init__(self, repository: FeedbackRepository,
                 clock: Callable[[], datetime] = _now) -> None:
        self.repository = repository
        self.clock = clock

    def _today(self) -> Any:
        return business_date(self.clock())

    # -- ratings ---------------------------------------------------------------------------

    def asked(self, principal: Principal, cursor: str | None, surveys: Surveys) -> Asked:
        """The person's invitations (a page) and the open ``surveys``."""
        items, after = self.repository.of_person(principal.subject, cursor)
        today = self._today()
        return Asked(invitations=[_invitation(i, today) for i in items], cursor=after,
                     surveys=surveys.items)

    def rate(self, principal: Principal, body: RateRequest) -> Rated:
        invitation = self.repository.invitation(body.invitation)
        if invitation is None or invitation["person"] != principal.subject:
            raise NoSuchInvitation()  # another's invitation is not said to exist
        if invitation["state"] != rules.PENDING:
            raise StateChanged("this service has been rated already", field="invitation")
        now = self.clock()
        if business_date(now).isoformat() > invitation["expires_on"]:
            raise StateChanged(f"this invitation expired after {invitation['expires_on']}",
                               field="invitation")
        month = invitation["invited_on"][:7]  # the month the service was completed
        self.repository.rate(invitation, score=body.score, comment=body.comment, month=month,
                             at=now.astimezone(UTC).isoformat(timespec="seconds"))
        return Rated(invitation=invitation["id"], service=invitation["service"],
                     office=invitation["office"], month=month, score=body.score,
                     comment=body.comment)

    def results(self, office: str | None, service: str | None, month: str | None,
                year: str | None) -> Results:
        if office is None or len(office) != 11 or not office.isdigit():
            raise Invalid("the 11-digit code of a tax office", field="office")
        if service is not None and service not in rules.SERVICE_LABELS:
            raise Invalid(f"one of {', '.join(rules.SERVICE_LABELS)}", field="service")
        if (month is None) == (year is None):
            raise Invalid("a month (2026-12) or a year (2026), one of them", field="month")
        period = rules.month_of(month) if month is not None else rules.year_of(str(year))
        kinds = [service] if service is not None else list(rules.SERVICE_LABELS)
        return Results(office=office, period=period, items=[
            _aggregate(office, kind, period, self.repository.aggregates(office, kind, period))
            for kind in kinds])


def _question(q: dict[str, Any]) -> QuestionShown:
    return QuestionShown(id=q["id"], kind=q["kind"], prompt=q["prompt"],
                         options=q.get("options"), min=q.get("min"), max=q.get("max"))


class SurveyService:
    def __init__(self, repository: FeedbackRepository,
                 clock: Callable[[], datetime] = _now) -> None:
        self.repository = repository
        self.clock = clock

    def _today(self) -> str:
        return business_date(self.clock()).isoformat()

    def _shown(self, survey: dict[str, Any], results: SurveyResults | None = None) -> Survey:
        return Survey(id=survey["id"], title=survey["title"], office=survey["office"],
                      published_at=survey["published_at"], closes_on=survey["closes_on"],
                      open=self._today() <= survey["closes_on"],
                      questions=[_question(q) for q in survey["questions"]], results=results)

    def publish(self, principal: Principal, body: SurveyRequest) -> Survey:
        if principal.role == "officer" and principal.tax_office is None:
            raise Refused("an officer without a tax office publishes no survey")
        rules.check_questions(body.questions)
        if body.closes_on.isoformat() < self._today():
            raise Invalid("the closing day is today or later", field="closes_on")
        survey = {"id": f"sv-{secrets.token_hex(8)}", "title": body.title,
                  "office": principal.tax_office if principal.role == "officer" else None,
                  "closes_on": body.closes_on.isoformat(),
                  "published_at": self.clock().astimezone(UTC).isoformat(timespec="seconds"),
                  "questions": [q.model_dump(exclude_none=True) for q in body.questions]}
        self.repository.publish(survey)
        return self._shown(survey)

    def open_surveys(self) -> Surveys:
        return Surveys(items=[SurveySummary(id=s["id"], title=s["title"], office=s["office"],
                                            closes_on=s["closes_on"],
                                            questions=len(s["questions"]))
                              for s in self.repository.open_surveys(self._today())])

    def _survey(self, survey_id: str) -> dict[str, Any]:
        survey = self.repository.survey(survey_id) if len(survey_id) <= 40 else None
        if survey is None:
            raise NoSuchSurvey()
        return survey

    def read(self, principal: Principal, survey_id: str, cursor: str | None) -> Survey:
        """The survey, with its results when the caller may read them (the publishing office
        and admins at any time, everyone once it has closed)."""
        survey = self._survey(survey_id)
        return self._shown(survey, self._results(principal, survey, cursor))

    def respond(self, principal: Principal, survey_id: str, body: ResponseRequest) -> Answered:
        survey = self._survey(survey_id)
        if self._today() > survey["closes_on"]:
            raise StateChanged(f"this survey closed after {survey['closes_on']}",
                               field="survey")
        answers = rules.check_answers(survey["questions"], body.answers)
        at = self.clock().astimezone(UTC).isoformat(timespec="seconds")
        self.repository.respond(survey_id, rules.respondent_key(survey_id, principal.subject),
                                answers, rules.counters(survey["questions"], answers), at)
        return Answered(survey=survey_id, answered_at=at, answers=len(answers))

    def _results(self, principal: Principal, survey: dict[str, Any], cursor: str | None
                 ) -> SurveyResults | None:
        survey_id = survey["id"]
        closed = self._today() > survey["closes_on"]
        publishers = (principal.role == "officer" and survey["office"] is not None
                      and principal.tax_office == survey["office"])
        if cursor is not None and not publishers:
            raise Malformed("the text answers are read by the publishing office's officers",
                            field="cursor")
        if not (closed or publishers or principal.role == "admin"):
            return None
        counts = self.repository.counters(survey_id)
        questions = []
        for qi, q in enumerate(survey["questions"]):
            kind = q["kind"]
            if kind in ("single", "multiple"):
                questions.append(QuestionResult(
                    id=q["id"], kind=kind, prompt=q["prompt"],
                    options=[OptionCount(option, counts.get(f"o#{qi}#{oi}", 0))
                             for oi, option in enumerate(q["options"])]))
            elif kind == "scale":
                n = counts.get(f"n#{qi}", 0)
                questions.append(QuestionResult(id=q["id"], kind=kind, prompt=q["prompt"],
                                                count=n,
                                                mean=rules.mean(n, counts.get(f"s#{qi}", 0))))
            else:
                questions.append(QuestionResult(id=q["id"], kind=kind, prompt=q["prompt"],
                                                texts=counts.get(f"t#{qi}", 0)))
        texts = None
        if publishers and any(q["kind"] == "text" for q in survey["questions"]):
            stored, after = self.repository.responses(survey_id, cursor)
            texts = TextPage(items=[TextAnswer(question=qid, text=text) for answers in stored
                                    for qid, text in rules.texts_of(survey["questions"],
                                                                    answers)],
                             cursor=after)
        return SurveyResults(responses=counts.get("responses", 0), questions=questions,
                             texts=texts)
