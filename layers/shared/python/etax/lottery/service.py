"""The lottery's API side: campaigns (created by an admin, public to read), the scan
(an instant draw for the invoice's buyer) and the person's view of a draw.

Decisions written down here because the issue leaves them open:

* **Person limits answer 429 with ``Retry-After``** (seconds to the next China
  midnight for the daily limit, to the first of next month for the monthly one),
  as the platform answers every limit (DESIGN.md § API conventions). They are
  enforced by the counters' conditions inside the scan's transaction, so two
  scans at once cannot both pass a limit; :func:`~etax.lottery.campaigns.check_entry`
  is called with zero counts and judges only the invoice.
* **Every draw counts** against the limits: a win, no prize or a sold-out alike.
* **One campaign per region at a time**: a new campaign whose dates overlap one
  of the same region is refused (409); the scan takes the region from the
  invoice number's digits 3-4.
* **The draw id** is ``<campaign>-<period>-<invoice number>``: unique because an
  invoice is drawn once ever, and stable, so the payment provider can be asked
  for it again without paying twice.
* **A draw belongs to the person who drew it** (the buyer, by real name), and so to
  that person's tax office, as every other board scopes a natural person's records
  (refunds, certificates, filing: :func:`etax.rules.tax_offices.prefecture_office`,
  the office of the prefecture of the resident ID). Not the seller's office: the
  draw and its prize are the buyer's, and the seller's office reads the invoice
  itself. The office is written on the draw at scan time (``tax_office``), so a
  later change of the rule does not move old draws; a draw written before that
  attribute existed is read with the same rule. The person reads their draw, an
  officer of that office and an admin read any; an officer of another office is
  refused (403), anyone else is told there is no such draw (404), as for invoices.
* **Errors do not repeat long input**: a campaign error names its field as a path
  (``periods[0].tiers[1].amount_yuan``, :class:`etax.lottery.errors.CampaignError`)
  and every string and list of the campaign is bounded before it is read; path
  parameters are shown as a short excerpt.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from etax import errors
from etax.invoices.facts import InvoiceFacts
from etax.invoices.verification_rules import VerifyInputError, query_from_request
from etax.lottery import draw
from etax.lottery.answers import draw_answer, scan_answer
from etax.lottery.campaign_codec import campaign_to_dict
from etax.lottery.campaigns import Campaign, Period, check_entry
from etax.lottery.errors import (
    AlreadyDrawn,
    CampaignError,
    LimitReached,
    NotEligible,
    ShardEmpty,
)
from etax.lottery.records import WON, DrawRecord, record_to_dict
from etax.lottery.requests import ScanRequest
from etax.lottery.results import CampaignView, DrawView, PeriodExport, PeriodView
from etax.lottery.stored import (
    Counters,
    NewDraw,
    StoredCampaign,
    StoredDraw,
    StoredPeriod,
)
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules import resident_id
from etax.rules.dates import SHANGHAI, business_date
from etax.rules.tax_offices import prefecture_office
from etax.rules.text import excerpt

MAX_SHARDS = 8
"""Inventory shards per tier and period (fewer when the tier has fewer prizes)."""
REGION_CACHE_SECONDS = 30.0
DAY_TTL_DAYS = 2
MONTH_TTL_DAYS = 40


class Repository(Protocol):
    def create_campaign(self, campaign: Campaign, periods: list[StoredPeriod], *,
                        created_by: str, created_at: str) -> None: ...

    def campaign(self, campaign_id: str) -> StoredCampaign | None: ...

    def region_campaigns(self, region_code: str, day: str) -> list[tuple[str, str, str]]: ...

    def stock(self, campaign_id: str, period_index: int, tier: str,
              shards: int) -> dict[int, int]: ...

    def write_draw(self, new: NewDraw, counters: Counters,
                   shard: tuple[str, int] | None) -> None: ...

    def precheck(self, number: str, counters: Counters) -> tuple[bool, int, int]: ...

    def get_draw(self, number: str, *, consistent: bool = False) -> StoredDraw | None: ...

    def period_records(self, campaign_id: str,
                       period_index: int) -> list[DrawRecord]: ...


class Invoices(Protocol):
    def get(self, number: str) -> InvoiceFacts | None: ...


class Vault(Protocol):
    def seal(self, campaign_id: str, period_index: int, seed: bytes) -> bytes: ...

    def open(self, campaign_id: str, period_index: int, ciphertext: bytes) -> bytes: ...


def _midnight_after(day: date) -> datetime:
    nxt = day + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=SHANGHAI)


def _month_after(day: date) -> datetime:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime(year, month, 1, tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class Entry:
    """A scan that passed every check, ready to be drawn and written."""

    campaign: StoredCampaign
    period: Period
    invoice: InvoiceFacts
    person: str
    tax_office: str
    method: str
    account: str


class LotteryService:
    def __init__(self, repository: Repository, invoices: Invoices, vault: Vault,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 rng: random.Random | None = None) -> None:
        self.repository = repository
        self.invoices = invoices
        self.vault = vault
        self.now = now
        self.rng = rng or random.SystemRandom()
        self._campaigns: dict[str, StoredCampaign] = {}  # immutable once created
        self._regions: dict[tuple[str, str], tuple[float, list[str]]] = {}

    # -- campaigns -----------------------------------------------------------------------

    def create_campaign(self, principal: Principal, campaign: Campaign) -> CampaignView:
        """A campaign from its data; a fresh seed per period, sealed by KMS, committed to."""
        if principal.role != "admin":
            raise errors.Refused("only an administrator creates lottery campaigns")
        if not (len(campaign.region) == 2 and campaign.region.isascii()
                and campaign.region.isdigit() and campaign.region != "00"):
            raise errors.Invalid(
                "region must be the two-digit province code that invoice numbers carry in "
                "digits 3-4 (e.g. 35 for Fujian)", field="region")
        for other_id, opens, closes in self.repository.region_campaigns(
                campaign.region, campaign.opens.isoformat()):
            if opens <= campaign.closes.isoformat():
                raise errors.AlreadyExists(f"campaign {other_id} already runs in region "
                                           f"{campaign.region} from {opens} to {closes}",
                                           field="region")
        periods = []
        for period in campaign.periods:
            seed = draw.new_seed()
            periods.append(StoredPeriod(
                index=period.index,
                commitment=draw.commitment(seed),
                seed_ciphertext=self.vault.seal(campaign.id, period.index, seed),
                shards={t.name: min(MAX_SHARDS, t.count) for t in period.tiers},
            ))
        self.repository.create_campaign(   # a campaign with this id: CampaignExists
            campaign, periods, created_by=principal.subject,
            created_at=self.now().astimezone(UTC).isoformat(timespec="seconds"))
        self._regions.clear()
        return self.campaign_view(campaign.id)

    def _campaign(self, campaign_id: str) -> StoredCampaign | None:
        cached = self._campaigns.get(campaign_id)
        if cached is None:
            cached = self.repository.campaign(campaign_id)
            if cached is not None:
                self._campaigns[campaign_id] = cached
        return cached

    def _stored(self, campaign_id: str) -> StoredCampaign:
        stored = self._campaign(campaign_id)
        if stored is None:
            raise errors.NotFound(f"no lottery campaign {excerpt(campaign_id)}")
        return stored

    def _closed(self, period: Period) -> bool:
        return business_date(self.now()) > period.closes

    def campaign_view(self, campaign_id: str) -> CampaignView:
        """The campaign, each period's commitment, and the seeds of closed periods."""
        stored = self._stored(campaign_id)
        periods = []
        for period in stored.campaign.periods:
            kept = stored.periods[period.index]
            closed = self._closed(period)
            seed = (self.vault.open(campaign_id, period.index, kept.seed_ciphertext)
                    if closed else None)
            periods.append(PeriodView(
                index=period.index,
                opens=period.opens.isoformat(),
                closes=period.closes.isoformat(),
                commitment=kept.commitment,
                closed=closed,
                seed_hex=seed.hex() if seed is not None else None,
                odds={t.name: f"{t.count}/{period.expected_entries}" for t in period.tiers},
            ))
        return CampaignView(campaign=campaign_to_dict(stored.campaign),
                            created_at=stored.created_at, periods=periods)

    def export(self, campaign_id: str, period_index: int) -> PeriodExport:
        """A closed period in the file format ``scripts/lottery_replay.py`` reads."""
        stored = self._stored(campaign_id)
        try:
            period = stored.campaign.period(period_index)
        except CampaignError as error:
            raise errors.NotFound(error.reason) from None
        if not self._closed(period):
            raise errors.StateChanged(f"period {period_index} closes on {period.closes}; its "
                                      "seed and draws are published the day after")
        kept = stored.periods[period_index]
        seed = self.vault.open(campaign_id, period_index, kept.seed_ciphertext)
        records = self.repository.period_records(campaign_id, period_index)
        return PeriodExport(
            campaign=campaign_to_dict(stored.campaign),
            period_index=period_index,
            seed_hex=seed.hex(),
            commitment=kept.commitment,
            records=[record_to_dict(r) for r in records],
        )

    def _open_campaign(self, region_code: str, today: date) -> StoredCampaign | None:
        key = (region_code, today.isoformat())
        cached = self._regions.get(key)
        if cached is None or cached[0] < time.monotonic():
            day = today.isoformat()
            ids = [campaign_id for campaign_id, opens, closes
                   in self.repository.region_campaigns(region_code, day)
                   if opens <= day <= closes]
            cached = (time.monotonic() + REGION_CACHE_SECONDS, ids)
            self._regions[key] = cached
        for campaign_id in cached[1]:
            stored = self._campaign(campaign_id)
            if stored is not None:
                return stored
        return None

    # -- the scan ------------------------------------------------------------------------

    def _person(self, principal: Principal) -> str:
        if principal.role != "taxpayer" or not resident_id.is_valid(principal.subject):
            raise errors.Refused("the invoice lottery is for natural persons signed in with their "
                                 "resident ID")
        return principal.subject

    def check(self, principal: Principal, request: ScanRequest, today: date) -> Entry:
        """Every check before the draw; each refusal names its reason (and field)."""
        person = self._person(principal)
        try:
            query = query_from_request(request.invoice_fields())
        except VerifyInputError as error:
            raise errors.Invalid(f"{error.field}: {error.reason}", field=error.field) from None
        if query.code is not None or query.total_fen is None:
            raise errors.Invalid("only fully digitalized invoices (20-digit numbers) enter the "
                                 "lottery", field="number")
        invoice = self.invoices.get(query.number)
        if invoice is None:
            raise errors.NotFound(f"no invoice {query.number}", field="number")
        if invoice.issue_date != query.issue_date.isoformat() \
                or invoice.total_fen != query.total_fen:
            raise errors.Invalid("the issue date or total does not match the invoice",
                                 field="total")
        if invoice.buyer_id != person:
            raise errors.Refused("only the invoice's buyer (by real name) may enter it in the "
                                 "lottery", field="number")
        if invoice.total_fen < 0:
            raise errors.Invalid("a red-letter (credit) invoice does not take part in the "
                                 "lottery: only the sale it corrects could, and that sale is "
                                 "now red-flushed", field="qr" if request.qr else "total")
        if invoice.status != "normal":
            raise errors.Invalid(f"the invoice is {invoice.status.replace('_', '-')}: only a "
                                 "normal invoice enters the lottery", field="number")
        stored = self._open_campaign(invoice.number[2:4], today)
        if stored is None:
            raise errors.Invalid(f"no lottery campaign is open in region {invoice.number[2:4]} "
                                 f"on {today}", field="number")
        try:
            period = check_entry(
                stored.campaign, invoice_type=invoice.type, invoice_number=invoice.number,
                amount_fen=invoice.total_fen, issued_on=date.fromisoformat(invoice.issue_date),
                scanned_on=today, draws_today=0, draws_this_month=0)
        except NotEligible as error:
            raise errors.Invalid(error.reason, field="number",
                                 extra={"campaign_id": stored.campaign.id}) from None
        return Entry(stored, period, invoice, person, draw_office(person),
                     request.payout.method, request.payout.account)

    def scan(self, principal: Principal, request: ScanRequest) -> DrawView:
        """Draw an eligible invoice once and answer at once (see the module doc)."""
        now = self.now()
        today = business_date(now)
        entry = self.check(principal, request, today)
        campaign = entry.campaign.campaign
        kept = entry.campaign.periods[entry.period.index]
        seed = self.vault.open(campaign.id, entry.period.index, kept.seed_ciphertext)
        drawn = draw.draw(seed, campaign.id, entry.period, entry.invoice.number)
        counters = Counters(
            person=entry.person, campaign_id=campaign.id,
            day=today.isoformat(), month=f"{today:%Y-%m}",
            daily_limit=campaign.per_person_daily, monthly_limit=campaign.per_person_monthly,
            day_expires=int((_midnight_after(today) + timedelta(days=DAY_TTL_DAYS)).timestamp()),
            month_expires=int((_month_after(today) + timedelta(days=MONTH_TTL_DAYS)).timestamp()),
        )
        try:
            drawn_before, today_count, month_count = self.repository.precheck(
                entry.invoice.number, counters)
            if drawn_before:
                raise AlreadyDrawn(entry.invoice.number)
            if today_count >= campaign.per_person_daily:
                raise LimitReached("day")
            if month_count >= campaign.per_person_monthly:
                raise LimitReached("month")
            drawn = self._write(drawn, entry, kept, counters, now)
        except LimitReached as limit:
            if limit.scope == "day":
                until = _midnight_after(today)
                detail = f"you have drawn {campaign.per_person_daily} invoices today, the limit"
            else:
                until = _month_after(today)
                detail = (f"you have drawn {campaign.per_person_monthly} invoices in "
                          f"{today:%Y-%m}, the limit")
            retry = max(1, int((until - now).total_seconds()) + 1)
            raise errors.LimitReached(detail, retry_after=retry) from None
        return scan_answer(drawn, entry.invoice.number, entry.method, entry.account,
                           kept.commitment, now)

    @staticmethod
    def _new(drawn: draw.Draw, entry: Entry, now: datetime) -> NewDraw:
        return NewDraw(drawn, entry.invoice.number, entry.person, entry.tax_office,
                       entry.method, entry.account, now.astimezone(UTC).isoformat())

    def _write(self, drawn: draw.Draw, entry: Entry, kept: StoredPeriod,
               counters: Counters, now: datetime) -> draw.Draw:
        """Write the draw; a win takes a prize from a random shard with one left, trying
        the others when a shard runs out meanwhile; all empty → sold out, never oversold."""
        if drawn.result == WON and drawn.tier is not None:
            tier = drawn.tier.name
            left = self.repository.stock(drawn.campaign_id, drawn.period_index, tier,
                                         kept.shards[tier])
            candidates = [shard for shard, remaining in left.items() if remaining > 0]
            self.rng.shuffle(candidates)
            for shard in candidates:
                try:
                    self.repository.write_draw(self._new(drawn, entry, now), counters,
                                               (tier, shard))
                except ShardEmpty:
                    continue
                return drawn
            drawn = drawn.mark_sold_out()
        self.repository.write_draw(self._new(drawn, entry, now), counters, None)
        return drawn

    # -- reading a draw ------------------------------------------------------------------

    def draw_view(self, principal: Principal, number: str) -> DrawView:
        """The draw and its payout, for the person who drew it, an officer of that person's
        tax office (403 for another office's) and admins; anyone else is told it does not
        exist (see the module doc)."""
        stored = self.repository.get_draw(number, consistent=True)
        own = stored is not None and principal.role == "taxpayer" \
            and principal.subject == stored.person
        if stored is None or (principal.role not in ("admin", "officer") and not own):
            raise errors.NotFound(f"no draw of invoice {excerpt(number)}")
        ensure_can_reach_taxpayer(principal, stored.person, stored_office(stored))
        return draw_answer(stored)


def draw_office(person: str) -> str:
    """The tax office a draw belongs to: the office of the person who drew it (module doc)."""
    return prefecture_office(person)


def stored_office(stored: StoredDraw) -> str:
    """The office written on the draw at scan time; for a draw written before draws carried
    one, the same rule applied to its person."""
    return stored.tax_office or draw_office(stored.person)
