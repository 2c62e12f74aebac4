"""The pure rules of complaints and reports: the kinds (data), deadlines in working days,
the state machine, tracking codes and secrets.

States::

    filed ──accept──▶ accepted ──answer──▶ answered ──rate──▶ rated
      └───refuse──▶ refused ──rate──▶ rated

``accepted`` is the investigation (受理 then 调查); escalation is a flag beside the state, set
once when a case is still ``filed`` or ``accepted`` after its deadline, with its trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Final

from etax.errors import Invalid, Refused, StateChanged
from etax.filing.deadlines import Calendar
from etax.filing.deadlines import load_data as filing_data
from etax.platform.data import load
from etax.platform.shards import Shards

FILED, ACCEPTED, ANSWERED, REFUSED, RATED = "filed", "accepted", "answered", "refused", "rated"
OPEN_STATES: Final = frozenset({FILED, ACCEPTED})
TRANSITIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    "accept": (frozenset({FILED}), ACCEPTED),
    "refuse": (frozenset({FILED}), REFUSED),
    "answer": (frozenset({ACCEPTED}), ANSWERED),
    "rate": (frozenset({ANSWERED, REFUSED}), RATED),
}
OPEN_SHARDS: Final = Shards(8)
"""the partitions of ``by_deadline``: open cases spread by a hash of their id, so no index
partition takes every filing's write; the daily escalation Queries each"""

CODE_BYTES: Final = 10  # 16 base32 characters: 80 random bits
SECRET_BYTES: Final = 24  # 32 URL-safe characters: 192 random bits
SALT_BYTES: Final = 16
SCRYPT: Final = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}  # ~16 MiB, tens of ms


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: str
    type: str  # complaint | report
    deadline_working_days: int
    handled_by: str  # office | taxpayer
    anonymous: bool


@cache
def kinds() -> dict[str, Kind]:
    data: dict[str, Any] = load("etax.complaints", "kinds")["kinds"]
    return {name: Kind(name, k["label"], k["type"], int(k["deadline_working_days"]),
                       k["handled_by"], bool(k["anonymous"])) for name, k in data.items()}


def rating_bounds() -> tuple[int, int]:
    rating = load("etax.complaints", "kinds")["rating"]
    return int(rating["min"]), int(rating["max"])


def kind_of(name: str, *, anonymous: bool = False) -> Kind:
    """The kind called ``name``; anonymous filing only for kinds that allow it."""
    kind = kinds().get(name)
    if kind is None:
        raise Invalid(f"a kind of case: {', '.join(kinds())}", field="kind")
    if anonymous and not kind.anonymous:
        allowed = ", ".join(k.name for k in kinds().values() if k.anonymous)
        raise Invalid(f"only these kinds may be filed anonymously: {allowed}", field="kind")
    return kind


@cache
def calendar() -> Calendar:
    return Calendar(filing_data()["calendars"])


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if not calendar().is_rest_day(day):
            left -= 1
    return day


def due_on(kind: Kind, filed_on: date) -> date:
    """The last day to answer a case of ``kind`` filed on ``filed_on``."""
    return add_working_days(filed_on, kind.deadline_working_days)


def overdue(due: date, today: date) -> bool:
    return today > due


def next_state(action: str, state: str) -> str:
    """The state ``action`` leads to from ``state``, or :class:`StateChanged` naming it."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        if action == "rate" and state == RATED:
            raise StateChanged("this handling has been rated already", field="rating")
        raise StateChanged(f"a case that is {state} cannot be {action}ed now; it must be "
                           f"{' or '.join(sorted(sources))}", field="state")
    return target


def tracking_code() -> str:
    """A tracking code: 16 characters of base32 (A-Z, 2-7), easy to read out and type."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def case_id() -> str:
    return tracking_code()


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str, salt: bytes | None = None) -> tuple[str, str]:
    """``(salt, hash)`` in hex: the salted scrypt hash that is all the table keeps."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, **SCRYPT)
    return salt.hex(), digest.hex()


DUMMY_SALT: Final = bytes(SALT_BYTES)


def secret_matches(secret: str | None, salt_hex: str | None, hash_hex: str | None) -> bool:
    """Whether ``secret`` is the one hashed, in constant time; the same work is done when there
    is no case or no secret, so the time taken tells nothing either."""
    salt = bytes.fromhex(salt_hex) if salt_hex else DUMMY_SALT
    _, digest = hash_secret(secret or "", salt)
    expected = hash_hex or "0" * 64
    return hmac.compare_digest(digest, expected) and bool(secret) and bool(hash_hex)


def ensure_handler(office: str, principal_office: str | None) -> None:
    """Only an officer of the responsible office acts on a case."""
    if principal_office != office:
        raise Refused("only officers of the office responsible for this case act on it")
