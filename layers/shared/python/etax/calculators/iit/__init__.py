"""Individual income tax calculators (sources.md#iit), one module each:

- :mod:`~etax.calculators.iit.withholding` — cumulative withholding on wages, month by month;
- :mod:`~etax.calculators.iit.annual` — the annual reconciliation of comprehensive income;
- :mod:`~etax.calculators.iit.bonus` — an annual one-off bonus taxed separately.

Each has a pydantic ``Request`` and ``compute(request, on=None)`` returning a typed result
(:mod:`etax.calculators.results`: ``Withholding``, ``AnnualSettlement``, ``BonusTax``) with its
steps and the rules it used; the rule data is :mod:`~etax.calculators.iit.rules`.
"""
