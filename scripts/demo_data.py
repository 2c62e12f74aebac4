"""Demo data for the local stack: registered taxpayers and one identity per role.

The companies are fictional; their credit codes are computed with the
GB 32100-2015 check character, except one whose check character is wrong on
purpose: real registered codes like that exist (sources.md#uscc), and the public
check must report them as registered with an invalid checksum.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

FUZHOU_OFFICE = {"tax_office_code": "13501000000", "tax_office_name": "国家税务总局福州市税务局"}
XIAMEN_OFFICE = {"tax_office_code": "13502000000", "tax_office_name": "国家税务总局厦门市税务局"}

# The standard's own worked example (valid check character 3).
SELLER_CODE = "91350100M000100Y43"
# Fictional companies, check characters computed (scripts: etax.rules.uscc.complete).
RETAILER_CODE = "91350100MA2Y8KXX1B"
CANCELLED_CODE = "91350200MA31BNQ576"
# Registered, but its check character is wrong (as some real codes are).
BAD_CHECKSUM_CODE = "91350211M0000XUF46"

NATURAL_PERSON_ID = "350102199003071234"

REGISTRY: list[dict[str, Any]] = [
    {
        "credit_code": SELLER_CODE,
        "name": "福州闽江示例科技有限公司",
        "status": "active",
        "registration_date": "2016-03-01",
        **FUZHOU_OFFICE,
        "taxpayer_type": "general",
        "legal_representative": "林晓明",
        "address": "福建省福州市鼓楼区五四路示例大厦18层",
        "industry": "软件和信息技术服务业",
        "revision": 1,
    },
    {
        "credit_code": RETAILER_CODE,
        "name": "福州三坊七巷示例百货有限公司",
        "status": "active",
        "registration_date": "2019-07-15",
        **FUZHOU_OFFICE,
        "taxpayer_type": "small_scale",
        "legal_representative": "陈雅琴",
        "address": "福建省福州市鼓楼区南后街示例号",
        "industry": "零售业",
        "revision": 1,
    },
    {
        "credit_code": CANCELLED_CODE,
        "name": "厦门鹭岛示例贸易有限公司",
        "status": "cancelled",
        "registration_date": "2018-01-09",
        **XIAMEN_OFFICE,
        "taxpayer_type": "small_scale",
        "legal_representative": "黄志强",
        "address": "福建省厦门市思明区示例路8号",
        "industry": "批发业",
        "revision": 3,
    },
    {
        "credit_code": BAD_CHECKSUM_CODE,
        "name": "厦门云端示例航空科技有限公司",
        "status": "active",
        "registration_date": "2017-05-20",
        **XIAMEN_OFFICE,
        "taxpayer_type": "general",
        "legal_representative": "吴海峰",
        "address": "福建省厦门市湖里区示例路99号",
        "industry": "航空运输业",
        "revision": 1,
    },
]

IDENTITIES: list[dict[str, Any]] = [
    {
        "role": "taxpayer",
        "subject": SELLER_CODE,
        "description": "seller company (general VAT taxpayer, Fuzhou); issuing quota 1,000,000.00 "
                       "yuan a month",
        "issuing_quota": "1000000.00",
    },
    {
        "role": "taxpayer",
        "subject": NATURAL_PERSON_ID,
        "description": "natural-person buyer (resident ID)",
    },
    {
        "role": "officer",
        "subject": "officer-fz-0001",
        "tax_office": FUZHOU_OFFICE["tax_office_code"],
        "description": "tax officer of the Fuzhou tax office",
    },
    {"role": "partner", "subject": "bank-minjiang-demo", "description": "partner bank"},
    {"role": "developer", "subject": "dev-appsquare-0001", "description": "app square developer"},
    {"role": "admin", "subject": "admin-0001", "description": "platform administrator"},
]


def lottery_campaign(today: date) -> dict[str, Any]:
    """The demo lottery of Fujian (region 35), in ``campaign_to_dict`` form: period 1 runs
    from ``today`` (an Asia/Shanghai date) for two weeks, period 2 the two weeks after.

    Small and friendly to demos: 800 × 5, 300 × 15 and 50 × 180 prizes for 1,000
    expected uploads per period, so about one scan in five wins; 数电普票 of at least
    100 yuan; 2 draws a day and 20 a month per person (Ningbo's limits, sources.md#lottery).
    """
    tiers = [{"name": "800-yuan", "amount_yuan": "800.00", "count": 5},
             {"name": "300-yuan", "amount_yuan": "300.00", "count": 15},
             {"name": "50-yuan", "amount_yuan": "50.00", "count": 180}]
    return {
        "id": f"fujian-demo-{today:%Y%m%d}",
        "name": "福建有奖发票（演示）",
        "region": "35",
        "min_amount_yuan": "100.00",
        "eligible_types": ["32"],
        "per_person_daily": 2,
        "per_person_monthly": 20,
        "periods": [
            {"index": 1, "opens": today.isoformat(),
             "closes": (today + timedelta(days=13)).isoformat(),
             "expected_entries": 1000, "tiers": tiers},
            {"index": 2, "opens": (today + timedelta(days=14)).isoformat(),
             "closes": (today + timedelta(days=27)).isoformat(),
             "expected_entries": 1000, "tiers": tiers},
        ],
    }


# The open data's demo month: synthetic enterprises (region, industry, how many), enough in
# some cells to be shown and few in others to be withheld (docs/open-data.md).
OPEN_DATA_GROUPS = (
    ("350100", "软件和信息技术服务业", 16), ("350100", "零售业", 14), ("350100", "批发业", 12),
    ("350200", "零售业", 6), ("350200", "餐饮业", 13), ("350100", "航空运输业", 2),
    ("440100", "软件和信息技术服务业", 18), ("440100", "零售业", 15), ("440100", "批发业", 4),
    ("110100", "软件和信息技术服务业", 20), ("110100", "批发业", 11),
)
OPEN_DATA_DAYS = (2, 10, 15, 20)  # registrations, invoices, payments, invoices


def open_data_events(month: str) -> list[dict[str, Any]]:
    """The bus events of the open data's demo month (``YYYY-MM``), as the archive receives
    them: each enterprise registered, two invoices, one VAT payment. The same month gives
    the same events (ids included), so seeding twice archives nothing new."""
    import random
    import uuid
    from datetime import UTC, datetime

    from etax.rules import uscc

    chooser = random.Random(f"open-data-{month}")  # noqa: S311 (synthetic demo data)
    year, number = int(month[:4]), int(month[5:])

    def at(day: int, minute: int) -> str:
        return datetime(year, number, day, 2, minute % 60, tzinfo=UTC).isoformat()

    def event(kind: str, source: str, time: str, detail: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(uuid.UUID(int=chooser.getrandbits(128))), "source": source,
                "detail-type": kind, "time": time.replace("+00:00", "Z"), "detail": detail}

    events = []
    for region, industry, count in OPEN_DATA_GROUPS:
        office = f"1{region}0000"
        for n in range(count):
            code = uscc.complete(f"91{region}" + "".join(
                chooser.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9)))
            events.append(event("RegistrationChanged", "tax.registration", at(2, n), {
                "credit_code": code, "status": "active", "tax_office_code": office,
                "taxpayer_type": chooser.choice(["general", "small_scale"]),
                "industry": industry, "revision": 1}))
            scale = 20 if industry == "航空运输业" else 1
            for day in (10, 20):
                total = chooser.randint(5_000, 2_000_000) * scale
                events.append(event("InvoiceIssued", "tax.invoices", at(day, n), {
                    "number": str(chooser.randint(10 ** 19, 10 ** 20 - 1)), "type": "81",
                    "issue_date": f"{month}-{day:02d}", "seller_credit_code": code,
                    "buyer_id": None, "total_fen": total, "amount_fen": total * 100 // 113,
                    "channel": "web"}))
            events.append(event("PaymentConfirmed", "tax.filing", at(15, n), {
                "payment_id": str(uuid.UUID(int=chooser.getrandbits(128))),
                "obligation_id": str(uuid.UUID(int=chooser.getrandbits(128))),
                "taxpayer": code, "tax_type": "vat", "period": month,
                "amount_fen": chooser.randint(1_000, 300_000), "method": "bank_transfer",
                "confirmed_at": at(15, n), "office": office}))
    return events


def open_data_month(today: date) -> str:
    """The demo month: two months back, closed whatever the day (docs/open-data.md)."""
    return (today.replace(day=1) - timedelta(days=32)).replace(day=1).isoformat()[:7]
