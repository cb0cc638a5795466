"""Pure code checks: 统一社会信用代码 (GB 32100) and 行政区划代码."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataasset.core.codes import (
    CodeError,
    region_prefix,
    uscc_check_char,
    validate_region_code,
    validate_uscc,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
bodies = st.tuples(
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
).map("".join)


def test_known_real_code() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"


@given(bodies)
def test_every_body_with_its_check_char_is_valid(body: str) -> None:
    assert validate_uscc(body + uscc_check_char(body)) == body + uscc_check_char(body)


@given(bodies, st.sampled_from(ALPHABET))
def test_a_wrong_check_char_is_rejected_in_chinese(body: str, wrong: str) -> None:
    if wrong == uscc_check_char(body):
        return
    with pytest.raises(CodeError) as err:
        validate_uscc(body + wrong)
    assert err.value.code == "uscc_checksum"
    assert "校验位" in err.value.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9111000060003734", "uscc_length"),
        ("91110000600037341I", "uscc_format"),
        ("9111000O600037341L", "uscc_format"),
    ],
)
def test_malformed_codes(value: str, code: str) -> None:
    with pytest.raises(CodeError) as err:
        validate_uscc(value)
    assert err.value.code == code


def test_region_codes_and_prefixes() -> None:
    assert validate_region_code("430100") == "430100"
    for bad in ("43010", "990000", "430012", "abcdef"):
        with pytest.raises(CodeError):
            validate_region_code(bad)
    assert region_prefix("430000") == "43"
    assert region_prefix("430100") == "4301"
    assert region_prefix("430102") == "430102"
