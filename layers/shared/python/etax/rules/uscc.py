"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (digits and capital letters
without I, O, Z, S, V):

====  ===========================================================
pos   meaning
====  ===========================================================
1     registration-authority code (1 机构编制 … 9 工商, A, N, Y)
2     entity-type code within that authority (91 = enterprise)
3-8   region code of the registering authority (GB/T 2260)
9-17  subject identifier = the old organization code (GB 11714)
18    check character (GB/T 17710 style, modulus 31)
====  ===========================================================

The check character: weights ``W_i = 3^(i-1) mod 31`` for positions 1-17,
``C18 = 31 - (Σ C_i·W_i mod 31)``, 31 becoming 0, mapped back through the
alphabet. Example from the standard: ``91350100M000100Y43`` is valid;
``91350100M000100Y4Z`` is not (the computed check character is ``3``).

Real, registered codes exist whose check character is wrong (sources.md#uscc), so
this module separates *well-formed* (a :class:`MalformedCode` is raised) from
*checksum-valid* (reported, never raised): callers decide what a checksum
failure means for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from etax.rules.refusal import Refusal

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商(市场监管)",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

ENTITY_TYPES = {
    "11": "机关",
    "12": "事业单位",
    "13": "群团组织",
    "19": "其他(机构编制)",
    "21": "外国常住新闻机构",
    "29": "其他(外交)",
    "31": "律师执业机构",
    "32": "公证处",
    "33": "基层法律服务所",
    "34": "司法鉴定机构",
    "35": "仲裁委员会",
    "39": "其他(司法行政)",
    "41": "外国在华文化中心",
    "49": "其他(文化)",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "54": "村民委员会",
    "55": "居民委员会",
    "59": "其他(民政)",
    "61": "外国旅游部门常驻代表机构",
    "62": "港澳台地区旅游部门常驻内地(大陆)代表机构",
    "69": "其他(旅游)",
    "71": "宗教活动场所",
    "72": "宗教院校",
    "79": "其他(宗教)",
    "81": "基层工会",
    "89": "其他(工会)",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "A1": "军队事业单位",
    "A9": "其他(中央军委改革和编制办公室)",
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "其他(农业)",
    "Y1": "其他",
}


class MalformedCode(Refusal):
    """The text cannot be a credit code at all; ``reason`` says why, in plain words."""


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A well-formed credit code, split into its parts, with its checksum verdict."""

    code: str
    registration_authority: str
    entity_type: str
    region_code: str
    organization_code: str
    check_character: str
    expected_check_character: str
    authority_name: str | None
    entity_type_name: str | None

    @property
    def checksum_valid(self) -> bool:
        return self.check_character == self.expected_check_character

    @property
    def checksum_reason(self) -> str | None:
        """Why the checksum fails, or None when it holds."""
        if self.checksum_valid:
            return None
        return (
            f"check character is {self.check_character!r}, "
            f"but positions 1-17 give {self.expected_check_character!r}"
        )

    @property
    def warnings(self) -> list[str]:
        """Parts that are well-formed but not in the published code lists."""
        found = []
        if self.authority_name is None:
            found.append(
                f"registration-authority code {self.registration_authority!r} "
                "is not a published one"
            )
        elif self.entity_type_name is None:
            found.append(
                f"entity-type code {self.registration_authority + self.entity_type!r} "
                "is not a published one"
            )
        return found


def normalize(text: str) -> str:
    """Upper-case and strip surrounding and inner spaces, as people type codes."""
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    """The check character for the first seventeen characters (already validated)."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def parse(text: str) -> CreditCode:
    """Parse a credit code; raise :class:`MalformedCode` if it is not one.

    Positions 1-17 must come from the alphabet; position 18 may be any letter
    or digit: a wrong check character is a checksum failure, reported on the
    result, not a malformed code.
    """
    code = normalize(text)
    if len(code) != LENGTH:
        raise MalformedCode(f"a credit code has {LENGTH} characters, this one has {len(code)}")
    for position, ch in enumerate(code[:17], start=1):
        if ch not in _VALUES:
            raise MalformedCode(
                f"character {ch!r} at position {position} is not allowed "
                f"(only digits and capital letters other than I, O, Z, S, V)"
            )
    last = code[17]
    if not (last.isascii() and last.isalnum()):
        raise MalformedCode(f"character {last!r} at position 18 is not a letter or digit")
    authority = code[0]
    entity = code[:2]
    return CreditCode(
        code=code,
        registration_authority=authority,
        entity_type=code[1],
        region_code=code[2:8],
        organization_code=code[8:17],
        check_character=last,
        expected_check_character=check_character(code[:17]),
        authority_name=REGISTRATION_AUTHORITIES.get(authority),
        entity_type_name=ENTITY_TYPES.get(entity),
    )


def is_valid(text: str) -> bool:
    """True when the text is a well-formed code with a correct check character."""
    try:
        return parse(text).checksum_valid
    except MalformedCode:
        return False


def complete(first17: str) -> str:
    """Append the check character to seventeen characters (for fixtures and tools)."""
    head = normalize(first17)
    if len(head) != 17 or any(ch not in _VALUES for ch in head):
        raise MalformedCode("need exactly 17 characters from the credit-code alphabet")
    return head + check_character(head)
