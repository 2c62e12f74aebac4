"""The tax school's table (keys: :mod:`etax.school.repository` and
:mod:`etax.school.courses_repository`): sessions, their enrolments and waiting-list places,
evaluations and completion certificates; courses, courseware, questions, library documents and
the people's daily counts (TTL). ``by_schedule`` lists the sessions by their start (the public
schedule), the courses and the library's documents; ``by_learner`` each person's
enrolments."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

SCHEDULE_INDEX = "by_schedule"
LEARNER_INDEX = "by_learner"

SCHOOL = TableSpec("SchoolTable", "SCHOOL_TABLE", Key("pk"), Key("sk"),
                   indexes=(Index(SCHEDULE_INDEX, Key("listed"), Key("starts_key")),
                            Index(LEARNER_INDEX, Key("learner"), Key("starts_key"))),
                   ttl_attribute="expires_at",
                   holds_records=True)  # completion certificates
