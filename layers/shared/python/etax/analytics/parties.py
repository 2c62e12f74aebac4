"""Who a row of the analytical store is about, without storing a person's ID number.

An enterprise is named by its unified social credit code (public: GB 32100-2015). A natural
person's resident ID number never enters the store: :func:`party` replaces it with a keyed
digest (HMAC-SHA-256 under the store's own key, ``ANALYTICS_PSEUDONYM_SECRET``), the same for
the same person in every table and every day, so a person's invoices, returns and payments
can still be related (circular invoicing, a buyer's purchases) and nobody without the key can
go back from the digest to the number (the ID number space is small: an unkeyed hash could be
reversed by trying every number).
"""

from __future__ import annotations

import hashlib
import hmac

from etax.platform.secrets import SecretField
from etax.rules import resident_id, uscc

PSEUDONYM_KEY = SecretField("ANALYTICS_PSEUDONYM_SECRET", "key")
UNKNOWN_PROVINCE = "00"


def _key() -> bytes:
    return PSEUDONYM_KEY.value().encode()


def pseudonym(number: str, key: bytes) -> str:
    """``p:`` and 24 hex digits of the keyed digest of a resident ID number."""
    return "p:" + hmac.new(key, number.upper().encode(), hashlib.sha256).hexdigest()[:24]


def party(identifier: object, key: bytes | None = None) -> str | None:
    """A credit code as it is; any other identifier (a resident ID number, a passport) as its
    pseudonym; None for none. A resident ID is recognized first: an ID number whose digits
    happen to pass the credit code's checksum is still a person's."""
    if not isinstance(identifier, str) or not identifier:
        return None
    if not resident_id.is_valid(identifier) and uscc.is_valid(identifier):
        return identifier
    return pseudonym(identifier, key if key is not None else _key())


def province_of(identifier: str | None) -> str:
    """The two-digit province code of a credit code's or a resident ID's region, else 00."""
    if not identifier:
        return UNKNOWN_PROVINCE
    if resident_id.is_valid(identifier):
        return identifier[:2]
    if uscc.is_valid(identifier):
        return uscc.parse(identifier).region_code[:2]
    return UNKNOWN_PROVINCE
