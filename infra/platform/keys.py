"""KMS keys: the platform's document-signing key and, on the local stack, the dev token
issuer's; and the generated secrets boards share with outside systems."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import acknowledge


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
