"""Tests for the barcode parser: GTIN check digits, UPC-E, PLUs, in-store rules, internal codes."""

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_pos.domain.barcode import (
    BarcodeParser,
    BarcodeRule,
    ScannedCode,
    display_gtin,
    expand_upce,
    gtin_check_digit,
    is_valid_gtin,
    normalize_gtin,
)
from tui_pos.domain.errors import BarcodeError, DomainError

VALID_GTINS = [
    "4006381333931",
    "5901234123457",
    "036000241457",
    "96385074",
    "73513537",
    "2305000123451",
    "2100005080002",
]

RULES = (
    BarcodeRule("23.....{NNNDD}", "price"),
    BarcodeRule("21.....{NNDDD}", "weight"),
    BarcodeRule("041", "employee"),
)


def with_check(body: str) -> str:
    return body + str(gtin_check_digit(body))


# --- check digits and GTINs -------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_GTINS)
def test_known_vectors_are_valid(code: str) -> None:
    assert is_valid_gtin(code)
    assert gtin_check_digit(code[:-1]) == int(code[-1])


@pytest.mark.parametrize("code", VALID_GTINS)
def test_known_vectors_parse_as_products(code: str) -> None:
    scanned = BarcodeParser().parse(code)
    assert scanned == ScannedCode("product", code.zfill(14), code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("4006381333932", 1), ("5901234123450", 7), ("036000241450", 7), ("96385070", 4)],
)
def test_bad_check_digit_names_expected_digit(code: str, expected: int) -> None:
    assert not is_valid_gtin(code)
    with pytest.raises(BarcodeError, match=rf"Bad check digit in {code} \(expected {expected}"):
        BarcodeParser().parse(code)
    with pytest.raises(BarcodeError, match=rf"expected {expected}"):
        normalize_gtin(code)


def test_bad_check_digit_message_is_exact() -> None:
    with pytest.raises(BarcodeError) as info:
        BarcodeParser().parse("4006381333932")
    assert str(info.value) == "Bad check digit in 4006381333932 (expected 1)"
    assert isinstance(info.value, DomainError)


@pytest.mark.parametrize("code", ["", "123", "40063813339", "400638133393a", "٤٠٠٦٣٨١٣٣٣٩٣١"])
def test_is_valid_gtin_rejects_wrong_shapes(code: str) -> None:
    assert not is_valid_gtin(code)


def test_gtin_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        gtin_check_digit("12a4")
    with pytest.raises(ValueError):
        gtin_check_digit("")


def test_upc_a_and_ean13_normalise_alike() -> None:
    assert normalize_gtin("036000241457") == normalize_gtin("0036000241457") == "00036000241457"
    assert normalize_gtin("00036000241457") == "00036000241457"
    parser = BarcodeParser()
    assert parser.parse("036000241457").code == parser.parse("0036000241457").code


@pytest.mark.parametrize("code", ["123456789", "40063813339a1", "", "400638133393100"])
def test_normalize_gtin_rejects_non_gtins(code: str) -> None:
    with pytest.raises(BarcodeError, match="Not a GTIN"):
        normalize_gtin(code)


def test_display_gtin() -> None:
    assert display_gtin("00000096385074") == "96385074"
    assert display_gtin("04006381333931") == "4006381333931"
    assert display_gtin("00036000241457") == "0036000241457"
    assert display_gtin("10012345678902") == "10012345678902"
    with pytest.raises(ValueError):
        display_gtin("4006381333931")


# --- UPC-E --------------------------------------------------------------------------------


def test_expand_upce_vector() -> None:
    assert expand_upce("04252614") == "042100005264"
    assert expand_upce("0425261") == "042100005264"
    assert expand_upce("425261") == "042100005264"


@pytest.mark.parametrize(
    ("upce", "upca_body"),
    [
        ("0123450", "01200000345"),
        ("0123451", "01210000345"),
        ("0123452", "01220000345"),
        ("0123453", "01230000045"),
        ("0123454", "01234000005"),
        ("0123455", "01234500005"),
        ("1123459", "11234500009"),
    ],
)
def test_expand_upce_table(upce: str, upca_body: str) -> None:
    upca = expand_upce(upce)
    assert upca == with_check(upca_body)
    assert expand_upce(upce + upca[-1]) == upca


@pytest.mark.parametrize("code", ["04252615", "2425261", "12345", "042526140", "04a5261"])
def test_expand_upce_rejects_bad_codes(code: str) -> None:
    with pytest.raises(BarcodeError):
        expand_upce(code)


def test_parser_accepts_upce_when_not_ean8() -> None:
    assert not is_valid_gtin("04252614")
    scanned = BarcodeParser().parse("04252614")
    assert scanned == ScannedCode("product", "00042100005264", "04252614")
    assert normalize_gtin("04252614", upce=True) == "00042100005264"
    with pytest.raises(BarcodeError):
        normalize_gtin("04252614")


def test_parser_prefers_ean8() -> None:
    code = with_check("0123456")
    assert is_valid_gtin(code)
    assert BarcodeParser().parse(code).code == code.zfill(14)


def test_bad_upce_names_both_expected_digits() -> None:
    with pytest.raises(BarcodeError, match=r"expected 0 as EAN-8, 4 as UPC-E"):
        BarcodeParser().parse("04252615")


def test_eight_digits_starting_with_2_are_only_ean8() -> None:
    with pytest.raises(BarcodeError, match=r"\(expected 4\)$"):
        BarcodeParser().parse("96385070")


# --- rules ------------------------------------------------------------------------------


def test_price_rule() -> None:
    scanned = BarcodeParser(RULES).parse("2305000123451")
    assert scanned == ScannedCode("price", "02305000000004", "2305000123451", Decimal("123.45"))


def test_weight_rule() -> None:
    scanned = BarcodeParser(RULES).parse("2100005080002")
    assert scanned.kind == "weight"
    assert scanned.code == "02100005000000"
    assert scanned.value == Decimal("8.000")
    assert str(scanned.value) == "8.000"


def test_prefix_rule_has_no_value() -> None:
    code = with_check("041234567890")
    scanned = BarcodeParser(RULES).parse(code)
    assert scanned == ScannedCode("employee", code, code)


def test_rules_match_the_13_digit_form_of_upc_a() -> None:
    upca = with_check("41234567890")  # 13-digit form 041234567890x
    assert BarcodeParser(RULES).parse(upca).kind == "employee"
    assert BarcodeParser([BarcodeRule("0036", "coupon")]).parse("036000241457").kind == "coupon"


def test_first_matching_rule_wins() -> None:
    rules = [BarcodeRule("2", "customer"), BarcodeRule("23.....{NNNDD}", "price")]
    assert BarcodeParser(rules).parse("2305000123451").kind == "customer"
    assert BarcodeParser(rules[::-1]).parse("2305000123451").kind == "price"


def test_no_rule_matched_is_a_product() -> None:
    assert BarcodeParser(RULES).parse("4006381333931").kind == "product"


def test_rule_does_not_bypass_check_digit() -> None:
    with pytest.raises(BarcodeError, match="Bad check digit"):
        BarcodeParser(RULES).parse("2305000123452")


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("", "customer"),
        ("23..x", "customer"),
        ("23{DDNN}", "price"),
        ("23{NN}{DD}", "price"),
        ("23{}", "price"),
        ("23.....{NNNDD}.", "price"),
        ("1234567890123", "coupon"),
        ("23.....", "price"),
        ("041{NN}", "employee"),
        ("041", "product"),
        ("041", "plu"),
    ],
)
def test_bad_rules_are_refused(pattern: str, kind: str) -> None:
    with pytest.raises(ValueError):
        BarcodeRule(pattern, kind)  # type: ignore[arg-type]


def test_parser_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        BarcodeParser(max_length=10)
    with pytest.raises(ValueError):
        BarcodeParser(plu_max_digits=8)


# --- PLU, internal codes, cleaning ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("4011", "4011"), ("0004011", None), ("00012", "12"), ("0", "0"), ("000", "0")],
)
def test_plu(text: str, code: str | None) -> None:
    scanned = BarcodeParser().parse(text)
    if code is None:  # 7 digits: longer than a PLU
        assert scanned == ScannedCode("product", text, text)
    else:
        assert scanned == ScannedCode("plu", code, text)


def test_plu_max_digits() -> None:
    assert BarcodeParser(plu_max_digits=7).parse("0004011") == ScannedCode("plu", "4011", "0004011")
    assert BarcodeParser(plu_max_digits=0).parse("12").kind == "product"


@pytest.mark.parametrize("text", ["1234567", "123456789", "1234567890", "12345678901", "1" * 20])
def test_other_digit_lengths_are_internal_products(text: str) -> None:
    assert BarcodeParser().parse(text) == ScannedCode("product", text, text)


@pytest.mark.parametrize(
    ("text", "code"), [("ABC-123", "ABC-123"), ("abc-123", "ABC-123"), ("x.y_z/9", "X.Y_Z/9")]
)
def test_internal_codes(text: str, code: str) -> None:
    assert BarcodeParser().parse(text) == ScannedCode("product", code, text)


@pytest.mark.parametrize("text", ["ABC 123", "ABC$1", "é123", "4006381333931x!", "]E"])
def test_bad_characters_are_refused(text: str) -> None:
    with pytest.raises(BarcodeError, match="only letters, digits"):
        BarcodeParser().parse(text)


@pytest.mark.parametrize("text", ["", "   ", "\t\r\n", "]E0", " ]E4 "])
def test_nothing_scanned(text: str) -> None:
    with pytest.raises(BarcodeError, match="^Nothing scanned$"):
        BarcodeParser().parse(text)


@pytest.mark.parametrize("text", ["4006381\x1d333931", "ABC\x00", "12\n34", "\x1b[A"])
def test_control_characters_are_refused(text: str) -> None:
    with pytest.raises(BarcodeError, match="control character") as info:
        BarcodeParser().parse(text)
    assert str(info.value).isprintable()


def test_too_long_is_refused_and_message_truncated() -> None:
    with pytest.raises(BarcodeError, match="too long") as info:
        BarcodeParser().parse("A" * 49)
    shown = str(info.value).split(": ", 1)[1]
    assert shown == "A" * 28 + "…"
    assert BarcodeParser().parse("A" * 48).code == "A" * 48
    assert BarcodeParser(max_length=20).parse("A" * 20).kind == "product"
    with pytest.raises(BarcodeError, match="too long"):
        BarcodeParser(max_length=20).parse("A" * 21)


def test_whitespace_is_stripped() -> None:
    assert BarcodeParser().parse("  4006381333931\r\n").raw == "4006381333931"


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("]E04006381333931", "4006381333931"),
        ("]E496385074", "96385074"),
        ("]C1ABC-123", "ABC-123"),
        ("]e04011", "4011"),
    ],
)
def test_aim_prefix_is_stripped(text: str, raw: str) -> None:
    assert BarcodeParser().parse(text) == BarcodeParser().parse(raw)
    assert BarcodeParser().parse(text).raw == raw


# --- properties -------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(digits)
def test_any_body_with_check_digit_round_trips(body: str) -> None:
    code = with_check(body)
    assert is_valid_gtin(code)
    scanned = BarcodeParser().parse(code)
    assert scanned.kind == "product"
    assert scanned.code == normalize_gtin(code) == "0" + code
    assert display_gtin(scanned.code) in (code, code[5:])


@given(digits, st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=9))
def test_single_digit_change_is_detected(body: str, position: int, delta: int) -> None:
    code = with_check(body)
    changed = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1 :]
    assert not is_valid_gtin(changed)
    with pytest.raises(BarcodeError, match="Bad check digit"):
        BarcodeParser().parse(changed)


@given(st.text())
def test_parse_only_raises_barcode_errors(text: str) -> None:
    for parser in (BarcodeParser(), BarcodeParser(RULES)):
        try:
            scanned = parser.parse(text)
        except BarcodeError as error:
            assert str(error)
        else:
            assert scanned.raw
            assert scanned.code


@given(st.text(alphabet="0123456789]E0 \t", max_size=20))
def test_parse_only_raises_barcode_errors_on_digit_soup(text: str) -> None:
    with contextlib.suppress(BarcodeError):
        BarcodeParser(RULES).parse(text)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_eight_digit_scans_are_ean8_or_upce(body: str) -> None:
    scanned = BarcodeParser().parse(with_check(body))
    assert scanned.code == with_check(body).zfill(14)
    if body[0] in "01":
        upca = expand_upce(body)
        upce = body + upca[-1]
        if not is_valid_gtin(upce):
            assert BarcodeParser().parse(upce).code == "00" + upca
