"""Finding identifiers in realistic messages: every identifier found, nothing else."""

import importlib
import itertools
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lintas.identifiers import extract

SCAM_CHAT = """[10:42] Anna: Hi dear, my uncle's platform gives 30% daily profit. Add my manager on Telegram: \
@crypto_mgr_anna or join t.me/vip_signals_group
[10:45] Anna: Send 500 USDT (TRC20) to TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW, then WhatsApp me at +60 12-345 6789 \
with the receipt.
[10:47] Me: ok I sent USD 5,000 on 2024-03-15, e.g. the first deposit. Mr.Kim said to call +60 3-2123 4567 at 9 a.m.
[10:50] Anna: Good. Next time use the ETH address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, not the old one."""

SCAM_CHAT_EXPECTED = {
    ("social_handle", "telegram:crypto_mgr_anna"),
    ("social_handle", "telegram:vip_signals_group"),
    ("crypto_wallet", "tron:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"),
    ("social_handle", "whatsapp:+60123456789"),
    ("phone", "+60321234567"),
    ("crypto_wallet", "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
}

KOREAN_STATEMENT = """저는 2024년 3월 15일 오후 2시쯤 서울중앙지검 수사관이라는 사람에게서 \
전화(010-1234-5678)를 받았습니다. \
그 사람은 제 명의가 범죄에 이용되었다며 안전계좌인 KB국민은행 123456-78-901234 계좌로 ₩3,000,000을 보내라고 했고, \
3월 16일 오전 10:30에 추가로 5,000,000원을 송금했습니다. 이후 텔레그램 @safe_account_kr 로 연락하라고 했고, \
다른 번호 02-312-3456 으로도 전화가 왔습니다. 총 피해액은 8,000,000원입니다."""

KOREAN_EXPECTED = {
    ("phone", "+821012345678"),
    ("bank_account", "KR:004:12345678901234"),
    ("social_handle", "telegram:safe_account_kr"),
    ("phone", "+8223123456"),
}

PHISHING_SMS = """[KBANK] Your account is suspended. Verify within 24h at hxxps://secure-bank[.]example[.]com/login \
or reply to support[@]secure-bank[.]example[.]com. Backup: hxxp://203.0.113[.]45/verify. Ref 7731, 15.03.2024 12:00"""

PHISHING_EXPECTED = {
    ("url", "https://secure-bank.example.com/login"),
    ("email", "support@secure-bank.example.com"),
    ("url", "http://203.0.113.45/verify"),
}

THAI_MESSAGE = """โอนเงินเข้าพร้อมเพย์ 081-234-5678 จำนวน 5,000 บาท ภายในวันที่ 15/03/2024 เวลา 14:00 \
หากมีปัญหาติดต่อไลน์ ID: scam_th99"""

THAI_EXPECTED = {
    ("payment_alias", "promptpay:+66812345678"),
    ("social_handle", "line:scam_th99"),
}

VIETNAMESE_MESSAGE = """Chuyển khoản 1.500.000 VND qua MoMo 0912 345 678 hoặc tài khoản Vietcombank 0123456789012 \
trước ngày 15.03.2024. Liên hệ Zalo 0987654321 để nhận 30% lợi nhuận."""

VIETNAMESE_EXPECTED = {
    ("payment_alias", "momo:+84912345678"),
    ("bank_account", "VN:970436:0123456789012"),
    ("social_handle", "zalo:+84987654321"),
}

ORDINARY_TEXT = """On 2024-03-15 at 10:30 I paid USD 5,000, then 1.500.000 VND on 15/03/2024 and ₩3,000,000 \
on 15.03.2024.
The meeting is at 3:45 PM, e.g. in room 12. Mr.Kim and Dr.Lee said it was 50% done; see notes.md and report.pdf.
Version 2.0 shipped in Q1 2024. Call me maybe. I.e. nothing here is an identifier, not even 12345 or 2024."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SCAM_CHAT, SCAM_CHAT_EXPECTED),
        (KOREAN_STATEMENT, KOREAN_EXPECTED),
        (PHISHING_SMS, PHISHING_EXPECTED),
        (THAI_MESSAGE, THAI_EXPECTED),
        (VIETNAMESE_MESSAGE, VIETNAMESE_EXPECTED),
        (ORDINARY_TEXT, set()),
    ],
    ids=["scam-chat", "korean-statement", "phishing-sms", "thai", "vietnamese", "ordinary-text"],
)
def test_extract_finds_exactly_the_identifiers(text, expected):
    found = extract(text)
    assert {(str(r.type), r.value) for r in found} == expected
    assert len(found) == len(expected)  # no duplicates
    assert all(r.valid for r in found)


@pytest.mark.parametrize("text", [SCAM_CHAT, KOREAN_STATEMENT, PHISHING_SMS, THAI_MESSAGE, VIETNAMESE_MESSAGE])
def test_offsets_point_into_the_original_text(text):
    found = extract(text)
    for result in found:
        assert text[result.start : result.end] == result.input
    spans = sorted((r.start, r.end) for r in found)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_defanged_span_covers_the_defanged_text():
    [url, *_] = extract(PHISHING_SMS)
    assert url.input == "hxxps://secure-bank[.]example[.]com/login"


def test_bank_name_before_generic_account_word():
    [found] = extract("입금 계좌: 신한은행 110-123-456789 (예금주 김철수)")
    assert found.value == "KR:088:110123456789"


def test_country_option_allows_local_numbers_in_latin_text():
    assert extract("call 081 234 5678 now") == []
    [phone] = extract("call 081 234 5678 now", country="TH")
    assert phone.value == "+66812345678"


def test_card_numbers_are_masked_in_extract_results():
    [card] = extract("my card 4111 1111 1111 1111 was charged")
    assert card.type == "payment_card"
    assert card.input == "411111******1111"
    assert "4111111111111111" not in str(card.to_dict())


def test_imei_passport_and_ids_need_their_keyword_or_format():
    text = "Seized phone IMEI 49-015420-323751-8, passport no. M12345678, RRN 971013-9019902, NRIC S1234567D."
    found = {(str(r.type), r.value) for r in extract(text, country="KR")}
    assert found == {
        ("imei", "490154203237518"),
        ("passport", "KR:M12345678"),
        ("national_id", "KR:9710139019902"),
        ("national_id", "SG:S1234567D"),
    }


def test_full_width_digits_in_text():
    [phone] = extract("연락처：０１０－１２３４－５６７８")  # noqa: RUF001 - full-width on purpose
    assert phone.value == "+821012345678"


def test_extract_of_empty_and_junk_text():
    assert extract("") == []
    assert extract("   \n\t") == []
    assert extract("[.] (dot) [at] hxxp") == []


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("Add me on LINE @scam_manager", "line"),  # the app, written as its makers write it
        ("LINE: @scam_manager", "line"),
        ("ไลน์ @scam_manager", "line"),
        ("read the next line @scam_manager", "unknown"),  # the English word is not the app
    ],
)
def test_line_before_a_mention_names_the_app_only_in_capitals(text, platform):
    (found,) = extract(text)
    assert found.value == f"{platform}:scam_manager"


# --- the lookaheads that make the patterns fast do not change what they match -------------------------------------

# The lookahead opens the pattern, or its first named group ("(?P<kw>(?=[...])...").
_LOOKAHEAD = re.compile(r"^(\s*(?:\(\?P<\w+>)?)\(\?=(?:\[[^\]]*\]|\\d|[^)\\])\)")


def _fast_patterns():
    """Every pattern of extraction, the noise mask and refanging that opens with a first-character lookahead."""
    modules = tuple(importlib.import_module(f"lintas.identifiers.{name}") for name in ("extract", "_noise", "_text"))
    found = {
        f"{module.__name__}.{name}": value
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern) and _LOOKAHEAD.match(value.pattern)
    }
    extract_module = modules[0]
    found |= {f"_CONTEXT_RE[{key}]": value for key, value in extract_module._CONTEXT_RE.items()}
    return found


_FAST = _fast_patterns()

# Text made of digit groups, separators and the words and symbols that the patterns start with.
_PIECES = st.one_of(
    st.from_regex(r"[0-9]{1,7}", fullmatch=True),
    st.sampled_from([*" -./:@+,%$₩฿₫()", "월", "원", "년", "시", "ไลน์", "여권", "a", "e", "X", "T", "S"]),
    st.sampled_from(["0x", "bc1", "USD", "KRW", "Rp", "www.", "http://", "t.me/", "IMEI", "passport", "KB", "LINE"]),
    st.sampled_from(["account", "PromptPay", "telegram: ", "WhatsApp ", "NIK ", "dong", "baht"]),
    st.sampled_from(["[.]", "(dot)", " [@] ", "[:]", "hxxps", "fxp", "[://]", "[/]", "{.}", "(AT)"]),
)
# Every shape once with a leading zero, which a too narrow lookahead ("[1-9]" for "\d") would miss.
_ZERO_LED = (
    "012345-1234567 0123 4567 8901 2345 0-1234-56789-01-2 012345-01-2345 01.02.2024 0,000,000원 0% 0:30 "
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 0.0.0.1 0a:0b::1 IMEI 012345678901237"
)


def test_the_fast_patterns_are_the_ones_expected():
    # If a pattern lost its lookahead (or a new one was added), this list says so and the property below covers it.
    assert len(_FAST) >= 28
    for name in (
        "_NOISE",
        "_FANG_RE",
        "_BANK_CONTEXT",
        "_PROVIDERS",
        "_HANDLE_KEYWORDS",
        "_CARD",
        "_URL",
        "_PROFILE",
        "_MENTION",
        "_RRN",
    ):
        assert any(key.endswith(f".{name}") for key in _FAST), name


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
@example(_ZERO_LED)
@example(SCAM_CHAT)
@example(KOREAN_STATEMENT)
@example(PHISHING_SMS)
def test_a_first_character_lookahead_never_changes_the_matches(text):
    for name, pattern in _FAST.items():
        bare = re.compile(_LOOKAHEAD.sub(r"\1", pattern.pattern, count=1), pattern.flags)
        fast = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert fast == [(m.span(), m.groups()) for m in bare.finditer(text)], name


def test_phone_matcher_runs_only_on_text_with_enough_digits_for_a_number(monkeypatch):
    extract_module = importlib.import_module("lintas.identifiers.extract")
    calls = []
    real = extract_module.phonenumbers.PhoneNumberMatcher

    def matcher(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(extract_module.phonenumbers, "PhoneNumberMatcher", matcher)
    # Dates and amounts are masked first; what is left has four digits, and no phone number has fewer than five.
    assert extract("피해자 12명, 3 victims, 4 banks, 2024-03-15, USD 5,000", "KR") == []
    assert calls == []
    assert [r.value for r in extract("피해자 12명, 전화 02-312-3456", "KR")] == ["+8223123456"]
    # The shortest numbers there are still found: five digits in the Solomon Islands.
    assert [r.value for r in extract("call 40123 now", "SB")] == ["+67740123"]
    assert len(calls) == 2


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from([None, "KR", "TH", "SG", "MY", "ID"]))
@example(_ZERO_LED, None)
@example(SCAM_CHAT, None)
@example(KOREAN_STATEMENT, None)
@example(PHISHING_SMS, "TH")
@example("passport M1234567, NRIC S1234567D, IMEI 35-209900-176148-1, KB 12", "SG")
def test_skipping_finders_for_texts_with_too_few_digits_changes_nothing(text, country):
    extract_module = importlib.import_module("lintas.identifiers.extract")
    gated = extract(text, country)
    saved, extract_module._LEAST_DIGITS = extract_module._LEAST_DIGITS, {}
    try:
        assert extract(text, country) == gated
    finally:
        extract_module._LEAST_DIGITS = saved


@pytest.mark.parametrize(
    ("text", "country", "value"),
    [
        # Each text holds only the digits of its identifier, so a finder skipped for too few digits misses it.
        ("card 4111 1111 1111 1111", None, "card:411111:1111:be244b2814a94d5bbdbd3f95"),
        ("NRIC S1234567D", "SG", "SG:S1234567D"),
        ("passport M123456", "KR", "KR:M123456"),
        ("IBAN GB82 WEST 1234 5698 7654 32", None, "GB82WEST12345698765432"),
        ("IMEI 35-209900-176148-1", None, "352099001761481"),
        ("PromptPay 081-234-5678", "TH", "promptpay:+66812345678"),
        ("Maybank account 5140 1234 5678", "MY", "MY:MBBEMYKL:514012345678"),
        ("call 40123", "SB", "+67740123"),
        ("WhatsApp +60 12-345 6789", None, "whatsapp:+60123456789"),
    ],
)
def test_identifiers_with_few_digits_are_found_in_text_with_no_other_digits(text, country, value):
    assert value in [r.value for r in extract(text, country)]
