"""Detectors of identifiers: 身份证号 (GB 11643), 统一社会信用代码 (GB 32100), 银行卡号 (Luhn),
护照号, 车牌号. The check-digit ones are exact: one wrong digit always fails them."""

from __future__ import annotations

import re
from datetime import date

from dataasset.core.codes import PROVINCES

from .base import NO, SHAPE, VALID, Checker, Detector, Hint, TypeLabel, day_key, valid_birth_date

# ---------------------------------------------------------------- 身份证号 GB 11643-1999

_ID_CHECK = "10X98765432"
# first two digits: a province-level code of GB/T 2260 (11–82), plus 83 of 台湾居民居住证.
# Deliberately no finer birthplace table: codes of merged or renamed counties stay valid on old cards.
_ID_PROVINCES = frozenset(PROVINCES) | {"83"}
_ID18 = re.compile(r"[1-8]\d{16}[\dXx]")


def resident_id_check_char(first17: str) -> str:
    """The MOD 11-2 check character (0–9 or X) of GB 11643 for the first 17 digits.

    The weights are 2^(18-i) mod 11, and 13 ≡ 2 (mod 11), so the weighted sum is congruent to twice
    the digits read as a base-13 number: one C-level ``int()`` instead of a Python loop."""
    return _ID_CHECK[2 * int(first17, 13) % 11]


def _resident_id_check(today_key: int) -> Checker:
    def check(value: str) -> int:
        n = len(value)
        if n == 18:
            if not (value.isdigit() or _ID18.fullmatch(value)) or value[0] in "09":
                return NO
            if value[:2] not in _ID_PROVINCES:
                return SHAPE
            if not valid_birth_date(int(value[6:10]), int(value[10:12]), int(value[12:14]), today_key):
                return SHAPE
            return VALID if resident_id_check_char(value[:17]) == value[17].upper() else SHAPE
        if n == 15:
            # the first-generation card (1984–2004): YYMMDD in the 19xx century, no check digit
            if not value.isdigit() or value[0] in "09":
                return NO
            if value[:2] not in _ID_PROVINCES:
                return SHAPE
            ok = valid_birth_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]), today_key)
            return VALID if ok else SHAPE
        return NO

    return Checker(check, ResidentId.code)


def is_resident_id(value: str, today: date | None = None) -> bool:
    """A 18-digit (check digit, birth date) or 15-digit (birth date) 居民身份证号码."""
    return _resident_id_check(day_key(today or date.today())).check(value.strip()) == VALID


class ResidentId(Detector):
    code = "cn_resident_id"
    label = TypeLabel("身份证号", "resident identity card number")
    method = "GB 11643 校验码、出生日期"

    def checker(self, hint: Hint | None, today: date) -> Checker:
        return _resident_id_check(day_key(today))


# ---------------------------------------------------------------- 统一社会信用代码 GB 32100-2015

_USCC_RE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}", re.IGNORECASE)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# the alphabet's values 0–30 as the digits int() reads in bases up to 36
_USCC_AS_DIGITS = str.maketrans(_USCC_ALPHABET, "0123456789ABCDEFGHIJKLMNOPQRSTU")
# region codes of the 3rd–8th characters: provinces, and 100000 for registrations at the central level
_USCC_REGIONS = frozenset(PROVINCES) | {"10"}


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (as ``dataasset.core.codes`` gives it).

    The weights are 3^i mod 31 (i from the left, 0-based), and 34 ≡ 3 (mod 31), so the weighted sum
    is congruent to the reversed characters read as a base-34 number."""
    total = int(first17.translate(_USCC_AS_DIGITS)[::-1], 34) % 31
    return _USCC_ALPHABET[-total % 31]


def is_uscc(value: str) -> bool:
    return Uscc().check(value.strip()) == VALID


class Uscc(Detector):
    code = "cn_uscc"
    label = TypeLabel("统一社会信用代码", "unified social credit code")
    method = "GB 32100 校验码、登记管理部门、行政区划"

    def check(self, value: str) -> int:
        if len(value) != 18 or not _USCC_RE.fullmatch(value):
            return NO
        value = value.upper()
        if value[0] == "0" or value[2:4] not in _USCC_REGIONS:
            return SHAPE
        return VALID if uscc_check_char(value[:17]) == value[17] else SHAPE


# ---------------------------------------------------------------- 银行卡号 (ISO/IEC 7812, Luhn)

_CARD_RE = re.compile(r"[3-6](?:[ -]?\d){12,18}")
# a digit doubled, its digits summed: always one digit again, so a translation table does it
_DOUBLED = str.maketrans("0123456789", "0246813579")
# plausible lengths for the first digit of the BIN: 3 American Express / JCB / Diners,
# 4 Visa, 5 Mastercard / Maestro, 6 银联 UnionPay (62) / Discover
_CARD_LENGTHS = {
    "3": range(14, 20),
    "4": (13, 16, 19),
    "5": range(16, 20),
    "6": range(16, 20),
}


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812 over a string of digits, check digit last."""
    folded = digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)
    return (sum(folded.encode()) - 48 * len(folded)) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError("unreachable: one of ten digits always completes a Luhn sum")


def is_bank_card(value: str) -> bool:
    return BankCard().check(value.strip()) == VALID


class BankCard(Detector):
    code = "bank_card"
    label = TypeLabel("银行卡号", "bank card number")
    method = "Luhn 校验、卡组织 BIN 与长度"

    def check(self, value: str) -> int:
        if value.isdigit():  # the common case, without the regex
            if not 13 <= len(value) <= 19 or value[0] not in _CARD_LENGTHS:
                return NO
            digits = value
        elif _CARD_RE.fullmatch(value):
            digits = value.replace(" ", "").replace("-", "")
        else:
            return NO
        if len(digits) not in _CARD_LENGTHS[digits[0]]:
            return SHAPE
        return VALID if luhn_ok(digits) else SHAPE


# ---------------------------------------------------------------- 护照号 (中华人民共和国护照)

# E + 8 digits (电子普通护照), E + letter + 7 digits (once E's numbers ran out), G + 8 digits (旧版普通),
# D/S/P + 7–8 digits and DE/SE/PE + 7 digits (外交、公务、公务普通)
_PASSPORT_RE = re.compile(r"[EGDSP]\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E\d{7}|[DSP]\d{7}", re.IGNORECASE)


class Passport(Detector):
    code = "cn_passport"
    label = TypeLabel("护照号", "passport number")
    method = "中国护照号格式（E/G/D/S/P 开头）"
    strength = 0.9

    def check(self, value: str) -> int:
        if not 8 <= len(value) <= 9 or not _PASSPORT_RE.fullmatch(value):
            return NO
        digits = value[-7:]
        if len(set(digits)) == 1 or digits in "0123456789" or digits in "9876543210":
            return SHAPE  # E00000000, E12345678: placeholders, not numbers
        return VALID


# ---------------------------------------------------------------- 车牌号 (GA 36)

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(
    rf"[{_PLATE_PROVINCES}][A-HJ-NP-Z][·• -]?"
    r"(?:[DF][A-HJ-NP-Z0-9]\d{4}"  # 新能源小型车: D 纯电动 / F 非纯电动 first
    r"|\d{5}[DF]"  # 新能源大型车: D / F last
    r"|([A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领试超]))"  # 普通号牌: the group is its serial
)


class Plate(Detector):
    code = "cn_plate"
    label = TypeLabel("车牌号", "vehicle licence plate number")
    method = "机动车号牌格式（省份简称 + 发牌机关代号 + 序号，含新能源号牌）"
    strength = 0.95

    def check(self, value: str) -> int:
        if not 7 <= len(value) <= 9:
            return NO
        m = _PLATE_RE.fullmatch(value.upper())
        if m is None:
            return NO
        serial = m.group(1)
        if serial is not None and sum("A" <= c <= "Z" for c in serial) > 3:
            return SHAPE  # an ordinary plate's serial has at least two digits
        return VALID
