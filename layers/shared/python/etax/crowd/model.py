"""Crowd help's things and their state rules. Pure.

A **question** (``q`` + 12 hex digits) has a title, a body, a topic of the knowledge base
(:data:`etax.knowledge.articles.TOPICS`) and tags; its **answers** carry the question's id in
their own (``<question id>-a`` + 8 hex digits), so an answer's thread is found from its id.
Authors are people (a taxpayer's credit code or a person's resident ID), shown only by the
pseudonym of their profile. An officer may pin a question, hide a question or an answer (with
a reason: hidden posts stay stored, with who and why, but are not served), and verify an
answer, which drafts a knowledge-base article (:class:`ArticleDraft`, state ``draft``: it
needs citations before the knowledge base's review can publish it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from etax.errors import NotFound, Refused, StateChanged

QUESTION_ID: Final = re.compile(r"^q[0-9a-f]{12}$")
ANSWER_ID: Final = re.compile(r"^(q[0-9a-f]{12})-a[0-9a-f]{8}$")
DRAFT_STATE: Final = "draft"


def check_question_id(question_id: str) -> str:
    if not QUESTION_ID.match(question_id):
        raise NotFound(f"no question {question_id[:20]}", field="question_id")
    return question_id


def question_of(answer_id: str) -> str:
    """The id of the question an answer answers (404 for an id of no answer's form)."""
    found = ANSWER_ID.match(answer_id)
    if not found:
        raise NotFound(f"no answer {answer_id[:30]}", field="answer_id")
    return found.group(1)


@dataclass(frozen=True, slots=True)
class Mark:
    """An officer's act on a post: who (the officer's subject), when, and why if said."""

    by: str
    at: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    title: str
    body: str
    topic: str
    tags: tuple[str, ...]
    author: str
    pseudonym: str
    asked_at: str
    score: int = 0
    answers: int = 0
    accepted: str | None = None
    pinned: Mark | None = None
    hidden: Mark | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    question: str
    body: str
    author: str
    pseudonym: str
    answered_at: str
    score: int = 0
    verified: Mark | None = None
    hidden: Mark | None = None


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """A knowledge-base article drafted from an officer-verified answer."""

    id: str
    state: str
    topic: str
    question: str
    answer: str
    tags: tuple[str, ...]
    source_question: str
    source_answer: str
    verified_by: str
    created_at: str


# -- the state rules ---------------------------------------------------------------------------

def visible[P: (Question, Answer)](post: P | None, field: str, what: str) -> P:
    """The post, if it exists and is not hidden (a hidden post is as good as absent)."""
    if post is None or post.hidden is not None:
        raise NotFound(f"no {what} of that id", field=field)
    return post


def check_vote(author: str, voter: str, previous: int | None, value: int, field: str) -> None:
    """One vote per person per post, changeable, never on one's own post."""
    if author == voter:
        raise Refused("nobody votes on their own post", field=field)
    if previous == value:
        raise StateChanged(f"you have already voted {value:+d} on this post", field="value")


def check_accept(question: Question, answer: Answer, caller: str) -> None:
    """The asker accepts one answer of their own question."""
    if question.author != caller:
        raise Refused("only the asker accepts an answer", field="question_id")
    if answer.question != question.id:
        raise NotFound("no such answer to this question", field="answer_id")
    if question.accepted is not None:
        raise StateChanged("this question has an accepted answer already", field="answer_id")


def check_hide(post: Question | Answer, field: str) -> None:
    if post.hidden is not None:
        raise StateChanged("hidden already", field=field)


def check_verify(answer: Answer) -> None:
    if answer.hidden is not None:
        raise StateChanged("a hidden answer cannot be verified", field="answer_id")
    if answer.verified is not None:
        raise StateChanged("this answer is verified already", field="answer_id")


def draft_from(question: Question, answer: Answer, draft_id: str, officer: str,
               at: str) -> ArticleDraft:
    """The article draft a verified answer makes: question → question, answer → answer."""
    return ArticleDraft(draft_id, DRAFT_STATE, question.topic, question.title, answer.body,
                        question.tags, question.id, answer.id, officer, at)
