"""National identity numbers and passport numbers: ``CC:NUMBER``.

Checksums come from ``python-stdnum`` where it covers the scheme (KR RRN, MY NRIC, TH PIN, ID NIK). Singapore's
NRIC/FIN check letter is not in python-stdnum; its algorithm is the one commonly published (not an official ICA
publication) and is implemented here for S, T, F and G series. Other members have no public check digit: the
format is checked only, and the result says so.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.id import nik as id_nik
from stdnum.kr import rrn as kr_rrn
from stdnum.my import nric as my_nric
from stdnum.th import pin as th_pin

from ._text import prepare
from .types import IdentifierType, Result

__all__ = [
    "ALPHA3",
    "COUNTRIES",
    "normalize_national_id",
    "normalize_passport",
    "split_country_prefix",
    "validate_national_id",
]

# ISO 3166 alpha-3 codes of the members (passports and MRZs use alpha-3), so "KOR:M12345678" works too.
ALPHA3 = {
    "KOR": "KR",
    "MYS": "MY",
    "KHM": "KH",
    "IDN": "ID",
    "PHL": "PH",
    "THA": "TH",
    "VNM": "VN",
    "SGP": "SG",
    "BRN": "BN",
    "LAO": "LA",
    "MMR": "MM",
    "TLS": "TL",
}
# ISO 3166-1 alpha-2 codes in use (libphonenumber's regions are the assigned country codes, plus "XK").
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)
_PREFIX = re.compile(r"^\s*([A-Za-z]{2,3})\s*[:/]\s*(.*)$", re.DOTALL)
_SEP = re.compile(r"[\s\-./]+")
_SPACES = re.compile(r"\s+")
_KR_NO_CHECK_SINCE = datetime.date(2020, 10, 1)


def split_country_prefix(s: str, country: str | None) -> tuple[str, str]:
    """``("KR", "9001011234567")`` from ``"KR:900101-1234567"``; the option ``country`` is used otherwise."""
    if s.startswith(":"):  # the canonical form of a number recorded without a country
        return (country or "").upper(), s[1:]
    m = _PREFIX.match(s)
    if m:
        code = m.group(1).upper()
        code = ALPHA3.get(code, code)
        if code in COUNTRIES:
            return code, m.group(2)
    return (country or "").upper(), s


@dataclass(frozen=True, slots=True)
class _Scheme:
    name: str
    pattern: re.Pattern[str]
    checked: bool  # True when a check digit or structural validation exists
    check: Callable[[str], list[str]] | None = None  # returns warnings; raises ValidationError when invalid
    note: str = ""


def _kr(number: str) -> list[str]:
    try:
        kr_rrn.validate(number)
    except (InvalidChecksum, InvalidComponent) as exc:
        born = kr_rrn.get_birth_date(number)  # raises InvalidComponent for an impossible date
        if born >= _KR_NO_CHECK_SINCE:
            return ["numbers assigned since October 2020 end in random digits: no check digit to verify"]
        raise exc
    return []


def _sg(number: str) -> list[str]:
    prefix, digits, letter = number[0], number[1:8], number[8]
    if prefix == "M":
        return ["M-series FIN: check letter not verified (algorithm not public)"]
    total = sum(int(d) * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True))
    if prefix in "TG":
        total += 4
    letters = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    if letters[total % 11] != letter:
        raise InvalidChecksum()
    return []


def _stdnum(module: object) -> Callable[[str], list[str]]:
    def check(number: str) -> list[str]:
        module.validate(number)  # type: ignore[attr-defined]
        return []

    return check


_SCHEMES: dict[str, _Scheme] = {
    "KR": _Scheme("resident registration number (RRN)", re.compile(r"^\d{13}$"), True, _kr),
    "MY": _Scheme("NRIC (MyKad) number", re.compile(r"^\d{12}$"), True, _stdnum(my_nric)),
    "TH": _Scheme("personal identification number", re.compile(r"^\d{13}$"), True, _stdnum(th_pin)),
    "ID": _Scheme("NIK (Nomor Induk Kependudukan)", re.compile(r"^\d{16}$"), True, _stdnum(id_nik)),
    "SG": _Scheme("NRIC/FIN", re.compile(r"^[STFGM]\d{7}[A-Z]$"), True, _sg),
    "VN": _Scheme(
        "citizen identity number (CCCD, 12 digits; old CMND 9 digits)",
        re.compile(r"^(?:\d{12}|\d{9})$"),
        False,
        note="format only: no public check digit",
    ),
    "PH": _Scheme(
        "PhilSys number (PSN 12 digits or PCN 16 digits)",
        re.compile(r"^(?:\d{12}|\d{16})$"),
        False,
        note="format only: no public check digit",
    ),
    "BN": _Scheme(
        "identity card number (2-digit prefix and 6 digits, commonly cited)",
        re.compile(r"^\d{8}$"),
        False,
        note="format not verified",
    ),
    "MM": _Scheme(
        "NRC number (state/township/citizenship/6 digits, commonly cited)",
        re.compile(r"^\d{1,2}/[A-Z]+\((?:N|E|P|A|F|TH|G)\)\d{6}$"),
        False,
        note="format not verified",
    ),
}
_GENERIC = _Scheme("identity number", re.compile(r"^[A-Z0-9/()]{5,20}$"), False, note="format not verified")


def _compact(country: str, number: str) -> str:
    number = number.upper()
    if country == "MM":
        return _SPACES.sub("", number)  # "/" and "(N)" are part of the number
    return _SEP.sub("", number)


def validate_national_id(country: str, number: str) -> tuple[bool, list[str], list[str], bool]:
    """Check an already compacted number: ``(valid, errors, warnings, has_check)``."""
    scheme = _SCHEMES.get(country, _GENERIC)
    if not scheme.pattern.match(number):
        return False, [f"not the format of a {country} {scheme.name}"], [], False
    warnings = [scheme.note] if scheme.note else []
    if scheme.check is not None:
        try:
            warnings += scheme.check(number)
        except InvalidChecksum:
            return False, ["check digit does not match: the number is mistyped or altered"], [], True
        except (InvalidComponent, InvalidFormat, InvalidLength, ValidationError):
            return False, [f"not a valid {scheme.name} (impossible date or region code)"], [], True
    return True, [], warnings, scheme.checked


_INFERABLE = ("KR", "TH", "MY", "ID", "SG")


def normalize_national_id(text: str, country: str | None = None) -> Result:
    """Normalise a national identity number to ``CC:NUMBER`` (separators removed, upper case).

    Guarantees: checksums and embedded dates are verified where the scheme is public (KR, MY, TH, ID, SG S/T/F/G);
    elsewhere the format is checked and a warning says that no check digit exists. Without a country, the number
    is assigned to the one member whose checksummed scheme accepts it (with a warning), else it is invalid.
    """
    s = prepare(text)
    cc, rest = split_country_prefix(s, country)
    warnings: list[str] = []
    if not cc:
        guesses = []
        for candidate in _INFERABLE:
            number = _compact(candidate, rest)
            valid, _, _, _ = validate_national_id(candidate, number)
            if valid:
                guesses.append(candidate)
        if len(guesses) == 1:
            cc = guesses[0]
            warnings.append(f"country not given; the number fits the {cc} scheme")
        else:
            number = _compact("", rest)
            return Result(
                type=IdentifierType.NATIONAL_ID,
                value=f":{number}",
                display=number,
                valid=False,
                errors=("issuing country needed (country option or CC: prefix)",),
                details={"candidates": guesses} if guesses else {},
                input=text,
            )
    number = _compact(cc, rest)
    valid, errors, more, checked = validate_national_id(cc, number)
    scheme = _SCHEMES.get(cc, _GENERIC)
    return Result(
        type=IdentifierType.NATIONAL_ID,
        value=f"{cc}:{number}",
        display=f"{cc} {number}",
        country=cc,
        valid=valid,
        errors=tuple(errors),
        warnings=tuple(warnings + more),
        details={"scheme": scheme.name, "checksum": checked and valid},
        input=text,
    )


# ICAO Doc 9303 document numbers are at most 9 characters in the MRZ field; national patterns below are the
# ones commonly cited for current passports (warnings only: older and official/diplomatic passports differ).
_PASSPORT_PATTERNS = {
    "KR": re.compile(r"^[MSRODG](?:\d{8}|\d{3}[A-Z]\d{4})$"),
    "SG": re.compile(r"^[EK]\d{7}[A-Z]$"),
    "MY": re.compile(r"^[AHK]\d{8}$"),
    "TH": re.compile(r"^[A-Z]{1,2}\d{6,7}$"),
    "ID": re.compile(r"^[A-Z]{1,2}\d{6,7}$"),
    "PH": re.compile(r"^(?:P\d{7}[A-Z]|[A-Z]{2}\d{7})$"),
    "VN": re.compile(r"^[A-Z]\d{7,8}$"),
}
_PASSPORT = re.compile(r"^[A-Z0-9]{5,12}$")


def normalize_passport(text: str, country: str | None = None) -> Result:
    """Normalise a passport number to ``CC:NUMBER`` (issuing country, upper-case alphanumerics).

    Guarantees: 5-12 letters and digits (ICAO 9303 allows 9 in the MRZ, longer numbers overflow); the issuing
    country is required because numbers are only unique per country; a number that does not match the
    commonly cited pattern of its country gets a warning, not an error.
    """
    s = prepare(text)
    cc, rest = split_country_prefix(s, country)
    number = _SEP.sub("", rest.upper())
    errors: list[str] = []
    warnings: list[str] = []
    if not _PASSPORT.match(number):
        errors.append("a passport number has 5-12 letters and digits")
    if not cc:
        errors.append("issuing country needed (country option or CC: prefix)")
    elif not errors and cc in _PASSPORT_PATTERNS and not _PASSPORT_PATTERNS[cc].match(number):
        warnings.append(f"does not match the commonly cited {cc} passport number pattern")
    if not errors and len(number) > 9:
        warnings.append("longer than the 9-character ICAO MRZ field")
    return Result(
        type=IdentifierType.PASSPORT,
        value=f"{cc}:{number}",
        display=f"{cc} {number}".strip(),
        country=cc,
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details={},
        input=text,
    )
