"""Handles written with their platform's name, as Lintas displays them ("Telegram @name"): read as the platform's
handle by detection, never as an e-mail address (issue 17, item 7; decision 0049)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lintas.identifiers import detect, normalize
from lintas.identifiers.social import split_platform


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Telegram @scam_support", "telegram:scam_support"),
        ("telegram: @scam_support", "telegram:scam_support"),
        ("Telegram:@Scam_Support", "telegram:scam_support"),
        ("tg @scam_support", "telegram:scam_support"),
        ("t.me/scam_support", "telegram:scam_support"),
        ("https://t.me/scam_support", "telegram:scam_support"),
        ("LINE @shop123", "line:@shop123"),
        ("LINE id john.doe", "line:john.doe"),
        ("WhatsApp +66 81 234 5678", "whatsapp:+66812345678"),
        ("WhatsApp +66812345678", "whatsapp:+66812345678"),
        ("Facebook john.smith.123", "facebook:johnsmith123"),
        ("Facebook @john.smith.123", "facebook:johnsmith123"),
        ("Instagram @x", "instagram:x"),
        ("KakaoTalk scamking", "kakaotalk:scamking"),
        ("카톡 scamking", "kakaotalk:scamking"),
        ("Telegram @+66812345678", "telegram:+66812345678"),
        ("@scam_support", "unknown:scam_support"),
    ],
)
def test_a_handle_with_its_platform_is_detected_as_that_platforms_handle(value, expected):
    best = detect(value).best
    assert (str(best.type), best.value, best.valid) == ("social_handle", expected, True)


@pytest.mark.parametrize("value", ["Telegram @scam_support", "LINE @shop123", "Instagram @x", "Facebook @john.smith"])
def test_a_handle_with_its_platform_is_never_an_email_address(value):
    assert all(str(r.type) != "email" for r in detect(value).ranked)


def test_the_display_of_a_handle_reads_back_as_the_same_handle():
    """Lintas shows "Telegram @name": pasting what it shows gives the same identifier."""
    for value in ("telegram:scam_support", "line:@shop123", "whatsapp:+66812345678", "instagram:some.user_1"):
        shown = normalize(value, "social_handle")
        again = detect(shown.display).best
        assert (again.type, again.value) == (shown.type, shown.value), shown.display


@pytest.mark.parametrize(
    "value",
    [
        "john@example.com",  # an e-mail stays an e-mail
        "Telegram",  # a platform's name alone
        "unknown @scam_support",  # "unknown" is not a platform one can name
        "Telegram @a b c",  # a handle with spaces is taken only as a phone number
        "Telegram " + "a" * 5000,
        "Telegram @\x00\u202e",
        "Telegram @@@@",
        "Telegram\n@scam",
    ],
)
def test_hostile_or_odd_inputs_are_not_a_valid_telegram_handle(value):
    best = detect(value).best
    assert not (best.valid and best.value.startswith("telegram:")), best
    if value == "john@example.com":
        assert (str(best.type), best.valid) == ("email", True)


def test_split_platform_refuses_unknown_names_and_spaced_non_phones():
    assert split_platform("Foo @bar") is None
    assert split_platform("Telegram @a b") is None
    assert split_platform("WhatsApp +66 81 234 5678")[0].key == "whatsapp"


@given(st.text(max_size=80))
def test_detection_never_raises_on_platform_prefixed_text(text):
    for value in (f"Telegram {text}", f"LINE @{text}", f"WhatsApp {text}"):
        detect(value)
