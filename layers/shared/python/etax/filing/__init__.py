"""Filing and payment (plan action B5): obligations, returns, liabilities, payments, reminders.

Pure rules: :mod:`etax.filing.deadlines` (periods, deadlines, the holiday calendar, as data in
``data/deadlines.json``), :mod:`etax.filing.ledger` (surcharge and allocation),
:mod:`etax.filing.payments` (methods, callback signatures; the simulated providers are
:mod:`etax.simulations.payments`),
:mod:`etax.filing.returns` (the tax of a return, through the calculators). Storage and service:
:mod:`etax.filing.repository`, :mod:`etax.filing.service`, :mod:`etax.filing.reminders`; what
the routes read and answer: :mod:`etax.filing.requests`, :mod:`etax.filing.results`.

``FILING_TABLE`` — partition key ``pk``, sort key ``sk``:

=========================  ===============================  ===================================
pk                         sk                               holds, and who reads it how
=========================  ===============================  ===================================
``taxpayer#<id>``          ``obligation#<tax type>#<per>``  the obligation (id
                                                            ``<taxpayer>:<tax type>:<period>``),
                                                            its return and its liability (the
                                                            ledger); a taxpayer's list is ONE
                                                            Query on its partition
``payment#<payment id>``   ``payment``                      one payment: pending → confirmed
                                                            or failed, with its allocation
=========================  ===============================  ===================================

GSI ``by_due`` (``open_shard``, ``due_date``), sparse: an obligation carries ``open_shard``
(``open#0`` … ``open#15``) while it is not filed or not paid, so the daily reminder run finds
everything due in a date range with one Query per shard (paginated), never a Scan; settling an
obligation removes the attribute and with it the index entry. GSI ``by_payer`` (``payer``,
``paid_on``), sparse: only confirmed payments carry ``payer``, so a taxpayer's confirmed payments
over a period are one Query (for the tax payment certificate). GSI ``payments_of`` (``taxpayer``,
``payment_id``), sparse: only payments carry ``payment_id``, so a taxpayer's payments of every
status (those made before the index was added too) are one Query, shown with its obligations.
"""

from etax.platform.shards import Shards

OPEN_SHARDS = Shards(16)
"""Partitions of the ``by_due`` index (open obligations spread by a hash of their id)."""
DUE_INDEX = "by_due"
PAYER_INDEX = "by_payer"
PAYMENTS_INDEX = "payments_of"
