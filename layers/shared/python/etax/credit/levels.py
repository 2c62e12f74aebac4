"""The credit level other boards read (a published port): a taxpayer's latest stored rating's
level, ``None`` when it was never rated. One Query on its partition of the credit table."""

from __future__ import annotations

from typing import Any


class CreditLevels:
    def __init__(self, client: Any | None = None) -> None:
        self.client = client

    def level_of(self, credit_code: str) -> str | None:
        from etax.credit.repository import CreditRepository  # made on first use

        found = CreditRepository(self.client).latest_rating(credit_code)
        return found[0].level if found else None
