"""Board E, the tax school (plan action E17, 税务学堂; docs/usage/school.md), a board in a
nested stack of its own (:class:`infra.platform.boards.Board`).

Resources: the school table (sessions with their seat and waiting counts, places, waiting-list
markers, evaluations, completion certificates; the ``by_schedule`` and ``by_learner`` indexes),
the API function ``school`` (enrolment and its waiting list in conditional transactions, the
certificates signed with the platform's key, notices through the notification fan-out) and the
hourly reminder run ``school_reminders``.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.school.tables import LEARNER_INDEX, SCHEDULE_INDEX, SCHOOL
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/school/sessions", "GET /v1/school/sessions/{session_id}",
                 "GET /v1/school/certificates/{number}/verify")
ROUTES = ("POST /v1/school/sessions", "POST /v1/school/sessions/{session_id}/enrolments",
          "DELETE /v1/school/sessions/{session_id}/enrolments/me",
          "GET /v1/school/sessions/{session_id}/enrolments",
          "POST /v1/school/sessions/{session_id}/attendance",
          "POST /v1/school/sessions/{session_id}/evaluations",
          "GET /v1/school/sessions/{session_id}/certificate", "GET /v1/me/school")


class School(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id,
                         description="E17: the tax school (sessions, enrolment and the "
                                     "waiting list, attendance, certificates, evaluations)")
        self.table = platform.table(self, SCHOOL)
        env = {SCHOOL.variable: self.table.table_name}
        self.function: lambda_.Function = platform.function(
            self, "school",
            description="E17: sessions scheduled, enrolled in and attended; certificates",
            environment=env, idempotent=True, publishes_events=True)
        # a session (Put); a seat or a place in line with its count, a seat given up or
        # passed on, an attendance with its certificate, an evaluation (transactions of Put,
        # Update, Delete, ConditionCheck); the line and the lists (Query)
        grant(self.function, self.table, "GetItem", "PutItem", "UpdateItem", "DeleteItem",
              "ConditionCheckItem", "Query", query=(SCHEDULE_INDEX, LEARNER_INDEX))
        platform.grant_signing(self.function)
        platform.api.routes(self.function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.function, *ROUTES)

        # the hourly reminder run: the schedule's next day, each seated person once
        self.reminder_function: lambda_.Function = platform.function(
            self, "school_reminders",
            description="E17: reminders of the sessions starting within a day",
            environment=env, publishes_events=True, timeout=Duration.minutes(5))
        grant(self.reminder_function, self.table, "UpdateItem", "Query",
              query=(SCHEDULE_INDEX,))
        self.schedule = platform.schedule(
            self, "HourlyReminders",
            description="Every hour: reminders of the tax school's sessions starting within "
                        "a day", schedule=events.Schedule.rate(Duration.hours(1)),
            function=self.reminder_function)
