"""A board in a nested stack of its own (docs/decisions/0005).

The parent template holds the platform and the first boards; CloudFormation allows 500
resources in one template, and the parent is near it. A board built from this class is a
``NestedStack``: its tables, functions, queues and rules are made in its own template, and
every value it takes from the platform (the bus, the layers, the API's resources) or gives
to it (its functions to the releases, the API and the alarms) crosses as a parameter or an
output, which CDK wires. The kits are the same: ``platform.function(self, …)``,
``platform.table(self, …)`` put the resources in the board's template.

Boards that were built in the parent stay there: moving a table between templates replaces
it (its data would go with the old one), so only new boards are built this way.
"""

from __future__ import annotations

from aws_cdk import NestedStack
from constructs import Construct


class Board(NestedStack):
    def __init__(self, scope: Construct, construct_id: str, *, description: str) -> None:
        super().__init__(scope, construct_id, description=description)
