"""Crowd help's routes' logic (:mod:`etax.crowd`): asking (with duplicate suggestions),
answering, voting, accepting, reading, and the officers' moderation."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from etax.crowd import model, reputation
from etax.crowd.model import Answer, Mark, Question, check_question_id, question_of, visible
from etax.crowd.repository import CrowdRepository, Quota, Raced, Reputations
from etax.crowd.requests import AcceptRequest, AnswerRequest, AskRequest, HideRequest
from etax.crowd.results import (
    Accepted,
    AnswerShown,
    Asked,
    AuthorShown,
    Drafts,
    DraftShown,
    LogEntry,
    Moderated,
    ModerationLog,
    Profile,
    Questions,
    QuestionShown,
    QuestionSummary,
    SuggestionShown,
    Voted,
)
from etax.crowd.similarity import Candidate, Terms, similar, simple_terms
from etax.errors import Malformed, NotFound, StateChanged
from etax.knowledge.articles import TOPICS, Article, base
from etax.platform.auth import Principal
from etax.rules.dates import day_allowance, utc_stamp

CANDIDATE_QUESTIONS: Final = 200  # the topic's latest questions compared with a new one
ATTEMPTS: Final = 4  # reads and writes of one vote or acceptance racing another


@dataclass(frozen=True)
class CrowdSettings:
    """The abuse limits (per person per business day) and the badge's threshold."""

    questions_per_day: int = 10
    answers_per_day: int = 30
    votes_per_day: int = 60
    guide_threshold: int = reputation.GUIDE_THRESHOLD
    daily_cap: int = reputation.DAILY_CAP

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> CrowdSettings:
        def number(name: str, default: int) -> int:
            return int(environ.get(name) or default)

        return cls(number("CROWD_QUESTIONS_PER_DAY", cls.questions_per_day),
                   number("CROWD_ANSWERS_PER_DAY", cls.answers_per_day),
                   number("CROWD_VOTES_PER_DAY", cls.votes_per_day),
                   number("CROWD_GUIDE_THRESHOLD", cls.guide_threshold))


def pseudonym() -> str:
    """A new person's public name: random, so it says nothing of who they are."""
    return f"税友{secrets.token_hex(4)}"


class CrowdService:
    def __init__(self, repository: CrowdRepository, settings: CrowdSettings | None = None,
                 terms: Terms = simple_terms,
                 articles: Callable[[], Iterable[Article]] = base,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.settings = settings or CrowdSettings()
        self.terms = terms
        self.articles = articles
        self.now = now

    # -- helpers ---------------------------------------------------------------------------------

    def _day(self) -> tuple[str, int, int]:
        """Today (China), the epoch second its counters expire, the seconds until tomorrow."""
        return day_allowance(self.now())

    def _quota(self, person: str, kind: str, ceiling: int) -> Quota:
        day, expires, retry = self._day()
        return Quota(person, kind, day, ceiling, expires, retry)

    def _author(self, shown: Mapping[str, tuple[str, int]], person: str,
                fallback: str) -> AuthorShown:
        name, points = shown.get(person, (fallback, reputation.START))
        return AuthorShown(name, points, reputation.badges(points, self.settings.guide_threshold))

    def _shown(self, question: Question, answers: list[Answer]) -> QuestionShown:
        answers = [a for a in answers if a.hidden is None]
        people = self.repository.profiles([question.author, *(a.author for a in answers)])
        accepted = question.accepted if any(a.id == question.accepted for a in answers) else None
        return QuestionShown(
            question.id, question.title, question.body, question.topic, list(question.tags),
            self._author(people, question.author, question.pseudonym), question.asked_at,
            question.score, question.pinned is not None, accepted,
            [AnswerShown(a.id, a.body, self._author(people, a.author, a.pseudonym),
                         a.answered_at, a.score, a.id == accepted, a.verified is not None)
             for a in answers])

    def _suggestions(self, request: AskRequest) -> list[SuggestionShown]:
        recent, _ = self.repository.questions(request.topic, None, CANDIDATE_QUESTIONS)
        candidates = [Candidate("question", q.id, q.title, (q.title,)) for q in recent]
        candidates += [Candidate("article", a.id, a.question, a.questions)
                       for a in self.articles()]
        return [SuggestionShown(s.kind, s.id, s.title, s.score)
                for s in similar(request.title, candidates, self.terms)]

    # -- reading ---------------------------------------------------------------------------------

    def questions(self, topic: str | None, cursor: str | None) -> Questions:
        if topic is not None and topic not in TOPICS:
            raise Malformed(f"topic is one of {', '.join(TOPICS)}", field="topic")
        questions, after = self.repository.questions(topic, cursor)
        return Questions([QuestionSummary(
            q.id, q.title, q.topic, list(q.tags), q.pseudonym, q.asked_at, q.score, q.answers,
            q.accepted is not None, q.pinned is not None) for q in questions], after)

    def read(self, question_id: str) -> QuestionShown:
        question, answers = self.repository.thread(check_question_id(question_id))
        return self._shown(visible(question, "question_id", "question"), answers)

    def me(self, principal: Principal) -> Profile:
        name, points = self.repository.profile(principal.subject) or ("", reputation.START)
        return Profile(name, points, reputation.badges(points, self.settings.guide_threshold),
                       self.settings.guide_threshold)

    # -- taking part -----------------------------------------------------------------------------

    def ask(self, principal: Principal, request: AskRequest) -> Asked:
        suggestions = self._suggestions(request)
        if suggestions and not request.post_anyway:
            return Asked(False, suggestions)
        at = utc_stamp(self.now(), "milliseconds")
        name, _ = self.repository.ensure_profile(principal.subject, pseudonym(), at)
        question = Question(f"q{secrets.token_hex(6)}", request.title, request.body,
                            request.topic, tuple(request.tags), principal.subject, name, at)
        self.repository.ask(question, self._quota(principal.subject, "questions",
                                                  self.settings.questions_per_day))
        return Asked(True, suggestions, self._shown(question, []))

    def answer(self, principal: Principal, question_id: str,
               request: AnswerRequest) -> AnswerShown:
        visible(self.repository.question(check_question_id(question_id)), "question_id",
                "question")
        at = utc_stamp(self.now(), "milliseconds")
        name, points = self.repository.ensure_profile(principal.subject, pseudonym(), at)
        answer = Answer(f"{question_id}-a{secrets.token_hex(4)}", question_id, request.body,
                        principal.subject, name, at)
        self.repository.add_answer(answer, self._quota(principal.subject, "answers",
                                                       self.settings.answers_per_day))
        author = AuthorShown(name, points, reputation.badges(points,
                                                             self.settings.guide_threshold))
        return AnswerShown(answer.id, answer.body, author, at, 0, False, False)

    def vote(self, principal: Principal, post_id: str, value: int) -> Voted:
        """One vote per person per post (changeable); the author's and voter's reputation
        move with it in one transaction (:mod:`etax.crowd.reputation`)."""
        is_answer = "-" in post_id
        field = "answer_id" if is_answer else "question_id"
        voter = principal.subject
        for _ in range(ATTEMPTS):
            post: Question | Answer
            if is_answer:
                question_of(post_id)
                post = visible(self.repository.answer(post_id), field, "answer")
            else:
                post = visible(self.repository.question(check_question_id(post_id)), field,
                               "question")
            previous = self.repository.vote(post_id, voter)
            model.check_vote(post.author, voter, previous[0] if previous else None, value,
                             field)
            at = utc_stamp(self.now(), "milliseconds")
            quota = self._quota(voter, "votes", self.settings.votes_per_day)
            _, voter_points = self.repository.ensure_profile(voter, pseudonym(), at)
            author_points = (self.repository.profile(post.author) or ("", reputation.START))[1]
            earned = self.repository.earned(post.author, quota.day)
            ledger = reputation.Ledger(
                {post.author: author_points, voter: voter_points},
                {(post.author, quota.day): earned},
                {(voter, post_id): previous} if previous else {}, self.settings.daily_cap)
            kind: reputation.PostKind = "answer" if is_answer else "question"
            change = ledger.apply(reputation.Voted(post_id, kind, post.author, voter, value,
                                                   quota.day))
            before = {post.author: author_points, voter: voter_points}
            writes = Reputations(
                tuple((p, before[p], n) for p, n in change.reputations.items()),
                tuple((p, d, earned, n) for (p, d), n in change.earned.items()), quota.expires)
            event = {"type": "voted", "post": post_id, "kind": kind, "author": post.author,
                     "voter": voter, "value": value, "day": quota.day}
            try:
                self.repository.write_vote(post_id, voter, value,
                                           previous[0] if previous else None, change.grant,
                                           quota, (secrets.token_hex(8), at, event), writes)
            except Raced:
                continue
            return Voted(post_id, value, post.score + value - (previous[0] if previous else 0),
                         ledger.of(post.author))
        raise StateChanged("the post's votes changed meanwhile; vote again", field="value")

    def accept(self, principal: Principal, question_id: str, request: AcceptRequest) -> Accepted:
        if question_of(request.answer_id) != check_question_id(question_id):
            raise Malformed("that answer does not answer this question", field="answer_id")
        for _ in range(ATTEMPTS):
            question = visible(self.repository.question(question_id), "question_id", "question")
            answer = visible(self.repository.answer(request.answer_id), "answer_id", "answer")
            model.check_accept(question, answer, principal.subject)
            day = self._day()[0]
            points = {p: (self.repository.profile(p) or ("", reputation.START))[1]
                      for p in {answer.author, question.author}}
            ledger = reputation.Ledger(dict(points))
            change = ledger.apply(reputation.Accepted(question.id, answer.id, answer.author,
                                                      question.author, day))
            writes = Reputations(tuple((p, points[p], n) for p, n in change.reputations.items()),
                                 (), 0)
            event = {"type": "accepted", "question": question.id, "answer": answer.id,
                     "author": answer.author, "accepter": question.author, "day": day}
            try:
                at = utc_stamp(self.now(), "milliseconds")
                self.repository.accept(question, answer, (secrets.token_hex(8), at, event),
                                       writes)
            except Raced:
                continue
            return Accepted(question.id, answer.id)
        raise StateChanged("the question changed meanwhile; accept again", field="answer_id")

    # -- officers --------------------------------------------------------------------------------

    def _mark(self, principal: Principal, reason: str | None = None) -> Mark:
        return Mark(principal.subject, utc_stamp(self.now(), "milliseconds"), reason)

    def pin(self, principal: Principal, question_id: str, pinned: bool) -> Moderated:
        question = visible(self.repository.question(check_question_id(question_id)),
                           "question_id", "question")
        mark = self._mark(principal)
        self.repository.pin(question, pinned, secrets.token_hex(8), mark)
        return Moderated(question.id, "pin" if pinned else "unpin", mark.by, mark.at)

    def hide(self, principal: Principal, post_id: str, request: HideRequest) -> Moderated:
        field = "answer_id" if "-" in post_id else "question_id"
        post = (self.repository.answer(post_id) if field == "answer_id" and question_of(post_id)
                else self.repository.question(check_question_id(post_id)))
        if post is None:
            raise NotFound("no post of that id", field=field)
        model.check_hide(post, field)
        mark = self._mark(principal, request.reason)
        self.repository.hide(post_id, secrets.token_hex(8), mark, field)
        return Moderated(post_id, "hide", mark.by, mark.at, mark.reason)

    def verify(self, principal: Principal, answer_id: str) -> Moderated:
        question_id = question_of(answer_id)
        answer = visible(self.repository.answer(answer_id), "answer_id", "answer")
        model.check_verify(answer)
        question = self.repository.question(question_id)
        if question is None:
            raise NotFound("no question of that answer", field="answer_id")
        mark = self._mark(principal)
        draft = model.draft_from(question, answer, f"kd-{secrets.token_hex(6)}", mark.by,
                                 mark.at)
        self.repository.verify(answer, draft, secrets.token_hex(8), mark)
        return Moderated(answer.id, "verify", mark.by, mark.at, draft_id=draft.id)

    def drafts(self, cursor: str | None) -> Drafts:
        drafts, after = self.repository.drafts(cursor)
        return Drafts([_draft(d) for d in drafts], after)

    def log(self, cursor: str | None) -> ModerationLog:
        entries, after = self.repository.log(cursor)
        return ModerationLog([LogEntry(*entry) for entry in entries], after)


def _draft(d: model.ArticleDraft) -> DraftShown:
    return DraftShown(d.id, d.state, d.topic, d.question, d.answer, list(d.tags), [],
                      d.source_question, d.source_answer, d.verified_by, d.created_at)
