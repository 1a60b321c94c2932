"""Bank accounts (IBAN and domestic) and BICs."""

import pytest

from lintas.identifiers import normalize
from lintas.identifiers.banking import ACCOUNT_RULES


def account(value, country=None, **options):
    return normalize(value, "bank_account", country, **options)


# Examples printed in the SWIFT IBAN registry, Timor-Leste among them.
IBAN_REGISTRY_EXAMPLES = [
    ("TL38 0080 0123 4567 8910 157", "TL380080012345678910157", "TL"),
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE"),
    ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", "GB"),
    ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", "FR"),
    ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "NL"),
    ("CH93 0076 2011 6238 5295 7", "CH9300762011623852957", "CH"),
    ("SA03 8000 0000 6080 1016 7519", "SA0380000000608010167519", "SA"),
    ("AE07 0331 2345 6789 0123 456", "AE070331234567890123456", "AE"),
]


@pytest.mark.parametrize(("formatted", "compact", "country"), IBAN_REGISTRY_EXAMPLES)
def test_iban_registry_examples(formatted, compact, country):
    result = account(formatted)
    assert result.valid, result.errors
    assert result.value == compact
    assert result.country == country
    assert result.details["iban"] is True
    assert account(compact).value == compact
    assert account(formatted.lower()).value == compact


def test_timor_leste_iban_parts():
    result = account("TL38 0080 0123 4567 8910 157")
    assert result.details["bank_code"] == "008"
    assert result.display == "TL38 0080 0123 4567 8910 157"


@pytest.mark.parametrize(
    "bad",
    [
        "TL38 0080 0123 4567 8910 158",  # check digits no longer match
        "DE88 3704 0044 0532 0130 00",  # wrong check digits
        "TL38 0080 0123 4567 8910",  # too short for TL
        "XX89 3704 0044 0532 0130 00",  # no such country
    ],
)
def test_invalid_ibans(bad):
    result = account(bad)
    assert not result.valid
    assert "IBAN" in result.errors[0]


def test_iban_wins_over_a_country_option():
    result = account("TL380080012345678910157", "KR")
    assert result.value == "TL380080012345678910157"
    assert result.country == "TL"


@pytest.mark.parametrize(
    ("value", "country", "bank"),
    [
        ("KR:004:123456-78-901234", None, None),
        ("KB국민은행 123456-78-901234", None, None),
        ("국민은행 123456 78 901234", None, None),
        ("CZNBKRSE 123456-78-901234", None, None),
        ("CZNBKRSEXXX:12345678901234", None, None),
        ("004:12345678901234", "KR", None),
        ("123456.78.901234", "KR", "KB"),
        ("１２３４５６－７８－９０１２３４", "KR", "004"),  # noqa: RUF001 - full-width on purpose
    ],
)
def test_korean_account_spellings_share_one_value(value, country, bank):
    options = {"bank": bank} if bank else {}
    result = account(value, country, **options)
    assert result.valid, result.errors
    assert result.value == "KR:004:12345678901234"
    assert result.details["bank"] == "KB Kookmin Bank"
    assert result.details["rule"]["status"] == "commonly cited"


def test_bank_name_is_read_for_the_given_country():
    assert account("kbank 1234567890", "TH").value == "TH:004:1234567890"  # Kasikornbank
    assert account("kbank 123456789012", "KR").value == "KR:089:123456789012"  # K Bank


def test_vietnamese_bank_name_that_looks_like_a_bic():
    # "VIETCOMBANK" has the shape of a BIC with country CO; the bank list must win.
    assert account("Vietcombank 0123456789012", "VN").value == "VN:970436:0123456789012"


@pytest.mark.parametrize(
    ("value", "country", "digits"),
    [("123456789", "KR", 9), ("123456789012345", "KR", 15), ("12345678901", "TH", 11), ("12345678", "SG", 8)],
)
def test_length_outside_the_commonly_cited_range_is_invalid(value, country, digits):
    result = account(value, country)
    assert not result.valid
    assert f"this one has {digits}" in result.errors[0]
    assert "commonly cited" in result.errors[0]


@pytest.mark.parametrize("country", ["KH", "BN", "LA", "MM"])
def test_countries_without_a_public_rule_accept_6_to_20_digits_with_a_warning(country):
    ok = account("12345678", country)
    assert ok.valid
    assert "format not verified" in ok.warnings
    assert ok.details["rule"]["status"] == "format not verified"
    assert not account("12345", country).valid
    assert not account("1" * 21, country).valid


def test_every_rule_names_its_source_and_none_claims_official_verification():
    for country, rule in ACCOUNT_RULES.items():
        assert rule.source, country
        assert rule.verified is False  # no member publishes a national account-number standard


def test_timor_leste_domestic_number_suggests_iban():
    result = account("0080012345678910157", "TL")
    assert any("IBAN" in w for w in result.warnings)


def test_country_is_required_for_a_domestic_account():
    result = account("1234567890")
    assert not result.valid
    assert "country needed" in result.errors[0]


def test_unlisted_bank_is_kept_with_a_warning():
    result = account("KR:FOO BANK:1234567890")
    assert result.value == "KR:FOOBANK:1234567890"
    assert any("not in the built-in list" in w for w in result.warnings)


def test_missing_bank_is_allowed_with_a_warning():
    result = account("KR:123456789012")
    assert result.value == "KR::123456789012"
    assert result.valid
    assert any("bank not given" in w for w in result.warnings)


def test_bank_specific_length_is_a_warning_only():
    result = account("KR:020:1234567890")  # Woori uses 13 digits
    assert result.valid
    assert any("Woori Bank accounts are commonly 13 digits" in w for w in result.warnings)


def test_letters_in_account_number_are_invalid():
    assert not account("KR:004:12345ABC890").valid


@pytest.mark.parametrize(
    ("bic", "value", "country"),
    [
        ("CZNBKRSE", "CZNBKRSE", "KR"),
        ("CZNBKRSEXXX", "CZNBKRSE", "KR"),
        ("deutdeff500", "DEUTDEFF500", "DE"),
        ("MBBE MY KL", "MBBEMYKL", "MY"),
    ],
)
def test_bic(bic, value, country):
    result = normalize(bic, "bic")
    assert result.valid
    assert result.value == value
    assert result.country == country


def test_bic_of_a_listed_bank_names_its_national_code():
    assert normalize("CZNBKRSE", "bic").details["national_code"] == "004"


@pytest.mark.parametrize("bad", ["PASSWORD", "CZNB", "CZNBKRSE1", "CZNBZZSE"])
def test_invalid_bic(bad):
    assert not normalize(bad, "bic").valid


def test_test_bic_warns():
    assert any("test BIC" in w for w in normalize("DEUTDE00", "bic").warnings)
