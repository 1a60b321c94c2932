"""Payment card numbers, kept only as BIN + last four + keyed hash: the full number never leaves this module.

PCI DSS allows the first six and last four digits to be shown; the middle digits are replaced by an HMAC-SHA256
keyed with a secret salt, so two records of the same card match without either holding the number. Without the
salt the hash cannot be reversed by trying numbers; with it, it can (the unknown digits are few), so the salt
must be a secret in production: set ``LINTAS_CARD_SALT``. The development default is public and flagged.
"""

from __future__ import annotations

import hmac
import os
import re

from stdnum import luhn

from ._text import digits_only, prepare
from .types import IdentifierType, Result

__all__ = ["DEFAULT_CARD_SALT", "card_brand", "mask_card", "normalize_card"]

DEFAULT_CARD_SALT = "lintas-development-card-salt"  # public: for development and tests only
_HASH_HEX = 24  # 96 bits: collisions are negligible for any realistic number of cards
_SHAPE = re.compile(r"^[\d\s\-.]+$")
_CANONICAL = re.compile(r"^card:(\d{6}):(\d{4}):([0-9a-f]{24})$")

# (brand, IIN prefixes as ranges, allowed lengths), ISO/IEC 7812 issuer ranges as published by the networks.
_BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    ("amex", ((34, 34), (37, 37)), (15,)),
    ("visa", ((4, 4),), (13, 16, 19)),
    ("mastercard", ((51, 55), (2221, 2720)), (16,)),
    ("jcb", ((3528, 3589),), (16, 17, 18, 19)),
    ("unionpay", ((62, 62), (81, 81)), (16, 17, 18, 19)),
    ("discover", ((6011, 6011), (644, 649), (65, 65)), (16, 17, 18, 19)),
    ("diners", ((300, 305), (36, 36), (38, 39)), (14, 15, 16, 17, 18, 19)),
    (
        "maestro",
        ((5018, 5018), (5020, 5020), (5038, 5038), (5893, 5893), (6304, 6304), (6759, 6759)),
        tuple(range(13, 20)),
    ),
)


def card_brand(digits: str) -> str:
    """The card network for a number by its IIN prefix and length, or "" when none fits."""
    for brand, ranges, lengths in _BRANDS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(digits[:width] or 0) <= high:
                return brand
    return ""


def mask_card(digits: str) -> str:
    """``411111******1111``: what may be shown of a card number."""
    if len(digits) < 13:  # too short to show six and four digits and still hide some
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _salt(salt: str | None) -> bytes:
    return (salt or os.environ.get("LINTAS_CARD_SALT") or DEFAULT_CARD_SALT).encode()


def normalize_card(text: str, country: str | None = None, card_salt: str | None = None) -> Result:
    """Normalise a payment card number to ``card:<BIN6>:<last4>:<hmac>``.

    Guarantees: the full number appears nowhere in the result (``value``, ``display``, ``input``, ``details``,
    messages); the Luhn check is verified; the hash is HMAC-SHA256 of the digits keyed with ``card_salt``, else
    ``LINTAS_CARD_SALT``, else the public development default (with a warning). A canonical value given back is
    returned unchanged.
    """
    s = prepare(text)
    canonical = _CANONICAL.match(s.lower())
    if canonical:
        return Result(
            type=IdentifierType.PAYMENT_CARD,
            value=s.lower(),
            display=f"{canonical.group(1)}…{canonical.group(2)}",
            valid=True,
            warnings=("already in hashed form: the Luhn check cannot be repeated",),
            details={"bin": canonical.group(1), "last4": canonical.group(2)},
            input=s.lower(),
        )
    digits = digits_only(s)
    masked_input = mask_card(digits) if _SHAPE.match(s) else "*" * min(len(s), 19)
    if not _SHAPE.match(s) or not 13 <= len(digits) <= 19:
        return Result(
            type=IdentifierType.PAYMENT_CARD,
            value="",
            display=masked_input,
            valid=False,
            errors=("a card number has 13-19 digits",),
            details={},
            input=masked_input,
        )
    warnings: list[str] = []
    if not (card_salt or os.environ.get("LINTAS_CARD_SALT")):
        warnings.append("development salt in use: set LINTAS_CARD_SALT to a secret in production")
    digest = hmac.digest(_salt(card_salt), digits.encode(), "sha256").hex()[:_HASH_HEX]
    errors: list[str] = []
    if not luhn.is_valid(digits):
        errors.append("Luhn check digit does not match: the number is mistyped")
    brand = card_brand(digits)
    if not brand:
        warnings.append("issuer range not recognised")
    return Result(
        type=IdentifierType.PAYMENT_CARD,
        value=f"card:{digits[:6]}:{digits[-4:]}:{digest}",
        display=mask_card(digits),
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details={"bin": digits[:6], "last4": digits[-4:], "length": len(digits), "brand": brand},
        input=masked_input,
    )
