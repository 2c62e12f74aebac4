"""The lottery's errors, each saying why in plain words.

:class:`CampaignError` names the failing value by path into the campaign's data
(``periods[0].tiers[1].amount_yuan``), which the API returns as the problem's field. The
last four are what a write to the tables can end in (the repository raises them, the
service answers them).
"""

from __future__ import annotations

from etax.errors import AlreadyExists
from etax.rules.refusal import Refusal

__all__ = [
    "AlreadyDrawn", "CampaignError", "CampaignExists", "LimitReached", "LotteryError",
    "NotEligible", "RecordError", "ShardEmpty", "field_path",
]


class LotteryError(Refusal):
    """Something in the lottery cannot be; ``reason`` says why, in plain words."""


class CampaignError(LotteryError):
    """A campaign, period or tier breaks a rule; ``reason`` says which, and ``field`` (when
    known) is where, as a path into the campaign's data
    (:func:`~etax.lottery.campaign_codec.campaign_to_dict`'s form) with list positions from
    0: ``periods[0].tiers[1].amount_yuan``. A period's or tier's own checks name the field
    relative to it (``amount_yuan``);
    :func:`~etax.lottery.campaign_codec.campaign_from_dict` puts them in place."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field

    def under(self, prefix: str) -> CampaignError:
        """The same error, its field placed under ``prefix`` (e.g. ``periods[0]``)."""
        return CampaignError(self.reason, field_path(prefix, self.field))


def field_path(prefix: str, field: str | None) -> str:
    """``periods[0]`` + ``tiers[1].name`` → ``periods[0].tiers[1].name``."""
    if not field:
        return prefix
    if not prefix:
        return field
    return prefix + field if field.startswith("[") else f"{prefix}.{field}"


class RecordError(LotteryError):
    """A draw record is malformed (not merely wrong: :func:`~etax.lottery.audit.replay`
    judges that)."""


class NotEligible(LotteryError):
    """An invoice may not be drawn; ``reason`` is what the consumer is told."""


# --- what a write can end in (raised by the repository) ---------------------------------------


class CampaignExists(AlreadyExists):
    """A campaign with this id exists already."""

    def __init__(self, campaign_id: str) -> None:
        super().__init__(f"a campaign {campaign_id} exists already", field="id")
        self.campaign_id = campaign_id


class AlreadyDrawn(AlreadyExists):
    """The invoice was drawn before (one draw per invoice ever)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"invoice {number} has been drawn already (one draw per invoice)",
                         field="number")
        self.number = number


class LimitReached(Exception):
    """The person's daily or monthly limit would be passed; ``scope`` is ``day`` or ``month``."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class ShardEmpty(Exception):
    """The chosen inventory shard has no prize left."""
