"""Tax calculators: pure functions over versioned rule data, shared by the toolbox routes
(``POST /v1/tools/...``) and by filing.

One module per tax, each with a pydantic request model and ``compute(request, on=None)``
returning a typed result (:mod:`etax.calculators.results`, made JSON at the edge) with the
computation step by step:

============================================  ==========================================
:mod:`etax.calculators.iit.withholding`       cumulative withholding on wages, by month
:mod:`etax.calculators.iit.annual`            annual reconciliation of comprehensive income
:mod:`etax.calculators.iit.bonus`             annual one-off bonus taxed separately
:mod:`etax.calculators.vat`                   VAT: general and small-scale taxpayers
:mod:`etax.calculators.vehicle_vessel`        vehicle and vessel tax by province schedule
:mod:`etax.calculators.departure_refund`      departure tax refund for overseas visitors
============================================  ==========================================

``on`` is the day the caller computes for when the request names none (a service passes today
in China time; omitted, it is today). Rates, brackets, thresholds, deductions and limits live in
``data/*.json`` with their effective dates and sources (:mod:`etax.calculators.common` explains
the conventions: money, rounding, the rules' date, steps). A request the rules cannot compute
raises :class:`etax.calculators.common.InputError`, a 422 problem naming the field; a request
that does not fit its model raises pydantic's ``ValidationError``, which the API maps to a 422
naming the field too.
"""
