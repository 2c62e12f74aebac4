"""The route classes' limits counted by the functions on the stage without a WAF (``local``;
docs/decisions/0016-edge-protection.md, :mod:`etax.platform.limits`).

Every function serving a route of a class with ``per_ip`` (``infra.platform.edge``) gets, as
its routes are added (:meth:`infra.platform.api.Api.route`), the figures of its classes in
``EDGE_LIMITS``, the counters' table in ``EDGE_LIMITS_TABLE``, and ``dynamodb:UpdateItem`` on
that table for its classes' counters only (keys beginning ``<class>#``). Other stages get none
of it: their WAF counts the same figures, and the functions make no extra call.
"""

from __future__ import annotations

import json

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from etax.platform.limits import VARIABLE
from etax.platform.tables import EDGE_LIMITS
from infra.platform.edge import RouteClass, limit_of


class EdgeLimits:
    """The counters' table and the functions it limits."""

    def __init__(self, table: dynamodb.Table) -> None:
        self.table = table
        self.served: dict[str, list[RouteClass]] = {}  # function's path → its classes

    def serve(self, function: lambda_.IFunction, route_class: RouteClass) -> None:
        """Limit ``function``'s requests to ``route_class``'s routes (once per class)."""
        if route_class.per_ip is None:
            return
        assert isinstance(function, lambda_.Function), "a function made by the platform"
        classes = self.served.setdefault(function.node.path, [])
        if route_class in classes:
            return
        classes.append(route_class)
        function.add_environment(VARIABLE, json.dumps(
            [limit_of(c).as_json() for c in classes], separators=(",", ":")))
        function.add_environment(EDGE_LIMITS.variable, self.table.table_name)
        function.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:UpdateItem"], resources=[self.table.table_arn],
            conditions={"ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": [f"{route_class.name}#*"]}}))
