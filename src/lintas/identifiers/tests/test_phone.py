"""Phone numbers of every member country, in local and international notation (ITU-T E.164 via libphonenumber)."""

import pytest

from lintas.identifiers import IdentifierType, normalize

# (country, local notation, international notation, E.164, line type)
MEMBER_NUMBERS = [
    ("KR", "010-1234-5678", "+82 10-1234-5678", "+821012345678", "mobile"),
    ("KR", "02-312-3456", "+82 2-312-3456", "+8223123456", "fixed_line"),
    ("KR", "031-123-4567", "+82 31 123 4567", "+82311234567", "fixed_line"),
    ("MY", "012-345 6789", "+60 12-345 6789", "+60123456789", "mobile"),
    ("MY", "03-2123 4567", "+60 3-2123 4567", "+60321234567", "fixed_line"),
    ("MY", "011-1234 5678", "+60 11-1234 5678", "+601112345678", "mobile"),
    ("KH", "012 345 678", "+855 12 345 678", "+85512345678", "mobile"),
    ("KH", "023 756 789", "+855 23 756 789", "+85523756789", "fixed_line"),
    ("KH", "097 123 4567", "+855 97 123 4567", "+855971234567", "mobile"),
    ("ID", "0812-3456-7890", "+62 812-3456-7890", "+6281234567890", "mobile"),
    ("ID", "(021) 8350123", "+62 21 8350123", "+62218350123", "fixed_line"),
    ("ID", "0857 1234 5678", "+62 857-1234-5678", "+6285712345678", "mobile"),
    ("PH", "0917 123 4567", "+63 917 123 4567", "+639171234567", "mobile"),
    ("PH", "(02) 8123 4567", "+63 2 8123 4567", "+63281234567", "fixed_line"),
    ("PH", "0998 123 4567", "+63 998 123 4567", "+639981234567", "mobile"),
    ("TH", "081 234 5678", "+66 81 234 5678", "+66812345678", "mobile"),
    ("TH", "02 123 4567", "+66 2 123 4567", "+6621234567", "fixed_line"),
    ("TH", "091-234-5678", "+66 91 234 5678", "+66912345678", "mobile"),
    ("VN", "091 234 56 78", "+84 912 345 678", "+84912345678", "mobile"),
    ("VN", "024 3123 4567", "+84 24 3123 4567", "+842431234567", "fixed_line"),
    ("VN", "098.765.4321", "+84 987 654 321", "+84987654321", "mobile"),
    ("SG", "8123 4567", "+65 8123 4567", "+6581234567", "mobile"),
    ("SG", "6123 4567", "+65 6123 4567", "+6561234567", "fixed_line"),
    ("SG", "9123-4567", "+65 9123 4567", "+6591234567", "mobile"),
    ("BN", "712 3456", "+673 712 3456", "+6737123456", "mobile"),
    ("BN", "222 1234", "+673 222 1234", "+6732221234", "fixed_line"),
    ("BN", "873 4567", "+673 873 4567", "+6738734567", "mobile"),
    ("LA", "020 5512 3456", "+856 20 5512 3456", "+8562055123456", "mobile"),
    ("LA", "021 212 862", "+856 21 212 862", "+85621212862", "fixed_line"),
    ("LA", "030 512 3456", "+856 30 512 3456", "+856305123456", "mobile"),
    ("MM", "09 212 3456", "+95 9 212 3456", "+9592123456", "mobile"),
    ("MM", "01 234 567", "+95 1 234 567", "+951234567", "fixed_line"),
    ("MM", "09 2501 23456", "+95 9 250 123 456", "+959250123456", "mobile"),
    ("TL", "7721 2345", "+670 7721 2345", "+67077212345", "mobile"),
    ("TL", "331 1234", "+670 331 1234", "+6703311234", "fixed_line"),
    ("TL", "7812 3456", "+670 7812 3456", "+67078123456", "mobile"),
]


@pytest.mark.parametrize(("country", "local", "international", "e164", "line_type"), MEMBER_NUMBERS)
def test_member_numbers_local_and_international_agree(country, local, international, e164, line_type):
    from_local = normalize(local, "phone", country)
    from_international = normalize(international, "phone")
    assert from_local.valid, from_local.errors
    assert from_local.value == e164
    assert from_international.value == e164
    assert from_local.country == country
    assert from_local.details["region"] == country
    assert from_local.details["line_type"] in (line_type, "fixed_line_or_mobile")


def test_every_member_has_three_numbers():
    per_country = {}
    for country, *_ in MEMBER_NUMBERS:
        per_country[country] = per_country.get(country, 0) + 1
    assert set(per_country) == {"KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL"}
    assert min(per_country.values()) >= 3


@pytest.mark.parametrize(
    "variant",
    [
        "010-1234-5678",
        "010 1234 5678",
        "010.1234.5678",
        "(010) 1234-5678",
        "01012345678",
        "０１０－１２３４－５６７８",  # full-width, as typed on Korean and Japanese keyboards  # noqa: RUF001
        "+82 10 1234 5678",
        "+82 (0)10-1234-5678",
        "+82 010-1234-5678",
        "0082 10 1234 5678",
        "tel:+82-10-1234-5678",
    ],
)
def test_formatting_variants_give_one_value(variant):
    result = normalize(variant, "phone", "KR")
    assert result.value == "+821012345678"
    assert result.valid


def test_display_is_international_format():
    assert normalize("010-1234-5678", "phone", "KR").display == "+82 10-1234-5678"


def test_invalid_number_is_invalid_with_reason():
    result = normalize("010-1234", "phone", "KR")
    assert not result.valid
    assert result.type is IdentifierType.PHONE
    assert "not a valid phone number" in result.errors[0]


def test_local_number_without_country_is_invalid_not_guessed_as_local():
    result = normalize("081 234 5678", "phone")
    assert not result.valid
    assert "no country" in result.errors[0]
    assert result.value == "0812345678"


def test_country_code_without_plus_is_read_as_international_with_warning():
    result = normalize("66812345678", "phone")
    assert result.value == "+66812345678"
    assert result.valid
    assert any("international" in w for w in result.warnings)


def test_letters_are_rejected():
    result = normalize("call me maybe", "phone", "TH")
    assert not result.valid
    assert result.errors


def test_extension_is_kept_in_details_not_value():
    result = normalize("02-312-3456 ext. 21", "phone", "KR")
    assert result.value == "+8223123456"
    assert result.details["extension"] == "21"


def test_metadata_patterns_are_compiled_once():
    # phone.py turns on libphonenumber's pattern cache: normalising a number fills it, and a second number of the
    # same region compiles nothing new (without the cache, every metadata pattern is compiled on every use).
    from phonenumbers import re_util

    normalize("+82 10-1234-5678", "phone")
    assert re_util._COMPILED_PATTERNS, "the pattern cache is off"
    before = len(re_util._COMPILED_PATTERNS)
    normalize("010-9876-5432", "phone", "KR")
    assert len(re_util._COMPILED_PATTERNS) == before
