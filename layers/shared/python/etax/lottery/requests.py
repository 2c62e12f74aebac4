"""What clients send to the lottery routes (pydantic: a 422 names the failing field).

The campaign body is ``etax.lottery.campaign_codec.campaign_to_dict``'s form and is read
by ``campaign_from_dict`` (:class:`CampaignRequest` wraps it), not field by field here: its
errors name the failing value by path (``periods[0].tiers[1].amount_yuan``) and it bounds
every string and list before reading them (``MAX_TEXT``, ``MAX_ITEMS``). Every string of the
scan is bounded below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, cast

from pydantic import BaseModel, ConfigDict, SkipValidation, StringConstraints, model_validator

from etax.errors import Invalid
from etax.lottery.campaign_codec import campaign_from_dict
from etax.lottery.campaigns import Campaign
from etax.lottery.errors import CampaignError

ACCOUNT_PATTERN = r"^[A-Za-z0-9_.@+\-]{4,64}$"

Method = Literal["wechat", "alipay", "bank"]


class PayoutIn(BaseModel):
    """Where a prize goes: the wallet or bank account the person chose at the scan.

    The account is a WeChat openid, an Alipay login (phone or e-mail) or a bank card
    number; only its shape is checked here (4-64 characters, letters, digits and
    ``_ . @ + -``): the provider is the authority on whether it exists.
    """

    model_config = ConfigDict(extra="forbid")

    method: Method
    account: Annotated[str, StringConstraints(strip_whitespace=True, pattern=ACCOUNT_PATTERN)]


class ScanRequest(BaseModel):
    """Either the invoice's QR payload, or its number, issue date and total (价税合计)."""

    model_config = ConfigDict(extra="forbid")

    qr: Annotated[str, StringConstraints(max_length=300)] | None = None
    number: Annotated[str, StringConstraints(max_length=20)] | None = None
    issue_date: Annotated[str, StringConstraints(max_length=10)] | None = None
    total: Annotated[str, StringConstraints(max_length=24)] | None = None
    payout: PayoutIn

    def invoice_fields(self) -> dict[str, object]:
        """The invoice part, in the form the verification rules read."""
        fields = {"qr": self.qr, "number": self.number, "issue_date": self.issue_date,
                  "total": self.total}
        return {k: v for k, v in fields.items() if v is not None}


class CampaignRequest(BaseModel):
    """``POST /v1/lottery/campaigns``: the campaign, read by ``campaign_from_dict``; a value
    it refuses is a 422 naming the value's path (``body`` when it names none)."""

    campaign: SkipValidation[Campaign]

    @model_validator(mode="before")
    @classmethod
    def _campaign(cls, body: object) -> dict[str, Campaign]:
        try:
            return {"campaign": campaign_from_dict(cast(Mapping[str, object], body))}
        except CampaignError as error:
            raise Invalid(error.reason, field=error.field or "body") from None
