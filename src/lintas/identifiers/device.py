"""Device identifiers: IMEI (3GPP TS 23.003), checked with python-stdnum's IMEI and Luhn implementations."""

from __future__ import annotations

import re

from stdnum import imei as std_imei
from stdnum import luhn

from ._text import digits_only, prepare
from .types import IdentifierType, Result

__all__ = ["normalize_imei"]

_SHAPE = re.compile(r"^(?:imei\s*[:#]?\s*)?[\d\s\-./]+$", re.IGNORECASE)


def normalize_imei(text: str, country: str | None = None) -> Result:
    """Normalise an IMEI to its 15 digits (14 identifying digits + Luhn check digit).

    Guarantees: a 15-digit IMEI must pass the Luhn check; a 16-digit IMEISV is accepted without check and its
    value is the IMEI of the same device (first 14 digits + computed check digit) so both forms match; 14 digits
    get the check digit computed, with a warning.
    """
    s = prepare(text)
    digits = digits_only(s)
    if not _SHAPE.match(s):
        return _result(text, digits, False, errors=("an IMEI is made of digits only",))
    if len(digits) == 15:
        if std_imei.is_valid(digits):
            return _result(text, digits, True, tac=digits[:8])
        return _result(text, digits, False, errors=("Luhn check digit does not match: the IMEI is mistyped",))
    if len(digits) == 16:
        body = digits[:14]
        imei = body + luhn.calc_check_digit(body)
        return _result(
            text,
            imei,
            True,
            warnings=("IMEISV (16 digits): matched as the IMEI of the same device",),
            tac=digits[:8],
            imeisv=digits,
            svn=digits[14:],
        )
    if len(digits) == 14:
        imei = digits + luhn.calc_check_digit(digits)
        return _result(text, imei, True, warnings=("check digit missing; computed",), tac=digits[:8])
    return _result(text, digits, False, errors=(f"an IMEI has 15 digits (IMEISV 16); this one has {len(digits)}",))


def _result(
    raw: str,
    value: str,
    valid: bool,
    *,
    errors: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
    **details: str,
) -> Result:
    return Result(
        type=IdentifierType.IMEI,
        value=value,
        display=value,
        valid=valid,
        errors=errors,
        warnings=warnings,
        details=details,
        input=raw,
    )
