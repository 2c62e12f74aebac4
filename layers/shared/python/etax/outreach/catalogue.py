"""What a subscription and a mailing are made of, as data: topics, taxpayer types, provinces,
mailing kinds and the per-person frequency cap (docs/sources.md#outreach).

Provinces are the two-digit codes of GB/T 2260 (the first two digits of a resident ID and of a
credit code's division). The platform's tax office codes are ``1`` + the six-digit division of
the office + four digits (``13501000000``: Fuzhou, 350100), so an office's province is its
code's second and third digits.
"""

from __future__ import annotations

from typing import Final

TOPICS: Final[dict[str, str]] = {
    "vat": "增值税", "iit": "个人所得税", "cit": "企业所得税", "invoice": "发票",
    "filing": "申报缴税", "refund": "退税", "credit": "纳税信用", "registration": "登记",
    "vehicle_vessel": "车船税", "departure_refund": "离境退税", "social_insurance": "社保费",
    "policy": "税费优惠政策",
}
TAXPAYER_TYPES: Final[dict[str, str]] = {
    "general": "一般纳税人", "small_scale": "小规模纳税人", "natural_person": "自然人",
}
PROVINCES: Final[dict[str, str]] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏",
    "65": "新疆",
}
KINDS: Final[dict[str, str]] = {"policy": "政策推送", "guide": "办税指引", "reminder": "涉税提醒"}
"""what an officer may send; each is the notification's kind ``outreach.<kind>``"""

WEEKLY_CAP: Final = 3
"""mailings one person receives in an ISO week at most (our choice: the measures name no
figure); one over the cap is not sent to that person and is counted as capped"""

MAX_TOPICS: Final = len(TOPICS)
MAX_PARTITIONS: Final = 200
"""topics × provinces × types of one segment at most (each is one Query)"""


def province_of_office(tax_office: str) -> str | None:
    """The province of a tax office code (its 2nd and 3rd digits), None for a code that is
    not an office of a known province."""
    if len(tax_office) != 11 or not tax_office.isdigit() or tax_office[0] != "1":
        return None
    province = tax_office[1:3]
    return province if province in PROVINCES else None
