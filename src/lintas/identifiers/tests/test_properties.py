"""Property tests (Hypothesis): never raising, canonical values as fixed points, formatting invariance."""

import phonenumbers
import schwifty
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from lintas.identifiers import IdentifierType, detect, extract, normalize
from lintas.identifiers.banking import BANKS

TYPES = [t for t in IdentifierType if t is not IdentifierType.UNKNOWN]
MEMBERS = ["KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL"]
PROPERTY = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any str at all, including lone surrogates and control characters, plus text built from the characters that
# identifiers are made of (so that deep code paths are reached, not only the first rejection).
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)
# Full-width zero and hyphen, katakana long mark (a dash look-alike), Vietnamese, Hangul, Thai, NBSP, ZWSP.
identifier_alphabet = st.sampled_from(
    [*"0123456789+-. ()/:@#_~[]?=&%abcdefxyzABCDEFTXYZ", *"\uff10\uff0d\u30fcĐệ김민ก\u00a0\u200b"]
)
shaped_text = st.text(alphabet=identifier_alphabet, max_size=60)
prefixed_text = st.tuples(
    st.sampled_from(
        [
            "",
            "KR:",
            "TH:",
            "btc:",
            "evm:",
            "tron:",
            "promptpay:",
            "telegram:",
            "whatsapp:",
            "card:",
            "http://",
            "hxxps://",
            "mailto:",
            "@",
            "KR:004:",
            "0x",
            "bc1",
            "T",
            "+82 ",
            "00",
        ]
    ),
    shaped_text,
).map("".join)
texts = st.one_of(any_text, shaped_text, prefixed_text)
countries = st.sampled_from([None, *MEMBERS])


def _no_internal_error(result):
    assert not any("internal error" in e for e in result.errors), (result.input, result.details)


@PROPERTY
@given(value=texts, country=countries, kind=st.sampled_from(TYPES))
def test_normalize_never_raises_for_any_type(value, country, kind):
    result = normalize(value, kind, country)
    assert result.type is kind
    assert isinstance(result.value, str)
    assert result.valid is (not result.errors)
    _no_internal_error(result)


@PROPERTY
@given(value=texts, country=countries)
def test_normalize_never_raises_without_type(value, country):
    result = normalize(value, None, country)
    assert isinstance(result.value, str)
    _no_internal_error(result)
    detection = detect(value, country)
    assert detection.best.type is result.type
    assert all(alt.valid for alt in detection.alternatives) or not detection.best.valid


@PROPERTY
@given(value=texts, country=countries, kind=st.sampled_from(TYPES))
@example(value="0 .", country=None, kind=IdentifierType.DOMAIN)  # a space before the trailing dot stayed
def test_canonical_values_are_fixed_points(value, country, kind):
    first = normalize(value, kind, country)
    second = normalize(first.value, kind, country)
    assert second.value == first.value, (value, first.value, second.value)
    if first.valid:
        assert second.valid, (first.value, second.errors)


@PROPERTY
@given(text=st.one_of(any_text, st.text(alphabet=identifier_alphabet, max_size=300)), country=countries)
def test_extract_never_raises_and_offsets_hold(text, country):
    for result in extract(text, country):
        assert 0 <= result.start < result.end <= len(text)
        if result.type is not IdentifierType.PAYMENT_CARD:
            assert text[result.start : result.end] == result.input


# --- formatting variants ---------------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)} | {"-": "\uff0d", " ": "\u3000"})


@st.composite
def member_phone(draw):
    """A valid phone number of a member country: an example number with its last digits replaced."""
    region = draw(st.sampled_from(MEMBERS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = phonenumbers.national_significant_number(example)
    tail = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    number = phonenumbers.parse("+" + str(example.country_code) + nsn[:-3] + tail)
    assume(phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == region)
    return region, number


@st.composite
def grouped(draw, digits, separators=(" ", "-", ".", "", " - "), brackets=True):
    """``digits`` split into random groups joined by random separators (maybe the first in brackets)."""
    out, i = [], 0
    while i < len(digits):
        size = draw(st.integers(1, 5))
        out.append(digits[i : i + size])
        i += size
    chosen = draw(st.lists(st.sampled_from(separators), min_size=len(out), max_size=len(out)))
    text = "".join(part + sep for part, sep in zip(out, chosen, strict=True)).strip(" -.")
    if brackets and draw(st.booleans()) and len(out) > 1:
        text = f"({out[0]}) " + text[len(out[0]) :].lstrip(" -.")
    return text


@PROPERTY
@given(data=st.data(), phone=member_phone())
def test_phone_formatting_variants_share_the_canonical_value(data, phone):
    region, number = phone
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national_digits = "".join(
        ch for ch in phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL) if ch.isdigit()
    )
    nsn = phonenumbers.national_significant_number(number)
    form = data.draw(st.sampled_from(["national", "plus", "double_zero", "plus_trunk"]))
    if form == "national":
        text = data.draw(grouped(national_digits))
    elif form == "plus":
        text = f"+{number.country_code} " + data.draw(grouped(nsn))
    elif form == "double_zero":
        text = f"00{number.country_code} " + data.draw(grouped(nsn))
    else:  # "+66 (0)81 ...": trunk prefix kept after the country code
        assume(national_digits != nsn)
        text = f"+{number.country_code} (0)" + data.draw(grouped(nsn))
    if data.draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    result = normalize(text, "phone", region)
    assert result.value == e164, (text, result.errors)
    assert result.valid


@st.composite
def valid_iban(draw):
    country = draw(st.sampled_from(["DE", "GB", "NL", "TL"]))
    digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
    if country == "DE":
        iban = schwifty.IBAN.generate(
            "DE", bank_code="37040044", account_code="".join(draw(st.lists(digits, min_size=10, max_size=10)))
        )
    elif country == "GB":
        iban = schwifty.IBAN.generate(
            "GB",
            bank_code="NWBK",
            branch_code="601613",
            account_code="".join(draw(st.lists(digits, min_size=8, max_size=8))),
        )
    elif country == "NL":
        iban = schwifty.IBAN.generate(
            "NL", bank_code="ABNA", account_code="".join(draw(st.lists(digits, min_size=10, max_size=10)))
        )
    else:
        iban = schwifty.IBAN.generate(
            "TL", bank_code="008", account_code="".join(draw(st.lists(digits, min_size=14, max_size=14)))
        )
    return str(iban.compact)


@PROPERTY
@given(data=st.data(), iban=valid_iban())
def test_iban_formatting_variants_share_the_canonical_value(data, iban):
    text = data.draw(grouped(iban, separators=(" ", "", "-"), brackets=False))
    if data.draw(st.booleans()):
        text = text.lower()
    if data.draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    result = normalize(text, "bank_account")
    assert result.valid, (text, result.errors)
    assert result.value == iban


KR_BANKS = [b for b in BANKS if b.country == "KR"]


@PROPERTY
@given(
    data=st.data(),
    bank=st.sampled_from(KR_BANKS),
    digits=st.text(alphabet="0123456789", min_size=10, max_size=14),
)
def test_account_formatting_variants_share_the_canonical_value(data, bank, digits):
    spelled = data.draw(grouped(digits, brackets=False))
    if data.draw(st.booleans()):
        spelled = spelled.translate(FULL_WIDTH)
    name = data.draw(st.sampled_from([bank.code, *bank.aliases, *([bank.bic] if bank.bic else [])]))
    # "004 123-456" cannot be told from a grouped account number: a numeric code needs "004:123-456".
    syntaxes = ["prefixed", "option", "code_colon"] + ([] if name.isdigit() else ["bank_first"])
    syntax = data.draw(st.sampled_from(syntaxes))
    if syntax == "prefixed":
        result = normalize(f"KR:{name}:{spelled}", "bank_account")
    elif syntax == "bank_first":
        result = normalize(f"{name} {spelled}", "bank_account", "KR")
    elif syntax == "option":
        result = normalize(spelled, "bank_account", "KR", bank=name)
    else:
        result = normalize(f"{name}:{spelled}", "bank_account", "KR")
    assert result.valid, (spelled, name, result.errors)
    assert result.value == f"KR:{bank.code}:{digits}"


noise_alphabet = st.sampled_from(
    [*"0123456789 -/.,:%$₩฿ ", "USD", "THB", "원", "년", "월", "일", "시", "AM", "pm", "h"]
)


@PROPERTY
@given(st.lists(noise_alphabet, max_size=20).map("".join) | any_text)
@example("2024-05-01 10:30")
@example("2024-13-45")
@example("1,250,000원")
@example("10:30 2024-05-01")
def test_is_noise_is_exactly_a_whole_value_span_of_noise_spans(value):
    """``is_noise`` tries the pattern at the start only; it answers as the span search over the whole value does."""
    from lintas.identifiers._noise import is_noise, noise_spans

    s = value.strip()
    whole = next((kind for start, end, kind in noise_spans(s) if start == 0 and end == len(s)), "")
    assert is_noise(value) == whole
