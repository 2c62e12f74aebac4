"""Risk warnings to named taxpayers (D15, 风险提示): an officer of the taxpayer's office warns it
of a risk; the taxpayer acknowledges, explains or reports a correction, as often as needed;
the officer closes the warning with a conclusion. Every step is kept in the trail, in order,
with who took it (by role: the officer's id, never the taxpayer's). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from etax.errors import StateChanged

Response = Literal["acknowledge", "explain", "correct"]
RESPONSES: Final[dict[str, str]] = {"acknowledge": "acknowledged", "explain": "explained",
                                    "correct": "corrected"}
TOPICS: Final = ("invoice", "filing", "payment", "refund", "registration", "credit", "other")
ISSUED: Final = "issued"
CLOSED: Final = "closed"
SOURCES: Final = ("officer", "indicator")
"""who raised a warning: an officer, or a risk indicator of the tax data board (a case of its
watch-list, docs/risk.md#the-watch-list)"""


@dataclass(frozen=True, slots=True)
class Step:
    at: str
    by: str  # "taxpayer" or "officer:<id>"
    action: str  # issued | acknowledged | explained | corrected | closed
    text: str


def state_after(state: str, action: str) -> str:
    """The state a warning moves to; a closed warning takes no step (StateChanged)."""
    if state == CLOSED:
        raise StateChanged("the warning is closed: nothing more can be added to it",
                           field="action")
    return action


def response_step(response: str, text: str, at: str) -> Step:
    return Step(at=at, by="taxpayer", action=RESPONSES[response], text=text)
