"""Alarms and the dashboard, made once for every board: no lost failure, service-level alarms.

Every dead-letter queue, every function's errors and throttles, every public route's p99
latency and 5xx rate, the API's 429 rate, the authorizer's failures, every stream consumer's
iterator age, every consumer queue's oldest message, every table's throttles and the
account's concurrency headroom raise an alarm to one SNS topic, and tell it when the alarm is
over (subscribed by ``alarm_email`` and/or ``alarm_topic_arn``, one of which is required
outside ``local``: infra/config.py; and by the on-duty officers' alerts, infra/office.py).
Alarm construct ids are ``<Thing><Signal>`` (``NotifierErrors``, ``Route…P99Latency``,
``InvoicesTableThrottles``), their names ``etax-<stage>-<id>``. The thresholds are the
constants below, each with why.

The topic, the alarms and the dashboard are a nested stack of their own, ``Monitoring``
(docs/decisions/0005): one alarm per function, route, queue and table is the largest group
of resources, and it grows with every board. The alarms read the parent's functions, queues
and tables by name (parameters the parent passes), and a release rolls back on an alarm it
names literally (:meth:`Observability.alarm_name`), so no value flows between the nested
stacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aws_cdk import Duration, NestedStack, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.platform.boards import Board
from infra.platform.functions import metrics_namespace

# ---- thresholds (one place) -------------------------------------------------------------
PERIOD = Duration.minutes(5)
# Refusals are 4xx answers, not function errors: an error is a 500, a timeout or a failed
# batch record. A handful in five minutes is a broken dependency or deployment, one is a blip
# the caller's retry already absorbed.
FUNCTION_ERRORS = 5
# A throttle means the account's concurrency or a reserved cap ran out: a request waited or
# was refused. Every one is worth a look.
FUNCTION_THROTTLES = 1
# Public routes: p99 above 2 s for three periods running (15 minutes) is a slow dependency,
# not a burst of cold starts (measured 1.4-2x a bare handler, well under a second).
ROUTE_P99_MS = 2000
ROUTE_P99_PERIODS = 3
# 5xx share of a public route's requests (5XXError's Average is the rate), two periods running.
ROUTE_5XX_RATE = 0.01
# 429s as a share of all the API's requests, two periods running: the throttles are set from
# measured capacity, so 1 % refused is clients being turned away, not one noisy client.
API_429_RATE = 0.01
RATE_PERIODS = 2
# Authorizer failures that are not refused tokens (crashes, timeouts, the JWKS unreachable):
# every signed-in route answers 500 while they last.
AUTHORIZER_FAILURES = 1
# A stream consumer five minutes behind announces facts five minutes late; a poison batch is
# bisected and parked in seconds, so this is a stuck or capped consumer.
ITERATOR_AGE_MS = 5 * 60 * 1000
# The slowest consumer (60 s timeout x 6 visibility x 3 receives) can hold a failing message
# 18 minutes before its dead-letter queue: older than 30 minutes is a backlog, not a retry.
QUEUE_OLDEST_MESSAGE_SECONDS = 30 * 60
# On-demand tables throttle only at a partition's or the account's limits: each is a hot key
# or a quota to raise (the SDK's retries hide it from callers, not from capacity).
TABLE_THROTTLES = 1

# Concurrency headroom: the account's quota (AWS's default; raise it with the quota, see
# docs/capacity.md) and the share claimed (reserved + provisioned + running) that leaves too
# little for a burst: above it, the next spike is throttled somewhere.
ACCOUNT_CONCURRENCY = 1000
CONCURRENCY_HEADROOM_SHARE = 0.8

ALARMS_PER_WIDGET = 100  # CloudWatch's limit for one alarm status widget
TOKEN_REFUSED_METRIC = "AuthorizerTokensRefused"  # noqa: S105 (a metric name, logged "token refused")
API_THROTTLED_METRIC = "ApiThrottled"  # 429s counted from the API's access log
# The business metrics the functions publish (Powertools EMF, the stage's namespace,
# etax.platform.observability ``business``): metric name → the function (``service``
# dimension) that publishes it; each is graphed as its Sum per period (docs/architecture.md).
BUSINESS_METRICS = {
    "InvoiceVerifications": "verification",  # by result code (001/002/006/009)
    "QrParses": "verification",  # parsed / refused
    "LotteryDraws": "lottery",  # by result (won / no_prize / sold_out)
    "PrizesPaid": "lottery_events",  # announced from the draws table's stream
    "PrizesPaidFen": "lottery_events",
    "PrizePayoutsFailed": "lottery_events",
    "RefundsPaid": "refund_events",  # announced from the cases table's stream
    "RefundsPaidFen": "refund_events",
    "InvoicesIssued": "invoice_events",  # announced from the invoices table's stream
    "InvoicesRedLettered": "invoice_events",
    "InvoicesVoided": "invoice_events",
    "ReturnsFiled": "filing",
    "PaymentsConfirmed": "filing_callbacks",  # by method
    "Registrations": "acceptance_registration",  # by kind
    "PaymentCallbackTimeRefused": "filing_callbacks",  # etax.filing.payments
}


def label(construct: IConstruct) -> str:
    """A construct's path below its stack as one CamelCase word (``Lottery/PayoutFunction``
    → ``LotteryPayout``): unique per stack, readable in an alarm's name."""
    parts = construct.node.path.split("/")[1:]
    text = "".join(re.sub(r"[^A-Za-z0-9]", "", p[:1].upper() + p[1:]) for p in parts)
    return re.sub(r"(Function|Queue)$", "", text)


@dataclass
class Panel:
    """Where a group of alarms is made and shown: a stack (Monitoring, or a board's own) and
    its dashboard, with the metrics graphed there."""

    stack: Stack
    dashboard: cloudwatch.Dashboard
    alarms: list[cloudwatch.Alarm] = field(default_factory=list)
    errors: list[cloudwatch.IMetric] = field(default_factory=list)
    throttles: list[cloudwatch.IMetric] = field(default_factory=list)
    queue_ages: list[cloudwatch.IMetric] = field(default_factory=list)
    iterator_ages: list[cloudwatch.IMetric] = field(default_factory=list)
    table_throttles: list[cloudwatch.IMetric] = field(default_factory=list)

    def alarm_widgets(self) -> None:
        for start in range(0, len(self.alarms), ALARMS_PER_WIDGET):
            self.dashboard.add_widgets(cloudwatch.AlarmStatusWidget(
                title="Alarms", alarms=self.alarms[start:start + ALARMS_PER_WIDGET], width=24))


class Observability(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str,
                 alarm_email: str | None, alarm_topic_arn: str | None = None) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        self.namespace = metrics_namespace(stage)  # the functions' and the metric filters'
        self.stack = NestedStack(self, "Monitoring",
                                 description="The platform's alarms, their topic, the dashboard")
        self.topic = sns.Topic(self.stack, "Alarms", display_name="e-tax platform alarms",
                               enforce_ssl=True)
        self.topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[self.topic.topic_arn],
        ))
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.dashboard = cloudwatch.Dashboard(self.stack, "Dashboard")
        self._actions: list[cloudwatch.IAlarmAction] = [actions.SnsAction(self.topic)]
        if alarm_topic_arn:  # the operators' own topic (paging, chat), as well as ours
            self._actions.append(actions.SnsAction(
                sns.Topic.from_topic_arn(self.stack, "OperatorsTopic", alarm_topic_arn)))
        self.main = Panel(self.stack, self.dashboard)
        self.panels: dict[str, Panel] = {}  # a board's own (infra/platform/boards.py)
        self._route_latency: list[cloudwatch.IMetric] = []

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Every alarm, the boards' too."""
        return [*self.main.alarms, *(a for p in self.panels.values() for a in p.alarms)]

    def panel_of(self, construct: IConstruct) -> Panel:
        """Where the alarms of ``construct`` go: the Monitoring stack, or, for a board in a
        nested stack of its own, that stack (its own dashboard too), so that no value flows
        from a board's template to Monitoring's and back."""
        stack = Stack.of(construct)
        if not isinstance(stack, Board):
            return self.main
        if stack.node.path not in self.panels:
            self.panels[stack.node.path] = Panel(stack, cloudwatch.Dashboard(
                stack, f"{stack.node.id}Dashboard"))
        return self.panels[stack.node.path]

    def _alarm(self, construct_id: str, description: str, metric: cloudwatch.IMetric, *,
               threshold: float = 1, periods: int = 1,
               panel: Panel | None = None) -> cloudwatch.Alarm:
        """An alarm to the topic when ``metric`` reaches ``threshold`` for ``periods`` periods
        running (missing data is fine), in ``panel``'s stack (Monitoring's by default)."""
        home = panel or self.main
        alarm = cloudwatch.Alarm(
            home.stack, construct_id,
            alarm_name=self.alarm_name(construct_id),
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for action in self._actions:
            alarm.add_alarm_action(action)
            # and its return to normal: what resolves an on-duty officer's alert (infra/office.py)
            alarm.add_ok_action(action)
        home.alarms.append(alarm)
        return alarm

    def alarm_name(self, alarm: cloudwatch.IAlarm | str) -> str:
        """The name of an alarm made here (or of its construct id): ``etax-<stage>-<id>``,
        known at synth time, so another stack can name it without a reference."""
        construct_id = alarm if isinstance(alarm, str) else alarm.node.id
        return f"etax-{self.stage}-{construct_id}"

    def alarm_on_dead_letters(self, queue: sqs.IQueue, name: str) -> cloudwatch.Alarm:
        """Any message in a dead-letter queue needs an operator."""
        return self._alarm(f"{name}DeadLetters", f"messages in the dead-letter queue of {name}",
                           queue.metric_approximate_number_of_messages_visible(
                               period=Duration.minutes(1), statistic="Maximum"),
                           panel=self.panel_of(queue))

    def alarm_on_metric(self, name: str, *, metric_name: str, service: str,
                        description: str) -> cloudwatch.Alarm:
        """Any count of a business metric a function publishes (Powertools: the project's
        namespace, dimension ``service`` = the function's name) needs an operator."""
        return self._alarm(name, description, _business(self.namespace, metric_name, service))

    def watch_function(self, function: lambda_.IFunction, *,
                       errors: bool = True) -> cloudwatch.Alarm | None:
        """Errors and throttles alarms for one function (``errors=False``: the authorizer,
        whose refusals are function errors by API Gateway's contract:
        :meth:`watch_authorizer`); returns the errors alarm (what rolls a deployment back)."""
        name, panel = label(function), self.panel_of(function)
        error_metric = function.metric_errors(period=PERIOD, statistic="Sum")
        throttle_metric = function.metric_throttles(period=PERIOD, statistic="Sum")
        errors_alarm = None
        if errors:
            errors_alarm = self._alarm(f"{name}Errors",
                                       f"{name}: {FUNCTION_ERRORS}+ errors in 5 minutes",
                                       error_metric, threshold=FUNCTION_ERRORS, panel=panel)
        self._alarm(f"{name}Throttles", f"{name}: invocations throttled", throttle_metric,
                    threshold=FUNCTION_THROTTLES, panel=panel)
        panel.errors.append(error_metric)
        panel.throttles.append(throttle_metric)
        return errors_alarm

    def watch_authorizer(self, function: lambda_.Function) -> cloudwatch.Alarm:
        """Throttles as any function; failures = its errors less the tokens it refused (which
        it logs as ``token refused``, counted by a metric filter on its log group): the
        failures alarm, returned (what rolls a deployment back)."""
        self.watch_function(function, errors=False)
        function.log_group.add_metric_filter(
            "Refusals",
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", "token refused"),
            metric_namespace=self.namespace, metric_name=TOKEN_REFUSED_METRIC,
            metric_value="1", default_value=0)
        failures = cloudwatch.MathExpression(
            expression="FILL(errors, 0) - FILL(refused, 0)", label="authorizer failures",
            using_metrics={
                "errors": function.metric_errors(period=PERIOD, statistic="Sum"),
                "refused": cloudwatch.Metric(namespace=self.namespace,
                                             metric_name=TOKEN_REFUSED_METRIC,
                                             period=PERIOD, statistic="Sum")},
            period=PERIOD)
        return self._alarm("AuthorizerFailures", "the authorizer failed (not a refused token): "
                           "signed-in routes answer 500", failures, threshold=AUTHORIZER_FAILURES)

    def watch_stream(self, function: lambda_.IFunction) -> None:
        """A stream consumer's iterator age: how late the table's facts are announced."""
        name, panel = label(function), self.panel_of(function)
        age = function.metric("IteratorAge", period=PERIOD, statistic="Maximum")
        self._alarm(f"{name}IteratorAge", f"{name}: stream records waiting over 5 minutes", age,
                    threshold=ITERATOR_AGE_MS, panel=panel)
        panel.iterator_ages.append(age)

    def watch_queue(self, queue: sqs.IQueue) -> None:
        """A consumer queue's oldest message: a backlog or a stuck consumer."""
        name, panel = label(queue), self.panel_of(queue)
        age = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
        self._alarm(f"{name}OldestMessage", f"{name}: a message waiting over 30 minutes", age,
                    threshold=QUEUE_OLDEST_MESSAGE_SECONDS, panel=panel)
        panel.queue_ages.append(age)

    def watch_table(self, table: dynamodb.ITable) -> None:
        """A table's read and write throttle events, as one alarm."""
        name = label(table)
        reads = table.metric("ReadThrottleEvents", period=PERIOD, statistic="Sum")
        writes = table.metric("WriteThrottleEvents", period=PERIOD, statistic="Sum")
        throttles = cloudwatch.MathExpression(
            expression="FILL(reads, 0) + FILL(writes, 0)", label=f"{name} throttles",
            using_metrics={"reads": reads, "writes": writes}, period=PERIOD)
        panel = self.panel_of(table)
        self._alarm(f"{name}Throttles", f"{name} table: requests throttled", throttles,
                    threshold=TABLE_THROTTLES, panel=panel)
        panel.table_throttles += [reads, writes]

    def watch_api(self, api: apigw.RestApi) -> None:
        """5xx alarm, and the API's traffic, errors and latency on the dashboard."""
        server_errors = api.metric_server_error(period=PERIOD, statistic="Sum")
        self._alarm("Api5xx", "the API answered 5xx", server_errors)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests", left=[api.metric_count()]),
            cloudwatch.GraphWidget(title="API errors",
                                   left=[api.metric_client_error(), server_errors]),
            cloudwatch.GraphWidget(title="API latency (p50, p99)", left=[
                api.metric_latency(statistic="p50"), api.metric_latency(statistic="p99")]),
        )

    def watch_routes(self, api: apigw.RestApi, methods: list[apigw.Method],
                     access_logs: logs.ILogGroup | None, stage: str) -> None:
        """p99 latency and 5xx rate of every public route among ``methods`` (API Gateway's
        per-method metrics), and the 429 rate of the whole API (429s counted from its access
        log)."""
        for method in methods:
            cfn = method.node.default_child
            if (method.http_method == "OPTIONS" or not isinstance(cfn, apigw.CfnMethod)
                    or cfn.authorization_type != "NONE"):
                continue
            path = method.resource.path
            name = "Route" + method.http_method.capitalize() + "".join(
                w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", path) if w)
            dimensions = {"ApiName": api.rest_api_name, "Stage": stage,
                          "Method": method.http_method, "Resource": path}
            latency = cloudwatch.Metric(namespace="AWS/ApiGateway", metric_name="Latency",
                                        dimensions_map=dimensions, period=PERIOD,
                                        statistic="p99")
            self._alarm(f"{name}P99Latency", f"{method.http_method} {path}: p99 over "
                        f"{ROUTE_P99_MS} ms for 15 minutes", latency, threshold=ROUTE_P99_MS,
                        periods=ROUTE_P99_PERIODS)
            self._alarm(f"{name}5xxRate", f"{method.http_method} {path}: over 1 % answered 5xx",
                        cloudwatch.Metric(namespace="AWS/ApiGateway", metric_name="5XXError",
                                          dimensions_map=dimensions, period=PERIOD,
                                          statistic="Average"),
                        threshold=ROUTE_5XX_RATE, periods=RATE_PERIODS)
            self._route_latency.append(latency.with_(label=f"{method.http_method} {path}"))
        if access_logs is not None:
            access_logs.add_metric_filter(
                "Throttled", filter_pattern=logs.FilterPattern.string_value("$.status", "=", "429"),
                metric_namespace=self.namespace, metric_name=API_THROTTLED_METRIC,
                metric_value="1", default_value=0)
        rate = cloudwatch.MathExpression(
            expression="FILL(throttled, 0) / requests", label="429 rate",
            using_metrics={
                "throttled": cloudwatch.Metric(namespace=self.namespace,
                                               metric_name=API_THROTTLED_METRIC,
                                               period=PERIOD, statistic="Sum"),
                "requests": api.metric_count(period=PERIOD, statistic="Sum")},
            period=PERIOD)
        self._alarm("Api429Rate", "over 1 % of the API's requests answered 429 (throttled)",
                    rate, threshold=API_429_RATE, periods=RATE_PERIODS)

    def finish(self) -> None:
        """The dashboard's service-level and business rows (after every board is built)."""
        def graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=metrics, width=12,
                                          legend_position=cloudwatch.LegendPosition.RIGHT)

        main = self.main
        self.dashboard.add_widgets(
            graph("Public routes p99 latency (ms)", self._route_latency),
            graph("Lambda errors", main.errors))
        self.dashboard.add_widgets(
            graph("Lambda throttles", main.throttles),
            graph("Account concurrency (headroom)", [cloudwatch.Metric(
                namespace="AWS/Lambda", metric_name=name, period=PERIOD, statistic="Maximum")
                for name in ("ConcurrentExecutions", "ClaimedAccountConcurrency")]))
        self.dashboard.add_widgets(
            graph("Queues: oldest message (s)", main.queue_ages),
            graph("Streams: iterator age (ms)", main.iterator_ages))
        self.dashboard.add_widgets(
            graph("Table throttles", main.table_throttles),
            graph("Business", [_business(self.namespace, metric, service)
                               for metric, service in BUSINESS_METRICS.items()]))
        self._alarm("AccountConcurrencyHeadroom",
                    f"The account's claimed Lambda concurrency reached "
                    f"{CONCURRENCY_HEADROOM_SHARE:.0%} of its {ACCOUNT_CONCURRENCY} quota",
                    cloudwatch.Metric(namespace="AWS/Lambda",
                                      metric_name="ClaimedAccountConcurrency", period=PERIOD,
                                      statistic="Maximum"),
                    threshold=ACCOUNT_CONCURRENCY * CONCURRENCY_HEADROOM_SHARE)
        main.alarm_widgets()
        for panel in self.panels.values():  # a board's dashboard: its own graphs and alarms
            panel.dashboard.add_widgets(graph("Lambda errors", panel.errors),
                                        graph("Lambda throttles", panel.throttles))
            panel.dashboard.add_widgets(graph("Queues: oldest message (s)", panel.queue_ages),
                                        graph("Table throttles", panel.table_throttles))
            panel.alarm_widgets()


def _business(namespace: str, metric_name: str, service: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=namespace, metric_name=metric_name,
                             dimensions_map={"service": service}, period=PERIOD,
                             statistic="Sum")
