"""Paying a liability: one adapter per method, signed callbacks, the simulated providers.

Methods: ``bank_transfer`` (银行转账), ``pos`` (POS 刷卡), ``online_banking`` (网上银行),
``mobile_banking`` (手机银行), ``third_party`` (第三方支付). A payment is started by the
taxpayer (the adapter answers how to pay: the account and reference to transfer to, a POS order,
a redirect or deep link, a QR payload) and confirmed **only** by the provider's callback to the
public route ``POST /v1/filing/callbacks/{method}``.

Callback signatures: ``X-Signature: hex(HMAC-SHA256(key, body))`` over the raw body bytes, where
each method's provider has its own key, ``HMAC-SHA256(master, "etax-payment-callback:" +
method)`` derived from one master secret (Secrets Manager). A wrong or missing signature is
refused (403) before the body is read. The body::

    {"payment_id": "...", "status": "succeeded" | "failed", "amount": "123.45",
     "provider_ref": "...", "confirmed_at": "2026-11-28T09:30:00+08:00"}

A replayed callback finds the payment no longer pending and changes nothing.

**The confirmation time is bounded** (:func:`confirmation_time_problem`): a provider's
``confirmed_at`` decides the day of payment, and so the late-payment surcharge and what the
signed receipt prints, so it is accepted only between the payment's creation and the
callback's arrival, each widened by :data:`CLOCK_SKEW` (5 minutes: the providers' and the
platform's clocks are NTP-synchronised; the window absorbs their drift and the network's
delay, nothing more). A callback dated before the payment existed or after it arrived is
refused (422 naming ``confirmed_at``), counted in the metric :data:`REFUSED_TIME_METRIC`,
which raises an alarm: a signed callback with an impossible time is a provider's fault or a
stolen key.

The providers are **simulated** (:mod:`etax.simulations.payments`): they build and sign the
callback a real provider would send; the e2e tests and ``scripts/simulate_payment.py`` send it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from etax.rules import money
from etax.rules.types import YuanText

Method = Literal["bank_transfer", "pos", "online_banking", "mobile_banking", "third_party"]
METHODS: tuple[Method, ...] = ("bank_transfer", "pos", "online_banking", "mobile_banking",
                               "third_party")
SIGNATURE_HEADER = "X-Signature"
CLOCK_SKEW = timedelta(minutes=5)
REFUSED_TIME_METRIC = "PaymentCallbackTimeRefused"
TREASURY_ACCOUNT = "国家金库示例支库 账号 3501 0000 0000 0001"


def method_key(master: bytes, method: str) -> bytes:
    """The callback key of one method's provider, derived from the master secret."""
    return hmac.new(master, f"etax-payment-callback:{method}".encode(), hashlib.sha256).digest()


def sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_valid(master: bytes, method: str, body: bytes, signature: str | None) -> bool:
    if method not in METHODS or not signature:
        return False
    return hmac.compare_digest(sign(method_key(master, method), body), signature.strip().lower())


def confirmation_time_problem(confirmed_at: datetime, *, created_at: datetime,
                              received_at: datetime) -> str | None:
    """Why a confirmation time cannot be true of a payment created at ``created_at`` and
    confirmed by a callback received at ``received_at`` (None if it can)."""
    if confirmed_at < created_at - CLOCK_SKEW:
        return (f"confirmed_at {confirmed_at.isoformat()} is before the payment was created "
                f"({created_at.isoformat()})")
    if confirmed_at > received_at + CLOCK_SKEW:
        return (f"confirmed_at {confirmed_at.isoformat()} is later than the callback's "
                f"arrival ({received_at.isoformat()})")
    return None


class Callback(BaseModel):
    model_config = ConfigDict(extra="ignore")
    payment_id: str = Field(min_length=1, max_length=80)
    status: Literal["succeeded", "failed"]
    amount: YuanText
    provider_ref: str = Field(min_length=1, max_length=80)
    confirmed_at: datetime

    @field_validator("confirmed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("confirmed_at must carry a time zone")
        return value

    @property
    def amount_fen(self) -> int:
        return money.parse_yuan(self.amount)


@dataclass(frozen=True, slots=True)
class Adapter:
    """What the taxpayer is told to do for one method (the provider's side of the start)."""

    method: Method
    label: str
    gateway: str

    def instruction(self, payment_id: str, amount_fen: int) -> dict[str, Any]:
        amount = money.format_yuan(amount_fen)
        if self.method == "bank_transfer":
            return {"method": self.method, "label": self.label, "payee": TREASURY_ACCOUNT,
                    "reference": payment_id, "amount": amount}
        if self.method == "pos":
            return {"method": self.method, "label": self.label, "pos_order": payment_id,
                    "amount": amount}
        if self.method == "third_party":
            return {"method": self.method, "label": self.label, "amount": amount,
                    "qr": f"{self.gateway}/qr/{payment_id}"}
        link = "redirect_url" if self.method == "online_banking" else "deep_link"
        return {"method": self.method, "label": self.label, "amount": amount,
                link: f"{self.gateway}/pay?order={payment_id}&amount={amount}"}


ADAPTERS: dict[str, Adapter] = {
    "bank_transfer": Adapter("bank_transfer", "银行转账", "bank-transfer"),
    "pos": Adapter("pos", "POS 刷卡", "pos"),
    "online_banking": Adapter("online_banking", "网上银行", "https://ebank.example.cn"),
    "mobile_banking": Adapter("mobile_banking", "手机银行", "mbank://etax"),
    "third_party": Adapter("third_party", "第三方支付", "https://pay.example.cn"),
}
