"""Sensitive-data detectors (pure): each validator on good and bad values, check digits under
hypothesis, column-name hints, and the column decisions, traps included."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn as stdnum_luhn

from dataasset.core import codes
from dataasset.discovery.detectors import (
    DETECTORS,
    TYPE_CODES,
    column_hint,
    detect_column,
    detect_value,
    label,
    tokenise,
)
from dataasset.discovery.detectors.base import NO, SHAPE, VALID
from dataasset.discovery.detectors.hints import hint_index
from dataasset.discovery.detectors.identity import (
    is_bank_card,
    is_resident_id,
    is_uscc,
    luhn_check_digit,
    luhn_ok,
    resident_id_check_char,
    uscc_check_char,
)
from dataasset.discovery.detectors.location import gazetteer

TODAY = date(2025, 1, 1)
ID_PROVINCES = sorted(codes.PROVINCES)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"


def check(code: str, value: str, name: str = "") -> int:
    """What one detector says of one value (NO / SHAPE / VALID), hinted by ``name`` when given."""
    hint = column_hint(name) if name else None
    checker = DETECTORS[code].checker(hint if hint is not None and hint.suggests(code) else None, TODAY)
    assert checker is not None
    return checker.check(value)


# ---------------------------------------------------------------- generators with their check digits


def _id_body(province: str, area: str, born: date, seq: str) -> str:
    return f"{province}{area}{born:%Y%m%d}{seq}"


resident_ids = st.builds(
    lambda p, a, b, s: _id_body(p, a, b, s) + resident_id_check_char(_id_body(p, a, b, s)),
    st.sampled_from(ID_PROVINCES),
    st.text(DIGITS, min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.text(DIGITS, min_size=3, max_size=3),
)

uscc_bodies = st.builds(
    lambda reg, kind, prov, county, org: reg + kind + prov + county + org,
    st.sampled_from("123456789ANY"),
    st.sampled_from(USCC_ALPHABET),
    st.sampled_from(ID_PROVINCES),
    st.text(DIGITS, min_size=4, max_size=4),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
usccs = uscc_bodies.map(lambda body: body + codes.uscc_check_char(body))

card_bodies = st.one_of(
    st.builds(lambda rest: "62" + rest, st.text(DIGITS, min_size=13, max_size=16)),  # 银联 16–19
    st.builds(lambda rest: "4" + rest, st.text(DIGITS, min_size=14, max_size=14)),  # Visa 16
    st.builds(lambda rest: "5" + rest, st.text(DIGITS, min_size=14, max_size=14)),  # Mastercard 16
)
bank_cards = card_bodies.map(lambda body: body + luhn_check_digit(body))


def _with_one_char_changed(value: str, position: int, alphabet: str, shift: int) -> str:
    position %= len(value)
    old = value[position].upper()
    choices = [c for c in alphabet if c != old]
    return value[:position] + choices[shift % len(choices)] + value[position + 1 :]


def _ids(n: int, seed: int = 1) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        born = date(rnd.randint(1940, 2010), rnd.randint(1, 12), rnd.randint(1, 28))
        body = _id_body(
            rnd.choice(ID_PROVINCES), f"{rnd.randint(0, 9999):04d}", born, f"{rnd.randint(0, 999):03d}"
        )
        out.append(body + resident_id_check_char(body))
    return out


def _mobiles(n: int, seed: int = 2) -> list[str]:
    rnd = random.Random(seed)
    return [
        rnd.choice(["138", "139", "150", "186", "177", "199"]) + f"{rnd.randint(0, 10**8 - 1):08d}"
        for _ in range(n)
    ]


FREE_TEXT = [
    "客户要求周五前发货",
    "已电话回访，满意",
    "发票随货寄出",
    "请联系仓库确认库存",
    "退货原因：尺码不合适",
    "加急处理",
    "无",
]


# ---------------------------------------------------------------- 身份证号


def test_known_resident_ids() -> None:
    assert is_resident_id("11010519491231002X", TODAY)  # the example of GB 11643
    assert is_resident_id("11010519491231002x", TODAY)
    assert is_resident_id("110105491231002", TODAY)  # first-generation, 15 digits
    assert detect_value("11010519491231002X") == "cn_resident_id"


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check digit
        "990105194912310024",  # 99 is no province (and 9 no first digit)
        "11010518991231002X",  # born 1899
        "110105190002290012",  # 1900 was not a leap year
        "1101051949123100",  # 16 digits
        "110105491331002",  # 15 digits, month 13
        "A1010519491231002X",
    ],
)
def test_bad_resident_ids(value: str) -> None:
    assert not is_resident_id(value, TODAY)


def test_an_unknown_province_fails_even_with_a_right_check_digit() -> None:
    for province in ("20", "39", "84"):
        body = _id_body(province, "0102", date(1990, 1, 1), "123")
        assert not is_resident_id(body + resident_id_check_char(body), TODAY)
    body = _id_body("83", "0102", date(1990, 1, 1), "123")  # 台湾居民居住证
    assert is_resident_id(body + resident_id_check_char(body), TODAY)


def test_a_birth_date_in_the_future_fails_even_with_a_right_check_digit() -> None:
    body = _id_body("43", "0102", date(2030, 1, 1), "123")
    value = body + resident_id_check_char(body)
    assert not is_resident_id(value, TODAY)
    assert is_resident_id(value, date(2030, 1, 1))


def test_the_fast_check_digit_equals_the_weighted_sum_of_the_standard() -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    rnd = random.Random(11)
    for _ in range(2000):
        body = "".join(rnd.choice(DIGITS) for _ in range(17))
        expected = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
        assert resident_id_check_char(body) == expected


@given(resident_ids)
def test_generated_resident_ids_are_valid(value: str) -> None:
    assert is_resident_id(value, TODAY)
    assert check("cn_resident_id", value) == VALID


@given(resident_ids, st.integers(0, 17), st.integers(0, 9))
def test_changing_one_digit_of_a_resident_id_breaks_it(value: str, position: int, shift: int) -> None:
    # MOD 11-2 weights are all non-zero modulo the prime 11: every single substitution is caught
    changed = _with_one_char_changed(value, position, DIGITS + ("X" if position % 18 == 17 else ""), shift)
    assert not is_resident_id(changed, TODAY)


# ---------------------------------------------------------------- 统一社会信用代码


def test_known_uscc() -> None:
    assert is_uscc("91110000600037341L")
    assert is_uscc("91110000600037341l")
    assert not is_uscc("91110000600037341M")
    assert not is_uscc("9111000060003734")
    assert not is_uscc("91110000600037341I")  # I is not in the alphabet
    assert not is_uscc("91990000600037341L")  # 99 is no region


@given(uscc_bodies)
def test_the_fast_uscc_check_char_equals_the_core_one(body: str) -> None:
    assert uscc_check_char(body) == codes.uscc_check_char(body)


@given(usccs)
def test_generated_usccs_are_valid(value: str) -> None:
    assert is_uscc(value)
    assert detect_value(value) == "cn_uscc"


@given(usccs, st.integers(0, 17), st.integers(0, 40))
def test_changing_one_char_of_a_uscc_breaks_it(value: str, position: int, shift: int) -> None:
    # weights 3^i mod 31 are non-zero modulo the prime 31: every single substitution is caught
    assert not is_uscc(_with_one_char_changed(value, position, USCC_ALPHABET, shift))


# ---------------------------------------------------------------- 银行卡号


def test_known_bank_cards() -> None:
    assert is_bank_card("4111111111111111")
    assert is_bank_card("4111 1111 1111 1111")
    assert is_bank_card("4111-1111-1111-1111")
    assert not is_bank_card("4111111111111112")  # Luhn
    assert not is_bank_card("1111111111111117")  # no card network starts with 1
    assert not is_bank_card("41111111111111111")  # Visa is not 17 digits long
    assert not is_bank_card("411111111111")  # 12 digits


@given(st.text(DIGITS, min_size=2, max_size=19))
def test_luhn_agrees_with_stdnum(digits: str) -> None:
    assert luhn_ok(digits) == stdnum_luhn.is_valid(digits)


@given(bank_cards)
def test_generated_bank_cards_are_valid(value: str) -> None:
    assert is_bank_card(value)
    assert check("bank_card", value) == VALID


@given(bank_cards, st.integers(0, 18), st.integers(1, 9))
def test_changing_one_digit_of_a_bank_card_breaks_it(value: str, position: int, shift: int) -> None:
    position %= len(value)
    if position == 0:
        position = 1  # keep the network digit, so that only Luhn can object
    digit = str((int(value[position]) + shift) % 10)
    assert not is_bank_card(value[:position] + digit + value[position + 1 :])


# ---------------------------------------------------------------- shapes: mobile, landline, passport, ...


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("cn_mobile", "13812345678", VALID),
        ("cn_mobile", "+86 138 1234 5678", VALID),
        ("cn_mobile", "0086-13812345678", VALID),
        ("cn_mobile", "86 13812345678", VALID),
        ("cn_mobile", "138-1234-5678", VALID),
        ("cn_mobile", "１３８１２３４５６７８", VALID),  # full-width, folded by normalise
        ("cn_mobile", "19412345678", VALID),  # any 1[3-9] segment
        ("cn_mobile", "+86 12812345678", NO),
        ("cn_mobile", "12812345678", NO),
        ("cn_mobile", "1381234567", NO),
        ("cn_mobile", "1700000000000", NO),  # a millisecond timestamp
        ("cn_landline", "0731-88888888", VALID),
        ("cn_landline", "(0731)8888888", VALID),
        ("cn_landline", "010-62345678", VALID),
        ("cn_landline", "01062345678", VALID),
        ("cn_landline", "021 6234 5678", VALID),
        ("cn_landline", "+86 21 62345678", VALID),
        ("cn_landline", "0731-88888888-123", VALID),
        ("cn_landline", "0731-88888888转123", VALID),
        ("cn_landline", "010-12345678", SHAPE),  # a local number never starts with 1
        ("cn_landline", "0108-8888888", SHAPE),  # no area code 0108
        ("cn_landline", "011-88888888", SHAPE),
        ("cn_landline", "88888888", NO),  # no area code
        ("cn_passport", "E12345679", VALID),
        ("cn_passport", "EA1234568", VALID),
        ("cn_passport", "G28233515", VALID),
        ("cn_passport", "SE8765431", VALID),
        ("cn_passport", "E00000000", SHAPE),
        ("cn_passport", "E1234567", NO),
        ("cn_passport", "A12345678", NO),
        ("cn_plate", "湘A12345", VALID),
        ("cn_plate", "湘A·12345", VALID),
        ("cn_plate", "京AD12345", VALID),  # 新能源小型车
        ("cn_plate", "粤B12345F", VALID),  # 新能源大型车
        ("cn_plate", "湘a8888挂", VALID),
        ("cn_plate", "湘AABCDE", SHAPE),  # a serial with no digit
        ("cn_plate", "湘I12345", NO),  # I and O are not used
        ("cn_plate", "湘A1234", NO),
        ("cn_plate", "港A12345", NO),
        ("email", "zhang.san@example.com", VALID),
        ("email", "a+tag@mail.example.com.cn", VALID),
        ("email", "a..b@example.com", SHAPE),
        ("email", ".a@example.com", SHAPE),
        ("email", "zhang@localhost", NO),
        ("email", "不是邮箱", NO),
        ("ipv4", "192.168.1.1", VALID),
        ("ipv4", "8.8.8.8", VALID),
        ("ipv4", "256.1.1.1", SHAPE),
        ("ipv4", "01.2.3.4", SHAPE),
        ("ipv4", "0.0.0.0", SHAPE),
        ("ipv4", "1.2.3", NO),
        ("ipv6", "2001:db8::1", VALID),
        ("ipv6", "fe80::1%eth0", VALID),
        ("ipv6", "[2001:db8::8a2e:370:7334]", VALID),
        ("ipv6", "2001:0db8:0000:0000:0000:ff00:0042:8329", VALID),
        ("ipv6", "2001:db8:::1", SHAPE),
        ("ipv6", "12:30:45", NO),  # a time
        ("mac_address", "00:1A:2B:3C:4D:5E", VALID),
        ("mac_address", "00-1a-2b-3c-4d-5e", VALID),
        ("mac_address", "001a.2b3c.4d5e", VALID),
        ("mac_address", "00:00:00:00:00:00", SHAPE),
        ("mac_address", "00:1A-2B:3C:4D:5E", NO),  # mixed separators
        ("mac_address", "001A2B3C4D5E", NO),  # bare hex only when the name says MAC
        ("geo_coordinate", "28.194,112.982", VALID),
        ("geo_coordinate", "112.982, 28.194", VALID),  # lng,lat
        ("geo_coordinate", "POINT(116.397 39.909)", VALID),
        ("geo_coordinate", "48.8566,2.3522", SHAPE),  # Paris
        ("geo_coordinate", "28,112", NO),  # no decimals: just two numbers
        ("cn_person_name", "张三", VALID),
        ("cn_person_name", "欧阳娜娜", VALID),
        ("cn_person_name", "司马光", VALID),
        ("cn_person_name", "阿依古丽·买买提", VALID),
        ("cn_person_name", "长沙市", SHAPE),  # 市 ends places, not names
        ("cn_person_name", "国有资产", SHAPE),  # 国 is not among the common surnames
        ("cn_person_name", "张", NO),
        ("cn_person_name", "Zhang San", NO),
        ("cn_address", "湖南省长沙市岳麓区麓山南路932号", VALID),
        ("cn_address", "北京海淀区中关村大街1号", VALID),
        ("cn_address", "中国上海市浦东新区世纪大道100号", VALID),
        ("cn_address", "长沙市开福区湘江中路", VALID),
        ("cn_address", "岳麓区桐梓坡路11号", VALID),  # no known name, but 区/路/号 structure
        ("cn_address", "新疆乌鲁木齐市天山区解放南路", VALID),
        ("cn_address", "长沙市人民政府", SHAPE),  # an organisation
        ("cn_address", "长沙市岳麓区人民法院", SHAPE),  # an organisation named after its district
        ("cn_address", "湖南省长沙市", SHAPE),  # no more than a city
        ("cn_address", "市场营销部", SHAPE),
        ("cn_address", "hello world road", NO),
    ],
)
def test_value_checks(code: str, value: str, expected: int) -> None:
    from dataasset.discovery.detectors.base import normalise

    assert check(code, normalise(value)) == expected


def test_hinted_variants() -> None:
    assert check("mac_address", "001A2B3C4D5E", "mac") == VALID
    assert check("geo_coordinate", "28.194", "纬度") == VALID
    assert check("geo_coordinate", "112.98", "纬度") == SHAPE  # out of the latitude range
    assert check("geo_coordinate", "112.98", "lng") == VALID
    assert check("birth_date", "1990-01-02", "csrq") == VALID
    assert check("birth_date", "1990年1月2日", "出生日期") == VALID
    assert check("birth_date", "19900102", "birthday") == VALID
    assert check("birth_date", "1990-01", "出生年月") == VALID
    assert check("birth_date", "2030-01-01", "csrq") == SHAPE  # after today
    assert check("birth_date", "1899-12-31", "csrq") == SHAPE
    assert check("birth_date", "1990-02-30", "csrq") == SHAPE
    assert DETECTORS["birth_date"].checker(None, TODAY) is None  # never without the hint


def test_gazetteer_covers_every_province_level_division() -> None:
    names = gazetteer().names()
    for full in codes.PROVINCES.values():
        assert full in names
    for city in ["长沙市", "长沙", "湘西", "延边朝鲜族自治州", "乌鲁木齐市", "海淀区", "三沙市", "兴安盟"]:
        assert city in names
    assert len([n for n in names if n.endswith(("市", "自治州", "地区", "盟"))]) > 330


# ---------------------------------------------------------------- column-name hints


@pytest.mark.parametrize(
    ("name", "types"),
    [
        ("sfzh", ("cn_resident_id",)),
        ("sfz", ("cn_resident_id",)),
        ("KHSFZH", ("cn_resident_id",)),  # 客户身份证号: a pinyin abbreviation at the end of a token
        ("身份证号码", ("cn_resident_id",)),
        ("id_card", ("cn_resident_id",)),
        ("idCardNo", ("cn_resident_id",)),
        ("IDCARD", ("cn_resident_id",)),
        ("zjhm", ("cn_resident_id", "cn_passport")),
        ("sjhm", ("cn_mobile",)),
        ("手机号", ("cn_mobile",)),
        ("mobilePhone", ("cn_mobile",)),
        ("mobile2", ("cn_mobile",)),
        ("lxdh", ("cn_mobile", "cn_landline")),
        ("联系电话", ("cn_mobile", "cn_landline")),
        ("phone", ("cn_mobile", "cn_landline")),
        ("dz", ("cn_address",)),
        ("家庭住址", ("cn_address",)),
        ("home_address", ("cn_address",)),
        ("身份证地址", ("cn_address",)),  # the head comes last
        ("出生地", ("cn_address",)),
        ("yhkh", ("bank_card",)),
        ("银行卡号", ("bank_card",)),
        ("email", ("email",)),
        ("邮箱", ("email",)),
        ("csrq", ("birth_date",)),
        ("出生日期", ("birth_date",)),
        ("date_of_birth", ("birth_date",)),
        ("cph", ("cn_plate",)),
        ("车牌号", ("cn_plate",)),
        ("tyshxydm", ("cn_uscc",)),
        ("统一社会信用代码", ("cn_uscc",)),
        ("信用代码", ("cn_uscc",)),
        ("xm", ("cn_person_name",)),
        ("姓名", ("cn_person_name",)),
        ("name", ("cn_person_name",)),
        ("customer_name", ("cn_person_name",)),
        ("client_ip", ("ipv4", "ipv6")),
        ("IP地址", ("ipv4", "ipv6")),
        ("mac", ("mac_address",)),
        ("经纬度", ("geo_coordinate",)),
        ("护照号", ("cn_passport",)),
    ],
)
def test_name_hints(name: str, types: tuple[str, ...]) -> None:
    hint = column_hint(name)
    assert hint is not None
    assert hint.types == types


@pytest.mark.parametrize(
    "name",
    [
        "手机型号",  # a phone model
        "手机号码归属地",
        "mobile_type",
        "is_mobile",
        "是否实名",
        "address_id",
        "身份证有效期",
        "xmmc",  # 项目名称, not 姓名
        "product_name",
        "company_name",
        "zip_code",
        "备注",
        "created_at",
        "",
    ],
)
def test_names_without_hints(name: str) -> None:
    assert column_hint(name) is None


def test_latitude_and_longitude_hints_carry_their_axis() -> None:
    lat, lng = column_hint("lat"), column_hint("经度")
    assert lat is not None and lat.variant == "lat"
    assert lng is not None and lng.variant == "lng"


def test_a_comment_hints_when_the_name_does_not() -> None:
    hint = column_hint("col_07", "身份证号码，办理业务时登记")
    assert hint is not None and hint.types == ("cn_resident_id",) and hint.source == "comment"
    named = column_hint("sjhm", "身份证号码")
    assert named is not None and named.types == ("cn_mobile",)  # the name comes first


def test_tokenise() -> None:
    assert tokenise("userMobileNo") == ["user", "mobile", "no"]
    assert tokenise("IDCardNo") == ["id", "card", "no"]
    assert tokenise("客户_SFZH") == ["客户", "sfzh"]
    assert tokenise("ＳＦＺＨ") == ["sfzh"]
    assert tokenise("client-ip address") == ["client", "ip", "address"]


def test_every_hint_names_a_registered_type() -> None:
    for keyword in hint_index().keywords:
        assert set(keyword.types) <= set(DETECTORS)


# ---------------------------------------------------------------- registry


def test_registry_and_labels() -> None:
    assert list(DETECTORS) == list(TYPE_CODES)
    assert set(DETECTORS) == {
        "cn_resident_id",
        "cn_mobile",
        "cn_landline",
        "bank_card",
        "cn_uscc",
        "cn_passport",
        "cn_plate",
        "email",
        "ipv4",
        "ipv6",
        "mac_address",
        "geo_coordinate",
        "cn_person_name",
        "cn_address",
        "birth_date",
    }
    assert TYPE_CODES["cn_resident_id"].zh == "身份证号"
    assert TYPE_CODES["cn_resident_id"].en == "resident identity card number"
    for code, detector in DETECTORS.items():
        assert detector.code == code
        assert TYPE_CODES[code].zh and TYPE_CODES[code].en and detector.method
    assert label("cn_mobile") == "手机号"
    assert label(None) == ""
    assert label("unknown_code") == "unknown_code"


# ---------------------------------------------------------------- column decisions


def test_a_resident_id_column() -> None:
    values = _ids(2000)
    d = detect_column("sfzh", values, today=TODAY)
    assert d.type_code == "cn_resident_id"
    assert (d.checked, d.matched, d.validated) == (2000, 2000, 2000)
    assert d.name_hint == "cn_resident_id"
    assert d.rule == "cn_resident_id"
    assert d.confidence == 1.0
    assert d.explanation.startswith(
        "身份证号检测器（GB 11643 校验码、出生日期）：2000 个非空值中 2000 个（100.0%）"
    )
    assert "列名“sfzh”提示身份证号" in d.explanation


def test_the_explanation_tells_matched_from_validated() -> None:
    values = _ids(996) + ["110105194912310021"] * 4  # 4 with a wrong check digit
    d = detect_column("sfzh", values, today=TODAY)
    assert (d.checked, d.matched, d.validated) == (1000, 1000, 996)
    assert "1000 个非空值中 1000 个（100.0%）格式匹配，其中 996 个（99.6%）校验通过" in d.explanation


@settings(max_examples=20, deadline=None)
@given(st.lists(resident_ids, min_size=1, max_size=50))
def test_any_column_of_valid_ids_is_found(values: list[str]) -> None:
    d = detect_column("证件", values, today=TODAY)
    assert d.type_code == "cn_resident_id"
    assert d.validated == len(values)


def test_phone_models_under_a_phone_looking_name_are_nothing() -> None:
    models = [
        "iPhone 15",
        "华为 Mate 60",
        "小米 14 Pro",
        "OPPO Find X7",
        "vivo X100",
        "荣耀 Magic6",
        "华为 P60",
    ]
    d = detect_column("手机型号", models * 30, today=TODAY)
    assert d.type_code is None
    assert d.name_hint is None


def test_order_numbers_failing_mod_11_2_are_not_ids() -> None:
    bad = []
    for value in _ids(500, seed=5):
        wrong = "10X98765432"[("10X98765432".index(value[17]) + 1) % 11]
        bad.append(value[:17] + wrong)
    for name in ("order_no", "sfzh"):  # values beat names
        d = detect_column(name, bad, today=TODAY)
        assert d.type_code is None, name
    d = detect_column("sfzh", bad, today=TODAY)
    assert d.name_hint == "cn_resident_id"
    assert "以值为准" in d.explanation


def test_millisecond_timestamps_are_neither_phones_nor_cards() -> None:
    rnd = random.Random(3)
    stamps = [str(rnd.randint(1_600_000_000_000, 1_760_000_000_000)) for _ in range(3000)]
    assert detect_column("created_ms", stamps, today=TODAY).type_code is None
    assert detect_column("phone", stamps, today=TODAY).type_code is None


def test_skus_failing_luhn_are_not_bank_cards() -> None:
    rnd = random.Random(4)
    skus = []
    for _ in range(3000):
        body = "6" + "".join(rnd.choice(DIGITS) for _ in range(14))
        skus.append(body + str((int(luhn_check_digit(body)) + 1) % 10))
    assert detect_column("sku", skus, today=TODAY).type_code is None
    assert detect_column("card_no", skus, today=TODAY).type_code is None


def test_mobiles_in_a_remarks_column_are_found() -> None:
    d = detect_column("备注", _mobiles(1000), today=TODAY)
    assert d.type_code == "cn_mobile"
    assert d.name_hint is None
    assert 0.9 <= d.confidence < 1.0


def test_names_in_an_xm_column() -> None:
    rnd = random.Random(6)
    given_chars = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    names = [
        rnd.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        + "".join(rnd.sample(given_chars, rnd.randint(1, 2)))
        for _ in range(1000)
    ] + ["欧阳娜娜", "司马光", "诸葛亮"]
    d = detect_column("xm", names, today=TODAY)
    assert d.type_code == "cn_person_name"
    assert d.name_hint == "cn_person_name"


def test_luhn_valid_eleven_digit_mobiles_are_mobiles() -> None:
    values = [m[:10] + luhn_check_digit(m[:10]) for m in _mobiles(500)]
    values = [v for v in values if v[:3] in {"138", "139", "150", "186", "177", "199"}]
    assert all(luhn_ok(v) for v in values)
    for name in ("号码", "yhkh"):
        assert detect_column(name, values, today=TODAY).type_code == "cn_mobile"


def test_a_tie_goes_to_the_detector_first_in_the_registry() -> None:
    # IDs that are also Luhn-valid 18-digit numbers of a plausible card network: both pass 100%
    both = [v for v in _ids(5000, seed=8) if v[0] in "356" and v[17] != "X" and luhn_ok(v)]
    assert len(both) > 50
    assert all(is_bank_card(v) for v in both)
    assert detect_column("号码", both, today=TODAY).type_code == "cn_resident_id"
    assert list(DETECTORS).index("cn_resident_id") < list(DETECTORS).index("bank_card")


def test_the_highest_validated_share_wins() -> None:
    rnd = random.Random(9)
    cards = []
    for _ in range(700):
        body = "62" + "".join(rnd.choice(DIGITS) for _ in range(14))
        cards.append(body + luhn_check_digit(body))
    d = detect_column("号码", cards + _ids(300), today=TODAY)
    assert d.type_code == "bank_card"
    d = detect_column("号码", cards[:300] + _ids(700), today=TODAY)
    assert d.type_code == "cn_resident_id"


def test_mixed_column_below_the_threshold() -> None:
    values = _mobiles(300) + [FREE_TEXT[i % len(FREE_TEXT)] + str(i) for i in range(700)]
    d = detect_column("remark", values, today=TODAY)
    assert d.type_code is None
    assert "最接近的是手机号检测器" in d.explanation
    assert d.confidence == pytest.approx(0.7)
    hinted = detect_column("手机", values, today=TODAY)  # a hint lowers the bar to 30%: just reached
    assert hinted.type_code == "cn_mobile"
    assert hinted.confidence < 0.7
    assert "阈值由 60% 降至 30%" in hinted.explanation
    fewer = detect_column("手机", values[100:], today=TODAY)  # 200 of 900: 22%
    assert fewer.type_code is None


def test_confidence_follows_the_hint() -> None:
    values = _mobiles(200)
    agree = detect_column("sjhm", values, today=TODAY).confidence
    none = detect_column("col1", values, today=TODAY).confidence
    contrary = detect_column("email", values, today=TODAY)
    assert contrary.type_code == "cn_mobile"
    assert agree > none > contrary.confidence
    assert "列名“email”提示电子邮箱，但值不符，以值为准" in contrary.explanation


def test_empty_and_blank_columns() -> None:
    for values in ([], ["", "  ", "\t"]):
        d = detect_column("sfzh", values, today=TODAY)
        assert d.type_code is None
        assert d.confidence == 0.0
        assert d.checked == 0
        assert d.name_hint == "cn_resident_id"
        assert "没有非空值" in d.explanation


def test_blank_values_are_not_counted() -> None:
    d = detect_column("sjhm", _mobiles(10) + [""] * 90 + ["  "] * 10, today=TODAY)
    assert d.type_code == "cn_mobile"
    assert d.checked == 10


def test_a_birth_date_needs_its_name() -> None:
    rnd = random.Random(10)
    dates = [
        f"{rnd.randint(1950, 2010)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}" for _ in range(500)
    ]
    assert detect_column("created_date", dates, today=TODAY).type_code is None
    assert detect_column("下单日期", dates, today=TODAY).type_code is None
    d = detect_column("csrq", dates, today=TODAY)
    assert d.type_code == "birth_date"
    assert d.name_hint == "birth_date"
    future = [f"{2030 + i % 5}-01-01" for i in range(500)]
    assert detect_column("birthday", future, today=TODAY).type_code is None


def test_one_number_coordinate_columns_need_their_names() -> None:
    lats = [f"{28 + i / 1000:.4f}" for i in range(300)]
    d = detect_column("lat", lats, today=TODAY)
    assert d.type_code == "geo_coordinate"
    assert d.rule == "geo_coordinate:lat"
    assert "纬度单列" in d.explanation
    assert detect_column("price", lats, today=TODAY).type_code is None


def test_a_comment_hint_is_explained_as_such() -> None:
    d = detect_column("c7", _ids(50), comment="身份证号", today=TODAY)
    assert d.type_code == "cn_resident_id"
    assert "列注释“身份证号”提示身份证号" in d.explanation


def test_order_of_values_does_not_change_the_decision() -> None:
    # the probe that lets a detector give up early looks at values spread over the sample
    values = [FREE_TEXT[i % len(FREE_TEXT)] + str(i) for i in range(300)] + _mobiles(700)
    shuffled = values[:]
    random.Random(12).shuffle(shuffled)
    for column in (values, shuffled, values[::-1]):
        d = detect_column("col", column, today=TODAY)
        assert (d.type_code, d.validated) == ("cn_mobile", 700)


def test_many_columns_of_other_kinds() -> None:
    cases = {
        "cn_landline": ["0731-88888888", "010-62345678", "(020)87654321", "0755-2345678"] * 5,
        "cn_passport": ["E12345679", "EA1234568", "G28233515", "E87654320"] * 5,
        "cn_plate": ["湘A12345", "京AD12345", "粤B12345F", "湘A·88888"] * 5,
        "email": ["zhang@example.com", "li.si@example.com.cn", "w5@qq.com"] * 5,
        "ipv4": ["192.168.1.1", "10.0.0.8", "8.8.4.4"] * 5,
        "ipv6": ["2001:db8::1", "fe80::1", "::1"] * 5,
        "mac_address": ["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5f"] * 5,
        "geo_coordinate": ["28.194,112.982", "39.909, 116.397"] * 5,
        "cn_address": [
            "湖南省长沙市岳麓区麓山南路932号",
            "北京市海淀区中关村大街1号",
            "株洲市天元区长江北路6号",
        ]
        * 5,
    }
    for expected, values in cases.items():
        d = detect_column("col", values, today=TODAY)
        assert d.type_code == expected, (expected, d.explanation)
        assert d.name_hint is None
    assert detect_column("城市", ["长沙市", "株洲市", "湘潭市"] * 5, today=TODAY).type_code is None
    assert detect_column("amount", [f"{i * 1.5:.2f}" for i in range(500)], today=TODAY).type_code is None
    assert detect_column("status", ["已支付", "待支付", "已取消"] * 100, today=TODAY).type_code is None


def test_detect_value() -> None:
    assert detect_value("13812345678") == "cn_mobile"
    assert detect_value(" 11010519491231002X ") == "cn_resident_id"
    assert detect_value("4111111111111111") == "bank_card"
    assert detect_value("张三") == "cn_person_name"
    assert detect_value("1990-01-02") is None
    assert detect_value("1990-01-02", "csrq", today=TODAY) == "birth_date"
    assert detect_value("28.19", "纬度") == "geo_coordinate"
    assert detect_value("iPhone 15") is None
    assert detect_value("") is None
    assert detect_value("   ") is None
