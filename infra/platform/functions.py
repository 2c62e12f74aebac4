"""Lambda functions and their two layers, made one way for every plan action.

Every function: Python 3.12 on arm64 (Graviton) on every stage but ``local``, which runs
x86_64 like the machine the local stack runs on; its own folder under ``functions/`` as
code, the shared layer (``layers/shared``: the domain library, pure Python) and the
dependencies layer of its architecture (``.build/layers/deps`` or ``deps-arm64``, built
from the same pinned manylinux wheels by ``scripts/build_layers.py``), active tracing,
JSON logs in a log group with a retention, and the Powertools settings.

Every function is published as a version behind the ``live`` alias (:func:`live`): API
Gateway, the authorizer, queues, streams and schedules invoke the alias, never
``$LATEST``, so that a deployment moves traffic by moving the alias. The versions, aliases,
deployment groups and scaling live in the ``Releases`` nested stack (the parent template
stays under CloudFormation's 500 resources; docs/decisions/0018): a version is published
again whenever the function's code, layers or configuration change (its description is
their fingerprint). Outside ``local``
CodeDeploy moves it (:meth:`Functions.deploy`: a canary on production, all at once
elsewhere, rolled back by the function's alarms); the capacity of the public path
(reserved and provisioned concurrency) is the table :data:`CAPACITY`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import (
    Duration,
    IStableStringProducer,
    Lazy,
    NestedStack,
    RemovalPolicy,
    Size,
    Stack,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import LAMBDA_BASIC_EXECUTION, acknowledge
from infra.platform.boards import Board

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shared"
DEPS_LAYER_DIRS = {  # scripts/build_layers.py ARCHITECTURES
    "x86_64": ROOT / ".build" / "layers" / "deps",
    "arm64": ROOT / ".build" / "layers" / "deps-arm64",
}

RUNTIME = lambda_.Runtime.PYTHON_3_12
METRICS_NAMESPACE = "ETax"


def metrics_namespace(stage: str) -> str:
    """The stage's own metrics namespace (``ETax/<stage>``): two stages in one account never
    add up each other's business metrics or feed each other's alarms."""
    return f"{METRICS_NAMESPACE}/{stage}"
ALIAS = "live"


@dataclass(frozen=True, slots=True)
class Capacity:
    """What one function may and does keep of the account's concurrency.

    ``reserved``: reserved concurrency (on production), both a floor no back-office
    backlog can take and a ceiling a flood on this function cannot pass. ``warm``/``peak``:
    provisioned concurrency on the ``live`` alias on production, scaled by Application
    Auto Scaling between the two to keep its utilization at :data:`WARM_UTILIZATION`.
    """

    reserved: int | None = None
    warm: int = 0
    peak: int = 0


# Concurrency = requests per second x seconds per request (Little's law). The rates are the
# route classes' per-method throttles (infra/platform/edge.py: verification's three methods
# 800 rps each, the lottery scan 500 rps); the durations are a region's, assumed 3x the
# local stack's warm median (docs/benchmarks.md: a verification 20 ms, a scan 55 ms; the
# authorizer caches each token 60 seconds, so it runs about once per signed-in minute).
# Reserved: room for the throttled peak with margin: verification 3 x 800 rps x 60 ms =
# 144 -> 200; a scan 500 rps x 165 ms = 83 -> 150; the authorizer, in front of every
# signed-in route, 100. Together 450 of the account's default 1,000, leaving 550 (AWS keeps
# at least 100 unreserved) for every other function, whose queue consumers are capped
# (infra/platform/events.py). Provisioned (production): the floor keeps a quiet hour's
# traffic warm, the peak is at most the reservation (provisioned counts against it).
CAPACITY: dict[str, Capacity] = {
    "authorizer": Capacity(reserved=100, warm=5, peak=50),
    "verification": Capacity(reserved=200, warm=10, peak=150),
    "lottery": Capacity(reserved=150, warm=10, peak=100),
    "acceptance_registration": Capacity(warm=2, peak=20),
    "platform": Capacity(warm=2, peak=10),
}
# Application Auto Scaling's target: AWS's recommended 0.7 leaves each burst a 30 % margin
# of warm environments while it adds more.
WARM_UTILIZATION = 0.7


class _Live(Construct):
    """A pointer from a function to its ``live`` alias (in the Releases nested stack)."""

    def __init__(self, scope: Construct, construct_id: str, alias: lambda_.Alias) -> None:
        super().__init__(scope, construct_id)
        self.alias = alias


def live(function: lambda_.IFunction) -> lambda_.IFunction:
    """What invokes ``function``: its ``live`` alias if it has one (every function
    :meth:`Functions.create` made), else itself."""
    pointer = function.node.try_find_child("LiveAlias")
    return pointer.alias if isinstance(pointer, _Live) else function


@jsii.implements(IStableStringProducer)
class _Fingerprint:
    """A version's description, ``fingerprint <hash>``, worked out once the app is built."""

    def __init__(self, function: lambda_.Function, layers: list[lambda_.LayerVersion]) -> None:
        self.function = function
        self.layers = layers

    def produce(self) -> str:
        return f"fingerprint {fingerprint(self.function, self.layers)}"


def fingerprint(function: lambda_.Function, layers: list[lambda_.LayerVersion]) -> str:
    """A hash of what a version freezes: the code, the layers' contents and the settings."""
    stack = Stack.of(function)
    cfn = function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    frozen: list[object] = [cfn.code, cfn.environment, cfn.handler, cfn.runtime,
                            cfn.memory_size, cfn.timeout, cfn.architectures,
                            cfn.tracing_config, cfn.logging_config, cfn.role]
    if cfn.ephemeral_storage is not None:  # only where set: the others' versions stay
        frozen.append(cfn.ephemeral_storage)
    for layer in layers:
        layer_cfn = layer.node.default_child
        assert isinstance(layer_cfn, lambda_.CfnLayerVersion)
        frozen.append(layer_cfn.content)
    return hashlib.sha256(json.dumps(stack.resolve(frozen), sort_keys=True,
                                     default=str).encode()).hexdigest()


class Functions(Construct):
    """The layers, and a factory for functions that use them."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, version: str,
                 retain_logs: bool, local: bool, production: bool) -> None:
        super().__init__(scope, construct_id)
        self.architecture = lambda_.Architecture.X86_64 if local else lambda_.Architecture.ARM_64
        deps_dir = DEPS_LAYER_DIRS[self.architecture.name]
        if not (deps_dir / "python").is_dir():
            raise FileNotFoundError(
                f"{deps_dir} is missing: run `python scripts/build_layers.py` (make does)"
            )
        self.stage = stage
        self.version = version
        self.retain_logs = retain_logs
        self.local = local
        self.production = production
        self.deps_layer = self._layer("DepsLayer", deps_dir,
                                      "Third-party packages (pinned manylinux wheels)",
                                      [self.architecture])
        self.shared_layer = self._layer("SharedLayer", SHARED_LAYER_DIR,
                                        "The etax domain library and platform helpers",
                                        [lambda_.Architecture.X86_64,
                                         lambda_.Architecture.ARM_64])
        # Every function's version and alias, and outside local (LocalStack has no CodeDeploy)
        # one application and one service role for every function's deployment group.
        self.releases = NestedStack(self, "Releases")
        self.deployments: codedeploy.LambdaApplication | None = None
        self.deploy_role: iam.Role | None = None
        if not local:
            self.deployments = codedeploy.LambdaApplication(self.releases, "Deployments")
            self.deploy_role = iam.Role(
                self.releases, "DeployRole",
                assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSCodeDeployRoleForLambdaLimited")])
            acknowledge(self.deploy_role, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::"
                        "aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]",
                        "AWS's policy for CodeDeploy on Lambda: update aliases, read the "
                        "alarms, invoke the hooks; the Limited one, kept current by AWS")

    def _layer(self, construct_id: str, directory: Path, description: str,
               architectures: list[lambda_.Architecture]) -> lambda_.LayerVersion:
        return lambda_.LayerVersion(
            self, construct_id,
            code=lambda_.Code.from_asset(str(directory), exclude=["**/__pycache__"]),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=architectures,
            description=description,
        )

    def create(
        self,
        scope: Construct,
        name: str,
        *,
        description: str,
        environment: dict[str, str] | None = None,
        timeout: Duration | None = None,
        memory_size: int = 256,
        layers: Sequence[lambda_.LayerVersion] = (),
        ephemeral_mb: int | None = None,
    ) -> lambda_.Function:
        """The function whose code is ``functions/<name>/`` (entry point ``handler.handler``),
        with the dependencies and shared layers and any of its own (``layers``)."""
        code_dir = FUNCTIONS_DIR / name
        if not (code_dir / "handler.py").is_file():
            raise FileNotFoundError(f"{code_dir}/handler.py does not exist")
        construct_id = "".join(part.capitalize() for part in name.split("_"))
        capacity = CAPACITY.get(name, Capacity())
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.RETAIN if self.retain_logs else RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            scope, f"{construct_id}Function",
            description=description,
            runtime=RUNTIME,
            architecture=self.architecture,
            code=lambda_.Code.from_asset(str(code_dir), exclude=["__pycache__", "*.pyc"]),
            handler="handler.handler",
            layers=[self.deps_layer, self.shared_layer, *layers],
            timeout=timeout or Duration.seconds(10),
            memory_size=memory_size,
            # /tmp beyond Lambda's 512 MB, for a function that spills to disk
            ephemeral_storage_size=Size.mebibytes(ephemeral_mb) if ephemeral_mb else None,
            reserved_concurrent_executions=capacity.reserved if self.production else None,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": name,
                "POWERTOOLS_METRICS_NAMESPACE": metrics_namespace(self.stage),
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "ETAX_STAGE": self.stage,
                "ETAX_VERSION": self.version,
                **(environment or {}),
            },
        )
        acknowledge(function, LAMBDA_BASIC_EXECUTION,
                    "grants only CreateLogStream/PutLogEvents, the minimum a function needs to log")
        acknowledge(function, "AwsSolutions-IAM5[Resource::*]",
                    "active tracing: xray:PutTraceSegments/PutTelemetryRecords accept only '*'")
        acknowledge(function, "AwsSolutions-L1",
                    "Python 3.12 is pinned: the dependency layer is built for it; moved on purpose")
        # one scope per function, named by its path (a board may make a function twice); a
        # board in a nested stack of its own keeps its functions' releases in its template
        # (infra/platform/boards.py): the aliases its queues and schedules invoke are its own
        home = Stack.of(function)
        release = Construct(home if isinstance(home, Board) else self.releases, "".join(
            re.sub(r"[^A-Za-z0-9]", "", part) for part in function.node.path.split("/")[1:]))
        all_layers = [self.deps_layer, self.shared_layer, *layers]
        version = lambda_.Version(
            release, "Version", lambda_=function,
            description=Lazy.string(_Fingerprint(function, all_layers)),
            removal_policy=RemovalPolicy.RETAIN)
        warm = self.production and capacity.warm > 0
        alias = lambda_.Alias(
            release, ALIAS.capitalize(), alias_name=ALIAS, version=version,
            provisioned_concurrent_executions=capacity.warm if warm else None)
        _Live(function, "LiveAlias", alias)
        if warm:
            alias.add_auto_scaling(min_capacity=capacity.warm, max_capacity=capacity.peak) \
                .scale_on_utilization(utilization_target=WARM_UTILIZATION)
        return function

    def deploy(self, function: lambda_.Function,
               alarm_names: list[str]) -> codedeploy.LambdaDeploymentGroup | None:
        """Outside ``local``, CodeDeploy shifts ``function``'s ``live`` alias to each new
        version (10 % for five minutes on production, all at once elsewhere) and rolls it
        back when one of the alarms named ``alarm_names`` (the function's own, from
        Observability's nested stack, named there literally) goes off."""
        alias = live(function)
        if self.deployments is None or not isinstance(alias, lambda_.Alias):
            return None
        alarms = [cloudwatch.Alarm.from_alarm_name(alias.node.scope, f"Rollback{index}", name)  # type: ignore[arg-type]
                  for index, name in enumerate(alarm_names)]
        return codedeploy.LambdaDeploymentGroup(
            alias.node.scope, "Deployment",  # type: ignore[arg-type]
            application=self.deployments,
            alias=alias,
            role=self.deploy_role,
            deployment_config=(codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES
                               if self.production
                               else codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE),
            alarms=alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(failed_deployment=True,
                                                        stopped_deployment=True,
                                                        deployment_in_alarm=bool(alarms)),
        )


_ROUTED, _CONSUMER = "_etax_serves_routes", "_etax_consumes_a_queue"


def serves_routes(function: lambda_.Function) -> None:
    """Mark ``function`` as serving API routes (its timeout may be raised on the local stage:
    infra/platform/api.py), never also a queue's consumer (whose visibility timeout is
    worked out from the function's)."""
    if getattr(function, _CONSUMER, False):
        raise ValueError(f"{function.node.path} consumes a queue: a function serving routes "
                         "is its own function")
    setattr(function, _ROUTED, True)


def consumes_a_queue(function: lambda_.Function) -> None:
    """Mark ``function`` as a queue's consumer, never also serving routes."""
    if getattr(function, _ROUTED, False):
        raise ValueError(f"{function.node.path} serves API routes: a queue's consumer is its "
                         "own function")
    setattr(function, _CONSUMER, True)
