"""The API stage's AWS WAF web ACL (docs/decisions/0016-edge-protection.md), made on every stage
except ``local``: LocalStack has no WAF, so the local stack runs without one.

In the order WAF evaluates them, each rule with its CloudWatch metric (``etax-<stage>-<rule>``)
and sampled requests:

1. ``AmazonIpReputation``: AWS's managed list of addresses known for bots and attacks;
2. ``BodyTooLarge``: a body over the functions' own limit (``etax.platform.api.MAX_BODY_BYTES``;
   no route declares more) is blocked before it costs an invocation. WAF reads at most the
   body inspection limit, set to that size for API Gateway, and a larger body matches;
3. one rate-based rule per public route class (``infra.platform.edge``): a client IP over its
   class's five-minute limit is blocked on that class's routes for as long as it stays over;
   and for a class with ``per_identity`` (the lottery scan), one rule counting each bearer
   token (the ``Authorization`` header: one signed-in subject) the same way;
4. ``KnownBadInputs`` and ``CommonRuleSet``: AWS's managed groups (Log4j, path traversal, XSS,
   …). The common set's ``SizeRestrictions_BODY`` (8 KB) only counts: rule 2 takes its place
   with the functions' limit.
"""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from etax.platform.api import MAX_BODY_BYTES
from infra.platform.edge import ROUTE_CLASSES, WINDOW_SECONDS, RouteClass, path_pattern

RATE_WINDOW_SECONDS = WINDOW_SECONDS  # the five minutes the rate-based rules count over

# WAF's body inspection limits for API Gateway, in KB
INSPECTION_LIMITS = {16: "KB_16", 32: "KB_32", 48: "KB_48", 64: "KB_64"}
MANAGED_GROUPS = (  # (rule name, managed group, rules of the group that only count)
    ("KnownBadInputs", "AWSManagedRulesKnownBadInputsRuleSet", ()),
    ("CommonRuleSet", "AWSManagedRulesCommonRuleSet", ("SizeRestrictions_BODY",)),
)


def inspection_limit(max_body_bytes: int) -> str:
    """The smallest body inspection limit that reads a whole body the functions accept."""
    for kilobytes, name in sorted(INSPECTION_LIMITS.items()):
        if max_body_bytes <= kilobytes * 1024:
            return name
    raise ValueError(f"bodies of {max_body_bytes} bytes exceed what WAF can inspect (64 KB): "
                     "lower MAX_BODY_BYTES or drop the body-size rule")


class ApiFirewall(Construct):
    """A regional web ACL associated with ``stage_arn`` (an API Gateway REST API stage)."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str,
                 stage_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.prefix = f"etax-{stage}"
        rules = [self._managed("AmazonIpReputation", "AWSManagedRulesAmazonIpReputationList",
                               priority=0),
                 self._body_size(priority=1)]
        rate_limited = [c for c in ROUTE_CLASSES if c.per_ip is not None]
        rules += [self._rate(c, priority=10 + i) for i, c in enumerate(rate_limited)]
        per_identity = [c for c in ROUTE_CLASSES if c.per_identity is not None]
        rules += [self._rate(c, priority=20 + i, per_token=True)
                  for i, c in enumerate(per_identity)]
        rules += [self._managed(name, group, priority=30 + i, counted=counted)
                  for i, (name, group, counted) in enumerate(MANAGED_GROUPS)]
        self.web_acl = wafv2.CfnWebACL(
            self, "WebAcl",
            name=f"{self.prefix}-api",
            description="The e-tax API's firewall: managed rules, body size, per-IP rates",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=self._visibility("api"),
            association_config=wafv2.CfnWebACL.AssociationConfigProperty(request_body={
                "API_GATEWAY": wafv2.CfnWebACL.RequestBodyAssociatedResourceTypeConfigProperty(
                    default_size_inspection_limit=inspection_limit(MAX_BODY_BYTES)),
            }),
            rules=rules,
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage_arn, web_acl_arn=self.web_acl.attr_arn)

    def _visibility(self, name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=f"{self.prefix}-{name}",
            # no sampled requests: a sample shows the request's headers, and a bearer token
            # carries its subject (a person's resident ID) in clear
            sampled_requests_enabled=False)

    def _managed(self, name: str, group: str, *, priority: int,
                 counted: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name=name, priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group,
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(
                                count={}))
                        for rule in counted] or None)),
            visibility_config=self._visibility(name))

    def _body_size(self, *, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name="BodyTooLarge", priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                        body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")),
                    comparison_operator="GT", size=MAX_BODY_BYTES,
                    text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(
                        priority=0, type="NONE")])),
            visibility_config=self._visibility("BodyTooLarge"))

    def _rate(self, route_class: RouteClass, *, priority: int,
              per_token: bool = False) -> wafv2.CfnWebACL.RuleProperty:
        paths = sorted({route.split(" ", 1)[1] for route in route_class.routes})
        matches = [wafv2.CfnWebACL.StatementProperty(
            regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                regex_string=path_pattern(path),
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(
                    priority=0, type="URL_DECODE")]))
            for path in paths]
        scope_down = matches[0] if len(matches) == 1 else wafv2.CfnWebACL.StatementProperty(
            or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=matches))
        name = f"RatePer{'Token' if per_token else 'Ip'}{route_class.name}"
        token = [wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
            header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                name="authorization", text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))]
        return wafv2.CfnWebACL.RuleProperty(
            name=name, priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="CUSTOM_KEYS" if per_token else "IP",
                    custom_keys=token if per_token else None,
                    limit=(route_class.per_identity if per_token else route_class.per_ip) or 0,
                    evaluation_window_sec=RATE_WINDOW_SECONDS,
                    scope_down_statement=scope_down)),
            visibility_config=self._visibility(name))
