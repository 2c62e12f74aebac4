"""The sharing service's sources among the other contexts (chosen at the edge, the handler)."""

from __future__ import annotations

from etax.credit.service import CreditService
from etax.errors import NotFound
from etax.platform.auth import Principal
from etax.sharing import scopes


class CreditRatings:
    """The ``rating`` scope from the credit board: what the taxpayer itself would be shown
    (the partner reads on its behalf, under its consent): the latest stored rating, or the
    year so far for a taxpayer never rated."""

    def __init__(self, credit: CreditService) -> None:
        self.credit = credit

    def latest(self, credit_code: str) -> scopes.RatingData | None:
        try:
            rating = self.credit.rating(Principal(role="taxpayer", subject=credit_code),
                                        credit_code, None)
        except NotFound:
            return None
        return scopes.RatingData(year=rating.year, level=rating.level, score=rating.score,
                                 provisional=rating.provisional, as_of=rating.as_of)
