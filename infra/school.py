"""Board E, the tax school (plan action E17, 税务学堂; docs/usage/school.md), a board in a
nested stack of its own (:class:`infra.platform.boards.Board`).

Resources: the school table (sessions with their seat and waiting counts, places, waiting-list
markers, evaluations, completion certificates; courses, courseware, questions, library
documents; the ``by_schedule`` and ``by_learner`` indexes), the API function ``school``
(enrolment and its waiting list in conditional transactions, the certificates signed with the
platform's key, notices through the notification fan-out), the hourly reminder run
``school_reminders``, and the courses' function ``school_courses`` with the courseware bucket of
the uploads kit (``incoming/`` written by the presigned forms, expired when abandoned;
``files/`` the checked files, read through expiring links).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.school.tables import LEARNER_INDEX, SCHEDULE_INDEX, SCHOOL
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant, grant_uploads, upload_bucket

PUBLIC_ROUTES = ("GET /v1/school/sessions", "GET /v1/school/sessions/{session_id}",
                 "GET /v1/school/certificates/{number}/verify")
ROUTES = ("POST /v1/school/sessions", "POST /v1/school/sessions/{session_id}/enrolments",
          "DELETE /v1/school/sessions/{session_id}/enrolments/me",
          "GET /v1/school/sessions/{session_id}/enrolments",
          "POST /v1/school/sessions/{session_id}/attendance",
          "POST /v1/school/sessions/{session_id}/evaluations",
          "GET /v1/school/sessions/{session_id}/certificate", "GET /v1/me/school")
COURSE_PUBLIC_ROUTES = ("GET /v1/school/courses", "GET /v1/school/courses/{course_id}",
                        "GET /v1/school/library", "GET /v1/school/library/{document_id}",
                        "POST /v1/school/library/{document_id}/downloads")
COURSE_ROUTES = (
    "POST /v1/school/courses", "POST /v1/school/courses/{course_id}/courseware",
    "POST /v1/school/courses/{course_id}/courseware/{number}/publish",
    "POST /v1/school/courses/{course_id}/courseware/{number}/downloads",
    "GET /v1/school/courses/{course_id}/questions",
    "POST /v1/school/courses/{course_id}/questions",
    "POST /v1/school/courses/{course_id}/questions/{question_id}/answers",
    "POST /v1/school/courses/{course_id}/questions/{question_id}/hide",
    "POST /v1/school/library", "POST /v1/school/library/{document_id}/publish")


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

        # the courses, their courseware and Q&A, the library
        self.courseware: s3.Bucket = upload_bucket(self, "Courseware", retain=platform.retain,
                                                   origins=platform.config.upload_origins)
        self.course_function: lambda_.Function = platform.function(
            self, "school_courses",
            description="E17: courses, courseware, Q&A and the digital library",
            environment={**env, "COURSEWARE_BUCKET": self.courseware.bucket_name},
            idempotent=True, publishes_events=True, memory_size=512)
        # a course, a file, a question (Put); a file's number, its checks, an answer, a
        # moderation, a day's count, the library's revision (Update, a question's with its
        # course's count in a transaction); the lists (Query)
        grant(self.course_function, self.table, "GetItem", "PutItem", "UpdateItem", "Query",
              query=(SCHEDULE_INDEX,))
        # the presigned POST is signed by this role; a checked file is copied to files/
        grant_uploads(self.course_function, self.courseware, "files")
        platform.api.routes(self.course_function, *COURSE_PUBLIC_ROUTES, public=True)
        platform.api.routes(self.course_function, *COURSE_ROUTES)

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
