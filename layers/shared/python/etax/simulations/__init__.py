"""Simulated partners: stand-ins for the outside systems this project cannot reach without
contracts and credentials (payment providers, message gateways, the State Treasury, the
carrier, the real-name bank).

They are **simulations**, kept apart from the production code paths: each context keeps only
its port (a Protocol) and its real adapter's interface; the simulated implementations live
here and are chosen at the edge (the functions' handlers, the scripts, the tests).

Every simulated partner that keeps books does it through one :class:`~.ledger.PartnerLedger`
over a DynamoDB table: an attempt counter per key, a record written once per key (the same key
with another payload is refused) and marks (``frozen#…``, ``blocked#…``); their deterministic
behaviour is switched by markers in the account or address (:class:`~.ledger.Markers`:
``FAIL``, ``FLAKY``, ``SLOW``). Failures are the one family of :mod:`etax.platform.partners`.

Modules: :mod:`.ledger` (the kit), :mod:`.payouts` (lottery prize payments),
:mod:`.channels` (notification gateways), :mod:`.treasury`, :mod:`.carrier`, :mod:`.bank`
(real-name checks), :mod:`.payments` (filing payment providers' signed callbacks).
"""
