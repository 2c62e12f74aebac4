"""What the lottery routes answer (etax.platform.results): a campaign's page, a closed
period's export, and a draw (a scan's, or a stored one with its payout). The campaign (its
``campaign_to_dict`` form) and the export's records (the replay file's form) are data and stay
dicts; a payout account is shown masked (:func:`etax.lottery.answers.mask_account`)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class PeriodView:
    index: int
    opens: str
    closes: str
    commitment: str
    closed: bool
    seed_hex: str | None  # revealed once the period has closed
    odds: dict[str, str]  # tier → "<prizes>/<expected entries>"


@dataclass(frozen=True)
class CampaignView:
    campaign: dict[str, object]
    created_at: str
    periods: list[PeriodView]


@dataclass(frozen=True)
class PeriodExport:
    """A closed period in the file format ``scripts/lottery_replay.py`` reads."""

    campaign: dict[str, object]
    period_index: int
    seed_hex: str
    commitment: str
    records: list[dict[str, object]]


@dataclass(frozen=True)
class Payout:
    """No payout (``state`` only), or a scan's prize being paid: where to."""

    state: str
    method: str | None = optional()
    account: str | None = optional()


@dataclass(frozen=True)
class PayoutProgress:
    """A stored draw's payout once a prize is due: every key present, null until known."""

    state: str
    method: str | None
    account: str
    amount: str
    attempts: int
    requested_at: str
    paid_at: str | None
    failed_at: str | None
    provider_ref: str | None
    last_error: str | None
    updated_at: str


@dataclass(frozen=True, kw_only=True)  # keywords: a field without default follows optional()
class DrawView:
    """A draw: the one a scan just made, with its period's ``commitment``, or a stored one
    (no ``commitment``) with its payout."""

    draw_id: str
    invoice_number: str
    campaign_id: str
    period_index: int
    result: str
    tier: str | None
    prize: str | None
    value_hex: str
    drawn_at: str
    commitment: str | None = optional()  # a scan's answer only
    payout: Payout | PayoutProgress
