"""IMEI (Luhn), national identity numbers, passports and payment cards."""

import json

import pytest

from lintas.identifiers import normalize
from lintas.identifiers.card import DEFAULT_CARD_SALT


# IMEI examples: the 3GPP-style sample 49-015420-323751-8 and others whose check digit follows Luhn.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("49-015420-323751-8", "490154203237518"),
        ("490154203237518", "490154203237518"),
        ("35-209900-176148-1", "352099001761481"),
        ("356938035643809", "356938035643809"),
        ("IMEI: 35 209900 176148 1", "352099001761481"),
    ],
)
def test_imei_luhn_valid(value, expected):
    result = normalize(value, "imei")
    assert result.valid, result.errors
    assert result.value == expected


@pytest.mark.parametrize("value", ["490154203237517", "352099001761482", "356938035643800"])
def test_imei_luhn_invalid(value):
    result = normalize(value, "imei")
    assert not result.valid
    assert "Luhn" in result.errors[0]


def test_imeisv_matches_the_imei_of_the_same_device():
    # IMEISV = 14 identifying digits + 2-digit software version; no check digit.
    result = normalize("35-209900-176148-23", "imei")
    assert result.valid
    assert result.value == "352099001761481"
    assert result.details["svn"] == "23"


def test_imei_without_check_digit_gets_it_computed():
    result = normalize("35209900176148", "imei")
    assert result.value == "352099001761481"
    assert any("computed" in w for w in result.warnings)


@pytest.mark.parametrize("value", ["1234", "1234567890123456789", "35209900176148A"])
def test_imei_wrong_length_or_letters(value):
    assert not normalize(value, "imei").valid


# National IDs: examples from python-stdnum's documentation and the commonly published SG NRIC example.
@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("971013-9019902", "KR", "KR:9710139019902"),
        ("770305-02-1234", "MY", "MY:770305021234"),
        ("3-1006-00445-63-5", "TH", "TH:3100600445635"),
        ("3171011708450001", "ID", "ID:3171011708450001"),
        ("S1234567D", "SG", "SG:S1234567D"),
        ("TH:3100600445635", None, "TH:3100600445635"),
    ],
)
def test_national_ids_with_checksums(value, country, expected):
    result = normalize(value, "national_id", country)
    assert result.valid, result.errors
    assert result.value == expected
    assert result.details["checksum"] is True


@pytest.mark.parametrize(
    ("value", "country"),
    [
        ("971013-9019903", "KR"),  # check digit
        ("771305-02-1234", "MY"),  # month 13
        ("3-1006-00445-63-4", "TH"),  # check digit
        ("9971011708450001", "ID"),  # province 99
        ("S1234567A", "SG"),  # check letter
    ],
)
def test_national_ids_failing_their_checks(value, country):
    assert not normalize(value, "national_id", country).valid


def test_korean_numbers_since_october_2020_have_no_check_digit():
    result = normalize("210101-3123456", "national_id", "KR")
    assert result.valid
    assert any("October 2020" in w for w in result.warnings)


def test_formats_without_public_check_digit_say_so():
    result = normalize("001099012345", "national_id", "VN")
    assert result.valid
    assert result.details["checksum"] is False
    assert result.warnings


def test_national_id_country_inferred_only_when_unambiguous():
    inferred = normalize("3100600445635", "national_id")
    assert inferred.value == "TH:3100600445635"
    assert any("fits the TH scheme" in w for w in inferred.warnings)
    unknown = normalize("12345", "national_id")
    assert not unknown.valid
    assert "country needed" in unknown.errors[0]


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("M12345678", "KR", "KR:M12345678"),
        ("KOR:M123A4567", None, "KR:M123A4567"),
        ("e1234567a", "SG", "SG:E1234567A"),
        ("A 1234 5678", "MY", "MY:A12345678"),
    ],
)
def test_passports(value, country, expected):
    result = normalize(value, "passport", country)
    assert result.valid
    assert result.value == expected


def test_passport_needs_a_country_and_warns_on_unusual_pattern():
    assert not normalize("M12345678", "passport").valid
    assert normalize("12345678", "passport", "KR").warnings


CARD = "4111 1111 1111 1111"


def test_card_canonical_keeps_only_bin_last_four_and_hash():
    result = normalize(CARD, "payment_card", card_salt="s3cret")
    assert result.valid
    assert result.value.startswith("card:411111:1111:")
    assert result.display == "411111******1111"
    assert result.details["brand"] == "visa"


@pytest.mark.parametrize("salt", [None, "another-salt"])
def test_full_card_number_appears_nowhere_in_the_result(salt):
    options = {"card_salt": salt} if salt else {}
    for spelling in (CARD, "4111-1111-1111-1111", "4111111111111111", "4111 1111 1111 1112"):
        dumped = json.dumps(normalize(spelling, "payment_card", **options).to_dict())
        assert "4111111111111111" not in dumped
        assert "4111111111111112" not in dumped
        assert "1111 1111 1111" not in dumped


def test_card_hash_depends_on_the_salt_and_the_environment(monkeypatch):
    monkeypatch.delenv("LINTAS_CARD_SALT", raising=False)
    default = normalize(CARD, "payment_card")
    assert any("development salt" in w for w in default.warnings)
    monkeypatch.setenv("LINTAS_CARD_SALT", "production-secret")
    from_env = normalize(CARD, "payment_card")
    assert from_env.value != default.value
    assert not from_env.warnings
    assert normalize(CARD, "payment_card", card_salt=DEFAULT_CARD_SALT).value == default.value


def test_card_luhn_failure_is_invalid():
    result = normalize("4111 1111 1111 1112", "payment_card")
    assert not result.valid
    assert "Luhn" in result.errors[0]


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("378282246310005", "amex"),
        ("5555555555554444", "mastercard"),
        ("3530111333300000", "jcb"),
        ("6011111111111117", "discover"),
        ("6200000000000005", "unionpay"),
    ],
)
def test_card_brands(number, brand):
    assert normalize(number, "payment_card").details["brand"] == brand
