"""The serious tax violators list (plan action D12, 重大税收违法失信主体): officers record a
case, a second officer of the office approves and it is published, officers remove it early;
the public reads the list; audit-case announcements (稽查案件公告) (docs/usage/violators.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.violators.repository import ViolatorRepository
from etax.violators.requests import AnnouncementRequest, CaseRequest, RemovalRequest
from etax.violators.results import Announcements, Cases, CaseShown, Entries, PublishedEntry
from etax.violators.service import ViolatorService

app = make_resolver()
once = Once(app)
service = ViolatorService(ViolatorRepository(), RegistryRepository())
CURSOR = "the cursor of the previous page's answer"
CASE = "/v1/violators/cases/{case_id}"


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


# -- the public list ----------------------------------------------------------------------------

@app.get("/v1/credit/violators")
@declares(query={"office": "only the entries of this tax office (its code)", "cursor": CURSOR})
def entries() -> Entries:
    return service.entries(_query("office"), _query("cursor"))


@app.get("/v1/credit/violators/<case_id>")
def entry(case_id: str) -> PublishedEntry:
    return service.entry(case_id)


@app.get("/v1/violators/announcements")
@declares(query={"cursor": CURSOR})
def announcements() -> Announcements:
    return service.announcements(_query("cursor"))


# -- officers -----------------------------------------------------------------------------------

@app.post("/v1/violators/cases")
def record() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/violators/cases", CaseRequest, service.record, "officer")


@app.get("/v1/violators/cases")
@declares(query={"cursor": CURSOR})
def pending() -> Cases:
    return service.pending(caller(app, "officer"), _query("cursor"))


@app.get("/v1/violators/cases/<case_id>")
def case(case_id: str) -> CaseShown:
    return service.case(caller(app, "officer"), case_id)


@app.post("/v1/violators/cases/<case_id>/approval")
def approve(case_id: str) -> dict[str, Any]:
    officer = caller(app, "officer")
    return once(officer, f"POST {CASE.format(case_id=case_id)}/approval", {},
                lambda: service.approve(officer, case_id))


@app.post("/v1/violators/cases/<case_id>/removal")
def remove(case_id: str) -> dict[str, Any]:
    officer = caller(app, "officer")
    return once.parsed(officer, f"POST {CASE.format(case_id=case_id)}/removal", RemovalRequest,
                       lambda body: service.remove(officer, case_id, body))


@app.post("/v1/violators/announcements")
@declares(problems=(404,))  # a case_id that is not a published case
def announce() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/violators/announcements", AnnouncementRequest,
                       service.announce, "officer")


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
