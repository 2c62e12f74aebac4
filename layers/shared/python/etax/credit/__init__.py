"""Tax payment credit ratings (纳税缴费信用, plan action D12), the 2025 measures: the pure
domain, one job a module.

* :mod:`~etax.credit.catalogue` — the indicators (points, kind, how each counts, valid days,
  source) and the starting scores, as dated data (``data/indicators.json``), checked on load;
* :mod:`~etax.credit.evaluation` — a year's records and registration facts to an evaluation:
  start, every deduction explained, score, level (A/B/M/C/D), and the in-year preview;
* :mod:`~etax.credit.repair` — credit repair: the share restored by how soon a fault was
  corrected (``data/repair.json``), the waiting periods, and the repair application an
  officer approves or refuses.

Sources: sources.md#credit, sources.md#credit-repair; the choices where no text read gives a
figure: sources.md#credit-choices.
"""
