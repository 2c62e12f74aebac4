"""Alarms and the dashboard: every dead-letter queue and the API's 5xx raise an alarm."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.platform.functions import METRICS_NAMESPACE


class Observability(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, alarm_email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="e-tax platform alarms",
                               enforce_ssl=True)
        self.topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[self.topic.topic_arn],
        ))
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard")
        self._action = actions.SnsAction(self.topic)

    def _alarm(self, construct_id: str, description: str,
               metric: cloudwatch.IMetric) -> cloudwatch.Alarm:
        """An alarm to the topic as soon as ``metric`` reaches 1 (missing data is fine)."""
        alarm = cloudwatch.Alarm(
            self, construct_id,
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        return alarm

    def alarm_on_dead_letters(self, queue: sqs.IQueue, name: str) -> cloudwatch.Alarm:
        """Any message in a dead-letter queue needs an operator."""
        return self._alarm(f"{name}DeadLetters", f"messages in the dead-letter queue of {name}",
                           queue.metric_approximate_number_of_messages_visible(
                               period=Duration.minutes(1), statistic="Maximum"))

    def alarm_on_metric(self, name: str, *, metric_name: str, service: str,
                        description: str) -> cloudwatch.Alarm:
        """Any count of a business metric a function publishes (Powertools: the project's
        namespace, dimension ``service`` = the function's name) needs an operator."""
        return self._alarm(name, description, cloudwatch.Metric(
            namespace=METRICS_NAMESPACE, metric_name=metric_name,
            dimensions_map={"service": service}, period=Duration.minutes(5), statistic="Sum"))

    def watch_api(self, api: apigw.RestApi) -> None:
        """5xx alarm, and the API's traffic, errors and latency on the dashboard."""
        server_errors = api.metric_server_error(period=Duration.minutes(5), statistic="Sum")
        self._alarm("Api5xx", "the API answered 5xx", server_errors)
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests", left=[api.metric_count()]),
            cloudwatch.GraphWidget(title="API errors",
                                   left=[api.metric_client_error(), server_errors]),
            cloudwatch.GraphWidget(title="API latency (p50, p99)", left=[
                api.metric_latency(statistic="p50"), api.metric_latency(statistic="p99")]),
        )
