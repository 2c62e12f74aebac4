"""Board D, information services: ratings of service and surveys (plan action D12, 满意度评价
and 调查).

Resources: the feedback table (invitations, ratings and their counters per office, service and
month; surveys, their responses and counters; the ``by_person`` and ``by_closing`` indexes);
the API function ``feedback`` (a person's invitations and rating; the public aggregates;
surveys published by officers and admins, answered once by each signed-in person, their
results); the consumer ``feedback_events`` on its own queue, fed by one rule on the bus with
the events of completed services (an application decided, a refund paid, a complaint answered,
a consultation answered by an officer): one invitation each, announced with the person's
notice (``FeedbackInvited``, delivered by the notification fan-out).
"""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.feedback.tables import CLOSING_INDEX, FEEDBACK, PERSON_INDEX
from infra.platform import Platform
from infra.platform.data import grant
from infra.platform.events import QueueConsumer

SIGNED_IN_ROUTES = ("GET /v1/me/feedback", "POST /v1/feedback/ratings", "POST /v1/surveys",
                    "GET /v1/surveys", "GET /v1/surveys/{survey_id}",
                    "POST /v1/surveys/{survey_id}/responses")
"""``GET /v1/me/feedback`` is what a person is asked for (its invitations and the open surveys);
a survey's results are shown with it to whoever may read them. The paths are in the API's
second part (``SECOND_PART``, infra/platform/api.py)."""
PUBLIC_ROUTES = ("GET /v1/feedback/results",)
COMPLETED_SERVICES = {  # source → the events of a service completed for a person
    "tax.acceptance": ("ApplicationApproved", "ApplicationRejected"),
    "tax.refunds": ("RefundPaid",),
    "tax.complaints": ("ComplaintAnswered",),
    "tax.consult": ("ConsultationAnswered",),
}


class Feedback(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, FEEDBACK)
        env = {"FEEDBACK_TABLE": self.table.table_name}

        self.api_function: lambda_.Function = platform.function(
            self, "feedback",
            description="D12: ratings of completed services (invitations, rating, public "
                        "aggregates) and surveys (publish, answer once, results)",
            environment=env, idempotent=True)
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem", "Query",
              query=[PERSON_INDEX, CLOSING_INDEX])
        platform.api.routes(self.api_function, *SIGNED_IN_ROUTES)
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)

        # invitations: completed services from the bus → one invitation each, announced
        self.inviter: lambda_.Function = platform.function(
            self, "feedback_events",
            description="D12: one rating invitation per completed service, with its notice",
            environment=env, publishes_events=True)
        grant(self.inviter, self.table, "GetItem", "PutItem", "UpdateItem")
        self.completed: QueueConsumer = platform.consumer(self, "CompletedServices",
                                                          function=self.inviter)
        platform.rule(self, "CompletedServicesRule",
                      description="Completed services go to the rating invitations",
                      pattern=events.EventPattern(
                          source=list(COMPLETED_SERVICES),
                          detail_type=sorted({t for types in COMPLETED_SERVICES.values()
                                              for t in types})),
                      to=self.completed)
