"""The 12366 consultation's evaluation benchmark, written to docs/benchmarks.md.

Over the question sets — the unseen ones of ``tests/evaluation/`` (``held_out/``, never used
for tuning, its misses printed nowhere; ``fresh/``, written later, its misses where the next
tuning starts), whose figures the targets are read on, and the asked questions the
consultation's indexes read with their articles (``etax/consult/data/asked/``, see
:mod:`etax.consult.asked`), reported apart — ``questions*.json`` (``{"questions": [{"question",
"expected", "form"}]}``: a real-style question and the article that answers it) and
``out_of_domain*.json`` (``{"questions": [{"question", "why"}]}``) — the consultation's own
pipeline (the guard, the answer composed from the knowledge base's indexes, the decision of
:mod:`etax.consult.rules`) is run in-process, without the table:

- **top-1 / top-3**: the expected article is the answer's article / among the answer's article
  and its first two related questions (the ranking, whatever the confidence);
- **answered right**: the question is answered (not refused, not handed off) by the expected
  article; **answered wrong**: answered by another;
- **refused in domain**: an in-domain question the guard refused (a false refusal);
- **hand-off rate**: for a signed-in taxpayer of a known office, the in-domain questions
  handed to an officer (low confidence, own records, a request for a person);
- **out-of-domain refused**: the out-of-domain questions refused (never answered);
- **latency**: one question answered warm (guard, retrieval, composition, decision), p50 and
  p99 over every question of the sets, several rounds, each read as new (the segmentation
  kept for texts asked before is dropped before each).

Usage: python scripts/bench_consult.py [--rounds N] [--write] [--by-form] [--misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

from etax.consult.asked import ASKED  # noqa: E402
from etax.consult.compose import Composer  # noqa: E402
from etax.consult.guard import Guard  # noqa: E402
from etax.consult.retrieval import RANKING, composer_for, guard_for  # noqa: E402
from etax.consult.rules import Asker, decide  # noqa: E402
from etax.knowledge import text as text_module  # noqa: E402
from etax.knowledge.articles import base  # noqa: E402
from etax.regulations.seeds import corpus  # noqa: E402

EVALUATION = ROOT / "tests" / "evaluation"
REPORT = ROOT / "docs" / "benchmarks.md"
HEADING = "## 12366 consultation: evaluation"
DAY = date(2026, 12, 4)
SIGNED_IN = Asker("350102199003071234", "350102199003071234", "13501000000")
ANONYMOUS = Asker("public")
TARGETS = {"top1": 0.85, "top3": 0.95, "ood_refused": 0.95, "p99_ms": 50.0}


@dataclass(frozen=True)
class Question:
    question: str
    expected: str | None  # None: out of domain
    form: str


def load(pattern: str, folder: Path = EVALUATION) -> list[Question]:
    found = []
    for path in sorted(folder.glob(pattern)):
        for q in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            found.append(Question(q["question"], q.get("expected"), q.get("form", "ood")))
    return found


@dataclass
class Pipeline:
    guard: Guard
    composer: Composer
    built: tuple[float, float] = (0.0, 0.0)  # seconds the guard and the composer took

    def run(self, question: str, asker: Asker) -> tuple[str, list[str]]:
        """The outcome and the ranked article ids (the answer's, then its related ones)."""
        intent = self.guard.read(question)
        composed = self.composer.compose(question, DAY) if intent.in_domain else None
        decision = decide(intent, asker, composed.confidence if composed else None)
        ranked = [composed.article.id, *(r.article_id for r in composed.related)] \
            if composed else []
        return decision.outcome, ranked


def pipeline() -> Pipeline:
    """The consultation's guard and composer, built as the function builds them at its cold
    start (jieba's dictionary read first, apart), with the time each took."""
    text_module.tokenizer()
    articles = base()
    started = time.perf_counter()
    guard = guard_for(articles)
    guarded = time.perf_counter()
    composer = composer_for(articles, corpus(), DAY)
    return Pipeline(guard, composer, (guarded - started, time.perf_counter() - guarded))


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(p: Pipeline, questions: Sequence[Question], ood: Sequence[Question]
             ) -> dict[str, Any]:
    top1 = top3 = right = wrong = refused = 0
    handed = 0
    misses: list[tuple[str, str, list[str], str]] = []
    by_form: Counter[str] = Counter()
    by_form_right: Counter[str] = Counter()
    for q in questions:
        outcome, ranked = p.run(q.question, ANONYMOUS)
        signed_outcome, _ = p.run(q.question, SIGNED_IN)
        by_form[q.form] += 1
        top1 += bool(ranked[:1] == [q.expected])
        top3 += q.expected in ranked[:3]
        refused += outcome == "refused"
        handed += signed_outcome == "handed_off"
        if outcome == "answered":
            if ranked[0] == q.expected:
                right += 1
                by_form_right[q.form] += 1
            else:
                wrong += 1
        if ranked[:1] != [q.expected]:
            misses.append((q.question, str(q.expected), ranked[:3], outcome))
    ood_refused = sum(p.run(q.question, ANONYMOUS)[0] == "refused" for q in ood)
    ood_answered = [q.question for q in ood if p.run(q.question, ANONYMOUS)[0] == "answered"]
    n = len(questions)
    return {
        "questions": n, "out_of_domain": len(ood),
        "top1": _rate(top1, n), "top3": _rate(top3, n),
        "answered_right": _rate(right, n), "answered_wrong": _rate(wrong, n),
        "refused_in_domain": _rate(refused, n), "handoff_rate": _rate(handed, n),
        "ood_refused": _rate(ood_refused, len(ood)), "ood_answered": ood_answered,
        "by_form": {f: (by_form[f], _rate(by_form_right[f], by_form[f])) for f in by_form},
        "misses": misses,
    }


def forget_questions(p: Pipeline) -> None:
    """Drop what a text's segmentation is kept under (the question's as well), so that a
    timed answer reads its question as a new one, not one asked before."""
    for kept in (text_module._segmented, text_module._precise, p.composer.terms):
        clear = getattr(kept, "cache_clear", None)
        if clear is not None:
            clear()


def latencies(p: Pipeline, questions: Iterable[Question], rounds: int) -> list[float]:
    texts = [q.question for q in questions]
    for text in texts:  # warm: every article's terms computed once
        p.run(text, ANONYMOUS)
    times = []
    for _ in range(rounds):
        for text in texts:
            forget_questions(p)
            start = time.perf_counter()
            p.run(text, ANONYMOUS)
            times.append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


HELD_OUT = EVALUATION / "held_out"
FRESH = EVALUATION / "fresh"

NOTES = [
    "Reading these figures: the targets are read on the unseen sets. The held-out set "
    "(`tests/evaluation/held_out/`) was written after the first tuning and has never been used "
    "for any: no phrase, weight, threshold or asked question comes from it, and its misses are "
    "printed nowhere. The fresh set (`tests/evaluation/fresh/`) was written later, by reading "
    "the articles and the asked questions only, without running the consultation; its misses "
    "may be read, and when they have been tuned on, it joins the asked questions and a new "
    "fresh set is written. The asked questions (`etax/consult/data/asked/`: four sets of the "
    "questions taxpayers ask — by paraphrase, in spoken and casual words, with typos, in "
    "traditional characters, mixed with English) are read by the consultation's own indexes "
    "with the article each was asked of (document expansion: a new question worded as an "
    "earlier one meets its article through that wording), so their figures say that what was "
    "asked is still answered, not what a new question gets. The guard's phrases, the lexicon, "
    "the fusion's weights, the confidence's weights and the hand-off threshold were worked out "
    "on the asked questions (the weights on the fourth set, `questions-d.json`, before it joined "
    "them); the out-of-domain questions beside them (`tests/evaluation/out_of_domain-*.json`) "
    "were used for the guard. The threshold trades wrong answers for hand-offs: a lower one "
    "answers more and hands off less, and gives more answers from another article. Top-1 and "
    "top-3 read the ranking whatever the confidence; an answer under the threshold is handed "
    "off (signed in) or not given (anonymous). The latency is the answer's computation only; a "
    "question through the API also writes its turn and counters (three to four DynamoDB "
    "writes).",
    "How the unseen figures moved: with the question-form index weighed most and no asked "
    "questions read, the held-out set measured top-1 81.3 %, top-3 93.3 %, and the fourth set "
    "(then the fresh one) 76.8 % / 90.0 %: the question-form index, its forms partly written "
    "from the first sets' misses, ranked those sets best and new questions worst (69.5 % top-1 "
    "alone on the fourth set), the whole-text index new questions best (80.9 %). Weighing the "
    "whole text most and reading a question told without a tax term by the knowledge base's "
    "own words gave the fourth set 81.8 % / 92.3 % (and the held-out set, measured then, 82.0 % "
    "/ 93.3 %); reading the three earlier sets as asked questions, 87.7 % / 96.8 %; the fourth "
    "set then joined them and the held-out set, measured a second time, gave the figures "
    "above. The fresh set was written after that; its "
    "out-of-domain questions, first measured, were 85.0 % refused (six near the domain on "
    "purpose not refused, none given a tax answer: each fell below the confidence threshold), "
    "and the other agencies' matters they named (淘宝, 网购, 花呗, 月供, 提前还款, LPR, "
    "经营范围 …) then joined the guard's phrases: its out-of-domain figure above is after that. "
    "The hand-off threshold was left where it was: on the fresh set, 0.25 instead of 0.28 "
    "would answer 75.0 % right instead of 70.5 % and 1.8 % wrong instead of 0.9 %, 0.22 80.0 % "
    "and 4.1 %.",
]

FIGURES = (
    ("top1", "top-1 (the answer's article is the expected one)"),
    ("top3", "top-3 (the expected article among the answer's and its first two related)"),
    ("ood_refused", "out-of-domain refused"),
    ("answered_right", "answered by the expected article (anonymous asker)"),
    ("answered_wrong", "answered by another article (a wrong answer given)"),
    ("refused_in_domain", "in-domain questions refused by the guard"),
    ("handoff_rate", "handed off (a signed-in taxpayer of a known office)"),
)
TARGET_TEXT = {"top1": "≥ 85 %", "top3": "≥ 95 %", "ood_refused": "≥ 95 %"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def section(asked: dict[str, Any], times: Sequence[float], rounds: int, retriever: str,
            unseen: Sequence[tuple[str, dict[str, Any]]], built: tuple[float, float]
            ) -> list[str]:
    """The report: ``unseen`` are the unseen sets' figures by name (the targets read there);
    ``built``, the seconds the guard and the composer took to build."""

    def sizes(report: dict[str, Any]) -> str:
        return f"{report['questions']} + {report['out_of_domain']}"

    def cell(report: dict[str, Any], key: str) -> str:
        if key == "ood_refused" and not report["out_of_domain"]:
            return "–"
        value = _pct(report[key])
        return f"{value}: {_met(report[key] >= TARGETS[key])}" \
            if key in TARGET_TEXT else value

    p50, p99 = statistics.median(times), percentile(times, 0.99)
    header = " | ".join(name for name, _ in unseen)
    rows = [f"| {label} | " + " | ".join(cell(r, key) for _, r in unseen)
            + f" | {TARGET_TEXT.get(key, '')} |" for key, label in FIGURES]
    return [
        HEADING, "",
        f"Made by `python scripts/bench_consult.py --rounds {rounds} --write` on "
        f"{datetime.now(UTC):%Y-%m-%d}: questions with their expected article and out-of-domain "
        "questions, answered in-process by the consultation's pipeline (the guard; retrieval: "
        f"{retriever}; composition; decision; no table) as of {DAY}. The unseen sets "
        "(in-domain + out-of-domain questions: "
        + ", ".join(f"{name} {sizes(r)}" for name, r in unseen) + "):", "",
        f"| figure | {header} | target |", "|---|" + "---|" * len(unseen) + "---|",
        *rows, "",
        f"The asked questions ({asked['questions']}, read by the indexes with their articles) "
        f"and the {asked['out_of_domain']} out-of-domain questions beside them: top-1 "
        f"{_pct(asked['top1'])}, top-3 {_pct(asked['top3'])}, out-of-domain refused "
        f"{_pct(asked['ood_refused'])}, answered wrong {_pct(asked['answered_wrong'])}, "
        f"refused in domain {_pct(asked['refused_in_domain'])}.", "",
        f"Answer latency, warm, in-process ({len(times)} answers: the asked and out-of-domain "
        f"questions, {rounds} rounds): p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 < 50 ms: "
        f"{_met(p99 < TARGETS['p99_ms'])}). What the consultation function builds at its cold "
        f"start, jieba's dictionary read before: the guard (its own words) in {built[0]:.2f} s "
        f"and the composer (its two indexes, the asked questions read) in {built[1]:.2f} s "
        "(measured here with the search kit's index built too, which the function loads from "
        "its artefact instead).", "",
        *(line for note in NOTES for line in (note, "")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the 12366 consultation.")
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds over the sets")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name}")
    parser.add_argument("--by-form", action="store_true", help="print figures by form")
    parser.add_argument("--misses", action="store_true", help="print the top-1 misses")
    args = parser.parse_args()
    questions, ood = load("questions-*.json", ASKED), load("out_of_domain-*.json")
    p = pipeline()
    report = evaluate(p, questions, ood)
    sets = {name: (load("questions*.json", folder), load("out_of_domain*.json", folder))
            for name, folder in (("held-out set", HELD_OUT), ("fresh set", FRESH))}
    unseen = [(name, evaluate(p, *both)) for name, both in sets.items() if both[0]]
    fresh = dict(unseen).get("fresh set")
    together = [q for both in sets.values() for q in both[0]], \
        [q for both in sets.values() for q in both[1]]
    unseen.append(("both together", evaluate(p, *together)))
    times = latencies(p, [*questions, *ood], args.rounds)
    lines = section(report, times, args.rounds, RANKING, unseen, p.built)
    print("\n".join(lines))
    if args.by_form:
        for form, (n, right) in sorted(report["by_form"].items()):
            print(f"{form:24} {n:4}  answered right {100 * right:.1f} %")
    if args.misses:  # the fresh set's and the asked questions': the held-out set stays unseen
        for miss in [*(fresh["misses"] if fresh else []), *report["misses"]]:
            print(json.dumps(miss, ensure_ascii=False))
        answered = [*(fresh["ood_answered"] if fresh else []), *report["ood_answered"]]
        print("out of domain answered:", json.dumps(answered, ensure_ascii=False))
    if args.write:
        text = REPORT.read_text(encoding="utf-8").splitlines()
        if HEADING in text:
            start = text.index(HEADING)
            end = next((i for i in range(start + 1, len(text)) if text[i].startswith("## ")),
                       len(text))
        else:
            start = end = next((i for i, line in enumerate(text)
                                if line == "## Reading these figures"), len(text))
        REPORT.write_text("\n".join([*text[:start], *lines, *text[end:]]) + "\n",
                          encoding="utf-8")


if __name__ == "__main__":
    main()
