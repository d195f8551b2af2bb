"""Identifier validators (DOMAIN.md R7.2 USCC, R7.3 ID card, R7.4 plates)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nlp.identifiers import (
    ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    IdentifierError,
    id_check_char,
    org_code_check_char,
    uscc_check_char,
    validate,
    validate_id_card,
    validate_plate,
    validate_uscc,
)

TODAY = date(2025, 6, 1)


@pytest.fixture
def domain_text(request: pytest.FixtureRequest) -> str:
    """DOMAIN.md, via the lead's ``shared_dir`` fixture when present (else EH_SHARED_DIR or ../shared)."""
    try:
        shared = Path(request.getfixturevalue("shared_dir"))
    except pytest.FixtureLookupError:
        shared = Path(os.environ.get("EH_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
    path = shared / "DOMAIN.md"
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- weights match the rulebook


def test_weights_are_the_ones_domain_md_lists(domain_text: str) -> None:
    # R7.2 and R7.3 spell the weight rows out; the code derives them from 3^(i-1) mod 31 and 2^(18-i) mod 11.
    uscc_row = re.search(r"`3\^\(i−1\) mod 31` =\s*`([\d ]+)`", domain_text)
    id_row = re.search(r"that is `([\d ]+)`; with", domain_text)
    assert uscc_row and id_row
    assert tuple(int(x) for x in uscc_row.group(1).split()) == USCC_WEIGHTS
    assert tuple(int(x) for x in id_row.group(1).split()) == ID_WEIGHTS


# ----------------------------------------------------------------------------- ID card (R7.3)


def test_standard_example_id_passes_with_sex_and_birth_date() -> None:
    r = validate_id_card("11010519491231002X", today=TODAY)
    assert r.valid and r.code == "ok"
    assert r.info["birth_date"] == date(1949, 12, 31)
    assert r.info["sex"] == "女"  # sequence 002 is even
    assert r.info["address_code"] == "110105"


def test_lower_case_x_and_full_width_digits_are_accepted() -> None:
    assert validate_id_card("11010519491231002x", today=TODAY).valid
    full = "１１０１０５１９４９１２３１００２Ｘ"
    r = validate_id_card(full, today=TODAY)
    assert r.valid and r.normalized == "11010519491231002X"


def test_mutated_sequence_digit_fails_with_check_char_reason() -> None:
    r = validate_id_card("11010519491231003X", today=TODAY)
    assert not r.valid and r.code == "bad_check_char"
    assert "校验位" in r.message


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194902300011", "bad_birth_date"),  # 2月30日
        ("1101051949123100", "bad_length"),
        ("11010519491231002Y", "bad_char"),
        ("110105491231002", "legacy_15_digit"),
    ],
)
def test_invalid_id_reasons(number: str, code: str) -> None:
    r = validate_id_card(number, today=TODAY)
    assert not r.valid and r.code == code


def test_future_birth_date_is_invalid_even_with_correct_check_char() -> None:
    first17 = "500103" + "20300101" + "123"
    r = validate_id_card(first17 + id_check_char(first17), today=TODAY)
    assert not r.valid and r.code == "future_birth_date"


def test_stated_sex_is_cross_checked() -> None:
    assert validate_id_card("11010519491231002X", today=TODAY, stated_sex="女").valid
    r = validate_id_card("11010519491231002X", today=TODAY, stated_sex="男")
    assert not r.valid and r.code == "sex_mismatch"


id_bodies = st.builds(
    lambda area, days, seq: f"{area:06d}{(date(1900, 1, 1) + timedelta(days=days)):%Y%m%d}{seq:03d}",
    st.integers(110000, 659999),
    st.integers(0, (TODAY - date(1900, 1, 1)).days),
    st.integers(0, 999),
)


@settings(max_examples=300, deadline=None)
@given(id_bodies)
def test_generated_ids_with_computed_check_char_are_valid(first17: str) -> None:
    r = validate_id_card(first17 + id_check_char(first17), today=TODAY)
    assert r.valid, r
    assert r.info["sex"] == ("男" if int(first17[14:17]) % 2 else "女")


@settings(max_examples=300, deadline=None)
@given(id_bodies, st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_makes_an_id_invalid(first17: str, pos: int, shift: int) -> None:
    good = first17 + id_check_char(first17)
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    new = alphabet[(alphabet.index(good[pos]) + shift) % len(alphabet)]
    if new == good[pos]:
        return
    bad = good[:pos] + new + good[pos + 1:]
    r = validate_id_card(bad, today=TODAY)
    assert not r.valid
    # outside the birth date, MOD 11-2 is what catches it
    if not 6 <= pos < 14:
        assert r.code == "bad_check_char"


# ----------------------------------------------------------------------------- USCC (R7.2)

uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_public_example_uscc_passes_both_checks() -> None:
    # 91350100M000100Y43 is the example printed with GB 32100; it also passes the GB 11714 check.
    r = validate_uscc("91350100M000100Y43")
    assert r.valid and r.warnings == ()
    assert r.info["org_type"] == "企业"


def test_uscc_full_width_and_lower_case_are_normalised() -> None:
    r = validate_uscc("９１３５０１００ｍ０００１００ｙ４３")
    assert r.valid and r.normalized == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "bad_check_char"),
        ("91350100M000100Y4", "bad_length"),
        ("91350100M00O100Y43", "bad_char"),  # letter O is never used
    ],
)
def test_invalid_uscc_reasons(code: str, reason: str) -> None:
    r = validate_uscc(code)
    assert not r.valid and r.code == reason


@settings(max_examples=300, deadline=None)
@given(uscc_bodies)
def test_generated_uscc_with_computed_check_char_is_valid(first17: str) -> None:
    assert validate_uscc(first17 + uscc_check_char(first17)).valid


@settings(max_examples=300, deadline=None)
@given(uscc_bodies, st.integers(0, 17), st.integers(1, 30))
def test_any_single_character_change_makes_a_uscc_invalid(first17: str, pos: int, shift: int) -> None:
    good = first17 + uscc_check_char(first17)
    new = USCC_ALPHABET[(USCC_ALPHABET.index(good[pos]) + shift) % 31]
    bad = good[:pos] + new + good[pos + 1:]
    r = validate_uscc(bad)
    assert not r.valid and r.code == "bad_check_char"


def test_gb11714_failure_is_only_a_warning() -> None:
    org8 = "MA01A2B3"
    good9 = org8 + org_code_check_char(org8)
    wrong9 = org8 + ("0" if good9[-1] != "0" else "1")
    for body, expect_warning in ((good9, False), (wrong9, True)):
        if any(c not in USCC_ALPHABET for c in body):
            pytest.skip("GB 11714 check char outside the USCC alphabet")
        first17 = "91500103" + body
        r = validate_uscc(first17 + uscc_check_char(first17))
        assert r.valid
        assert ("org_code_check" in r.warnings) is expect_warning


def test_helpers_reject_bad_arguments_with_a_code() -> None:
    with pytest.raises(IdentifierError) as exc:
        uscc_check_char("123")
    assert exc.value.code == "bad_identifier_argument"
    with pytest.raises(IdentifierError):
        validate("passport", "X")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- plates (R7.4)


@pytest.mark.parametrize(
    ("plate", "normalized", "kind"),
    [
        ("渝A12345", "渝A12345", "ordinary"),
        ("渝A·12345", "渝A12345", "ordinary"),
        ("京n 8u2c1", "京N8U2C1", "ordinary"),
        ("渝A·D12345", "渝AD12345", "new_energy"),
        ("渝A12345F", "渝A12345F", "new_energy"),
        ("渝A1234学", "渝A1234学", "coach"),
        ("渝A1234挂", "渝A1234挂", "trailer"),
        ("粤Z1234港", "粤Z1234港", "hong_kong"),
        ("粤Z1234澳", "粤Z1234澳", "macao"),
        ("沪A1234领", "沪A1234领", "consulate"),
        ("京A1234警", "京A1234警", "police"),
        ("使014578", "使014578", "embassy"),
    ],
)
def test_plate_shapes(plate: str, normalized: str, kind: str) -> None:
    r = validate_plate(plate)
    assert r.valid, r
    assert r.normalized == normalized and r.info["type"] == kind


@pytest.mark.parametrize(
    ("plate", "code"),
    [("渝AO1234", "bad_char"), ("渝AI1234", "bad_char"), ("X A12345", "bad_province"), ("渝A1234", "bad_shape"),
     ("渝A1234567", "bad_shape"), ("渝112345", "bad_authority_letter")],
)
def test_bad_plates(plate: str, code: str) -> None:
    r = validate_plate(plate)
    assert not r.valid and r.code == code


def test_new_energy_without_d_or_f_is_a_warning_not_an_error() -> None:
    r = validate_plate("渝A123456")
    assert r.valid and "new_energy_df" in r.warnings


def test_to_dict_is_json_ready() -> None:
    d = validate_id_card("11010519491231002X", today=TODAY).to_dict()
    assert d["info"]["birth_date"] == "1949-12-31" and d["valid"] is True and d["warnings"] == []
