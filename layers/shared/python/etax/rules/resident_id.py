"""Resident identity card number (公民身份号码), GB 11643-1999.

Eighteen characters: a 6-digit address code (GB/T 2260), an 8-digit birth date
(YYYYMMDD), a 3-digit sequence (odd for men, even for women) and a check
character computed with ISO 7064 MOD 11-2: weights ``2^(17-i) mod 11`` for
positions 1-17, ``(12 - Σ mod 11) mod 11``, the value 10 written ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etax.rules.refusal import Refusal

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "0123456789X"


class MalformedResidentId(Refusal):
    """The text is not a resident ID number; ``reason`` says why."""


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sequence: str

    @property
    def sex(self) -> str:
        return "male" if int(self.sequence[-1]) % 2 else "female"

    @property
    def masked(self) -> str:
        """The form shown to anyone but its holder: region and check kept, the rest hidden."""
        return self.number[:6] + "*" * 8 + self.number[14:]


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[(12 - total % 11) % 11]


def parse(text: str, today: date | None = None) -> ResidentId:
    """Parse and fully validate a resident ID number, or raise :class:`MalformedResidentId`."""
    number = "".join(text.split()).upper()
    if len(number) != 18:
        raise MalformedResidentId(f"a resident ID has 18 characters, this one has {len(number)}")
    if not number[:17].isdigit() or not number[:17].isascii():
        raise MalformedResidentId("the first 17 characters of a resident ID must be digits")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise MalformedResidentId(f"{number[6:14]} is not a valid birth date") from None
    if born > (today or date.today()) or born.year < 1900:
        raise MalformedResidentId(f"{number[6:14]} is not a possible birth date")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise MalformedResidentId(
            f"check character is {number[17]!r}, but positions 1-17 give {expected!r}"
        )
    return ResidentId(number=number, region_code=number[:6], birth_date=born,
                      sequence=number[14:17])


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except MalformedResidentId:
        return False
    return True
