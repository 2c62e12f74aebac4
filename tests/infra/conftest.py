"""CDK assertions on the synthesized templates: one synth per stage per session, with the
built-in CloudFormation validation off (it runs once, in `make validate`). cdk-nag's
AwsSolutions checks run in every synth: an unacknowledged finding fails it."""

from __future__ import annotations

import os
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

PROD_CONTEXT = {
    "stage": "prod",
    "auth_issuer": "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Example",
    "auth_jwks_url": "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Example/"
                     ".well-known/jwks.json",
    "alarm_email": "ops@example.org",
}


def synth(context: dict[str, Any]) -> Template:
    cdk_app = cdk.App(context=context, builtin_cloud_formation_validation=False)
    stack = app.build(cdk_app)
    cdk_app.synth()
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def local() -> Template:
    return synth({"stage": "local"})


@pytest.fixture(scope="session")
def prod() -> Template:
    return synth(PROD_CONTEXT)
