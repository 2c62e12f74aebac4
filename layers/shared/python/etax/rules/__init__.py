"""The shared kernel: pure rules that several contexts use (money, the business day, credit code,
resident ID, invoice numbers and types, QR payloads, signed text, tax offices). No AWS, no I/O.

A rule of one context lives in that context (``etax/<context>/rules.py`` and its data in
``etax/<context>/data/``), not here; ``tests/unit/test_rules_kernel.py`` keeps it so.
"""
