"""KMS keys: the platform's document-signing key and, on the local stack, the dev token
issuer's; and the generated secrets boards share with outside systems."""

from __future__ import annotations

import jsii
from aws_cdk import IStableListProducer, Lazy, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from infra.platform.events import TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS


def signing_key(scope: Construct, construct_id: str, *, description: str, retain: bool) -> kms.Key:
    """An asymmetric ECC P-256 key for ECDSA signatures; the private half never leaves KMS.

    Asymmetric keys cannot be rotated automatically; a new key is added and
    published beside the old one instead (verifiers pick by key id).
    """
    return kms.Key(
        scope,
        construct_id,
        description=description,
        key_spec=kms.KeySpec.ECC_NIST_P256,
        key_usage=kms.KeyUsage.SIGN_VERIFY,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )


@jsii.implements(IStableListProducer)
class _Listed:
    """The strings of a list as it is when the template is made (a lazy CDK list)."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def produce(self) -> list[str]:
        return list(self.values)


def deny_all_but(key: kms.IKey, *, sid: str, action: str,
                 principals: str | list[str]) -> None:
    """Deny ``action`` on ``key`` to every principal whose ARN is not in ``principals`` (a
    role's ARN, or a lazy list of them): the account root and administrators included, since
    a key policy's deny wins over any allow."""
    key.add_to_resource_policy(iam.PolicyStatement(
        sid=sid,
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=[action],
        resources=["*"],
        conditions={"ArnNotEquals": {"aws:PrincipalArn": principals}},
    ))


class SigningKey:
    """The platform's signing key (:func:`signing_key`), aliased ``alias/<alias>``, that only
    the issuing roles may sign with: its policy denies ``kms:Sign`` to every other principal,
    the account root and administrators included (as the lottery's seed key denies
    ``kms:Decrypt``), and :meth:`alarm_on_other_signers` reports anyone else who tries.

    The deny names the roles :meth:`grant_sign` was given, whenever they are added. Not a
    construct of its own: the key keeps the construct id (so the logical id) it always had.
    """

    def __init__(self, scope: Construct, construct_id: str, *, description: str, alias: str,
                 retain: bool) -> None:
        self.scope, self.construct_id, self.alias_name = scope, construct_id, alias
        self.key = signing_key(scope, construct_id, description=description, retain=retain)
        self.alias = self.key.add_alias(f"alias/{alias}")
        self.signers: list[str] = []
        deny_all_but(self.key, sid="OnlyTheIssuingRolesSign", action="kms:Sign",
                     principals=Lazy.list(_Listed(self.signers)))

    def grant_sign(self, function: lambda_.Function) -> None:
        """Let ``function``'s role sign (``kms:Sign``) and read the public key it publishes.

        A function of a board in a nested stack of its own gets a role named by this key's
        alias and the function (``etax-<stage>-signing-<Function>``), and the key's policy
        names it by that ARN: the role's ARN read from the board's stack would make the key
        wait for the board's stack, which waits for the key (a dependency cycle)."""
        role = function.role
        assert isinstance(role, iam.Role), "a function made by the platform has its role"
        home = Stack.of(self.key)
        if Stack.of(function) is home:
            self.signers.append(role.role_arn)
        else:
            name = f"{self.alias_name.replace('/', '-')}-{function.node.id}"[:64]
            cfn = role.node.default_child
            assert isinstance(cfn, iam.CfnRole)
            cfn.role_name = name
            self.signers.append(home.format_arn(service="iam", region="", resource="role",
                                                resource_name=name))
        self.key.grant(function, "kms:Sign", "kms:GetPublicKey")

    def alarm_on_other_signers(self, topic: sns.ITopic, *, dead_letters: sqs.IQueue
                               ) -> events.Rule:
        """A rule on the account's default bus that sends to ``topic`` every ``kms:Sign``
        call on this key (denied or not) made by any role but the issuing ones.

        KMS calls reach EventBridge only through CloudTrail: the account needs a trail
        logging management events (the account baseline's, not this stack's), and ``Sign`` is
        a read-only event, so the rule opts in to them
        (``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``). Like every rule's target, the
        topic is retried and then dead-lettered to ``dead_letters``.
        """
        rule = events.Rule(
            self.scope, f"{self.construct_id}OtherSigners",
            description="Someone other than the issuing roles called kms:Sign on the "
                        "document-signing key",
            event_pattern=events.EventPattern(
                source=["aws.kms"],
                detail_type=["AWS API Call via CloudTrail"],
                detail={
                    "eventSource": ["kms.amazonaws.com"],
                    "eventName": ["Sign"],
                    "resources": {"ARN": [self.key.key_arn]},
                    "$or": [  # a user or the root, or a role not an issuing one
                        {"userIdentity": {"type": [{"anything-but": ["AssumedRole"]}]}},
                        {"userIdentity": {"sessionContext": {"sessionIssuer": {"arn": [
                            {"anything-but": Lazy.list(_Listed(self.signers))}]}}}},
                    ],
                }),
            targets=[targets.SnsTopic(topic, dead_letter_queue=dead_letters,
                                      retry_attempts=TARGET_RETRY_ATTEMPTS,
                                      max_event_age=TARGET_MAX_EVENT_AGE)],
        )
        cfn = rule.node.default_child
        assert isinstance(cfn, events.CfnRule)
        cfn.state = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        return rule


def generated_secret(scope: Construct, construct_id: str, *, description: str, key: str,
                     length: int, retain: bool, not_rotated: str) -> secretsmanager.Secret:
    """A secret ``{"<key>": <length random letters and digits>}``, shared with an outside
    system, so not rotated automatically: ``not_rotated`` says who re-keys it, and how."""
    secret = secretsmanager.Secret(
        scope, construct_id,
        description=description,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template="{}", generate_string_key=key,  # noqa: S106
            exclude_punctuation=True, password_length=length),
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )
    acknowledge(secret, "AwsSolutions-SMG4", not_rotated)
    return secret
