"""Which tax office is in charge of a natural person who is in no registry.

The office codes of the registry are ``1`` + a four-digit region + ``000000``
(``13501000000`` is the Fuzhou office, region ``3501``). A natural person
belongs to the office of the prefecture of the address code of the resident ID
(its first four digits). This is the project's rule, not a published one
(docs/decisions/0009-refund-pipeline.md); refunds, certificates and filing use it.
"""

from __future__ import annotations


def prefecture_office(resident_id: str) -> str:
    """The tax office of the prefecture of a (valid) resident ID's address code."""
    return f"1{resident_id[:4]}000000"
