"""The seeded articles on IIT, VAT, invoices, verification and the lottery, the questions asked
of them (``etax/consult/data/asked/questions-a.json``) and the out-of-domain questions written
with these (``tests/evaluation/out_of_domain-a.json``): a data check."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from etax.consult.asked import ASKED
from etax.knowledge.articles import DATA, Article, article_of, base

EVALUATION = Path(__file__).parents[1] / "evaluation"
FILES = ("a-iit.json", "a-vat.json", "a-invoice.json")
TOPICS = {"iit", "vat", "invoice", "verification", "lottery"}
FORMS = {"paraphrase", "colloquial", "typo", "traditional", "mixed"}
WHYS = {"weather", "chitchat", "other_agency", "joke", "unrelated"}


def ours() -> list[Article]:
    return [article_of(raw) for name in FILES
            for raw in json.loads((DATA / name).read_text(encoding="utf-8"))["articles"]]


def load(name: str) -> list[dict[str, Any]]:
    folder = ASKED if name.startswith("questions") else EVALUATION
    questions: list[dict[str, Any]] = json.loads(
        (folder / name).read_text(encoding="utf-8"))["questions"]
    return questions


def squeeze(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum()).lower()


def test_the_articles_are_in_the_base_and_within_their_topics() -> None:
    articles = ours()
    in_base = {a.id for a in base()}  # every citation checked against the library
    assert len(articles) >= 80
    assert {a.id for a in articles} <= in_base
    assert {a.topic for a in articles} == TOPICS


def test_every_article_has_a_question_and_every_question_an_article_of_ours() -> None:
    articles = {a.id: a for a in ours()}
    questions = load("questions-a.json")
    assert len(questions) >= 170
    assert {q["expected"] for q in questions} == set(articles)
    forms = Counter(q["form"] for q in questions)
    assert set(forms) == FORMS
    assert min(forms.values()) >= 15, forms


def test_no_question_copies_an_article_form_or_repeats() -> None:
    written = {squeeze(form) for a in base() for form in a.questions}
    asked = [squeeze(q["question"]) for q in load("questions-a.json")]
    refused = [squeeze(q["question"]) for q in load("out_of_domain-a.json")]
    assert not (set(asked) | set(refused)) & written
    assert len(set(asked)) == len(asked)
    assert len(set(refused)) == len(refused)
    assert not set(asked) & set(refused)


def test_the_out_of_domain_questions_name_why() -> None:
    questions = load("out_of_domain-a.json")
    assert len(questions) >= 30
    assert {q["why"] for q in questions} == WHYS
