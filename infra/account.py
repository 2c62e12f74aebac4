"""What an account and region have once, whatever stages deploy there: API Gateway's logging role.

API Gateway writes every REST API's access and execution logs in a region with one role, set on
the account (``AWS::ApiGateway::Account``, one per account and region). Made by each stage's
stack, two stages in one account would each own it and deleting one stage would take the other's
logs away; so it has its own small stack, ``Etax-account``, the same template for every stage,
that each stage's stack depends on (``cdk deploy Etax-<stage>`` deploys it first; a second
stage's deploy finds it unchanged). docs/decisions/0017.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.nag import API_GATEWAY_LOGS_POLICY, acknowledge

ACCOUNT_STACK_NAME = "Etax-account"


class AccountStack(Stack):
    """The account-level settings every stage of the platform needs (one stack per account and
    region, no stage in its template)."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, stack_name=ACCOUNT_STACK_NAME,
                         description="e-tax platform: account-level settings (API Gateway logs)",
                         **kwargs)
        self.logging_role = iam.Role(
            self, "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway's role for the access and execution logs of every stage",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                "service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
        )
        # The account setting outlives the stack (CloudFormation leaves it on delete): so does
        # the role it names, or the APIs left in the region could no longer log.
        self.logging_role.apply_removal_policy(RemovalPolicy.RETAIN)
        acknowledge(self.logging_role, API_GATEWAY_LOGS_POLICY,
                    "the account-level role API Gateway needs to write access and error logs")
        self.settings = apigw.CfnAccount(self, "ApiGatewayAccount",
                                         cloud_watch_role_arn=self.logging_role.role_arn)
        self.settings.node.add_dependency(self.logging_role)
