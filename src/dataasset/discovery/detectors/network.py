"""Detectors of network identifiers: IPv4, IPv6 (validated by :mod:`ipaddress`), MAC addresses."""

from __future__ import annotations

import ipaddress
import re
from datetime import date

from .base import NO, SHAPE, VALID, Checker, Detector, Hint, TypeLabel

_IPV4_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


class IPv4(Detector):
    code = "ipv4"
    label = TypeLabel("IPv4 地址", "IPv4 address")
    method = "点分十进制格式，ipaddress 校验"
    strength = 0.95

    def check(self, value: str) -> int:
        if not 7 <= len(value) <= 15 or not _IPV4_RE.fullmatch(value):
            return NO
        # what ipaddress.IPv4Address accepts (octets up to 255, no leading zeros), without its cost;
        # 0.0.0.0/8 means "this network", not a host
        for octet in value.split("."):
            if int(octet) > 255 or (octet[0] == "0" and len(octet) > 1):
                return SHAPE
        return SHAPE if value.startswith("0.") else VALID


_IPV6_RE = re.compile(r"\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\w.-]+)?\]?")


class IPv6(Detector):
    code = "ipv6"
    label = TypeLabel("IPv6 地址", "IPv6 address")
    method = "RFC 4291 文本格式，ipaddress 校验"
    strength = 0.95

    def check(self, value: str) -> int:
        if not 2 <= len(value) <= 64 or not ("::" in value or value.count(":") >= 6):
            return NO  # 12:30:45 is a time, not an address written short
        if not _IPV6_RE.fullmatch(value):
            return NO
        try:
            address = ipaddress.IPv6Address(value.strip("[]"))
        except ValueError:
            return SHAPE
        return SHAPE if address.is_unspecified else VALID


# 00:1A:2B:3C:4D:5E, 00-1A-2B-3C-4D-5E (one separator throughout) and Cisco's 001a.2b3c.4d5e
_MAC_RE = re.compile(
    r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
    r"|(?:[0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}"
)
# twelve bare hex digits only when the column name says MAC: otherwise any hex id would look like one
_MAC_BARE_RE = re.compile(r"[0-9A-Fa-f]{12}")
_MAC_NOT_ASSIGNED = frozenset({"000000000000", "FFFFFFFFFFFF"})


class MacAddress(Detector):
    code = "mac_address"
    label = TypeLabel("MAC 地址", "MAC address")
    method = "IEEE 802 MAC-48 格式"
    strength = 0.95

    def checker(self, hint: Hint | None, today: date) -> Checker:
        return Checker(self._check_hinted if hint is not None else self.check, self.code)

    def check(self, value: str) -> int:
        if not 14 <= len(value) <= 17 or not _MAC_RE.fullmatch(value):
            return NO
        return self._assigned(value)

    def _check_hinted(self, value: str) -> int:
        if len(value) == 12:
            return self._assigned(value) if _MAC_BARE_RE.fullmatch(value) else NO
        return self.check(value)

    @staticmethod
    def _assigned(value: str) -> int:
        bare = value.replace(":", "").replace("-", "").replace(".", "").upper()
        return SHAPE if bare in _MAC_NOT_ASSIGNED else VALID
