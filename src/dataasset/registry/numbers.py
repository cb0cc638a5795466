"""Registration numbers (登记编号) of certificates (登记凭证). Pure.

Scheme, 19 characters::

    ZC 430100 2026 000001 7
    │  │      │    │      └ check character: ISO 7064 MOD 37,36 over the first 18 (0-9, A-Z)
    │  │      │    └ sequence within kind, region and year (6 digits, from 000001)
    │  │      └ year of issue
    │  └ 行政区划代码 of the registering organisation's region (GB/T 2260, 6 digits)
    └ kind: GG 公共数据资源登记, ZC 数据资产登记, CP 数据产品/交易登记, ZQ 数据知识产权登记 (recorded)

The check character catches every single wrong character and all but a few swaps of two neighbours
(ISO 7064's hybrid system; 0.16% of swaps slip through on the test's numbers), so a mistyped or
forged number is refused before any lookup (``parse`` raises :class:`NumberError`); a number that
passes is then looked up, and one the platform never issued is reported as not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

from dataasset.core.codes import CodeError, validate_region_code

KINDS: dict[str, str] = {
    "public_resource": "GG",  # 公共数据资源登记
    "data_asset": "ZC",  # 数据资产登记
    "data_product": "CP",  # 数据产品/交易登记
    "ip": "ZQ",  # 数据知识产权登记 (obtained elsewhere, recorded here)
}
KIND_LABELS = {
    "public_resource": "公共数据资源登记",
    "data_asset": "数据资产登记",
    "data_product": "数据产品/交易登记",
    "ip": "数据知识产权登记",
}
_BY_CODE = {code: kind for kind, code in KINDS.items()}
_SHAPE = re.compile(r"([A-Z]{2})(\d{6})(\d{4})(\d{6})([0-9A-Z])")
MAX_SEQUENCE = 999_999


class NumberError(ValueError):
    """Not a registration number of this platform; ``code`` is a machine code, the message Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RegistrationNumber:
    kind: str
    region: str
    year: int
    sequence: int

    @property
    def text(self) -> str:
        body = f"{KINDS[self.kind]}{self.region}{self.year:04d}{self.sequence:06d}"
        return body + mod_37_36.calc_check_digit(body)

    def __str__(self) -> str:
        return self.text


def make(kind: str, region: str, year: int, sequence: int) -> RegistrationNumber:
    if kind not in KINDS:
        raise NumberError("kind", f"未知的登记类别 {kind}")
    try:
        validate_region_code(region)
    except CodeError as exc:
        raise NumberError("region", exc.message) from None
    if not 2000 <= year <= 9999:
        raise NumberError("year", f"年份 {year} 不合理")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise NumberError("sequence", f"序号应在 1 到 {MAX_SEQUENCE:,} 之间")
    return RegistrationNumber(kind, region, year, sequence)


def parse(text: str) -> RegistrationNumber:
    """A registration number from its text (spaces and dashes ignored, letters upper-cased)."""
    compact = re.sub(r"[\s\-]", "", text or "").upper()
    match = _SHAPE.fullmatch(compact)
    if match is None:
        raise NumberError(
            "format", "登记编号应为 19 位：2 位类别 + 6 位行政区划代码 + 4 位年份 + 6 位序号 + 1 位校验码"
        )
    code, region, year, sequence, _check = match.groups()
    if code not in _BY_CODE:
        raise NumberError("kind", f"登记编号的类别“{code}”不存在（应为 {'、'.join(_BY_CODE)}）")
    if not mod_37_36.is_valid(compact):
        raise NumberError("checksum", "登记编号的校验码不符：编号有误或系伪造")
    return make(_BY_CODE[code], region, int(year), int(sequence))
