"""Matching keys and blind tokens.

Every canonical identifier becomes one or two *match keys* (``type:value`` and, for an alias or a phone-bound handle,
the key of the identifier behind it). A key is stored and compared only as an HMAC-SHA256 *token* under the community
key, so an agency can compute tokens on its own machine (``lintas tokens make``) and submit identifiers it may not
disclose: they match like values, and the raw value never reaches the server.

No Django import: the token CLI runs on a machine without the database.
"""

import functools
import hashlib
import hmac
import os

from lintas.identifiers import Result

__all__ = [
    "ANY_PLATFORM_KEY",
    "TOKEN_HEX_LENGTH",
    "WEAK_TOKEN_MARK",
    "community_key",
    "is_weak",
    "match_keys",
    "token_for",
    "tokens_for",
]

TOKEN_HEX_LENGTH = 32  # 128 bits: collisions are out of reach, the index stays small
_DEVELOPMENT_KEY = b"lintas-development-community-key-not-for-real-data"
# A handle on no stated platform ("@name"): its key is the *any-platform* key of that handle, which every handle on a
# named platform carries as its linked key. Its tokens are weak (decision 0049): they start with WEAK_TOKEN_MARK (not
# a hex digit), so matching tells a weak link from a strong one by the token alone, blind tokens included.
ANY_PLATFORM_KEY = "social_handle:unknown:"
WEAK_TOKEN_MARK = "w"  # noqa: S105 - a mark, not a secret


def community_key() -> bytes:
    """The community key from ``LINTAS_COMMUNITY_KEY`` (hex); a fixed development key when unset outside production."""
    value = os.environ.get("LINTAS_COMMUNITY_KEY", "").strip()
    if not value:
        if os.environ.get("LINTAS_ENV") == "production":
            raise RuntimeError("LINTAS_COMMUNITY_KEY must be set in production (64 hex characters)")
        return _DEVELOPMENT_KEY
    try:
        key = bytes.fromhex(value)
    except ValueError:
        raise RuntimeError("LINTAS_COMMUNITY_KEY must be hexadecimal (64 hex characters = 32 bytes)") from None
    if len(key) < 32:
        raise RuntimeError("LINTAS_COMMUNITY_KEY must be at least 32 bytes (64 hex characters)")
    return key


def match_keys(result: Result) -> tuple[str, str]:
    """``(own key, linked key)``; the linked key is empty when nothing stands behind the identifier.

    Linked keys: the phone or ID behind a payment alias or a phone-bound handle; and, for a domestic account written
    with its bank (``KR:004:123...``), the same account without the bank (``KR::123...``), so an officer who did not
    know the bank still matches; and, for a handle on a named platform that is not a phone number (``telegram:name``),
    the same handle on no stated platform (``social_handle:unknown:name``, the key of a bare ``@name``): a weak link.
    """
    own = f"{result.type}:{result.value}" if result.value else ""
    linked = result.details.get("linked") if result.details else None
    linked_key = f"{linked['type']}:{linked['value']}" if linked and linked.get("value") else ""
    if not linked_key and str(result.type) == "social_handle" and not own.startswith(ANY_PLATFORM_KEY):
        handle = result.value.partition(":")[2].lstrip("@")
        if handle and not handle.startswith("o/"):  # a KakaoTalk open-chat code is a room, not a handle
            linked_key = ANY_PLATFORM_KEY + handle
    if not linked_key and str(result.type) == "bank_account" and result.value.count(":") == 2:
        country, bank, digits = result.value.split(":")
        if bank:
            linked_key = f"bank_account:{country}::{digits}"
    return own, linked_key


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 object keyed with ``key`` and fed nothing: copied for each token, so the key is padded and
    hashed once per key, not once per token (1.3 µs a token instead of 1.8; bulk ingest makes over a million for a
    million identifiers). The standard library's HMAC, not one written here."""
    return hmac.new(key, digestmod=hashlib.sha256)


def token_for(key: bytes, match_key: str) -> str:
    """HMAC-SHA256 of ``match_key`` under ``key``, as hex, cut to ``TOKEN_HEX_LENGTH``; empty for an empty key.
    The token of an any-platform handle key is weak: its first character is ``WEAK_TOKEN_MARK`` (124 bits remain)."""
    if not match_key:
        return ""
    mac = _keyed(key).copy()
    mac.update(match_key.encode("utf-8"))
    if match_key.startswith(ANY_PLATFORM_KEY):
        return WEAK_TOKEN_MARK + mac.hexdigest()[1:TOKEN_HEX_LENGTH]
    return mac.hexdigest()[:TOKEN_HEX_LENGTH]


def is_weak(token: str) -> bool:
    """Whether ``token`` is an any-platform handle's (a weak link: same handle, platform not stated)."""
    return token[:1] == WEAK_TOKEN_MARK


def tokens_for(key: bytes, result: Result) -> tuple[str, str]:
    own, linked = match_keys(result)
    return token_for(key, own), token_for(key, linked)
