"""Invoice supply (plan action B7, 自助申领): applications, the used-invoice checks (验旧),
approval, delivery by post or a raised quota. The rules are :mod:`etax.supply.rules`.

``SUPPLY_TABLE`` — partition key ``id``:

=========================  ==============================================================
id                         holds
=========================  ==============================================================
``S<yyyymmdd><10 hex>``    one application: applicant, its tax office and taxpayer type,
                           kind, what was asked, ``state`` (the state machine of
                           :mod:`etax.supply.rules`), ``trail`` (every stage with its time,
                           who moved it and why), ``checks``, the allotted ``batch`` and the
                           ``shipment``; moved only by conditional updates on ``state``
``counter#<code>``         the last number allotted under a paper invoice code
``abandoned#<code>#<n>``   a range allotted to an application that had one already (never
                           reused, never silent)
``carrier#<waybill>``      the simulated carrier's books (:mod:`etax.simulations.carrier`)
=========================  ==============================================================

GSI ``by_applicant`` (``applicant``, ``applied_at``): a taxpayer's applications, newest
first — the previous batch of a type for 验旧, and the taxpayer's list. No scans.

The table's stream is the outbox of the application's facts (``InvoiceSupplyApplied``,
``…Approved``, ``…Rejected``, ``…Shipped``, ``…Delivered``, ``InvoiceQuotaRaised``,
``InvoiceSupplyReviewRequested``); the worker reacts to ``Applied`` (验旧 and the decision)
and ``Approved`` (delivery or the quota).
"""
