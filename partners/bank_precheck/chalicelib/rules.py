"""The bank's pre-check rules (银税互动): pure, no I/O.

A taxpayer may apply for a tax-credit loan when

* its latest annual credit rating is A, B or M — 税总发〔2019〕113号 widened bank–tax
  interaction from A and B to M (docs/sources.md#sharing); a taxpayer without an annual rating
  yet (the platform shows the year so far, ``provisional``) cannot apply;
* it paid tax over the last 12 months (a loan sized by the tax paid needs some).

The answer lists every reason, met or not, so the bank's officer and the taxpayer see why.
"""

from __future__ import annotations

from typing import Any

ELIGIBLE_LEVELS = ("A", "B", "M")


def assess(rating: dict[str, Any] | None, tax_paid: dict[str, Any]) -> dict[str, Any]:
    """``rating``: the platform's ``rating`` scope (None: never rated); ``tax_paid``: its
    ``tax_paid`` scope. Returns ``eligible`` and the ``reasons``, each ``{code, met, text}``."""
    reasons = []
    if rating is None:
        reasons.append({"code": "rating", "met": False,
                        "text": "no credit rating on record"})
    elif rating.get("provisional"):
        reasons.append({"code": "rating", "met": False,
                        "text": f"no annual rating yet (the year so far: {rating['level']})"})
    else:
        level = rating["level"]
        reasons.append({"code": "rating", "met": level in ELIGIBLE_LEVELS,
                        "text": f"credit level {level} of {rating['year']} "
                                f"({'within' if level in ELIGIBLE_LEVELS else 'outside'} "
                                f"A, B and M)"})
    paid = int(tax_paid["total_fen"])
    reasons.append({"code": "tax_paid", "met": paid > 0,
                    "text": f"tax paid from {tax_paid['first_day']} to {tax_paid['last_day']}: "
                            f"{paid // 100}.{paid % 100:02d} yuan"})
    return {"eligible": all(r["met"] for r in reasons), "reasons": reasons,
            "tax_paid_fen": paid, "level": rating["level"] if rating else None}
