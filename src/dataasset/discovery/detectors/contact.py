"""Detectors of contact details: 手机号, 固定电话, 电子邮箱."""

from __future__ import annotations

import re

from .base import NO, SHAPE, VALID, Detector, TypeLabel, digits_only

# ---------------------------------------------------------------- 手机号

_MOBILE_RE = re.compile(r"(?:\(?(?:\+|00)?86\)?[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}")


class Mobile(Detector):
    code = "cn_mobile"
    label = TypeLabel("手机号", "mobile phone number")
    method = "1[3-9] 开头的 11 位号码，可带 +86 前缀与分隔符"
    strength = 0.95

    # The shape is the whole check: every 1[3-9]X segment may be allotted tomorrow (工信部 keeps
    # opening them), so a finer segment table would only age into false negatives.
    def check(self, value: str) -> int:
        if len(value) == 11 and value.isdigit():  # the common case, without the regex
            return VALID if value[0] == "1" and value[1] >= "3" else NO
        if not 12 <= len(value) <= 19 or not _MOBILE_RE.fullmatch(value):
            return NO
        return VALID


# ---------------------------------------------------------------- 固定电话

_LANDLINE_RE = re.compile(
    r"(?P<intl>(?:\+|00)86[ -]?)?"
    r"(?:"
    r"(?:\((?P<pa>0?[1-9]\d{1,2})\)[ -]?|(?P<sa>0?[1-9]\d{1,2})[ -])(?P<local>\d{7,8}|\d{3,4}[ -]\d{4})"
    r"|(?P<all>0?[1-9]\d{8,10})"
    r")"
    r"(?:\s*(?:-|转|分机|ext\.?|x|#)\s*\d{1,6})?",  # extension
    re.IGNORECASE,
)


class Landline(Detector):
    code = "cn_landline"
    label = TypeLabel("固定电话", "landline telephone number")
    method = "区号（010、02X、03XX–09XX）+ 7–8 位号码"
    strength = 0.9

    def check(self, value: str) -> int:
        if not 10 <= len(value) <= 32 or value[0] not in "0(+":
            return NO
        m = _LANDLINE_RE.fullmatch(value)
        if m is None:
            return NO
        written_area = m.group("pa") or m.group("sa")
        digits = digits_only(written_area + m.group("local")) if written_area else m.group("all")
        if not digits.startswith("0"):
            if m.group("intl") is None:
                return NO  # no area code: a bare number, not the shape this detector knows
            digits = "0" + digits  # +86 731 ... drops the trunk prefix 0
        area_len = 3 if digits[1] in "12" else 4
        area, local = digits[:area_len], digits[area_len:]
        if written_area is not None and "0" + written_area.lstrip("0") != area:
            return SHAPE  # 0108-8888888: the written area code is not one that exists
        if area_len == 3 and area[1] == "1" and area != "010":
            return SHAPE
        ok_length = len(local) == 8 if area_len == 3 else len(local) in (7, 8)
        return VALID if ok_length and local[0] in "23456789" else SHAPE


# ---------------------------------------------------------------- 电子邮箱

_EMAIL_RE = re.compile(
    r"(?P<local>[A-Za-z0-9._%+-]{1,64})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)


class Email(Detector):
    code = "email"
    label = TypeLabel("电子邮箱", "email address")
    method = "RFC 5321 地址格式"
    strength = 0.95

    def check(self, value: str) -> int:
        if "@" not in value or len(value) > 254:
            return NO
        m = _EMAIL_RE.fullmatch(value)
        if m is None:
            return NO
        local = m.group("local")
        if local.startswith(".") or local.endswith(".") or ".." in local:
            return SHAPE
        return VALID
