"""The e-tax platform's shared code: pure tax rules, bounded contexts and platform helpers.

Layout:
- ``etax.rules``: pure rules (identifiers, tax tables…) with no AWS imports.
- ``etax.<context>`` (e.g. ``etax.acceptance.registration``): one bounded context each: its
  domain service, its repositories (the low-level DynamoDB client) and the
  specifications of the tables it owns (``tables.py``).
- ``etax.platform``: what every function shares: observability, settings,
  the HTTP resolver and its problem responses, auth, events, idempotency.
"""
