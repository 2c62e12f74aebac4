"""Ratings of service and surveys (plan action D12, 满意度评价 and 调查): a person reads what it
is asked for (``GET /v1/me/feedback``: its invitations and the open surveys) and rates a
completed service once from its invitation (``POST /v1/feedback/ratings``); the ratings are
published in aggregate per office, service and period (public); officers and admins publish
surveys, each signed-in person answers once (``POST /v1/surveys/{survey_id}/responses``), and
the results, shown with the survey, are read by the publishing office at any time and by
everyone once closed (docs/usage/feedback.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.feedback.repository import FeedbackRepository
from etax.feedback.requests import RateRequest, ResponseRequest, SurveyRequest
from etax.feedback.results import Asked, Results, Survey, Surveys
from etax.feedback.service import FeedbackService, SurveyService
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once

app = make_resolver()
once = Once(app)
repository = FeedbackRepository()
ratings = FeedbackService(repository)
surveys = SurveyService(repository)
SURVEY = "/v1/surveys/{survey_id}"
CURSOR = "the cursor of the previous page's answer"
READERS = ("taxpayer", "officer", "admin")


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


# -- ratings --------------------------------------------------------------------------------

@app.get("/v1/me/feedback")
@declares(query={"cursor": CURSOR})
def asked() -> Asked:
    return ratings.asked(caller(app, *READERS), _query("cursor"), surveys.open_surveys())


@app.post("/v1/feedback/ratings")
@declares(problems=(404,))  # an invitation that is not the caller's (or none)
def rate() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/feedback/ratings", RateRequest, ratings.rate, "taxpayer")


@app.get("/v1/feedback/results")
@declares(query={"office": "the 11-digit code of the tax office",
                 "service": "application, refund, complaint or consultation (all if absent)",
                 "month": "a month, 2026-12 (or year)", "year": "a year, 2026 (or month)"})
def results() -> Results:
    return ratings.results(_query("office"), _query("service"), _query("month"),
                           _query("year"))


# -- surveys --------------------------------------------------------------------------------

@app.post("/v1/surveys")
def publish() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/surveys", SurveyRequest, surveys.publish, "officer", "admin")


@app.get("/v1/surveys")
def open_surveys() -> Surveys:
    caller(app, *READERS)
    return surveys.open_surveys()


@app.get("/v1/surveys/<survey_id>")
@declares(query={"cursor": "the next page of text answers (the publishing office's officers)"})
def read(survey_id: str) -> Survey:
    return surveys.read(caller(app, *READERS), survey_id, _query("cursor"))


@app.post("/v1/surveys/<survey_id>/responses")
def respond(survey_id: str) -> tuple[dict[str, Any], int]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {SURVEY.format(survey_id=survey_id)}/responses",
                       ResponseRequest,
                       lambda body: surveys.respond(principal, survey_id, body)), 201


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
