"""KMS keys: the platform's document-signing key and, on the local stack, the dev token issuer's."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct


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
