"""Detectors of places: 经纬度坐标 and 地址 (against the gazetteer in ``data/gazetteer.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from .base import NO, SHAPE, VALID, Checker, Detector, Hint, TypeLabel, load_data

# ---------------------------------------------------------------- 经纬度

# China's bounding box, 曾母暗沙 to 漠河, 帕米尔 to 抚远
LAT_RANGE = (3.5, 53.6)
LNG_RANGE = (73.4, 135.1)

_NUM = r"[+-]?\d{1,3}\.\d+"
_PAIR_RE = re.compile(rf"(?:POINT\s*)?\(?\s*({_NUM})\s*[,;\s]\s*({_NUM})\s*\)?", re.IGNORECASE)
_ONE_RE = re.compile(r"[+-]?\d{1,3}(?:\.\d+)?")


def _in_china(lat: float, lng: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1]


class GeoCoordinate(Detector):
    """A "lat,lng" (or "lng,lat", or WKT ``POINT(lng lat)``) pair inside China; or, in a column whose
    name says 纬度 / 经度 (lat / lng), one number in the range of that axis."""

    code = "geo_coordinate"
    label = TypeLabel("经纬度坐标", "geographic coordinates")
    method = "经纬度数对，位于中国境内范围"
    strength = 0.9

    def checker(self, hint: Hint | None, today: date) -> Checker:
        if hint is not None and hint.variant in ("lat", "lng"):
            low, high = LAT_RANGE if hint.variant == "lat" else LNG_RANGE

            def check_one(value: str) -> int:
                if len(value) > 24 or not _ONE_RE.fullmatch(value):
                    return NO
                return VALID if low <= float(value) <= high else SHAPE

            axis = "纬度" if hint.variant == "lat" else "经度"
            return Checker(check_one, f"{self.code}:{hint.variant}", f"{axis}单列，数值位于中国境内范围")
        return Checker(self.check, self.code)

    def check(self, value: str) -> int:
        if not 7 <= len(value) <= 64:
            return NO
        m = _PAIR_RE.fullmatch(value)
        if m is None:
            return NO
        a, b = float(m.group(1)), float(m.group(2))
        return VALID if _in_china(a, b) or _in_china(b, a) else SHAPE


# ---------------------------------------------------------------- 地址

_UNIT_SUFFIXES = ("林区", "地区", "市", "盟", "区", "县")


@dataclass(frozen=True)
class Gazetteer:
    """Province-level and prefecture-level names (full and short), indexed by their first two
    characters for matching at a position: ``长沙`` → (长沙市, 长沙)."""

    provinces: dict[str, tuple[str, ...]]
    units: dict[str, tuple[str, ...]]

    @staticmethod
    def _index(names: set[str]) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for name in names:
            index.setdefault(name[:2], []).append(name)
        return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}

    @classmethod
    def from_data(cls, entries: list[dict[str, object]]) -> Gazetteer:
        provinces: set[str] = set()
        units: set[str] = set()
        for entry in entries:
            provinces.update({str(entry["name"]), str(entry["short"])})
            raw_units = entry["units"]
            assert isinstance(raw_units, list)
            for raw in raw_units:
                full, _, short = str(raw).partition("|")
                units.add(full)
                if not short:
                    for suffix in _UNIT_SUFFIXES:
                        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
                            short = full[: -len(suffix)]
                            break
                if short:
                    units.add(short)
        return cls(cls._index(provinces), cls._index(units))

    @staticmethod
    def _length_at(index: dict[str, tuple[str, ...]], text: str, pos: int) -> int:
        for name in index.get(text[pos : pos + 2], ()):
            if text.startswith(name, pos):
                return len(name)
        return 0

    def province_at(self, text: str, pos: int = 0) -> int:
        """Length of the province-level name at ``pos`` (0: none)."""
        return self._length_at(self.provinces, text, pos)

    def unit_at(self, text: str, pos: int = 0) -> int:
        """Length of the prefecture-level name at ``pos`` (0: none)."""
        return self._length_at(self.units, text, pos)

    def names(self) -> set[str]:
        return {n for index in (self.provinces, self.units) for names in index.values() for n in names}


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.from_data(load_data("gazetteer.yaml"))


_ADDRESS_PREFILTER = re.compile(r"[省市区县旗州盟镇乡村路街道巷弄号栋幢楼室]")
# below the prefecture: what has to follow a known province/city name for the value to be an address
_BELOW_CITY = re.compile(
    r"[\u4e00-\u9fff\d]{1,15}?(?:市|区|县|旗|镇|乡|街道|大道|路|街|巷|弄|胡同|村|社区|小区|号|栋|幢|楼|室|单元|组)"
)
_PART = re.compile(
    r"[\u4e00-\u9fff\d]{1,15}?"
    r"(?:省|自治区|市|自治州|地区|盟|区|县|旗|镇|乡|街道|大道|路|街|巷|弄|胡同|村|号|栋|幢|楼|室|单元)"
)
_LOWER_PART = re.compile(r"区|县|旗|镇|乡|街道|大道|路|街|巷|弄|胡同|村|号|栋|幢|楼|室|单元")
# names of organisations often start with a place: 长沙市岳麓区人民法院 is a name, not an address
_ORGANISATION_ENDINGS = (
    "公司", "集团", "中心", "医院", "学院", "大学", "中学", "小学", "学校", "法院", "检察院", "政府",
    "委员会", "局", "厅", "所", "银行", "支行", "分行", "营业部", "店", "厂", "协会", "办事处",
)  # fmt: skip


class Address(Detector):
    code = "cn_address"
    label = TypeLabel("地址", "postal address")
    method = "省市地名表、省/市/区/路/号结构"
    strength = 0.85

    def check(self, value: str) -> int:
        if not 5 <= len(value) <= 120 or value.isascii() or not _ADDRESS_PREFILTER.search(value):
            return NO
        if value.endswith(_ORGANISATION_ENDINGS):
            return SHAPE
        places = gazetteer()
        pos = 2 if value.startswith("中国") else 0
        known = places.province_at(value, pos)
        pos += known
        city = places.unit_at(value, pos)
        pos += city
        if known or city:
            return VALID if _BELOW_CITY.search(value, pos) else SHAPE
        parts = _PART.findall(value)
        return VALID if len(parts) >= 2 and _LOWER_PART.search(value) else SHAPE
