"""The value objects every identifier function returns: :class:`IdentifierType`, :class:`Result`, :class:`Detection`."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Detection", "IdentifierType", "Result"]


class IdentifierType(enum.StrEnum):
    """The kinds of identifier Lintas can normalise and match."""

    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    BIC = "bic"
    PAYMENT_ALIAS = "payment_alias"
    CRYPTO_WALLET = "crypto_wallet"
    EMAIL = "email"
    DOMAIN = "domain"
    URL = "url"
    IP = "ip"
    SOCIAL_HANDLE = "social_handle"
    IMEI = "imei"
    NATIONAL_ID = "national_id"
    PASSPORT = "passport"
    PAYMENT_CARD = "payment_card"
    PERSON_NAME = "person_name"
    # Returned by detection only, for a value that fits no type; ``normalize`` does not accept it as a type name.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Result:
    """One recognised (or rejected) identifier.

    ``value`` is the canonical form used for matching: two inputs that denote the same identifier get the same
    ``value``, and normalising ``value`` again with the same type gives ``value`` back. ``value`` is filled in even
    when ``valid`` is False (a best-effort canonical form), so a mistyped identifier can still be compared.
    ``errors`` explain why ``valid`` is False; ``warnings`` flag doubts that do not make the value invalid.
    ``start``/``end`` are character offsets into the text given to ``extract`` (None elsewhere) and ``input`` is
    the raw text the result was made from (masked for payment cards).
    """

    type: IdentifierType
    value: str
    display: str
    country: str = ""
    valid: bool = False
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    input: str = ""
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``start`` and ``end`` are included only for results found by ``extract``."""
        out: dict[str, Any] = {
            "input": self.input,
            "type": str(self.type),
            "value": self.value,
            "display": self.display,
            "country": self.country,
            "valid": self.valid,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "details": _plain(self.details),
        }
        if self.start is not None:
            out["start"] = self.start
            out["end"] = self.end
        return out

    def replace(self, **changes: Any) -> Result:
        """A copy with ``changes`` applied (the dataclass is frozen)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Detection:
    """The outcome of :func:`lintas.identifiers.detect`: the most likely reading and the others, best first.

    ``best`` is always set (type ``unknown`` when nothing fits). Valid readings always rank above invalid ones.
    """

    best: Result
    alternatives: tuple[Result, ...] = ()

    @property
    def ranked(self) -> list[Result]:
        """``best`` followed by the alternatives."""
        return [self.best, *self.alternatives]

    def to_dict(self) -> dict[str, Any]:
        return {"best": self.best.to_dict(), "alternatives": [r.to_dict() for r in self.alternatives]}


def _plain(value: Any) -> Any:
    """Copy nested mappings/sequences into plain dicts and lists so callers can't mutate a result by accident."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value
