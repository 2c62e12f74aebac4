"""The 12366 consultation's evaluation benchmark, written to docs/benchmarks.md.

Over the evaluation sets of ``tests/evaluation/`` (and, reported apart, the held-out set of
``tests/evaluation/held_out/``, never used for tuning) — ``questions-*.json``
(``{"questions": [{"question", "expected", "form"}]}``: a real-style question and the article
that answers it) and ``out_of_domain-*.json`` (``{"questions": [{"question", "why"}]}``) — the
consultation's own pipeline (the guard, the answer composed from the knowledge base's index,
the decision of :mod:`etax.consult.rules`) is run in-process, without the table:

- **top-1 / top-3**: the expected article is the answer's article / among the answer's article
  and its first two related questions (the ranking, whatever the confidence);
- **answered right**: the question is answered (not refused, not handed off) by the expected
  article; **answered wrong**: answered by another;
- **refused in domain**: an in-domain question the guard refused (a false refusal);
- **hand-off rate**: for a signed-in taxpayer of a known office, the in-domain questions
  handed to an officer (low confidence, own records, a request for a person);
- **out-of-domain refused**: the out-of-domain questions refused (never answered);
- **latency**: one question answered warm (guard, retrieval, composition, decision), p50 and
  p99 over every question of the sets, several rounds.

Usage: python scripts/bench_consult.py [--rounds N] [--write] [--by-form]
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

from etax.consult.compose import Composer  # noqa: E402
from etax.consult.guard import Guard  # noqa: E402
from etax.consult.retrieval import RANKING, composer_for  # noqa: E402
from etax.consult.rules import Asker, decide  # noqa: E402
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

    def run(self, question: str, asker: Asker) -> tuple[str, list[str]]:
        """The outcome and the ranked article ids (the answer's, then its related ones)."""
        intent = self.guard.read(question)
        composed = self.composer.compose(question, DAY) if intent.in_domain else None
        decision = decide(intent, asker, composed.confidence if composed else None)
        ranked = [composed.article.id, *(r.article_id for r in composed.related)] \
            if composed else []
        return decision.outcome, ranked


def pipeline() -> Pipeline:
    articles = base()
    return Pipeline(Guard(t for a in articles for t in a.tags),
                    composer_for(articles, corpus(), DAY))


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


def latencies(p: Pipeline, questions: Iterable[Question], rounds: int) -> list[float]:
    texts = [q.question for q in questions]
    for text in texts:  # warm: every article's terms computed once
        p.run(text, ANONYMOUS)
    times = []
    for _ in range(rounds):
        for text in texts:
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
    "Reading these figures: the tuning sets are `questions-a.json`, `questions-b.json` and, "
    "added later, `questions-c.json` (with `out_of_domain-c.json`): a third set written the way "
    "taxpayers type — spoken and casual, a story before the point, wrong characters of the same "
    "sound, traditional characters, English and abbreviations mixed in — over nearly every "
    "article, against which the lexicon's everyday forms of tax terms, its stop words for a "
    "question's chatty parts and its traditional characters were worked out. "
    "The guard's phrases (`etax/consult/data/phrases.json`), the lexicon, the "
    "question index, the fusion weight, the confidence's weights and the hand-off threshold "
    "were tuned on these same questions, so the figures above are an upper estimate; the "
    "held-out set (`tests/evaluation/held_out/`, written after the tuning and never used for "
    "it) is what new questions get, and the fresh set (`tests/evaluation/fresh/`, written "
    "after the held-out set over every article, not yet tuned on: its misses are where the "
    "next round of tuning starts) a second measure of it. The threshold trades wrong answers for "
    "hand-offs: a lower one answers more and hands off less, and gives more answers from "
    "another article. Top-1 and top-3 read the ranking whatever the confidence; an answer "
    "under the threshold is handed off (signed in) or not given (anonymous). The latency is "
    "the answer's computation only; a question through the API also writes its turn and "
    "counters (three to four DynamoDB writes).",
]


WITHOUT_SEARCH_KIT = (
    "Top-1 and top-3 fall short of their targets here because the ranking is the in-process "
    "one alone: character pairs and characters do not know that 个税 is 个人所得税 or that "
    "IIT, VAT and 专票 name what they do. With the search kit's index (jieba with the tax "
    "lexicon and synonyms, ADR 0022) in the full-text index's place, fused the same way, a "
    "run of this benchmark on a merge with the search kit (before it was on main) measured "
    "top-1 85.4 %, top-3 95.4 %, out-of-domain refused 100 %, wrong answers 3.8 %, p99 "
    "4.6 ms; this section is rewritten when that ranking is wired.")


def unseen_rows(report: dict[str, Any], pct: Any, name: str, said: str) -> list[str]:
    """The same figures over a set whose questions were never used to tune anything."""
    ood = (f" and {report['out_of_domain']} out-of-domain ones" if report["out_of_domain"]
           else "")
    return [
        f"The {name} set: {report['questions']} questions{ood}, {said}.", "",
        f"| figure ({name} set) | value |", "|---|---|",
        f"| top-1 | {pct(report['top1'])} |", f"| top-3 | {pct(report['top3'])} |",
        *([f"| out-of-domain refused | {pct(report['ood_refused'])} |"]
          if report["out_of_domain"] else []),
        f"| answered by the expected article (anonymous asker) | "
        f"{pct(report['answered_right'])} |",
        f"| answered by another article (a wrong answer given) | "
        f"{pct(report['answered_wrong'])} |",
        f"| in-domain questions refused by the guard | {pct(report['refused_in_domain'])} |",
        f"| handed off (a signed-in taxpayer of a known office) | "
        f"{pct(report['handoff_rate'])} |", "",
    ]


def section(report: dict[str, Any], times: Sequence[float], rounds: int, retriever: str,
            held_out: dict[str, Any] | None = None,
            fresh: dict[str, Any] | None = None) -> list[str]:
    def pct(x: float) -> str:
        return f"{100 * x:.1f} %"

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    p50, p99 = statistics.median(times), percentile(times, 0.99)
    return [
        HEADING, "",
        f"Made by `python scripts/bench_consult.py --rounds {rounds} --write` on "
        f"{datetime.now(UTC):%Y-%m-%d}: {report['questions']} questions with their expected "
        f"article and {report['out_of_domain']} out-of-domain questions "
        "(`tests/evaluation/*.json`), answered in-process by the consultation's pipeline "
        f"(the guard; retrieval: {retriever}; composition; decision; no table) as of "
        f"{DAY}.", "",
        "| figure | value | target |", "|---|---|---|",
        f"| top-1 (the answer's article is the expected one) | {pct(report['top1'])} | "
        f"≥ 85 %: {met(report['top1'] >= TARGETS['top1'])} |",
        f"| top-3 (the expected article among the answer's and its first two related) | "
        f"{pct(report['top3'])} | ≥ 95 %: {met(report['top3'] >= TARGETS['top3'])} |",
        f"| out-of-domain refused | {pct(report['ood_refused'])} | ≥ 95 %: "
        f"{met(report['ood_refused'] >= TARGETS['ood_refused'])} |",
        f"| answered by the expected article (anonymous asker) | "
        f"{pct(report['answered_right'])} | |",
        f"| answered by another article (a wrong answer given) | "
        f"{pct(report['answered_wrong'])} | |",
        f"| in-domain questions refused by the guard | {pct(report['refused_in_domain'])} | |",
        f"| handed off (a signed-in taxpayer of a known office) | "
        f"{pct(report['handoff_rate'])} | |",
        f"| answer latency, warm, in-process: p50 / p99 ({len(times)} answers) | "
        f"{p50:.2f} ms / {p99:.2f} ms | p99 < 50 ms: {met(p99 < TARGETS['p99_ms'])} |", "",
        *(unseen_rows(held_out, pct, "held-out", "written after the tuning above and never "
                      "used for it") if held_out else []),
        *(unseen_rows(fresh, pct, "fresh", "written after the held-out set over every "
                      "article, not yet used for tuning") if fresh else []),
        *NOTES, "", *([WITHOUT_SEARCH_KIT, ""] if "search" not in retriever else []),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the 12366 consultation.")
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds over the sets")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name}")
    parser.add_argument("--by-form", action="store_true", help="print figures by form")
    parser.add_argument("--misses", action="store_true", help="print the top-1 misses")
    args = parser.parse_args()
    questions, ood = load("questions-*.json"), load("out_of_domain-*.json")
    p = pipeline()
    report = evaluate(p, questions, ood)
    held_out = evaluate(p, load("questions*.json", HELD_OUT), load("out_of_domain*.json", HELD_OUT))
    fresh = evaluate(p, load("questions*.json", FRESH), load("out_of_domain*.json", FRESH))
    times = latencies(p, [*questions, *ood], args.rounds)
    lines = section(report, times, args.rounds, RANKING, held_out, fresh)
    print("\n".join(lines))
    if args.by_form:
        for form, (n, right) in sorted(report["by_form"].items()):
            print(f"{form:24} {n:4}  answered right {100 * right:.1f} %")
    if args.misses:
        for miss in report["misses"]:  # the tuning set's alone: the held-out set stays unseen
            print(json.dumps(miss, ensure_ascii=False))
        print("out of domain answered:", json.dumps(report["ood_answered"], ensure_ascii=False))
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
