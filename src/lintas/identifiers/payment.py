"""Payment aliases and e-wallets: ``provider:alias``.

Real-time payment schemes let people pay to a proxy instead of an account number: a phone number, a national ID,
a business registration number or an e-wallet ID. The alias is normalised with the rules of what it is (a phone
with :mod:`lintas.identifiers.phone`, an ID with :mod:`lintas.identifiers.documents`) and reported in
``details["linked"]``, so a PromptPay alias also matches the same phone number recorded on its own.

Input syntax: ``promptpay:0812345678``, ``PromptPay 081-234-5678``, ``GCash: 0917 123 4567``, ``momo 0912345678``,
``paynow:S1234567D``, ``other:<alias>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stdnum.sg import uen as sg_uen
from stdnum.th import moa as th_moa

from ._text import digits_only, is_digits, prepare
from .documents import validate_national_id
from .phone import normalize_phone
from .types import IdentifierType, Result

__all__ = ["PROVIDERS", "Provider", "find_provider", "normalize_payment_alias"]


@dataclass(frozen=True, slots=True)
class Provider:
    """A payment scheme or e-wallet: its key in canonical values, home country and accepted alias kinds."""

    key: str
    name: str
    country: str
    kinds: tuple[str, ...]
    names: tuple[str, ...]


PROVIDERS: tuple[Provider, ...] = (
    # PromptPay (Bank of Thailand): mobile number, citizen ID (13 digits), tax ID, or a 15-digit e-wallet ID.
    Provider(
        "promptpay",
        "PromptPay",
        "TH",
        ("phone", "national_id", "business_id", "ewallet_id"),
        ("promptpay", "พร้อมเพย์"),
    ),
    # DuitNow (PayNet, Malaysia): mobile number, MyKad number, passport number, business registration number.
    Provider("duitnow", "DuitNow", "MY", ("phone", "national_id", "business_id", "ewallet_id"), ("duitnow",)),
    # PayNow (ABS/MAS, Singapore): mobile number, NRIC/FIN, UEN (business), virtual payment address.
    Provider("paynow", "PayNow", "SG", ("phone", "national_id", "business_id", "ewallet_id"), ("paynow",)),
    Provider("gcash", "GCash", "PH", ("phone",), ("gcash",)),
    Provider("maya", "Maya", "PH", ("phone",), ("maya", "paymaya")),
    Provider("dana", "DANA", "ID", ("phone",), ("dana",)),
    Provider("ovo", "OVO", "ID", ("phone",), ("ovo",)),
    Provider("gopay", "GoPay", "ID", ("phone",), ("gopay",)),
    Provider("momo", "MoMo", "VN", ("phone",), ("momo", "vímomo", "vimomo")),
    Provider("zalopay", "ZaloPay", "VN", ("phone",), ("zalopay",)),
    Provider("kakaopay", "KakaoPay", "KR", ("phone", "ewallet_id"), ("kakaopay", "카카오페이")),
    Provider("toss", "Toss", "KR", ("phone", "ewallet_id"), ("toss", "tosspay", "토스", "토스페이")),
    Provider("other", "other", "", ("phone", "national_id", "business_id", "ewallet_id"), ("other",)),
)


_SLUG_JUNK = re.compile(r"[\s.\-_]+")
_ALIAS_JUNK = re.compile(r"[\s\-().]+")


def _slug(name: str) -> str:
    return _SLUG_JUNK.sub("", name.casefold())


_BY_NAME = {_slug(n): p for p in PROVIDERS for n in (*p.names, p.key, p.name)}
_SEPARATOR = re.compile(r"[\s:=\-]+")
_NOISE = re.compile(r"^(?:id|no\.?|number|account|acct|wallet|#)(?:\s*[:\-=]\s*|\s+)", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{7,20}$")
_WALLET_ID = re.compile(r"^[a-z0-9._\-@]{3,64}$")


def find_provider(name: str) -> Provider | None:
    """The provider called ``name`` (case, spaces, dots and dashes ignored), or None."""
    return _BY_NAME.get(_slug(name))


def normalize_payment_alias(text: str, country: str | None = None, provider: str | None = None) -> Result:
    """Normalise a payment alias to ``<provider>:<alias>`` where the alias is an E.164 phone, an ID number or a
    lower-cased e-wallet ID.

    Guarantees: a phone or national-ID alias is validated with its own rules and reported in
    ``details["linked"]`` as ``{"type": ..., "value": <that type's canonical value>}``; an alias a provider
    does not accept (GCash takes mobile numbers only) is ``valid=False``.
    """
    s = prepare(text)
    prov: Provider | None = find_provider(provider) if provider else None
    alias = s
    if prov is None:
        # "provider:alias", "Provider alias", "Provider ID: alias": the first separator after which the text
        # before it names a provider.
        for sep in _SEPARATOR.finditer(s):
            found = find_provider(s[: sep.start()])
            if found is not None:
                prov, alias = found, _NOISE.sub("", s[sep.end() :].strip())
                break
    if prov is None:
        name = s.partition(":")[0] if ":" in s else s.split(" ", 1)[0]
        return Result(
            type=IdentifierType.PAYMENT_ALIAS,
            value=s.lower(),
            display=s,
            valid=False,
            errors=(f"unknown payment provider {name!r}; write provider:alias (or other:alias)",),
            details={},
            input=text,
        )
    home = prov.country or (country or "").upper()
    kind, part, linked, errors, warnings = _classify(prov, alias, home)
    details: dict[str, Any] = {"provider": prov.key, "provider_name": prov.name, "alias_kind": kind}
    if linked:
        details["linked"] = linked
    return Result(
        type=IdentifierType.PAYMENT_ALIAS,
        value=f"{prov.key}:{part}",
        display=f"{prov.name} {part}",
        country=prov.country,
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details=details,
        input=text,
    )


def _classify(prov: Provider, alias: str, home: str) -> tuple[str, str, dict[str, str] | None, list[str], list[str]]:
    """``(kind, canonical alias, linked identifier, errors, warnings)``."""
    compact = _ALIAS_JUNK.sub("", alias).upper()
    if not compact:
        return "", "", None, ["alias missing after the provider name"], []
    if "national_id" in prov.kinds and home:
        number = compact
        if home == "SG" or is_digits(number):
            ok, _, _, _ = validate_national_id(home, number)
            if ok and not _phone_valid(alias, home):
                return "national_id", number, {"type": "national_id", "value": f"{home}:{number}"}, [], []
    if "business_id" in prov.kinds:
        if home == "TH" and len(compact) == 13 and compact.startswith("0") and th_moa.is_valid(compact):
            return "business_id", compact, {"type": "business_id", "value": f"TH:{compact}"}, [], []
        if home == "SG" and sg_uen.is_valid(compact):
            return "business_id", compact, {"type": "business_id", "value": f"SG:{compact}"}, [], []
    if prov.key == "promptpay" and is_digits(compact) and len(compact) == 15:
        return "ewallet_id", compact, None, [], []  # PromptPay e-wallet IDs are 15 digits
    if _PHONE_LIKE.match(alias):
        phone = normalize_phone(alias, home or None)
        if phone.valid:
            return "phone", phone.value, {"type": "phone", "value": phone.value}, [], list(phone.warnings)
        if prov.kinds == ("phone",):
            return (
                "phone",
                phone.value or digits_only(alias),
                None,
                [f"{prov.name} alias is not a valid phone number: " + "; ".join(phone.errors)],
                [],
            )
    if "ewallet_id" in prov.kinds:
        wallet = alias.strip().lower()
        if _WALLET_ID.match(wallet):
            warnings = [] if not is_digits(wallet) else ["numeric alias that is not a valid phone or ID number"]
            return "ewallet_id", wallet, None, [], warnings
        return "ewallet_id", wallet, None, ["not a valid e-wallet ID (3-64 letters, digits, . _ - @)"], []
    return "", compact.lower(), None, [f"{prov.name} aliases are mobile numbers"], []


def _phone_valid(alias: str, home: str) -> bool:
    return _PHONE_LIKE.match(alias) is not None and normalize_phone(alias, home).valid
