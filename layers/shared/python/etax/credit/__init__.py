"""Tax payment credit ratings (纳税缴费信用, plan action D12), the 2025 measures: the pure
domain.

* :mod:`~etax.credit.catalogue` — the indicators (points, kind, how each counts, valid days,
  source) and the starting scores, as dated data (``data/indicators.json``), checked on load.

Sources: sources.md#credit; the choices where no text read gives a figure:
sources.md#credit-choices.
"""
