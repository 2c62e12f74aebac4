"""The registration feed: records sent by the market-supervision department.

Each message on the feed queue is one record (JSON). A record is validated
here (pydantic); a record that fails validation is a poison message: the
consumer reports it failed, and after the queue's retries it rests in the
dead-letter queue for an operator, while the rest of the batch is applied.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from etax.acceptance.registration.records import Status, TaxpayerType
from etax.rules import uscc
from etax.rules.text import SignedText


class FeedRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    credit_code: str
    name: Annotated[str, SignedText(min_length=1, max_length=200)]
    status: Status
    registration_date: date
    tax_office_code: str = Field(pattern=r"^[0-9]{11}$")
    tax_office_name: Annotated[str, SignedText(min_length=1, max_length=100)]
    taxpayer_type: TaxpayerType
    legal_representative: str = Field(min_length=1, max_length=100)
    address: str = Field(default="", max_length=300)
    industry: str = Field(default="", max_length=100)
    revision: int = Field(ge=1)

    @field_validator("credit_code")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        # A wrong check character is accepted: real registered codes fail it (sources.md#uscc).
        try:
            return uscc.parse(value).code
        except uscc.MalformedCode as error:
            raise ValueError(error.reason) from None
