"""Pure checks of the codes Chinese records carry: 统一社会信用代码 (GB 32100) and 行政区划代码 (GB/T 2260).

No I/O, no clock: these take values and return values.
"""

from __future__ import annotations

import re

from stdnum.cn import uscc as _uscc

# GB 32100-2015 alphabet (digits and capitals without I, O, Z, S, V).
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(rf"^[{_USCC_CHARS}]{{2}}\d{{6}}[{_USCC_CHARS}]{{10}}$")

# Two-digit province-level prefixes of GB/T 2260.
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


class CodeError(ValueError):
    """A code failed its check; ``message`` is Chinese and names what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    return str(_uscc.calc_check_digit(first17))


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise :class:`CodeError` saying why it is wrong."""
    number = value.strip().upper().replace(" ", "").replace("-", "")
    if len(number) != 18:
        raise CodeError("uscc_length", f"统一社会信用代码应为18位，实际为{len(number)}位")
    if not _USCC_RE.match(number):
        raise CodeError(
            "uscc_format",
            "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V），或第3至8位不是行政区划代码",
        )
    expected = uscc_check_char(number[:17])
    if number[17] != expected:
        raise CodeError("uscc_checksum", f"统一社会信用代码校验位错误：应为 {expected}，实际为 {number[17]}")
    return number


def validate_region_code(value: str) -> str:
    """Return a valid 6-digit 行政区划代码 or raise :class:`CodeError`."""
    code = value.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise CodeError("region_format", "行政区划代码应为6位数字")
    if code[:2] not in PROVINCES:
        raise CodeError("region_province", f"行政区划代码前两位 {code[:2]} 不是有效的省级代码")
    if code[2:4] == "00" and code[4:] != "00":
        raise CodeError("region_format", "行政区划代码不合法：市级为00时县级也应为00")
    return code


def region_prefix(code: str) -> str:
    """The jurisdiction prefix of a region: 430000 → 43, 430100 → 4301, 430102 → 430102."""
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code
