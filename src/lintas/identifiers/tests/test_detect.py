"""Type detection and the ``normalize`` contract (type None, unknown types, options)."""

import pytest

from lintas.identifiers import Detection, IdentifierType, detect, normalize

T = IdentifierType


@pytest.mark.parametrize(
    ("value", "country", "expected_type", "expected_value"),
    [
        ("+82 10-1234-5678", None, T.PHONE, "+821012345678"),
        ("010-1234-5678", "KR", T.PHONE, "+821012345678"),
        (
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            None,
            T.CRYPTO_WALLET,
            "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ),
        ("TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", None, T.CRYPTO_WALLET, "tron:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            None,
            T.CRYPTO_WALLET,
            "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        ("hxxps://secure-bank[.]example[.]com/login", None, T.URL, "https://secure-bank.example.com/login"),
        ("scam.support@example.com", None, T.EMAIL, "scam.support@example.com"),
        ("secure-bank.example.co.th", None, T.DOMAIN, "secure-bank.example.co.th"),
        ("8.8.8.8", None, T.IP, "8.8.8.8"),
        ("2001:db8::1", None, T.IP, "2001:db8::1"),
        ("t.me/scam_support", None, T.SOCIAL_HANDLE, "telegram:scam_support"),
        ("@scam_support", None, T.SOCIAL_HANDLE, "unknown:scam_support"),
        ("TL38 0080 0123 4567 8910 157", None, T.BANK_ACCOUNT, "TL380080012345678910157"),
        ("KR:004:123456-78-901234", None, T.BANK_ACCOUNT, "KR:004:12345678901234"),
        ("KB:12345678901234", None, T.BANK_ACCOUNT, "KR:004:12345678901234"),
        ("CZNBKRSE", None, T.BIC, "CZNBKRSE"),
        ("promptpay:0812345678", None, T.PAYMENT_ALIAS, "promptpay:+66812345678"),
        ("490154203237518", None, T.IMEI, "490154203237518"),
        ("3100600445635", None, T.NATIONAL_ID, "TH:3100600445635"),
        ("S1234567D", None, T.NATIONAL_ID, "SG:S1234567D"),
        ("M12345678", "KR", T.PASSPORT, "KR:M12345678"),
        ("Lee Min-su", None, T.PERSON_NAME, "lee minsu"),
        ("이민수", None, T.PERSON_NAME, "lee minsu"),
    ],
)
def test_detect_best(value, country, expected_type, expected_value):
    detection = detect(value, country)
    assert isinstance(detection, Detection)
    assert detection.best.type is expected_type
    assert detection.best.value == expected_value
    assert detection.best.valid
    assert detection.best.input == value


def test_card_detection_returns_no_alternatives_that_would_echo_the_number():
    detection = detect("4111 1111 1111 1111")
    assert detection.best.type is T.PAYMENT_CARD
    assert detection.alternatives == ()
    assert "4111111111111111" not in str(detection.to_dict())
    assert detection.best.input == "411111******1111"


def test_ambiguous_digits_list_alternatives_valid_first():
    detection = detect("0812345678", "TH")
    assert detection.best.type is T.PHONE
    assert T.BANK_ACCOUNT in {r.type for r in detection.alternatives}
    assert all(r.valid for r in detection.alternatives)
    assert detection.ranked[0] is detection.best


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2024-03-15", "date"),
        ("15/03/2024", "date"),
        ("15.03.2024", "date"),
        ("10:30", "time"),
        ("USD 5,000", "amount"),
        ("1.500.000 VND", "amount"),
        ("₩3,000,000", "amount"),
        ("300만원", "amount"),
    ],
)
def test_dates_times_and_amounts_are_not_identifiers(value, kind):
    best = detect(value).best
    assert best.type is T.UNKNOWN
    assert not best.valid
    assert kind in best.errors[0]


def test_unrecognised_value():
    best = detect("%%%").best
    assert best.type is T.UNKNOWN
    assert best.errors == ("not recognised as any identifier type",)


def test_normalize_without_type_is_detect_best():
    assert normalize("+82 10-1234-5678").value == detect("+82 10-1234-5678").best.value


def test_unknown_type_is_a_caller_error():
    with pytest.raises(ValueError, match="unknown identifier type"):
        normalize("x", "telephone_number")
    with pytest.raises(ValueError):
        normalize("x", "unknown")


def test_type_aliases():
    assert normalize("TL380080012345678910157", "iban").type is T.BANK_ACCOUNT
    assert normalize("Lee Min-su", "name").type is T.PERSON_NAME
    assert normalize("8.8.8.8", "ip-address").type is T.IP


def test_bad_country_and_foreign_option_are_caller_errors():
    with pytest.raises(ValueError):
        normalize("010-1234-5678", "phone", "Korea")
    with pytest.raises(ValueError, match="do not apply"):
        normalize("010-1234-5678", "phone", "KR", bank="004")
    assert normalize("010-1234-5678", "phone", "KOR").value == "+821012345678"


def test_non_str_value_is_a_type_error():
    with pytest.raises(TypeError):
        normalize(12345, "phone")  # type: ignore[arg-type]


def test_too_long_input_is_invalid_not_slow():
    result = normalize("1" * 5000, "phone")
    assert not result.valid
    assert "longer than" in result.errors[0]


def test_result_to_dict_shape():
    data = normalize("010-1234-5678", "phone", "KR").to_dict()
    assert list(data) == ["input", "type", "value", "display", "country", "valid", "errors", "warnings", "details"]
    assert data["type"] == "phone"
    assert isinstance(data["errors"], list)
