"""Updates of a deployed stack as CloudFormation makes them: a replaced resource stays in its
stack, a function's changed version is published anew, and its alias follows it.

When an update replaces a resource (a Lambda layer whose code changed: a new version, the old
one deleted), LocalStack's CloudFormation engine (v2) creates the new resource, then, in the
update's clean-up, deletes the old one and records ``DELETE_COMPLETE`` for the logical id —
which drops the logical id from the stack's resources altogether, though the new resource
stands. ``DescribeStackResources`` then no longer lists it, and whatever resolves a ``Ref`` to
it from the stack's resources (``scripts/local.py``'s update of the nested stacks, which pass
the shared layer's version on) fails after any change to the shared code.

An ``on_infra_start`` hook wraps the change-set executor: the clean-up's deletion of a
replaced resource is still recorded as an event, and the resource is then listed as
CloudFormation lists it, ``UPDATE_COMPLETE`` with the new physical id.

A function's alias (``AWS::Lambda::Alias``, the releases' ``live``) cannot be updated by
LocalStack's provider, and the engine takes a new version under it for a replacement of the
alias: it creates the alias again under the same name (``ResourceConflictException``: it
exists) and would then delete the old one — the same alias. So, with the code of any function
changed, a redeploy failed and rolled back, and the functions kept their old code. The hook
gives the provider an update (the alias moved to the new version, with its description and
routing), lets a create that finds the alias there move it the same way, and never deletes,
in a replacement's clean-up, a resource whose new physical id is its old one.

A function's version (``AWS::Lambda::Version``) is replaced by CloudFormation when its
description or code hash changes (the releases' description is the function's fingerprint:
its code, settings and layers); LocalStack's schema names the function alone as fixed, so a
changed description was an update, which its provider lacks: nothing was published, and a
function whose layers changed (the shared code) kept serving the old version. The update
publishes the new version, as the replacement would.
"""

from __future__ import annotations

import logging
from typing import Any

from localstack.aws.api.cloudformation import ChangeAction, ResourceStatus
from localstack.runtime import hooks
from localstack.services.cloudformation.engine.v2.change_set_model_executor import (
    ChangeSetModelExecutor,
)
from localstack.services.cloudformation.resource_provider import OperationStatus, ProgressEvent
from localstack.services.lambda_.resource_providers.aws_lambda_version import (
    LambdaVersionProvider,
)
from localstack.services.lambda_.resource_providers.lambda_alias import LambdaAliasProvider

LOG = logging.getLogger(__name__)
REPLACED = "_etax_replaced"  # the executor's attribute: logical id → the state to keep


def kept_state(current: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the stack lists for a replaced resource once its old copy is deleted: its
    description as it stands (the new physical id), ``UPDATE_COMPLETE``, no reason."""
    if current is None:
        return None
    kept = {k: v for k, v in current.items() if k != "ResourceStatusReason"}
    kept["ResourceStatus"] = ResourceStatus.UPDATE_COMPLETE
    return kept


@hooks.on_infra_start()  # type: ignore[untyped-decorator]
def keep_replaced_resources() -> None:
    """Wrap the executor's resource action and event recording once."""
    if getattr(ChangeSetModelExecutor, "_etax_keeps_replaced", False):
        return
    execute = ChangeSetModelExecutor._execute_resource_action
    record = ChangeSetModelExecutor._process_event

    def _execute_resource_action(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("part_of_replacement") and kwargs.get("action") == ChangeAction.Remove:
            logical_id = kwargs["logical_resource_id"]
            states = self._change_set.stack.resource_states
            replaced = self.__dict__.setdefault(REPLACED, {})
            replaced[logical_id] = kept_state(states.get(logical_id))
            old = (self._before_resolved_resources.get(logical_id) or {}).get(
                "PhysicalResourceId")
            new = (self.resources.get(logical_id) or {}).get("PhysicalResourceId")
            if old is not None and old == new:  # the "new" resource is the old one: keep it
                LOG.debug("kept %s: its replacement is itself (%s)", logical_id, new)
                return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})
        return execute(self, *args, **kwargs)

    def _process_event(self: Any, **kwargs: Any) -> Any:
        answer = record(self, **kwargs)
        logical_id = kwargs.get("logical_resource_id")
        replaced = self.__dict__.get(REPLACED, {})
        if kwargs.get("action") == ChangeAction.Remove and logical_id in replaced:
            kept = replaced.pop(logical_id)
            states = self._change_set.stack.resource_states
            if kept is not None and logical_id not in states:
                states[logical_id] = kept
                LOG.debug("kept the replaced resource %s in its stack", logical_id)
        return answer

    ChangeSetModelExecutor._execute_resource_action = _execute_resource_action
    ChangeSetModelExecutor._process_event = _process_event
    ChangeSetModelExecutor._etax_keeps_replaced = True


def _moved_alias(request: Any) -> Any:
    """The alias of ``request``'s desired state moved to its version (and description and
    routing) in place: the update LocalStack's provider lacks."""
    model = dict(request.desired_state)
    lambda_ = request.aws_client_factory.lambda_
    # the template's list of {FunctionVersion, FunctionWeight}; the API's version → weight
    weights = {str(w["FunctionVersion"]): float(w["FunctionWeight"])
               for w in (model.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []}
    moved = lambda_.update_alias(
        FunctionName=model["FunctionName"], Name=model["Name"],
        FunctionVersion=model["FunctionVersion"], Description=model.get("Description") or "",
        RoutingConfig={"AdditionalVersionWeights": weights})
    model["Id"] = moved["AliasArn"]
    return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)


@hooks.on_infra_start()  # type: ignore[untyped-decorator]
def update_function_releases() -> None:
    """Give the version provider an update that publishes, the alias provider an update, and
    the alias a create that moves an alias already there."""
    if getattr(LambdaAliasProvider, "_etax_updates", False):
        return
    LambdaVersionProvider.update = lambda self, request: self.create(request)
    create = LambdaAliasProvider.create

    def create_or_move(self: Any, request: Any) -> Any:
        lambda_ = request.aws_client_factory.lambda_
        try:
            return create(self, request)
        except lambda_.exceptions.ResourceConflictException:
            return _moved_alias(request)

    LambdaAliasProvider.create = create_or_move
    LambdaAliasProvider.update = lambda self, request: _moved_alias(request)
    LambdaAliasProvider._etax_updates = True
