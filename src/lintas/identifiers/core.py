"""``normalize`` and ``detect``: the entry points that dispatch to each identifier family."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from stdnum import luhn

from . import _noise, banking, card, crypto, device, documents, payment, person, phone, social, web
from ._text import MAX_INPUT, digits_only, prepare, refang
from .types import Detection, IdentifierType, Result

__all__ = ["TYPE_ALIASES", "detect", "normalize", "resolve_type"]

logger = logging.getLogger(__name__)

T = IdentifierType

_NORMALIZERS: dict[IdentifierType, Callable[..., Result]] = {
    T.PHONE: phone.normalize_phone,
    T.BANK_ACCOUNT: banking.normalize_bank_account,
    T.BIC: banking.normalize_bic,
    T.PAYMENT_ALIAS: payment.normalize_payment_alias,
    T.CRYPTO_WALLET: crypto.normalize_crypto,
    T.EMAIL: web.normalize_email,
    T.DOMAIN: web.normalize_domain,
    T.URL: web.normalize_url,
    T.IP: web.normalize_ip,
    T.SOCIAL_HANDLE: social.normalize_social_handle,
    T.IMEI: device.normalize_imei,
    T.NATIONAL_ID: documents.normalize_national_id,
    T.PASSPORT: documents.normalize_passport,
    T.PAYMENT_CARD: card.normalize_card,
    T.PERSON_NAME: person.normalize_person_name,
}
# Options a caller may pass to ``normalize`` for a type, beyond ``country``.
_OPTIONS: dict[IdentifierType, frozenset[str]] = {
    T.BANK_ACCOUNT: frozenset({"bank"}),
    T.PAYMENT_ALIAS: frozenset({"provider"}),
    T.CRYPTO_WALLET: frozenset({"chain"}),
    T.SOCIAL_HANDLE: frozenset({"platform"}),
    T.PAYMENT_CARD: frozenset({"card_salt"}),
}

TYPE_ALIASES: dict[str, IdentifierType] = {
    "iban": T.BANK_ACCOUNT,
    "account": T.BANK_ACCOUNT,
    "bank": T.BANK_ACCOUNT,
    "swift": T.BIC,
    "alias": T.PAYMENT_ALIAS,
    "ewallet": T.PAYMENT_ALIAS,
    "e_wallet": T.PAYMENT_ALIAS,
    "wallet": T.CRYPTO_WALLET,
    "crypto": T.CRYPTO_WALLET,
    "mail": T.EMAIL,
    "e_mail": T.EMAIL,
    "ip_address": T.IP,
    "handle": T.SOCIAL_HANDLE,
    "social": T.SOCIAL_HANDLE,
    "id": T.NATIONAL_ID,
    "card": T.PAYMENT_CARD,
    "name": T.PERSON_NAME,
    "person": T.PERSON_NAME,
}


# The common spellings, resolved once: normalise() is called per value in bulk imports.
_RESOLVED: dict[object, IdentifierType] = {
    **{t: t for t in T if t is not T.UNKNOWN},
    **{t.value: t for t in T if t is not T.UNKNOWN},
    **TYPE_ALIASES,
}


def resolve_type(type: str | IdentifierType | None) -> IdentifierType | None:
    """The :class:`IdentifierType` named by ``type`` (its value or an alias such as "iban", "wallet", "name"),
    or None for None. Raises ValueError for any other name."""
    if type is None or type == "":
        return None
    known = _RESOLVED.get(type)  # type: ignore[call-overload]
    if known is not None:
        return known
    key = str(type).strip().lower().replace("-", "_")
    if key == T.UNKNOWN:
        raise ValueError("'unknown' is a detection outcome, not a type to normalise as")
    try:
        return IdentifierType(key)
    except ValueError:
        pass
    if key in TYPE_ALIASES:
        return TYPE_ALIASES[key]
    names = ", ".join(t.value for t in T if t is not T.UNKNOWN)
    raise ValueError(f"unknown identifier type {type!r}; use one of: {names}")


def _country(country: str | None) -> str | None:
    if country is None or country == "":
        return None
    if len(country) == 2 and country.isupper() and country.isascii() and country.isalpha():
        return country
    cc = country.strip().upper()
    if len(cc) == 3 and cc in documents.ALPHA3:
        return documents.ALPHA3[cc]
    if len(cc) != 2 or not cc.isascii() or not cc.isalpha():
        raise ValueError(f"country must be an ISO 3166-1 alpha-2 code such as 'KR', not {country!r}")
    return cc


def _too_long(value: str, kind: IdentifierType) -> Result:
    return Result(
        type=kind,
        value="",
        display=value[:40] + "…",
        valid=False,
        errors=(f"longer than {MAX_INPUT} characters",),
        details={},
        input=value[:MAX_INPUT],
    )


def _internal_error(value: str, kind: IdentifierType, exc: BaseException) -> Result:
    # normalize() promises never to raise on a str; a library failing on an exotic input must not take an import
    # job down. The result says so plainly, and the error is logged with its traceback for a bug report.
    logger.exception("identifier normalisation failed for type %s", kind)
    return Result(
        type=kind,
        value=value.strip(),
        display=value.strip(),
        valid=False,
        errors=("internal error while checking this value; please report it",),
        details={"internal_error": type(exc).__name__},
        input=value,
    )


def normalize(
    value: str,
    type: str | IdentifierType | None = None,
    country: str | None = None,
    **options: Any,
) -> Result:
    """Normalise ``value`` as an identifier of ``type`` (detected when None) and return a :class:`Result`.

    Guarantees: never raises for any ``str`` value (an unusable value is ``valid=False`` with an error);
    ``Result.value`` is the canonical form, and ``normalize(result.value, type)`` returns the same value.
    ``country`` (ISO alpha-2, alpha-3 of members accepted) is the default region for local phone numbers,
    domestic accounts and IDs. Type-specific options: ``bank`` (bank_account), ``provider`` (payment_alias),
    ``chain`` (crypto_wallet), ``platform`` (social_handle), ``card_salt`` (payment_card).
    Raises ValueError for an unknown type name, a malformed country or an option the type does not take
    (caller errors), TypeError when ``value`` is not a str.
    """
    if not isinstance(value, str):
        raise TypeError(f"value must be a str, not {value.__class__.__name__}")
    kind = resolve_type(type)
    cc = _country(country)
    if kind is None:
        if options:
            raise ValueError("options need an explicit type")
        return detect(value, cc).best
    if options:
        extra = set(options) - _OPTIONS.get(kind, frozenset())
        if extra:
            raise ValueError(f"option(s) {', '.join(sorted(extra))} do not apply to type {kind}")
    if len(value) > MAX_INPUT:
        return _too_long(value, kind)
    try:
        result = _NORMALIZERS[kind](value, cc, **options)
    except Exception as exc:
        return _internal_error(value, kind, exc)
    if not result.value.isascii():
        # Case changes and removed spaces can leave a string that NFKC would compose differently (A + U+0301);
        # a composed value keeps normalise(value) == value for such (always invalid or Unicode-bearing) values.
        stable = unicodedata.normalize("NFKC", result.value)
        if stable != result.value:
            result = result.replace(value=stable)
    return result


# --- detection -------------------------------------------------------------------------------------------------

_NUMERIC = re.compile(r"^\+?[\d\s\-.()/]{5,40}$")
_IPISH = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?|\[?[0-9a-fA-F]{0,4}:[0-9a-fA-F:.%\w]*\]?(?::\d+)?)$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_NRIC_SG = re.compile(r"^[STFGM]\d{7}[A-Z]$", re.IGNORECASE)
_PASSPORT_SHAPE = re.compile(r"^[A-Z]{1,2}\d{6,8}[A-Z]?$|^[A-Z]\d{3}[A-Z]\d{4}$", re.IGNORECASE)
_NAME_SHAPE = re.compile(r"^[^\W\d_]+\.?(?:[\s\-',\u2019]+[^\W\d_]+\.?)*$")
_URL_HINT = re.compile(r"://|^www\.|\[\.\]|\(dot\)|\(\.\)|\[dot\]|^h[xX]{2}ps?", re.IGNORECASE)
_ACCOUNT_DIGITS = re.compile(r"[\d\s\-./]+")
_PAYMENT_URI = ("bitcoin", "bitcoincash", "ethereum", "litecoin", "dogecoin")


def _unknown(value: str, s: str, error: str) -> Result:
    return Result(
        type=T.UNKNOWN,
        value=s,
        display=s,
        valid=False,
        errors=(error,),
        details={},
        input=value,
    )


def detect(value: str, country: str | None = None) -> Detection:
    """Find the most likely type of ``value`` and the other plausible readings.

    Returns a :class:`Detection`: ``best`` (type ``unknown`` when nothing fits) and ``alternatives``, ranked by
    how specific the evidence is (a checksum or an explicit prefix beats a shape); valid readings always rank
    above invalid ones. When the best reading is a payment card, no alternative is returned, so the full number
    is not echoed by another type. Never raises for a str value.
    """
    if not isinstance(value, str):
        raise TypeError(f"value must be a str, not {value.__class__.__name__}")
    cc = _country(country)
    if len(value) > MAX_INPUT:
        return Detection(best=_too_long(value, T.UNKNOWN))
    s = prepare(value)
    if not s:
        return Detection(best=_unknown(value, "", "empty value"))
    noise = _noise.is_noise(s)
    if noise:
        article = "an" if noise[0] in "aeiou" else "a"
        return Detection(best=_unknown(value, s, f"{article} {noise}, not an identifier"))
    found: list[tuple[int, Result]] = []
    try:
        _candidates(value, s, cc, found)
    except Exception as exc:
        return Detection(best=_internal_error(value, T.UNKNOWN, exc))
    if not found:
        return Detection(best=_unknown(value, s, "not recognised as any identifier type"))
    found.sort(key=lambda pair: (pair[1].valid, pair[0]), reverse=True)
    seen: set[tuple[str, str]] = set()
    ranked: list[Result] = []
    for _score, result in found:
        key = (result.type, result.value)
        if key not in seen:
            seen.add(key)
            ranked.append(result)
    best = ranked[0]
    if best.type is T.PAYMENT_CARD:
        return Detection(best=best)
    # Once something valid is found, invalid readings are noise; otherwise they explain what was tried.
    alternatives = [r for r in ranked[1:] if r.valid or not best.valid]
    return Detection(best=best, alternatives=tuple(alternatives))


def _candidates(value: str, s: str, cc: str | None, found: list[tuple[int, Result]]) -> None:
    """Append ``(score, result)`` readings of ``s`` to ``found``; scores: 100 explicit syntax, ~95 checksum or
    unambiguous structure, ~80 structure with context, <=60 shape only."""

    def add(score: int, result: Result) -> None:
        # Record the caller's raw value as input, except for cards whose input is masked on purpose.
        found.append((score, result if result.type is T.PAYMENT_CARD else result.replace(input=value)))

    low = s.lower()
    explicit = ":" in s and "://" not in s and not low.startswith("[") and s.count(":") <= 3
    if explicit and _explicit(s, cc, add):
        return
    if " " in s and social.split_platform(s) is not None:
        # "Telegram @name", "LINE @name", "WhatsApp +66 ...": a handle on a named platform, never an e-mail address.
        handle = social.normalize_social_handle(s, cc)
        add(98 if handle.valid else 40, handle)
        if handle.valid:
            return
    if _URL_HINT.search(s):
        plain = refang(s)
        prof = social.profile_from_url(plain)
        if prof is not None:
            add(97, social.normalize_social_handle(plain, cc))
        url = web.normalize_url(plain, cc)
        add(95 if url.valid else 50, url)
        if "://" in plain or prof is not None:
            return
        s = plain
        low = s.lower()
    if "@" in s or "[at]" in low or "(at)" in low:
        plain = refang(s)
        if plain.startswith("@") and plain.count("@") == 1:
            add(80, social.normalize_social_handle(plain, cc))
            return
        mail = web.normalize_email(plain, cc)
        add(95 if mail.valid else 45, mail)
        if mail.valid:
            return
    if _IPISH.match(s) and any(ch in s for ch in ".:"):
        ip = web.normalize_ip(s, cc)
        if ip.valid:
            add(95, ip)
            return
    if crypto.looks_like_crypto(s):
        wallet = crypto.normalize_crypto(s, cc)
        if wallet.valid:
            add(70 if wallet.details.get("chain_family") == "sol" else 95, wallet)
            if wallet.details.get("chain_family") != "sol":
                return
        elif wallet.details.get("chain_family"):
            add(40, wallet)
    if banking.looks_like_iban(s):
        account = banking.normalize_bank_account(s, cc)
        add(95 if account.valid else 45, account)
        if account.valid:
            return
    if _NUMERIC.match(s):
        _numeric(s, cc, add)
        return
    written = banking.split_bank_account(s)
    if written is not None:  # "KTB 123-4-56789-0": a listed bank's name and an account number
        account = banking.normalize_bank_account(written[1], cc, bank=written[0])
        add(88 if account.valid else 40, account)
        if account.valid:
            return
    if _BIC_SHAPE.match(s):
        bic = banking.normalize_bic(s, cc)
        if bic.valid:
            add(70, bic)
    if _NRIC_SG.match(s):
        nid = documents.normalize_national_id(s, "SG")
        add(85 if nid.valid else 30, nid)
    if "." in s and " " not in s:
        if "/" in s:
            prof = social.profile_from_url(s)
            if prof is not None:
                add(96, social.normalize_social_handle(s, cc))
            url = web.normalize_url(s, cc)
            if url.valid:
                add(75, url)
        else:
            domain = web.normalize_domain(s, cc)
            if domain.valid:
                add(80, domain)
    if _PASSPORT_SHAPE.match(s):
        passport = documents.normalize_passport(s, cc)
        add(45 if passport.valid else 20, passport)
    if _NAME_SHAPE.match(s) and len(s.split()) <= 6:  # a last resort: letters only, name-sized
        name = person.normalize_person_name(s, cc)
        if name.valid:
            add(20, name)


def _explicit(s: str, cc: str | None, add: Callable[[int, Result], None]) -> bool:
    """Readings of ``prefix:rest`` syntax; True when the prefix settled the type."""
    head = s.split(":", 1)[0].strip()
    hl = head.lower()
    if hl in crypto.CHAIN_PREFIXES or hl in _PAYMENT_URI:
        add(100, crypto.normalize_crypto(s, cc))
        return True
    if hl == "mailto":
        add(100, web.normalize_email(s, cc))
        return True
    if hl == "tel":
        add(100, phone.normalize_phone(s, cc))
        return True
    if hl == "card":
        add(100, card.normalize_card(s, cc))
        return True
    if payment.find_provider(head) is not None:
        add(100, payment.normalize_payment_alias(s, cc))
        return True
    if social.find_platform(head) is not None:
        add(99, social.normalize_social_handle(s, cc))
        return True
    parts = s.split(":")
    if head.upper() in documents.COUNTRIES or head.upper() in documents.ALPHA3:
        if len(parts) == 3:
            add(95, banking.normalize_bank_account(s, cc))
            return True
        nid = documents.normalize_national_id(s, cc)
        if nid.valid:
            add(90, nid)
        rest = parts[1].strip() if len(parts) > 1 else ""
        if _ACCOUNT_DIGITS.fullmatch(rest):
            account = banking.normalize_bank_account(s, cc)
            if account.valid:
                add(60, account)
        elif rest:
            add(70, documents.normalize_passport(s, cc))
        return bool(rest)
    if len(parts) == 2 and _ACCOUNT_DIGITS.fullmatch(parts[1].strip() or "x"):
        bank, _key, _country = banking.find_bank(head, cc or "")
        if bank is not None or head.isdigit():
            add(85, banking.normalize_bank_account(s, cc))
            return True
    return False


def _numeric(s: str, cc: str | None, add: Callable[[int, Result], None]) -> None:
    digits = digits_only(s)
    n = len(digits)
    plus = s.startswith("+")
    if not plus and 13 <= n <= 19 and card.card_brand(digits) and luhn.is_valid(digits):
        add(90, card.normalize_card(s, cc))
    if not plus and n in (15, 16):
        imei = device.normalize_imei(s, cc)
        if imei.valid:
            add(85 if n == 15 else 30, imei)
    tel = phone.normalize_phone(s, cc)
    if tel.valid:
        international = plus or digits.startswith("00")
        # A country code guessed from bare digits (no "+") is a weak reading: many numbers look like that.
        add(90 if international else (80 if cc and not tel.warnings else 25), tel)
    elif 7 <= n <= 15:
        add(10, tel)
    if not plus:
        nid = documents.normalize_national_id(s, cc)
        if nid.valid:
            checked = bool(nid.details.get("checksum"))
            add((92 if cc else 75) if checked else 35, nid)
        if cc:
            account = banking.normalize_bank_account(s, cc)
            if account.valid:
                add(40, account)
