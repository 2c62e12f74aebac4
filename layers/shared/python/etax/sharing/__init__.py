"""Data sharing (数据共用, plan action D14): bank–tax consents (银税互动) — a taxpayer lets a
named bank read named scopes of its records for a purpose until an expiry, every read
audited and shown to the taxpayer — and the outbound feed of the facts partner departments
are entitled to (:mod:`~etax.sharing.feed`, :mod:`~etax.sharing.outbound`).

* :mod:`~etax.sharing.consents` — the partners under agreement (``data/agreements.json``) and
  the consent's lifecycle and terms, pure;
* :mod:`~etax.sharing.scopes` — what each scope answers, from the platform's own records, pure;
* :mod:`~etax.sharing.repository`, :mod:`~etax.sharing.service` — storage and the routes'
  logic; :mod:`~etax.sharing.outbox` — the facts the table's stream announces.

``SHARING_TABLE`` — partition key ``pk``, sort key ``sk``:

==================================  ==========================  ================================
pk                                  sk                          holds
==================================  ==========================  ================================
``consent#<id>``                    ``consent``                 the consent (its status moves by
                                                                conditional update only)
``consent#<id>``                    ``read#<at>#<read id>``     one read by the partner (scope,
                                                                when), written in the same
                                                                transaction that checks the
                                                                consent still permits it
``pair#<partner>#<taxpayer>``       ``awaiting``                the guard: a partner has one
                                                                request awaiting a taxpayer's
                                                                answer at a time (TTL when it
                                                                would expire)
``feed#<department>``               ``<instant>#<event id>``    a fact on a department's feed
                                                                (:mod:`~etax.sharing.feed`, TTL
                                                                90 days)
``listed#<department>#<event id>``  ``guard``                   the fact is on that feed (put in
                                                                the entry's transaction, TTL)
==================================  ==========================  ================================

GSI ``by_taxpayer`` (``taxpayer``, ``created_key``) and GSI ``by_pair`` (``pair`` =
``<partner>#<taxpayer>``, ``created_key``), both sparse (only consents carry the attributes):
a taxpayer's consents newest first, a partner's consents of one taxpayer. No Scan anywhere.

Sources: sources.md#sharing.
"""
