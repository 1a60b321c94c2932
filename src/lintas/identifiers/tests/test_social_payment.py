"""Messaging handles and payment aliases, including the phone numbers they link to."""

import pytest

from lintas.identifiers import normalize


def handle(value, country=None, **options):
    return normalize(value, "social_handle", country, **options)


def alias(value, country=None, **options):
    return normalize(value, "payment_alias", country, **options)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t.me/Scam_Support", "telegram:scam_support"),
        ("https://telegram.me/scam_support", "telegram:scam_support"),
        ("telegram:@Scam_Support", "telegram:scam_support"),
        ("tg:scam_support", "telegram:scam_support"),
        ("Telegram @scam_support", "telegram:scam_support"),
        ("line.me/ti/p/~john.doe", "line:john.doe"),
        ("line:@shop123", "line:@shop123"),
        ("https://www.facebook.com/John.Smith.123", "facebook:johnsmith123"),
        ("facebook:johnsmith123", "facebook:johnsmith123"),
        ("https://www.facebook.com/profile.php?id=100012345678", "facebook:100012345678"),
        ("instagram.com/some.user_1/", "instagram:some.user_1"),
        ("https://x.com/SomeUser", "x:someuser"),
        ("twitter.com/SomeUser", "x:someuser"),
        ("https://www.tiktok.com/@some.user", "tiktok:some.user"),
        ("wechat:wxid_abc12345", "wechat:wxid_abc12345"),
        ("카톡:scamking", "kakaotalk:scamking"),
        ("https://open.kakao.com/o/sAbCdEf1", "kakaotalk:o/sAbCdEf1"),
        ("zalo:1234567890123456789", "zalo:1234567890123456789"),
    ],
)
def test_handles(value, expected):
    result = handle(value)
    assert result.valid, result.errors
    assert result.value == expected


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("whatsapp:+60 12-345 6789", None, "whatsapp:+60123456789"),
        ("https://wa.me/60123456789", None, "whatsapp:+60123456789"),
        ("https://api.whatsapp.com/send?phone=60123456789&text=hi", None, "whatsapp:+60123456789"),
        ("whatsapp:012-345 6789", "MY", "whatsapp:+60123456789"),
        ("viber:+84 91 234 56 78", None, "viber:+84912345678"),
        ("zalo.me/0912345678", None, "zalo:+84912345678"),  # Zalo is Vietnamese: VN assumed
        ("telegram:+66 81 234 5678", None, "telegram:+66812345678"),
    ],
)
def test_phone_bound_handles_link_the_phone(value, country, expected):
    result = handle(value, country)
    assert result.valid, result.errors
    assert result.value == expected
    assert result.details["linked"] == {"type": "phone", "value": expected.split(":", 1)[1]}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("telegram:ab", "Telegram"),
        ("telegram:1abcde", "Telegram"),
        ("x:waytoolongforxhandle", "X handle"),
        ("whatsapp:hello", "phone numbers"),
        ("whatsapp:+60 12", "phone number"),
    ],
)
def test_invalid_handles(value, reason):
    result = handle(value)
    assert not result.valid
    assert reason in result.errors[0]


def test_bare_mention_keeps_the_handle_with_unknown_platform():
    result = handle("@scam_support")
    assert result.value == "unknown:scam_support"
    assert any("platform not given" in w for w in result.warnings)


def test_platform_option():
    assert handle("@scam_support", platform="telegram").value == "telegram:scam_support"


def test_invite_links_are_not_profiles():
    assert not handle("t.me/joinchat/AAAAAEq3").value.startswith("telegram:")


@pytest.mark.parametrize(
    ("value", "expected", "linked"),
    [
        ("promptpay:0812345678", "promptpay:+66812345678", {"type": "phone", "value": "+66812345678"}),
        ("PromptPay 081-234-5678", "promptpay:+66812345678", {"type": "phone", "value": "+66812345678"}),
        ("พร้อมเพย์ 0812345678", "promptpay:+66812345678", {"type": "phone", "value": "+66812345678"}),
        ("promptpay:3100600445635", "promptpay:3100600445635", {"type": "national_id", "value": "TH:3100600445635"}),
        ("promptpay:0994000617721", "promptpay:0994000617721", {"type": "business_id", "value": "TH:0994000617721"}),
        ("DuitNow: 012-345 6789", "duitnow:+60123456789", {"type": "phone", "value": "+60123456789"}),
        ("duitnow:770305-02-1234", "duitnow:770305021234", {"type": "national_id", "value": "MY:770305021234"}),
        ("paynow:S1234567D", "paynow:S1234567D", {"type": "national_id", "value": "SG:S1234567D"}),
        ("PayNow +65 8123 4567", "paynow:+6581234567", {"type": "phone", "value": "+6581234567"}),
        ("paynow:197401143C", "paynow:197401143C", {"type": "business_id", "value": "SG:197401143C"}),
        ("GCash 0917 123 4567", "gcash:+639171234567", {"type": "phone", "value": "+639171234567"}),
        ("maya:09981234567", "maya:+639981234567", {"type": "phone", "value": "+639981234567"}),
        ("DANA 0812-3456-7890", "dana:+6281234567890", {"type": "phone", "value": "+6281234567890"}),
        ("ovo:085712345678", "ovo:+6285712345678", {"type": "phone", "value": "+6285712345678"}),
        ("gopay:0812 3456 7890", "gopay:+6281234567890", {"type": "phone", "value": "+6281234567890"}),
        ("Ví MoMo: 0912 345 678", "momo:+84912345678", {"type": "phone", "value": "+84912345678"}),
        ("zalopay:0987654321", "zalopay:+84987654321", {"type": "phone", "value": "+84987654321"}),
        ("카카오페이 010-1234-5678", "kakaopay:+821012345678", {"type": "phone", "value": "+821012345678"}),
        ("toss:010 1234 5678", "toss:+821012345678", {"type": "phone", "value": "+821012345678"}),
    ],
)
def test_payment_aliases(value, expected, linked):
    result = alias(value)
    assert result.valid, result.errors
    assert result.value == expected
    assert result.details["linked"] == linked


def test_payment_alias_links_to_the_same_value_as_the_phone_itself():
    phone = normalize("081-234-5678", "phone", "TH")
    assert alias("promptpay:081 234 5678").details["linked"]["value"] == phone.value


def test_promptpay_ewallet_id():
    result = alias("promptpay:123456789012345")
    assert result.details["alias_kind"] == "ewallet_id"
    assert result.value == "promptpay:123456789012345"


def test_ewallet_id_for_providers_that_take_one():
    result = alias("kakaopay:MyWallet.ID")
    assert result.valid
    assert result.value == "kakaopay:mywallet.id"


def test_phone_only_provider_rejects_other_aliases():
    result = alias("gcash:hello")
    assert not result.valid
    assert "mobile numbers" in result.errors[0]


def test_other_provider_uses_the_country_option():
    assert alias("other:0812345678", "TH").value == "other:+66812345678"


def test_unknown_provider_is_invalid():
    result = alias("foopay:0812345678")
    assert not result.valid
    assert "unknown payment provider" in result.errors[0]


def test_provider_option():
    assert alias("0812345678", provider="promptpay").value == "promptpay:+66812345678"
