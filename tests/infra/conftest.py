"""CDK assertions on the synthesized templates: one synth per stage per session, with the
built-in CloudFormation validation off (it runs once, in `make validate`). cdk-nag's
AwsSolutions checks run in every synth: an unacknowledged finding fails it.

The API is a nested stack (docs/decisions/0005). ``local`` and ``prod`` are each stage's
templates with the nested stacks folded into the parent, so a test asks about a route or a
function wherever CloudFormation gets it; ``local_synth``/``prod_synth`` keep the templates
apart for the tests of what goes where and of the per-template limits.

Under two workers (pytest-xdist) each stage is synthesized once for the run, by the first
worker that needs it (the other waits on a lock and reads the templates it wrote to
``.build``): a synth is the suite's largest cost, and both workers need both stages."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
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
    "upload_origins": "https://etax.example.org,https://m.etax.example.org",
    "account": "123456789012",
    "region": "cn-north-1",
}


@dataclass(frozen=True)
class Synthesized:
    """One stage's synth: the parent template, its nested stacks' templates by construct id,
    and ``merged``, the parent with every nested stack's resources folded in."""

    parent: dict[str, Any]
    nested: dict[str, dict[str, Any]]
    merged: Template


def resolve_across(value: Any, replacements: dict[str, Any]) -> Any:
    """``value`` with each ``{"Ref": p}`` or ``{"Fn::GetAtt": [stack, "Outputs.x"]}`` in
    ``replacements`` (keyed ``p`` or ``stack.Outputs.x``) replaced by what it stands for."""
    if isinstance(value, list):
        return [resolve_across(v, replacements) for v in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Ref"] and value["Ref"] in replacements:
        return replacements[value["Ref"]]
    if list(value) == ["Fn::GetAtt"] and isinstance(value["Fn::GetAtt"], list):
        key = ".".join(value["Fn::GetAtt"])
        if key in replacements:
            return replacements[key]
    return {k: resolve_across(v, replacements) for k, v in value.items()}


def merge(parent: dict[str, Any], nested: dict[str, tuple[str, dict[str, Any]]]) -> Template:
    """The parent template as if its nested stacks were inlined: their resources added (a
    logical id used twice fails), the parameters the parent passes them replaced by the
    parent's values, and the parent's reads of their outputs by the outputs' values. Tests
    that look for a route, a method or a permission see it wherever it is deployed."""
    resources = dict(parent["Resources"])
    outputs = dict(parent.get("Outputs", {}))
    for stack_logical_id, template in nested.values():
        passed = resources[stack_logical_id]["Properties"].get("Parameters", {})
        inlined = {name: resolve_across(body, passed)
                   for name, body in template["Resources"].items()}
        clash = set(inlined) & set(resources)
        assert not clash, f"logical ids in both the parent and a nested stack: {clash}"
        resources.update(inlined)
        produced = {f"{stack_logical_id}.Outputs.{name}": resolve_across(body["Value"], passed)
                    for name, body in template.get("Outputs", {}).items()}
        resources = {k: resolve_across(v, produced) for k, v in resources.items()}
        outputs = {k: resolve_across(v, produced) for k, v in outputs.items()}
    return Template.from_json({**parent, "Resources": resources, "Outputs": outputs})


def templates_of(context: dict[str, Any]) -> dict[str, Any]:
    """The app synthesized with ``context``: its parent template and each nested stack's
    (by construct id: its logical id in the parent and its template), as JSON."""
    cdk_app = cdk.App(context=context, builtin_cloud_formation_validation=False)
    stack = app.build(cdk_app)
    cdk_app.synth()
    nested: dict[str, tuple[str, dict[str, Any]]] = {}
    for construct in stack.node.find_all():
        if isinstance(construct, cdk.NestedStack):
            resource = construct.nested_stack_resource
            assert resource is not None
            nested[construct.node.id] = (stack.resolve(resource.logical_id),
                                         dict(Template.from_stack(construct).to_json()))
    return {"parent": dict(Template.from_stack(stack).to_json()), "nested": nested}


def synthesized_from(templates: dict[str, Any]) -> Synthesized:
    nested = {name: (logical_id, template)
              for name, (logical_id, template) in templates["nested"].items()}
    return Synthesized(parent=templates["parent"],
                       nested={name: template for name, (_, template) in nested.items()},
                       merged=merge(templates["parent"], nested))


def synthesize(context: dict[str, Any]) -> Synthesized:
    return synthesized_from(templates_of(context))


def shared_synth(name: str, context: dict[str, Any]) -> Synthesized:
    """:func:`synthesize` once per test run under pytest-xdist: the first worker writes the
    templates to ``.build/infra-synth-<name>.json`` under a lock, the others read them."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return synthesize(context)
    build = Path(__file__).resolve().parents[2] / ".build"
    build.mkdir(exist_ok=True)
    saved = build / f"infra-synth-{name}.json"
    with (build / f"infra-synth-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if saved.exists():
            kept = json.loads(saved.read_text())
            if kept["run"] == run:
                return synthesized_from(kept["templates"])
        templates = templates_of(context)
        saved.write_text(json.dumps({"run": run, "templates": templates}))
    return synthesized_from(templates)


@pytest.fixture(scope="session")
def local_synth() -> Synthesized:
    return shared_synth("local", {"stage": "local"})


@pytest.fixture(scope="session")
def prod_synth() -> Synthesized:
    return shared_synth("prod", PROD_CONTEXT)


@pytest.fixture(scope="session")
def local(local_synth: Synthesized) -> Template:
    """The local stage, nested stacks folded in (see :func:`merge`)."""
    return local_synth.merged


@pytest.fixture(scope="session")
def prod(prod_synth: Synthesized) -> Template:
    """The prod stage, nested stacks folded in (see :func:`merge`)."""
    return prod_synth.merged


def live_alias(template: Template, function_id: str) -> str:
    """The logical id of the ``live`` alias of the function ``function_id``: what routes,
    event sources and schedules invoke (infra/platform/functions.py)."""
    [alias] = [k for k, v in template.find_resources("AWS::Lambda::Alias").items()
               if v["Properties"]["FunctionName"] == {"Ref": function_id}
               and v["Properties"]["Name"] == "live"]
    return alias


# CDK's own function for bucket deployments (the portal's pages): made by CDK once per stack,
# run at deploy time only; it is not a function of the platform, which the suites describe.
DEPLOY_TIME_FUNCTIONS = ("CustomCDKBucketDeployment",)


def platform_functions(template: Template) -> dict[str, Any]:
    """The platform's Lambda functions in ``template`` (CDK's deploy-time one left out)."""
    return {k: v for k, v in template.find_resources("AWS::Lambda::Function").items()
            if not k.startswith(DEPLOY_TIME_FUNCTIONS)}
