"""Returns: which kinds of return a tax is filed with, and how each computes its tax.

The filing service never computes a tax itself: it asks the :class:`TaxComputer` registered for
the return's kind (:data:`etax.filing.calculation.COMPUTERS`, through
:func:`etax.filing.calculation.compute`), which answers the tax due in fen and a JSON-ready
answer with the steps. Every computer is a thin adapter over the tax calculators of the
toolbox, so a rate or a formula exists once. A computer takes the return as the route validated
it (:class:`etax.filing.requests.ReturnRequest`) and parses its ``data`` with the request model
of its calculator, so a bad figure is a 422 naming ``data.<field>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from etax.errors import Invalid, invalid_from
from etax.filing.deadlines import Period
from etax.filing.requests import ReturnRequest
from etax.platform.results import as_json


@dataclass(frozen=True, slots=True)
class Computation:
    tax_fen: int
    """The tax this return makes payable (0 when nothing is payable)."""
    answer: dict[str, Any]
    """The calculator's answer, JSON-ready, with its steps."""
    refund_fen: int = 0
    """A refund the return itself computes (the IIT annual reconciliation), else 0."""


class TaxComputer(Protocol):
    def compute(self, request: ReturnRequest, *, period: Period) -> Computation: ...


@dataclass(frozen=True, slots=True)
class CalculatorComputer:
    """A return computed by one calculator: its pydantic request model, its ``compute`` and
    where the payable tax is in its answer."""

    request_model: type[BaseModel]
    compute_answer: Callable[..., object]
    """The calculator's ``compute``: its result is kept as JSON (:func:`as_json`)."""
    payable_fen: Callable[[dict[str, Any]], int]
    prepare: Callable[[dict[str, Any], Period], dict[str, Any]] = lambda data, period: data
    """What the return's period fixes in the calculator's request (e.g. month or quarter)."""
    refund_fen: Callable[[dict[str, Any]], int] = lambda answer: 0
    """Where a refund is in its answer (none for most returns)."""

    def compute(self, request: ReturnRequest, *, period: Period) -> Computation:
        """The calculator's answer for the return's ``data`` under the rules in force at the
        period's end; a bad figure is a 422 naming ``data.<field>``."""
        return self.compute_figures(request.data, period=period)

    def compute_figures(self, data: dict[str, Any], *, period: Period) -> Computation:
        """:meth:`compute` for figures already taken out of a validated return (one vehicle of
        a vehicle and vessel return)."""
        try:
            request = self.request_model.model_validate(self.prepare(data, period))
            answer: dict[str, Any] = as_json(self.compute_answer(request, on=period.end))
        except ValidationError as error:
            raise invalid_from(error.errors(), prefix=("body", "data")) from None
        except Invalid as error:
            field = f"data.{error.field}" if error.field else "data"
            raise Invalid(f"{field}: {error.detail}", field=field) from None
        return Computation(tax_fen=max(self.payable_fen(answer), 0), answer=answer,
                           refund_fen=max(self.refund_fen(answer), 0))
