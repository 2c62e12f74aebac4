"""No lost failure and service-level alarms, made once in the
platform kits so every board gets them: dead-lettered and retried rule targets, an on-failure
destination for asynchronous invokes, capped queue consumers, per-function errors and
throttles alarms, per public route alarms, a required alarm target and one dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

import app
from etax.platform.observability import ANNOUNCED
from infra.config import ConfigError
from infra.platform.observability import BUSINESS_METRICS
from tests.infra.conftest import PROD_CONTEXT
from tests.infra.test_platform_stack import resources


def alarms(template: Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]


def watched(template: Template, metric: str) -> set[str]:
    """The logical ids named (Ref or GetAtt) in the dimensions of the alarms on ``metric``,
    plain or inside a metric math expression."""
    found: set[str] = set()
    for alarm in alarms(template):
        stats = [alarm] + [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", [])
                           if "MetricStat" in m]
        for stat in stats:
            if stat.get("MetricName") != metric:
                continue
            for dimension in stat.get("Dimensions", []):
                value = dimension["Value"]
                if isinstance(value, dict):
                    found.add(value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0])
    return found


def alarmed_queues(template: Template) -> set[str]:
    return watched(template, "ApproximateNumberOfMessagesVisible")


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_rule_target_is_retried_and_dead_lettered(stage: str,
                                                         request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    rules = resources(template, "AWS::Events::Rule")
    # the bus rules to queues (the credit board's violator listings, the service ratings'
    # completed services, outreach's registration changes and the risk indicators' cases
    # among them); the daily reminder, index, violators' removal, complaints' escalation and
    # risk indicators' schedules, the credit board's yearly run, the open data's daily
    # releases, the daily revenue briefing and the tax school's hourly reminders; outside
    # local, the signing key's other-signers rule on the default bus
    assert len(rules) == (25 if stage == "local" else 26)
    queues = resources(template, "AWS::SQS::Queue")
    for rule_id, rule in rules.items():
        for target in rule["Properties"]["Targets"]:
            assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0, rule_id
            [dead_letters, _] = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"]
            assert queues[dead_letters]["Properties"]["SqsManagedSseEnabled"] is True
            assert dead_letters in alarmed_queues(template), rule_id
            # and EventBridge may send to it for this rule only
            policies = [p["Properties"] for p in
                        resources(template, "AWS::SQS::QueuePolicy").values()
                        if {"Ref": dead_letters} in p["Properties"]["Queues"]]
            assert rule_id in json.dumps(policies), rule_id


def test_the_scheduled_invoke_has_an_on_failure_destination_with_an_alarm(
        prod: Template) -> None:
    configs = list(resources(prod, "AWS::Lambda::EventInvokeConfig").values())
    aliases = resources(prod, "AWS::Lambda::Alias")
    # the rule invokes the function's live alias, so the alias's invoke is configured
    scheduled = {aliases[t["Arn"]["Ref"]]["Properties"]["FunctionName"]["Ref"]
                 for r in resources(prod, "AWS::Events::Rule").values()
                 if "ScheduleExpression" in r["Properties"] for t in r["Properties"]["Targets"]}
    assert scheduled
    assert {c["Properties"]["FunctionName"]["Ref"] for c in configs
            if any(alias in json.dumps(c["Properties"].get("Qualifier")) for alias in aliases)
            } >= scheduled
    for config in configs:
        props = config["Properties"]
        assert props["MaximumRetryAttempts"] == 2
        [queue, _] = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"]
        assert queue in alarmed_queues(prod)


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_queue_consumer_is_capped(stage: str, request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    queues = resources(template, "AWS::SQS::Queue")
    mappings = [m["Properties"] for m in
                resources(template, "AWS::Lambda::EventSourceMapping").values()
                if m["Properties"]["EventSourceArn"].get("Fn::GetAtt", [""])[0] in queues]
    assert len(mappings) == 23
    for mapping in mappings:
        assert 2 <= mapping["ScalingConfig"]["MaximumConcurrency"] <= 10, mapping
    # and every consumer queue's oldest message has an alarm
    consumed = {m["EventSourceArn"]["Fn::GetAtt"][0] for m in mappings}
    assert consumed <= watched(template, "ApproximateAgeOfOldestMessage")


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_function_has_errors_and_throttles_alarms(stage: str,
                                                        request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    functions = set(resources(template, "AWS::Lambda::Function"))
    authorizer = {k for k, v in resources(template, "AWS::Lambda::Function").items()
                  if v["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
                  == "authorizer"}
    assert len(functions) > 30
    assert len(authorizer) == 1
    assert watched(template, "Throttles") == functions
    # the authorizer's refused tokens are function errors (API Gateway's contract for 401):
    # its alarm is on errors less refusals
    assert watched(template, "Errors") == functions
    [failures] = [a for a in alarms(template) if "authorizer failures" in json.dumps(a)]
    assert "FILL(errors, 0) - FILL(refused, 0)" in json.dumps(failures["Metrics"])
    errors_alarms = [a for a in alarms(template) if a.get("MetricName") == "Errors"]
    assert len(errors_alarms) == len(functions) - 1
    for alarm in alarms(template):
        assert alarm["AlarmActions"], alarm
        assert alarm["OKActions"] == alarm["AlarmActions"], alarm  # the end of it told too


def test_public_routes_streams_and_tables_are_watched(prod: Template) -> None:
    public = [m["Properties"] for m in resources(prod, "AWS::ApiGateway::Method").values()
              if m["Properties"]["AuthorizationType"] == "NONE"
              and m["Properties"]["HttpMethod"] != "OPTIONS"]
    assert len(public) >= 20
    route_alarms = [a for a in alarms(prod)
                    if any(d["Name"] == "Resource" for d in a.get("Dimensions", []))]
    latency = [a for a in route_alarms if a["MetricName"] == "Latency"]
    server_errors = [a for a in route_alarms if a["MetricName"] == "5XXError"]
    assert len(latency) == len(server_errors) == len(public)
    assert {a["ExtendedStatistic"] for a in latency} == {"p99"}
    assert {a["Statistic"] for a in server_errors} == {"Average"}  # a rate
    # the API's 429 rate, from a metric filter on its access log
    assert [a for a in alarms(prod) if "429 rate" in json.dumps(a)]
    prod.has_resource_properties("AWS::Logs::MetricFilter", {
        "FilterPattern": '{ $.status = "429" }'})
    # every stream consumer's iterator age, every table's throttles
    aliases = resources(prod, "AWS::Lambda::Alias")
    streamed = {aliases[alias]["Properties"]["FunctionName"]["Ref"]
                for m in resources(prod, "AWS::Lambda::EventSourceMapping").values()
                if "StartingPosition" in m["Properties"]
                for alias in aliases if alias in json.dumps(m["Properties"]["FunctionName"])}
    assert len(streamed) == 11
    assert watched(prod, "IteratorAge") == streamed
    tables = set(resources(prod, "AWS::DynamoDB::Table"))
    assert watched(prod, "ReadThrottleEvents") == watched(prod, "WriteThrottleEvents") == tables


def test_one_dashboard_with_the_service_and_business_metrics(prod: Template) -> None:
    """The platform's dashboard; a board in a stack of its own has its own beside it."""
    dashboards = resources(prod, "AWS::CloudWatch::Dashboard")
    # each with a dashboard of its own
    boards = ("Analytics", "Sharing", "Office", "Ideas", "School", "Apps")
    [dashboard] = [d for k, d in dashboards.items() if not any(board in k for board in boards)]
    assert len(dashboards) == 1 + len(boards)
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for title in ("Public routes p99 latency", "Lambda errors", "Lambda throttles",
                  "Queues: oldest message", "Streams: iterator age", "Table throttles",
                  "Business", "PaymentCallbackTimeRefused", "Alarms"):
        assert title in body, title


def test_a_real_stage_needs_an_alarm_target() -> None:
    context = {k: v for k, v in PROD_CONTEXT.items() if k != "alarm_email"}
    with pytest.raises(ConfigError, match="alarm_email or alarm_topic_arn"):
        app.build(cdk.App(context=context, builtin_cloud_formation_validation=False))
    with pytest.raises(ConfigError, match="not an SNS topic ARN"):
        app.build(cdk.App(context={**context, "alarm_topic_arn": "ops"},
                          builtin_cloud_formation_validation=False))


def test_an_operators_topic_hears_every_alarm() -> None:
    topic = "arn:aws-cn:sns:cn-north-1:123456789012:etax-ops"
    context = {k: v for k, v in PROD_CONTEXT.items() if k != "alarm_email"}
    cdk_app = cdk.App(context={**context, "alarm_topic_arn": topic},
                      builtin_cloud_formation_validation=False)
    stack = app.build(cdk_app)
    template = Template.from_stack(stack.platform.observability.stack)  # Monitoring
    found = list(template.find_resources("AWS::CloudWatch::Alarm").values())
    assert len(found) > 150
    assert all(topic in a["Properties"]["AlarmActions"] for a in found)
    assert not template.find_resources("AWS::SNS::Subscription")


def test_every_business_metric_on_the_dashboard_is_published_somewhere() -> None:
    """A source scan: each name in BUSINESS_METRICS is published, so the dashboard shows no
    metric nobody publishes: written, quoted, in the functions' or the layers' code (a
    ``business("…")`` call or a domain constant) other than the metrics' own module, or counted
    there for an announced fact (``ANNOUNCED``)."""
    root = Path(__file__).resolve().parents[2]
    own = root / "layers" / "shared" / "python" / "etax" / "platform" / "observability.py"
    sources = "\n".join(p.read_text(encoding="utf-8")
                        for folder in ("functions", "layers")
                        for p in (root / folder).rglob("*.py") if p != own)
    announced = {name for metric, amount in ANNOUNCED.values()
                 for name in (metric, amount[0] if amount else metric)}
    dead = [name for name in BUSINESS_METRICS
            if f'"{name}"' not in sources and name not in announced]
    assert dead == []


def test_the_accounts_concurrency_headroom_is_watched(prod: Template) -> None:
    from infra.platform.observability import ACCOUNT_CONCURRENCY, CONCURRENCY_HEADROOM_SHARE

    prod.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/Lambda", "MetricName": "ClaimedAccountConcurrency",
        "Statistic": "Maximum",
        "Threshold": ACCOUNT_CONCURRENCY * CONCURRENCY_HEADROOM_SHARE,
        "AlarmActions": Match.any_value(),
    })


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_each_stage_counts_in_its_own_namespace(stage: str,
                                                request: pytest.FixtureRequest) -> None:
    """Two stages in one account never add up each other's metrics: the functions publish,
    and the log metric filters count, in the stage's own namespace."""
    template: Template = request.getfixturevalue(stage)
    namespaces = {f["Properties"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
                  for f in resources(template, "AWS::Lambda::Function").values()}
    assert namespaces == {f"ETax/{stage}"}
    filters = resources(template, "AWS::Logs::MetricFilter").values()
    assert filters
    assert {t["MetricNamespace"] for f in filters
            for t in f["Properties"]["MetricTransformations"]} == {f"ETax/{stage}"}
