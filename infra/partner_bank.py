"""The partner's side of bank–tax consents (plan action D14), as a real client: the demo bank's
loan pre-check (``partners/bank_precheck/``), a Chalice app deployed by this CDK app through
Chalice's own CDK construct (``chalice.cdk.Chalice``: ``chalice package`` at synth time, its
SAM template included), in a nested stack of its own. docs/decisions/0023 says why and what
the local stack does with it.

Only on ``local``: the demo bank signs in through the platform's dev issuer, which no other
stage has. A partner in a real account is the partner's own deployment, with its own identity.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aws_cdk import NestedStack
from constructs import Construct

from infra.nag import acknowledge
from infra.platform import Platform
from infra.platform.api import API_STAGE

ROOT = Path(__file__).resolve().parents[1]
APP_DIR = ROOT / "partners" / "bank_precheck"
PARTNER_ID = "bank-minjiang-demo"  # its agreement: etax/sharing/data/agreements.json


@contextmanager
def packaging(region: str | None, app_dir: Path = APP_DIR) -> Iterator[None]:
    """What ``chalice package`` needs to run inside this app's synth, offline, undone after.

    It imports the bank's ``app`` module by that name, which is also this CDK app's: ours is
    set aside meanwhile, and the bank's folder is first on the path (chalice adds it only
    when absent, wherever it already is). It makes AWS clients only to read a region and a
    partition (nothing is called): a region is named, and without credentials none are
    looked for on the network (the instance metadata service)."""
    ours = sys.modules.pop("app", None)
    path = list(sys.path)
    sys.path.insert(0, str(app_dir))
    saved = {name: os.environ.get(name)
             for name in ("AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED")}
    os.environ["AWS_DEFAULT_REGION"] = region or os.environ.get("AWS_DEFAULT_REGION") \
        or os.environ.get("AWS_REGION") or "us-east-1"
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    try:
        yield
    finally:
        sys.modules.pop("app", None)
        sys.path[:] = path
        if ours is not None:
            sys.modules["app"] = ours
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class PartnerBank(NestedStack):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id,
                         description="D14: the demo partner bank's loan pre-check (Chalice)")
        from chalice.cdk import Chalice  # the CDK app's dependency only, never a function's

        with packaging(platform.config.region):
            self.app = Chalice(self, "BankPrecheck", source_dir=str(APP_DIR), stage_config={
                "environment_variables": {"PARTNER_ID": PARTNER_ID,
                                          "PLATFORM_API_STAGE": API_STAGE}})
        # the platform's API: its id for the local stack's endpoint, its URL elsewhere
        self.app.add_environment_variable("PLATFORM_API_ID",
                                          platform.api.rest_api.rest_api_id, "APIHandler")
        self.app.add_environment_variable("PLATFORM_API_URL", platform.api.rest_api.url,
                                          "APIHandler")
        self.api_id: str = self.app.get_resource("RestAPI").ref
        for resource, rule, reason in (
                ("ApiHandlerRole", "AwsSolutions-IAM5[Resource::arn:*:logs:*:*:*]",
                 "Chalice's policy file: the function writes its own log group, named by "
                 "Lambda"),
                ("RestAPI", "AwsSolutions-APIG2", "the bank's app validates its one body"),
                ("RestAPI", "AwsSolutions-APIG1", "a demo partner on the local stack only"),
                ("RestAPI", "AwsSolutions-APIG4", "the bank's own API, called by the bank's "
                                                  "staff; the platform checks its token"),
                ("RestAPI", "AwsSolutions-COG4", "as above")):
            acknowledge(self.app.get_resource(resource), rule, reason)
