"""Telephone numbers, canonicalised to ITU-T E.164 with Google's libphonenumber metadata (``phonenumbers``)."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

from ._text import digits_only, prepare
from .types import IdentifierType, Result

__all__ = ["LINE_TYPES", "normalize_phone", "parse_phone"]

LINE_TYPES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

# libphonenumber compiles its metadata's patterns on every use (``re.compile`` of the same strings, a dozen per
# number, each a lookup in the re module's cache); keeping them compiled is the library's own option, and the number
# of patterns is bounded by its metadata. Measured on 32,888 phone numbers of the ingest benchmark, six alternating
# rounds: 66.5-90.8 µs a number with it, 86.9-121.7 without (phones are half of bulk ingest's normalising time);
# ingest's validation of 10,000 cases, five alternating rounds: median 6.04 s with it, 6.77 s without.
phonenumbers.enable_pattern_cache()

# What a person writes around a phone number: digits, '+', separators, an optional "tel:" and an extension.
_SHAPE = re.compile(r"^(?:tel:)?\s*\+?[\d\s\-.()/]+(?:\s*(?:ext\.?|x|#|;ext=)\s*\d{1,6})?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#|;ext=)\s*(\d{1,6})$", re.IGNORECASE)


def parse_phone(text: str, country: str | None) -> tuple[phonenumbers.PhoneNumber | None, int, list[str]]:
    """Parse an already prepared phone string: ``(number or None, line type, warnings about how it was read)``.

    The line type is a ``PhoneNumberType``; ``UNKNOWN`` means the number is not valid (libphonenumber's
    ``is_valid_number`` is exactly "has a known type for its region", so the type is computed once).
    Order of readings, first valid wins: as written (``+`` means international, otherwise national in
    ``country``); "00" + country code as international; bare country code without "+". A number that parses
    but is not valid is returned as it parsed (so it still has an E.164 form) when no reading is valid.
    """
    warnings: list[str] = []
    digits = digits_only(text)
    has_plus = text.lstrip().startswith("+")
    first: phonenumbers.PhoneNumber | None = None
    unknown = PhoneNumberType.UNKNOWN

    def attempt(
        candidate: str, region: str | None, primary: bool = False
    ) -> tuple[phonenumbers.PhoneNumber | None, int]:
        nonlocal first
        try:
            num = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            return None, unknown
        if primary:  # only the reading as written stands for an invalid number; guesses do not
            first = num
        kind = phonenumbers.number_type(num)
        return (num, kind) if kind != unknown else (None, unknown)

    # The caller checked that only digits, separators and a leading "+" are left: libphonenumber reads the bare
    # digits the same way (it drops a trunk "0" after the country code itself) and parses them faster.
    written = ("+" if has_plus else "") + digits
    if has_plus:
        num, kind = attempt(written, None, primary=True)
        return (num or first), kind, warnings
    if country:
        num, kind = attempt(written, country, primary=True)
        if num is not None:
            return num, kind, warnings
    if digits.startswith("00") and len(digits) > 6:
        num, kind = attempt("+" + digits[2:], None)
        if num is not None:
            return num, kind, warnings
    if len(digits) >= 8 and not digits.startswith("0"):
        # A country code written without "+" (e.g. 66812345678, common in chat apps and wa.me links).
        num, kind = attempt("+" + digits, None)
        if num is not None:
            if country:
                warnings.append(f"not a valid {country} number; read as international +{num.country_code}")
            else:
                warnings.append(f"no country given; read as international +{num.country_code}")
            return num, kind, warnings
    return first, unknown, warnings


# Digits in a phone number, with country code and without extension: E.164 allows 15; a national number with its
# trunk prefix, or an international one with "00", has a few more.
MIN_DIGITS, MAX_DIGITS = 5, 17


def normalize_phone(text: str, country: str | None = None) -> Result:
    """Normalise a phone number to E.164 (``+821012345678``).

    Guarantees: full-width digits and separators (spaces, dashes, dots, parentheses, slashes) are ignored; the
    national form with trunk prefix and the international form give the same value; an invalid number is
    ``valid=False`` with the reason, and its value is its E.164 form if it parses, otherwise its digits.
    """
    s = prepare(text)
    if not _SHAPE.match(s):
        # Still give the canonical form of its digits, so that the value is a fixed point of normalisation.
        digits = ("+" if s.startswith("+") else "") + digits_only(s)
        inner = normalize_phone(digits, country) if digits.strip("+") else None
        return _invalid(
            text, s, inner.value if inner else digits, "contains characters that are not part of a phone number"
        )
    extension = ""
    ext_match = _EXTENSION.search(s)
    if ext_match:
        extension = ext_match.group(1)
        s = s[: ext_match.start()]
    if s[:4].lower() == "tel:":
        s = s[4:].strip()
    digits = digits_only(s)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return _invalid(
            text,
            s,
            ("+" if s.startswith("+") else "") + digits,
            f"a phone number has {MIN_DIGITS} to {MAX_DIGITS} digits",
        )
    num, kind, warnings = parse_phone(s, country)
    if num is None:
        plain = ("+" if s.startswith("+") else "") + digits
        if not country and not s.startswith("+"):
            return _invalid(text, s, plain, "no country given and the number is not in international format")
        return _invalid(text, s, plain, "not a valid phone number")
    nsn = phonenumbers.national_significant_number(num)
    e164 = "+" + str(num.country_code) + nsn
    region = phonenumbers.region_code_for_number(num) or ""
    if kind == PhoneNumberType.UNKNOWN:
        reason = phonenumbers.is_possible_number_with_reason(num)
        why = {
            phonenumbers.ValidationResult.TOO_SHORT: "too short",
            phonenumbers.ValidationResult.TOO_LONG: "too long",
            phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
            phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length",
        }.get(reason, "number range not in use")
        # Written with "+": keep its digits as the value so that normalising the value again is a fixed point
        # (libphonenumber may strip a trunk zero from an invalid number on each pass).
        value = "+" + digits if s.startswith("+") else e164
        return Result(
            type=IdentifierType.PHONE,
            value=value,
            display=value,
            country=region if region != "001" else "",
            valid=False,
            errors=(f"not a valid phone number for +{num.country_code} ({why})",),
            details={"region": region, "line_type": "unknown"},
            input=text,
        )
    details = {
        "region": region,
        "line_type": LINE_TYPES.get(kind, "unknown"),
        "country_code": num.country_code,
        "national_number": nsn,
    }
    if extension:
        details["extension"] = extension
        warnings.append("extension ignored for matching")
    return Result(
        type=IdentifierType.PHONE,
        value=e164,
        display=phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        country=region if region != "001" else "",
        valid=True,
        warnings=tuple(warnings),
        details=details,
        input=text,
    )


def _invalid(raw: str, prepared: str, value: str, error: str) -> Result:
    return Result(
        type=IdentifierType.PHONE,
        value=value,
        display=prepared,
        valid=False,
        errors=(error,),
        details={},
        input=raw,
    )
