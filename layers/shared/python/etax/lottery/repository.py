"""DynamoDB access for the lottery (keys and access patterns: :mod:`etax.lottery`).

The low-level client, as in :mod:`etax.invoices.repository`: the scan is one
``TransactWriteItems`` whose cancellation reasons say which invariant held the
draw back (drawn before, a limit, an empty shard), and that needs exact
expressions and positions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from etax.lottery import EXPORT_SHARDS
from etax.lottery.campaign_codec import campaign_from_dict, campaign_to_dict
from etax.lottery.campaigns import Campaign
from etax.lottery.errors import AlreadyDrawn, CampaignExists, LimitReached, ShardEmpty
from etax.lottery.records import WON, DrawRecord
from etax.lottery.stored import (
    FAILED,
    NONE,
    PAID,
    PENDING,
    Counters,
    NewDraw,
    StoredCampaign,
    StoredDraw,
    StoredPeriod,
    draw_id,
)
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import (
    applied,
    batch_put,
    int_attr,
    pages,
    table_name,
    text_attr,
    transact,
)

BATCH_ATTEMPTS = 8


def shard_split(count: int, shards: int) -> list[int]:
    """``count`` prizes split exactly over ``shards``: the first ``count % shards`` get one more."""
    base, extra = divmod(count, shards)
    return [base + (1 if i < extra else 0) for i in range(shards)]


def export_shard(number: str) -> int:
    """The ``by_period`` index partition of an invoice: stable, spread evenly."""
    return hashlib.sha256(number.encode("ascii")).digest()[0] % EXPORT_SHARDS


def period_key(campaign_id: str, period_index: int, shard: int) -> str:
    return f"{campaign_id}#{period_index}#{shard}"


def stock_key(campaign_id: str, period_index: int, tier: str, shard: int) -> dict[str, Any]:
    return {"pk": {"S": f"stock#{campaign_id}#{period_index}#{tier}#{shard}"},
            "sk": {"S": "stock"}}




def draw_item(new: NewDraw) -> dict[str, Any]:
    """The draws table's item of a new draw (a prize to pay is ``pending``)."""
    drawn, number, at = new.drawn, new.number, new.at
    item: dict[str, Any] = {
        "number": {"S": number},
        "draw_id": {"S": draw_id(drawn.campaign_id, drawn.period_index, number)},
        "campaign_id": {"S": drawn.campaign_id},
        "period_index": {"N": str(drawn.period_index)},
        "period_key": {"S": period_key(drawn.campaign_id, drawn.period_index,
                                       export_shard(number))},
        "value_hex": {"S": drawn.value_hex},
        "result": {"S": drawn.result},
        "drawn_at": {"S": at},
        "person": {"S": new.person},
        "tax_office": {"S": new.tax_office},
        "prize_fen": {"N": str(drawn.prize_fen)},
        "payout_state": {"S": PENDING if drawn.result == WON else NONE},
        "payout_attempts": {"N": "0"},
        "updated_at": {"S": at},
    }
    if drawn.tier is not None:
        item["tier"] = {"S": drawn.tier.name}
    if drawn.result == WON:
        item["payout_method"] = {"S": new.method}
        item["payout_account"] = {"S": new.account}
    return item


def record_from_item(item: dict[str, Any]) -> DrawRecord:
    """The auditable part of a draw item (also all the export index projects)."""
    return DrawRecord(
        campaign_id=item["campaign_id"]["S"],
        period_index=int(item["period_index"]["N"]),
        invoice_number=item["number"]["S"],
        value_hex=item["value_hex"]["S"],
        tier=text_attr(item, "tier"),
        result=item["result"]["S"],
        drawn_at=datetime.fromisoformat(item["drawn_at"]["S"]),
    )


def draw_from_item(item: dict[str, Any]) -> StoredDraw:
    record = record_from_item(item)
    return StoredDraw(
        number=record.invoice_number,
        draw_id=item["draw_id"]["S"],
        record=record,
        person=item["person"]["S"],
        prize_fen=int_attr(item, "prize_fen"),
        payout_state=item["payout_state"]["S"],
        payout_method=text_attr(item, "payout_method"),
        payout_account=text_attr(item, "payout_account"),
        payout_attempts=int_attr(item, "payout_attempts"),
        paid_at=text_attr(item, "paid_at"),
        failed_at=text_attr(item, "failed_at"),
        provider_ref=text_attr(item, "provider_ref"),
        last_error=text_attr(item, "last_error"),
        updated_at=item["updated_at"]["S"],
        tax_office=text_attr(item, "tax_office"),
    )


class LotteryRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("LOTTERY_TABLE")
        self.draws = table_name("LOTTERY_DRAWS_TABLE")

    # -- campaigns -----------------------------------------------------------------------

    def create_campaign(self, campaign: Campaign, periods: Sequence[StoredPeriod], *,
                        created_by: str, created_at: str) -> None:
        """The campaign, its periods and its region entry in one transaction (the campaign
        must not exist), then every inventory shard (BatchWriteItem, retried until done).

        The shards are written after the transaction so that a taken campaign id never
        overwrites another campaign's inventory; a scan finding a shard not yet written
        sees it as empty (a sold-out, never an oversell) for the milliseconds it takes.
        """
        pk = {"S": f"campaign#{campaign.id}"}
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table,
                     "Item": {"pk": pk, "sk": {"S": "campaign"},
                              "doc": {"S": json.dumps(campaign_to_dict(campaign),
                                                      ensure_ascii=False)},
                              "created_by": {"S": created_by},
                              "created_at": {"S": created_at}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self.table,
                     "Item": {"pk": {"S": f"region#{campaign.region}"},
                              "sk": {"S": f"{campaign.closes.isoformat()}#{campaign.id}"},
                              "campaign_id": {"S": campaign.id},
                              "opens": {"S": campaign.opens.isoformat()},
                              "closes": {"S": campaign.closes.isoformat()}}}},
        ]
        for period in periods:
            actions.append({"Put": {"TableName": self.table, "Item": {
                "pk": pk, "sk": {"S": f"period#{period.index:04d}"},
                "seed_ct": {"B": period.seed_ciphertext},
                "commitment": {"S": period.commitment},
                "shards": {"M": {k: {"N": str(v)} for k, v in period.shards.items()}},
            }}})
        transact(self.db, actions, {0: lambda: CampaignExists(campaign.id)})
        stock: list[dict[str, Any]] = []
        for period in periods:
            for tier in campaign.period(period.index).tiers:
                split = shard_split(tier.count, period.shards[tier.name])
                for shard, remaining in enumerate(split):
                    stock.append({**stock_key(campaign.id, period.index, tier.name, shard),
                                  "remaining": {"N": str(remaining)},
                                  "initial": {"N": str(remaining)}})
        try:
            batch_put(self.db, self.table, stock, attempts=BATCH_ATTEMPTS)
        except RuntimeError:
            raise RuntimeError("inventory shards not written after retries; create again") from None

    def campaign(self, campaign_id: str) -> StoredCampaign | None:
        """The campaign and its periods: one Query on the campaign's partition."""
        items = [item for answer in pages(
            self.db, "query", TableName=self.table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"campaign#{campaign_id}"}})
            for item in answer.get("Items", [])]
        head = next((i for i in items if i["sk"]["S"] == "campaign"), None)
        if head is None:
            return None
        campaign = campaign_from_dict(json.loads(head["doc"]["S"]))
        periods = {}
        for item in items:
            if item["sk"]["S"].startswith("period#"):
                index = int(item["sk"]["S"].removeprefix("period#"))
                periods[index] = StoredPeriod(
                    index=index,
                    commitment=item["commitment"]["S"],
                    seed_ciphertext=bytes(item["seed_ct"]["B"]),
                    shards={k: int(v["N"]) for k, v in item["shards"]["M"].items()},
                )
        return StoredCampaign(campaign, periods, head["created_at"]["S"])

    def region_campaigns(self, region_code: str, day: str) -> list[tuple[str, str, str]]:
        """(id, opens, closes) of a region's campaigns not closed before ``day``: one Query."""
        answer = self.db.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk >= :day",
            ExpressionAttributeValues={":pk": {"S": f"region#{region_code}"},
                                       ":day": {"S": day}},
        )
        return [(i["campaign_id"]["S"], i["opens"]["S"], i["closes"]["S"])
                for i in answer.get("Items", [])]

    # -- inventory -----------------------------------------------------------------------

    def stock(self, campaign_id: str, period_index: int, tier: str,
              shards: int) -> dict[int, int]:
        """Prizes left per shard (one BatchGetItem, eventually consistent: the count only
        goes down, so a stale read may show a prize already gone, never hide one left)."""
        keys = [stock_key(campaign_id, period_index, tier, n) for n in range(shards)]
        left: dict[int, int] = {}
        request: dict[str, Any] = {self.table: {"Keys": keys}}
        for attempt in range(BATCH_ATTEMPTS):
            answer = self.db.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(self.table, []):
                shard = int(item["pk"]["S"].rsplit("#", 1)[1])
                left[shard] = int(item["remaining"]["N"])
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.02 * 2 ** attempt)
        return left

    # -- the scan ------------------------------------------------------------------------

    def precheck(self, number: str, counters: Counters) -> tuple[bool, int, int]:
        """(drawn before, draws today, draws this month): ONE BatchGetItem over both tables.

        Read before the transaction so that a repeated scan or a person over a limit is
        answered without a cancelled transaction (which DynamoDB bills like a written one);
        the transaction's conditions stay the guarantee when two scans race.
        """
        person = {"S": f"count#{counters.person}#{counters.campaign_id}"}
        request: dict[str, Any] = {
            self.draws: {"Keys": [{"number": {"S": number}}], "ProjectionExpression": "#n",
                         "ExpressionAttributeNames": {"#n": "number"}},
            self.table: {"Keys": [{"pk": person, "sk": {"S": f"day#{counters.day}"}},
                                  {"pk": person, "sk": {"S": f"month#{counters.month}"}}]},
        }
        drawn, today, month = False, 0, 0
        for attempt in range(BATCH_ATTEMPTS):
            answer = self.db.batch_get_item(RequestItems=request)
            drawn = drawn or bool(answer["Responses"].get(self.draws))
            for item in answer["Responses"].get(self.table, []):
                if item["sk"]["S"].startswith("day#"):
                    today = int_attr(item, "n")
                else:
                    month = int_attr(item, "n")
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.02 * 2 ** attempt)
        return drawn, today, month

    def write_draw(self, new: NewDraw, counters: Counters,
                   shard: tuple[str, int] | None) -> None:
        """The scan's one atomic write (module doc of :mod:`etax.lottery`):

        0. the draw, if the invoice was never drawn;
        1. 2. the person's day and month counters, if under the campaign's limits;
        3. when it wins, one prize off inventory shard ``shard`` = (tier, n), if any is left.

        Raises :class:`AlreadyDrawn`, :class:`LimitReached` or :class:`ShardEmpty`, in that
        order of precedence, when DynamoDB cancels the transaction.
        """
        item = draw_item(new)
        person = {"S": f"count#{counters.person}#{counters.campaign_id}"}
        limit_condition = "attribute_not_exists(n) OR n < :limit"

        def count(sk: str, limit: int, expires: int) -> dict[str, Any]:
            return {"Update": {"TableName": self.table, "Key": {"pk": person, "sk": {"S": sk}},
                               "UpdateExpression": "ADD n :one SET expires_at = :ttl",
                               "ConditionExpression": limit_condition,
                               "ExpressionAttributeValues": {
                                   ":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                   ":ttl": {"N": str(expires)}}}}

        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self.draws, "Item": item,
                     "ConditionExpression": "attribute_not_exists(#n)",
                     "ExpressionAttributeNames": {"#n": "number"}}},
            count(f"day#{counters.day}", counters.daily_limit, counters.day_expires),
            count(f"month#{counters.month}", counters.monthly_limit, counters.month_expires),
        ]
        if shard is not None:
            tier, n = shard
            actions.append({"Update": {
                "TableName": self.table,
                "Key": stock_key(new.drawn.campaign_id, new.drawn.period_index, tier, n),
                "UpdateExpression": "ADD remaining :minus",
                "ConditionExpression": "remaining > :zero",
                "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":zero": {"N": "0"}}}})
        transact(self.db, actions, {0: lambda: AlreadyDrawn(new.number),
                                    1: lambda: LimitReached("day"),
                                    2: lambda: LimitReached("month"), 3: ShardEmpty})

    # -- draws ---------------------------------------------------------------------------

    def get_draw(self, number: str, *, consistent: bool = False) -> StoredDraw | None:
        item = self.db.get_item(TableName=self.draws, Key={"number": {"S": number}},
                                ConsistentRead=consistent).get("Item")
        return draw_from_item(item) if item else None

    def period_records(self, campaign_id: str, period_index: int) -> list[DrawRecord]:
        """Every draw of a period from the ``by_period`` index: one Query per index shard
        (paginated), never a Scan. Sorted by invoice number for a stable file."""
        records: list[DrawRecord] = []
        for shard in range(EXPORT_SHARDS):
            for answer in pages(self.db, "query", TableName=self.draws, IndexName="by_period",
                                KeyConditionExpression="period_key = :key",
                                ExpressionAttributeValues={
                                    ":key": {"S": period_key(campaign_id, period_index, shard)}}):
                records.extend(record_from_item(item) for item in answer.get("Items", []))
        return sorted(records, key=lambda r: r.invoice_number)

    # -- the payout state machine (conditional updates only) -----------------------------

    def _transition(self, number: str, allowed_from: Iterable[str], update: str,
                    values: dict[str, Any], names: dict[str, str] | None = None) -> bool:
        sources = list(allowed_from)
        placeholders = {f":from{i}": {"S": s} for i, s in enumerate(sources)}
        return applied(
            self.db, "update_item",
            TableName=self.draws,
            Key={"number": {"S": number}},
            UpdateExpression=update,
            ConditionExpression=f"payout_state IN ({', '.join(placeholders)})",
            ExpressionAttributeValues={**values, **placeholders},
            **({"ExpressionAttributeNames": names} if names else {}),
        )

    def mark_paid(self, number: str, *, provider_ref: str, paid_at: str) -> bool:
        """pending/failed → paid. False when the draw is not in a payable state (e.g. paid
        already: a repeated message moves nothing)."""
        return self._transition(
            number, (PENDING, FAILED),
            "SET payout_state = :paid, provider_ref = :ref, paid_at = :at, updated_at = :at "
            "ADD payout_attempts :one REMOVE last_error",
            {":paid": {"S": PAID}, ":ref": {"S": provider_ref}, ":at": {"S": paid_at},
             ":one": {"N": "1"}})

    def record_failure(self, number: str, *, error: str, at: str) -> bool:
        """Count a failed attempt (state unchanged), while the draw is still payable."""
        return self._transition(
            number, (PENDING, FAILED),
            "SET last_error = :error, updated_at = :at ADD payout_attempts :one",
            {":error": {"S": error[:500]}, ":at": {"S": at}, ":one": {"N": "1"}})

    def mark_failed(self, number: str, *, at: str) -> bool:
        """pending → failed, when the last delivery before the dead-letter queue failed."""
        return self._transition(
            number, (PENDING,),
            "SET payout_state = :failed, failed_at = :at, updated_at = :at",
            {":failed": {"S": FAILED}, ":at": {"S": at}})
