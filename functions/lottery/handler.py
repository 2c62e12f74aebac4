"""The instant invoice lottery (plan action C11): campaigns (admin creates, anyone reads,
closed periods exported for replay), the scan (an instant draw for the invoice's buyer) and
the person's view of a draw and its payout."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.invoices.facts import InvoiceFactsReader
from etax.lottery.repository import LotteryRepository
from etax.lottery.requests import CampaignRequest, ScanRequest
from etax.lottery.results import CampaignView, DrawView, PeriodExport
from etax.lottery.seeds import SeedVault
from etax.lottery.service import LotteryService
from etax.platform.api import declares, json_body, make_resolver, validate_body
from etax.platform.auth import Principal, caller, require_principal
from etax.platform.aws import lazy
from etax.platform.errors import NotFound
from etax.platform.observability import business, instrument
from etax.platform.once import Once
from etax.platform.settings import required
from etax.rules.text import excerpt

app = make_resolver()
once = Once(app)
vault = SeedVault(lazy("kms"), required("LOTTERY_SEED_KEY_ID"))
service = LotteryService(LotteryRepository(), InvoiceFactsReader(), vault)


@app.post("/v1/lottery/campaigns")
def create_campaign() -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event, "admin")
    body = json_body(app)
    return once(principal, "POST /v1/lottery/campaigns", body,
                lambda: service.create_campaign(
                    principal, validate_body(body, CampaignRequest).campaign)), 201


@app.get("/v1/lottery/campaigns/<campaign_id>")
def campaign(campaign_id: str) -> CampaignView:
    return service.campaign_view(campaign_id)


@app.get("/v1/lottery/campaigns/<campaign_id>/periods/<index>/export")
def export(campaign_id: str, index: str) -> PeriodExport:
    if not (index.isascii() and index.isdigit() and len(index) <= 4):
        raise NotFound(f"no period {excerpt(index)}", field="index")
    return service.export(campaign_id, int(index))


@app.post("/v1/lottery/scan")
@declares(problems=(404,))  # no such invoice
def scan() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/lottery/scan", ScanRequest, drawn, "taxpayer")


def drawn(principal: Principal, request: ScanRequest) -> DrawView:
    """The scan's draw, written (a replay of the same key is answered without it), counted."""
    answer = service.scan(principal, request)
    business("LotteryDraws", dimension=answer.result)
    return answer


@app.get("/v1/lottery/draws/<number>")
def draw(number: str) -> DrawView:
    return service.draw_view(caller(app), number)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
