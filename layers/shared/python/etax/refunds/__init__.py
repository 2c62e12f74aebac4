"""The refund pipeline (plan action B6): general refunds of an overpayment, individual income
tax annual refunds and export refunds (exemption-refund method), applied for online and moved
through document check, approval, treasury payment and notification as an event-driven
pipeline; the applicant follows every stage.

The amount rules are :mod:`etax.refunds.rules`; the state machine :mod:`etax.refunds.cases`.
Tables, keys and access patterns:

``REFUNDS_TABLE`` — partition key ``case_id``; one item per case: the claim as submitted, the
computed amount, the applicant and its tax office, ``state`` and the ``trail`` of every stage
with its time. Every move is one ``UpdateItem`` conditional on the current ``state``. GSI
``by_review_office`` (``review_office``, ``submitted_at``) is sparse: ``review_office`` is set
only while a case waits for an officer, so an office's queue is one Query, never a Scan. GSI
``by_applicant`` (``applicant``, ``submitted_at``; projects what the applicant's list shows)
lists a taxpayer's own cases with one Query. The table's stream (``NEW_AND_OLD_IMAGES``) is
the outbox of the pipeline's events (:mod:`etax.refunds.outbox`).

The same table holds the **claims** (``case_id`` = ``claim#<claim>``, ``holder`` = the case):
what an open case holds so that no other case can (its obligation, ``open#obligation#<id>``;
an export's customs declaration and input invoices, ``used#declaration#<n>`` and
``used#invoice#<n>``). A case and its claims are written in one transaction, each claim
conditional on not existing; the claims a case lets go of are deleted in the transaction that
moves it (:func:`etax.refunds.cases.released_when`). Claims carry neither ``applicant`` nor
``review_office``, so no index lists them, and the outbox announces nothing for them.

What a refund is due from is read through ports (:mod:`etax.refunds.sources`): filing's
ledgers (and the record of each refund paid in them), issued invoices, the natural-person
registrations.

``REFUND_TREASURY_TABLE`` — partition key ``key``: the simulated treasury's own books
(``payment#<case id>``; ``frozen#<account>`` marks an account the bank refuses), standing for
the State Treasury's records of what it paid.
"""
