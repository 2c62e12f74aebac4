"""The regulations library (法规库, plan action D13 信息公开): tax laws, regulations and
announcements as Works → Versions → Provisions, read as of a date (ADR 0021).

- :mod:`.model` — the pure model: a work's versions, each a complete text of provisions with
  their own status; the work's validity derived as of a date; reading a work as of a date;
- :mod:`.drafts` — an officer's draft amendment and its four-eyes review;
- :mod:`.seeds` — the corpus the platform applies (``data/works*.json``);
- :mod:`.repository`, :mod:`.service`, :mod:`.outbox` — the table, the routes' logic and the
  ``RegulationVersionPublished`` event.
"""
