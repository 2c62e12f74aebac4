"""A resource CloudFormation replaced stays in its stack, as in a real account.

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
"""

from __future__ import annotations

import logging
from typing import Any

from localstack.aws.api.cloudformation import ChangeAction, ResourceStatus
from localstack.runtime import hooks
from localstack.services.cloudformation.engine.v2.change_set_model_executor import (
    ChangeSetModelExecutor,
)

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
