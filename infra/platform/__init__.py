"""The platform every plan board stands on (plan action E20, the tax cloud)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as eventbridge  # not ``events``: the name of a module here
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from etax.platform.idempotency import Idempotency
from etax.platform.partners import SIMULATED, provider_variable
from etax.platform.tables import EDGE_LIMITS, IDEMPOTENCY, TableSpec
from infra.config import StageConfig
from infra.platform.api import API_STAGE, Api
from infra.platform.auth import Auth
from infra.platform.data import backup_plan, grant, table
from infra.platform.events import (
    DEFAULT_MAX_CONCURRENCY,
    TARGET_MAX_EVENT_AGE,
    TARGET_RETRY_ATTEMPTS,
    QueueConsumer,
    StreamOutbox,
    event_bus,
    failure_queue,
)
from infra.platform.functions import Functions, live
from infra.platform.keys import SigningKey, generated_secret
from infra.platform.limits import EdgeLimits
from infra.platform.observability import Observability

# A scheduled function's asynchronous invoke: Lambda retries it twice within the hour, then
# hands the event to the platform's failed-invocations queue (the on-failure destination).
ASYNC_RETRY_ATTEMPTS = 2
ASYNC_MAX_EVENT_AGE = Duration.hours(1)
IDEMPOTENCY_ACTIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem")  # what Powertools calls


class Platform(Construct):
    """Layers, the API and its authorizer, the bus, the signing key, idempotency, alarms.

    Boards add their constructs with :meth:`function`, :meth:`table`, :meth:`consumer`
    (fed by a :meth:`rule`), :meth:`outbox`, :meth:`secret` and ``api.routes``, and grant
    table access with :func:`infra.platform.data.grant` (the registry's with
    :meth:`grant_registry_read`, the signing key's with :meth:`grant_signing`), so every action
    is made the same way.

    Nothing asynchronous is lost: every rule's target (:meth:`rule`, :meth:`schedule`) has
    a retry policy and the undelivered-events dead-letter queue, every scheduled function's
    invoke an on-failure destination (the failed-invocations queue), each queue with its
    alarm. Every function gets its errors and throttles alarms, every table its throttles
    alarm; :meth:`finish` adds the public routes' alarms and the dashboard.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.retain = not config.is_local
        self.observability = Observability(self, "Observability", stage=config.stage,
                                           alarm_email=config.alarm_email,
                                           alarm_topic_arn=config.alarm_topic_arn)
        self.undelivered_events = failure_queue(
            self, "UndeliveredEvents", observability=self.observability, retain=self.retain,
            what="the bus's rule targets (EventBridge)")
        self.failed_invocations = failure_queue(
            self, "FailedInvocations", observability=self.observability, retain=self.retain,
            what="asynchronous invokes (on-failure destination)")
        self.functions = Functions(self, "Functions", stage=config.stage,
                                   version=config.version, retain_logs=self.retain,
                                   local=config.is_local, production=config.is_production)
        # a release names the alarms that roll it back: they exist before it does
        self.functions.releases.add_stack_dependency(self.observability.stack)
        self.bus: eventbridge.EventBus = event_bus(self, "Bus", stage=config.stage)
        self.signing = SigningKey(
            self, "SigningKey", description="Signs e-invoices and tax certificates (ECDSA P-256)",
            alias=f"etax-{config.stage}/signing", retain=self.retain,
        )
        self.signing_key: kms.Key = self.signing.key
        if not config.is_local:  # CloudTrail's events: a real account's trail
            self.signing.alarm_on_other_signers(self.observability.topic,
                                                dead_letters=self.undelivered_events)
        self.idempotency_table = table(self, IDEMPOTENCY, retain=self.retain)
        self.observability.watch_table(self.idempotency_table)
        self.backups = None if config.is_local else backup_plan(self, "Backups",
                                                                stage=config.stage)
        self.auth = Auth(self, "Auth", config=config, functions=self.functions)
        self.functions.deploy(self.auth.authorizer, [self.observability.alarm_name(
            self.observability.watch_authorizer(self.auth.authorizer))])
        if self.auth.dev_issuer is not None:
            self.observability.watch_function(self.auth.dev_issuer)
        # LocalStack has no WAF: there the functions count the route classes' requests
        self.edge_limits_table = self.table(self, EDGE_LIMITS) if config.is_local else None
        self.api = Api(self, "Api", stage=config.stage, retain_logs=self.retain,
                       authorizer_function=self.auth.authorizer,
                       limits=EdgeLimits(self.edge_limits_table)
                       if self.edge_limits_table is not None else None)
        self.observability.watch_api(self.api.rest_api)
        self.platform_function = self.function(
            self, "platform", description="Liveness, who-am-I, the API's contract", memory_size=128)
        self.api.routes(self.platform_function, "GET /v1/health", "GET /v1/openapi.json",
                        "GET /v1/docs", public=True)
        self.api.route("GET", "/v1/me", self.platform_function)
        if self.auth.dev_issuer is not None:
            self.api.routes(self.auth.dev_issuer, "POST /v1/auth/dev-token",
                            "GET /v1/auth/jwks.json", public=True)

    def simulated(self, partner: str, **settings: str) -> dict[str, str]:
        """The environment that wires ``partner``'s simulated adapter (``<PARTNER>_PROVIDER``
        and the simulation's own ``settings``) on a stage that runs the simulations; nothing
        elsewhere, so the function's adapter is missing and fails closed (docs/partners.md)."""
        if not self.config.simulations:
            return {}
        return {provider_variable(partner): SIMULATED, **settings}

    def function(self, scope: Construct, name: str, *, description: str,
                 environment: dict[str, str] | None = None,
                 publishes_events: bool = False, idempotent: bool = False,
                 **options: object) -> lambda_.Function:
        """A function of a board, with the platform's bus and idempotency wired if it uses them,
        its alarms, and (outside ``local``) its deployments rolled back by its errors alarm."""
        env = dict(environment or {})
        if publishes_events:
            env["EVENT_BUS_NAME"] = self.bus.event_bus_name
        if idempotent:
            env["IDEMPOTENCY_TABLE"] = self.idempotency_table.table_name
        function = self.functions.create(scope, name, description=description, environment=env,
                                         **options)  # type: ignore[arg-type]
        errors = self.observability.watch_function(function)
        self.functions.deploy(function,
                              [self.observability.alarm_name(errors)] if errors else [])
        if publishes_events:
            self.bus.grant_put_events_to(function)
        if idempotent:
            self._grant_idempotency(scope, function)
        return function

    def _grant_idempotency(self, scope: Construct, function: lambda_.Function) -> None:
        """Powertools' four item calls on the shared idempotency table, on the records whose
        key begins with this function's name only (:meth:`Idempotency.key_pattern`): no
        function reads or overwrites another's stored answers, and nothing scans.

        A policy of its own, not the role's default one: it names the function, which
        depends on the default policy.
        """
        assert function.role is not None, "a function made by the platform has its role"
        iam.Policy(scope, f"{function.node.id}Idempotency", roles=[function.role], statements=[
            iam.PolicyStatement(
                actions=[f"dynamodb:{action}" for action in IDEMPOTENCY_ACTIONS],
                resources=[self.idempotency_table.table_arn],
                conditions={"ForAllValues:StringLike": {
                    "dynamodb:LeadingKeys": [Idempotency.key_pattern(function.function_name)]}},
            )])

    def grant_signing(self, function: lambda_.Function) -> None:
        """Let ``function`` sign documents with the platform's key (``kms:Sign``, and
        ``kms:GetPublicKey`` for the key it publishes), named by ``SIGNING_KEY_ID``: one of
        the issuing roles, the only ones the key's policy lets sign."""
        function.add_environment("SIGNING_KEY_ID", self.signing_key.key_id)
        self.signing.grant_sign(function)

    def grant_registry_read(self, function: lambda_.Function, registry: dynamodb.ITable) -> None:
        """Let ``function`` read the taxpayer registry (who is registered, under which office),
        named by ``REGISTRY_TABLE``: one record by its credit code (``GetItem``), nothing else
        (no Scan, no Query: ``etax.acceptance.registration.repository``)."""
        function.add_environment("REGISTRY_TABLE", registry.table_name)
        grant(function, registry, "GetItem")

    def table(self, scope: Construct, spec: TableSpec) -> dynamodb.Table:
        """The table a context's specification describes (``etax/<context>/tables.py``)."""
        built = table(scope, spec, retain=self.retain)
        self.observability.watch_table(built)
        return built

    def simulation_table(self, scope: Construct, spec: TableSpec) -> dynamodb.Table | None:
        """A simulated partner's books (:meth:`table`) on the stages that run the simulations;
        ``None`` elsewhere, where the partner is real and keeps its own."""
        return self.table(scope, spec) if self.config.simulations else None

    def consumer(self, scope: Construct, construct_id: str, *, function: lambda_.Function,
                 batch_size: int = 10,
                 max_concurrency: int = DEFAULT_MAX_CONCURRENCY) -> QueueConsumer:
        """``function`` consuming a new queue, at most ``max_concurrency`` batches at once."""
        return QueueConsumer(scope, construct_id, function=function,
                             observability=self.observability,
                             visibility_factor=self.config.queue_visibility_factor,
                             batch_size=batch_size, max_concurrency=max_concurrency,
                             retain=self.retain)

    def outbox(self, scope: Construct, construct_id: str, *, table: dynamodb.ITable, name: str,
               description: str, filters: Sequence[Mapping[str, Any]] = ()) -> StreamOutbox:
        """The function ``functions/<name>/`` announcing on the bus the facts ``table``'s stream
        carries (the outbox kit, ``etax.platform.outbox``), failures parked."""
        function = self.function(scope, name, description=description, publishes_events=True)
        return StreamOutbox(scope, construct_id, table=table, function=function,
                            observability=self.observability, retain=self.retain,
                            filters=filters)

    def rule(self, scope: Construct, construct_id: str, *, description: str,
             pattern: eventbridge.EventPattern, to: QueueConsumer) -> eventbridge.Rule:
        """A rule on the platform's bus sending the events that match ``pattern`` to the
        queue of the consumer ``to`` (retried, then dead-lettered: :attr:`undelivered_events`)."""
        return eventbridge.Rule(scope, construct_id, description=description, event_bus=self.bus,
                                event_pattern=pattern, targets=[targets.SqsQueue(
                                    to.queue, dead_letter_queue=self.undelivered_events,
                                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                                    max_event_age=TARGET_MAX_EVENT_AGE)])

    def schedule(self, scope: Construct, construct_id: str, *, description: str,
                 schedule: eventbridge.Schedule, function: lambda_.Function) -> eventbridge.Rule:
        """Invoke ``function`` (asynchronously) on ``schedule``: the rule's delivery retried
        then dead-lettered, the invoke retried then sent to :attr:`failed_invocations`."""
        invoked = live(function)
        invoked.configure_async_invoke(
            retry_attempts=ASYNC_RETRY_ATTEMPTS, max_event_age=ASYNC_MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.failed_invocations))
        return eventbridge.Rule(scope, construct_id, description=description, schedule=schedule,
                                targets=[targets.LambdaFunction(
                                    invoked, dead_letter_queue=self.undelivered_events,
                                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                                    max_event_age=TARGET_MAX_EVENT_AGE)])

    def finish(self) -> None:
        """Once every board is built: the public routes' alarms and the dashboard."""
        access_logs = self.api.node.try_find_child("AccessLogs")
        self.observability.watch_routes(
            self.api.rest_api, self.api.methods,
            access_logs if isinstance(access_logs, logs.LogGroup) else None, API_STAGE)
        self.observability.finish()

    def secret(self, scope: Construct, construct_id: str, *, description: str, key: str,
               length: int, not_rotated: str) -> secretsmanager.Secret:
        """A generated secret shared with an outside system (:func:`generated_secret`)."""
        return generated_secret(scope, construct_id, description=description, key=key,
                                length=length, retain=self.retain, not_rotated=not_rotated)
