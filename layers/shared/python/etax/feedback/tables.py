"""The feedback table (described in :mod:`etax.feedback`): invitations, ratings and their
counters, surveys, their responses and counters."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

PERSON_INDEX = "by_person"
CLOSING_INDEX = "by_closing"

FEEDBACK = TableSpec(
    "FeedbackTable", "FEEDBACK_TABLE", Key("pk"), Key("sk"),
    indexes=(Index(PERSON_INDEX, Key("person"), Key("invited")),
             Index(CLOSING_INDEX, Key("listed"), Key("closes"))))
