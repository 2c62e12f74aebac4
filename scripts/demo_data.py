"""Demo data for the local stack: registered taxpayers and one identity per role.

The companies are fictional; their credit codes are computed with the
GB 32100-2015 check character, except one whose check character is wrong on
purpose: real registered codes like that exist (FACTS.md §1), and the public
check must report them as registered with an invalid checksum.
"""

from __future__ import annotations

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
