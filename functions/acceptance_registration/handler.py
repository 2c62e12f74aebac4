"""Registration (plan action B4, online acceptance): the public credit-code check, the
taxpayer's own registration record and the details it maintains itself, temporary and
withholding-agent registration, and natural persons' registration with a real-name check."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.registration.service import RegistrationService, parse_code
from etax.platform.api import make_resolver, parse_body
from etax.platform.auth import Principal, caller, require_principal
from etax.platform.observability import business, instrument
from etax.platform.once import Once
from etax.platform.partners import adapter

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import BaseModel

    from etax.acceptance.desk import RegistrationDesk
    from etax.acceptance.registration.results import Verification
    from etax.acceptance.results import Details, OwnRecord, Person

app = make_resolver()
once = Once(app)
registry = RegistryRepository()
service = RegistrationService(registry)


@functools.cache
def desk() -> RegistrationDesk:
    """The taxpayer's side of registration (online acceptance), made on the first request
    that needs it: the public credit-code check, the hot path, does not import it, nor the
    request models of the other routes (docs/benchmarks.md, "Function init time")."""
    from etax.acceptance.desk import RegistrationDesk
    from etax.acceptance.repository import AcceptanceRepository
    from etax.simulations.bank import SimulatedBank

    return RegistrationDesk(AcceptanceRepository(), registry,
                            adapter("bank", simulated=SimulatedBank))


@app.get("/v1/registration/verify/<credit_code>")
def verify(credit_code: str) -> Verification:
    return service.verify(credit_code)


@app.get("/v1/registration/records/<credit_code>")
def record(credit_code: str) -> OwnRecord:
    principal = require_principal(app.current_event.raw_event)
    return desk().record(service.owner_record(principal, credit_code))   # authorizes first


@app.patch("/v1/registration/records/<credit_code>")
def update(credit_code: str) -> Details:
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    from etax.acceptance.requests import RegistrationUpdate

    code = parse_code(credit_code).code
    return desk().update(principal, code, parse_body(app, RegistrationUpdate))


@app.post("/v1/registration/temporary")
def temporary() -> tuple[dict[str, Any], int]:
    from etax.acceptance.requests import TemporaryRegistration

    return register("POST /v1/registration/temporary", TemporaryRegistration, "temporary",
                    lambda who, body: desk().register_temporary(who, body))


@app.post("/v1/registration/withholding-agents")
def withholding_agent() -> tuple[dict[str, Any], int]:
    from etax.acceptance.requests import WithholdingAgentRegistration

    return register("POST /v1/registration/withholding-agents", WithholdingAgentRegistration,
                    "withholding_agent",
                    lambda who, body: desk().register_withholding_agent(who, body))


@app.post("/v1/registration/natural-persons")
def natural_person() -> tuple[dict[str, Any], int]:
    from etax.acceptance.requests import NaturalPersonRegistration

    return register("POST /v1/registration/natural-persons", NaturalPersonRegistration,
                    "natural_person", lambda who, body: desk().register_person(who, body))


def register[M: BaseModel](scope: str, model: type[M], kind: str,
                           operation: Callable[[Principal, M], object]
                           ) -> tuple[dict[str, Any], int]:
    """A taxpayer's registration, made once per key and counted by ``kind`` when written (a
    replay answers without it)."""

    def written(who: Principal, body: M) -> object:
        answer = operation(who, body)
        business("Registrations", dimension=kind)
        return answer

    return once.create(scope, model, written, "taxpayer")


@app.get("/v1/registration/natural-persons/<resident_id>")
def person(resident_id: str) -> Person:
    return desk().person_view(caller(app), resident_id.upper())


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
