"""The periods' secret seeds, kept encrypted by the lottery's own symmetric KMS key.

Why KMS and not the table's encryption alone: anyone who can read the lottery
table (operators, backups, other functions by mistake) must still not learn a
seed before its period closes — knowing it predicts which invoices win. Only the
lottery functions' roles may call ``kms:Decrypt`` with this key (the infra
tests hold the template to that), and the encryption context binds each
ciphertext to its campaign and period, so a ciphertext copied to another period
does not decrypt.

A seed is decrypted once per execution environment and period, then cached:
KMS is not on the hot path of every scan.
"""

from __future__ import annotations

from typing import Any


def context(campaign_id: str, period_index: int) -> dict[str, str]:
    return {"purpose": "etax-lottery-seed", "campaign": campaign_id,
            "period": str(period_index)}


class SeedVault:
    def __init__(self, kms: Any, key_id: str) -> None:
        self.kms = kms
        self.key_id = key_id
        self._cache: dict[tuple[str, int], bytes] = {}
        self.decrypt_calls = 0

    def seal(self, campaign_id: str, period_index: int, seed: bytes) -> bytes:
        answer = self.kms.encrypt(KeyId=self.key_id, Plaintext=seed,
                                  EncryptionContext=context(campaign_id, period_index))
        return bytes(answer["CiphertextBlob"])

    def open(self, campaign_id: str, period_index: int, ciphertext: bytes) -> bytes:
        """The seed (cached for the life of this execution environment)."""
        cached = self._cache.get((campaign_id, period_index))
        if cached is not None:
            return cached
        self.decrypt_calls += 1
        answer = self.kms.decrypt(CiphertextBlob=ciphertext, KeyId=self.key_id,
                                  EncryptionContext=context(campaign_id, period_index))
        seed = bytes(answer["Plaintext"])
        self._cache[(campaign_id, period_index)] = seed
        return seed
