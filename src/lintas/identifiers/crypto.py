"""Cryptocurrency addresses, decoded and checked with ``bip_utils``.

Sources: BIP-173 (bech32, segwit v0), BIP-350 (bech32m, segwit v1+), Bitcoin base58check version bytes, EIP-55
(mixed-case checksum of EVM addresses), TRON base58check with the 0x41 prefix, the XRP Ledger base58 alphabet,
Solana's 32-byte ed25519 public keys, Bitcoin Cash cashaddr. Canonical values are ``<family>:<address>``:
``btc:bc1q...`` (bech32 lower case), ``btc:1...`` (base58 kept as written: it is case-sensitive),
``evm:0x...`` (lower case), ``tron:T...``, ``sol:...``, ``xrp:r...``, ``ltc:...``, ``doge:D...``, ``bch:q...``.
"""

from __future__ import annotations

import re
from typing import Any

import bip_utils
from bip_utils import (
    Base58ChecksumError,
    Base58Decoder,
    Base58Encoder,
    BchBech32Decoder,
    Bech32ChecksumError,
    SegwitBech32Decoder,
)

from ._text import prepare
from .types import IdentifierType, Result

__all__ = ["CHAIN_PREFIXES", "EVM_CHAINS", "looks_like_crypto", "normalize_crypto"]

# Every EVM chain shares the address format, so an address alone never tells which chain it is on.
EVM_CHAINS = ("ethereum", "bsc", "polygon", "arbitrum", "optimism", "base", "avalanche-c", "ethereum-classic")

# Prefixes accepted before an address ("eth:0x...", "tron:T..."), mapped to (family, chain hint).
CHAIN_PREFIXES: dict[str, tuple[str, str]] = {
    "evm": ("evm", ""),
    "eth": ("evm", "ethereum"),
    "ethereum": ("evm", "ethereum"),
    "erc20": ("evm", "ethereum"),
    "bsc": ("evm", "bsc"),
    "bep20": ("evm", "bsc"),
    "polygon": ("evm", "polygon"),
    "matic": ("evm", "polygon"),
    "arbitrum": ("evm", "arbitrum"),
    "optimism": ("evm", "optimism"),
    "base": ("evm", "base"),
    "avax": ("evm", "avalanche-c"),
    "btc": ("btc", "bitcoin"),
    "bitcoin": ("btc", "bitcoin"),
    "tron": ("tron", "tron"),
    "trx": ("tron", "tron"),
    "trc20": ("tron", "tron"),
    "sol": ("sol", "solana"),
    "solana": ("sol", "solana"),
    "xrp": ("xrp", "xrp"),
    "ripple": ("xrp", "xrp"),
    "ltc": ("ltc", "litecoin"),
    "litecoin": ("ltc", "litecoin"),
    "doge": ("doge", "dogecoin"),
    "dogecoin": ("doge", "dogecoin"),
    "bch": ("bch", "bitcoin-cash"),
}

_URI_TAIL = re.compile(r"[?@/]")
_HEX40 = re.compile(r"^0[xX][0-9a-fA-F]{40}$")
_HEX64 = re.compile(r"^0[xX][0-9a-fA-F]{64}$")
_TRON_HEX = re.compile(r"^41[0-9a-fA-F]{40}$")
_B58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{25,44}$")
_XRP = re.compile(r"^r[1-9A-HJ-NP-Za-km-z]{24,34}$")
_SEGWIT = re.compile(r"^(bc|tb|bcrt|ltc|tltc)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)
_CASHADDR = re.compile(r"^(?:bitcoincash:)?[qp][02-9ac-hj-np-z]{41}$", re.IGNORECASE)

# Base58check version byte -> (family, chain, address type, network, other chains using the same bytes).
_B58_VERSIONS: dict[int, tuple[str, str, str, str, tuple[str, ...]]] = {
    0x00: ("btc", "bitcoin", "p2pkh", "mainnet", ("bitcoin", "bitcoin-cash")),
    0x05: ("btc", "bitcoin", "p2sh", "mainnet", ("bitcoin", "bitcoin-cash", "litecoin")),
    0x6F: ("btc", "bitcoin", "p2pkh", "testnet", ("bitcoin",)),
    0xC4: ("btc", "bitcoin", "p2sh", "testnet", ("bitcoin",)),
    0x30: ("ltc", "litecoin", "p2pkh", "mainnet", ("litecoin",)),
    0x32: ("ltc", "litecoin", "p2sh", "mainnet", ("litecoin",)),
    0x1E: ("doge", "dogecoin", "p2pkh", "mainnet", ("dogecoin",)),
    0x16: ("doge", "dogecoin", "p2sh", "mainnet", ("dogecoin",)),
}
_SEGWIT_HRPS = {
    "bc": ("btc", "bitcoin", "mainnet"),
    "tb": ("btc", "bitcoin", "testnet"),
    "bcrt": ("btc", "bitcoin", "regtest"),
    "ltc": ("ltc", "litecoin", "mainnet"),
    "tltc": ("ltc", "litecoin", "testnet"),
}
_BIP173_MAX_LENGTH = 90  # BIP-173: "the string is at most 90 characters long"


def looks_like_crypto(s: str) -> bool:
    """Cheap shape test used by detection before any decoding."""
    if ":" in s:
        prefix = s.split(":", 1)[0].lower()
        return prefix in CHAIN_PREFIXES or prefix in ("bitcoincash", "ethereum", "bitcoin", "litecoin", "dogecoin")
    return bool(_HEX40.match(s) or _B58.match(s) or _SEGWIT.match(s) or _CASHADDR.match(s) or _TRON_HEX.match(s))


def normalize_crypto(text: str, country: str | None = None, chain: str | None = None) -> Result:
    """Normalise a cryptocurrency address to ``<family>:<address>``.

    Guarantees: checksums are verified where the format has one (base58check, bech32/bech32m, EIP-55 when the
    address is mixed case); formats shared by several chains list them in ``details["candidates"]``; an
    address without any checksum (Solana) carries a warning saying typing errors cannot be detected; a chain
    prefix that contradicts the address ("tron:0x...") is reported as a warning, the address decides.
    """
    result = _normalize(text, chain)
    hint_family = _hint_family(text, chain)
    family = result.details.get("chain_family", "")
    if hint_family and family and hint_family != family:
        result = result.replace(warnings=(*result.warnings, f"prefix says {hint_family} but the address is {family}"))
    return result


def _hint_family(text: str, chain: str | None) -> str:
    head = text.split(":", 1)[0].strip().lower() if ":" in text else ""
    if head in CHAIN_PREFIXES:
        return CHAIN_PREFIXES[head][0]
    return CHAIN_PREFIXES.get((chain or "").lower(), ("", ""))[0]


def _normalize(text: str, chain: str | None) -> Result:
    """The normalisation proper; ``normalize_crypto`` adds the prefix cross-check."""
    s = prepare(text)
    hint_family, hint_chain = "", ""
    if chain:
        hint_family, hint_chain = CHAIN_PREFIXES.get(chain.lower(), ("", chain.lower()))
    if ":" in s:
        prefix, rest = s.split(":", 1)
        key = prefix.strip().lower()
        if key in CHAIN_PREFIXES:  # also the payment URIs "bitcoin:" (BIP-21) and "ethereum:" (EIP-681)
            hint_family, hint_chain = CHAIN_PREFIXES[key]
            # BIP-21's "?amount=", EIP-681's "@chainid" and "/function" follow the address.
            s = _URI_TAIL.split(rest, maxsplit=1)[0].strip()
    if not s:
        return _invalid(text, "", "empty address")
    if len(s) > 120:
        return _invalid(text, s, "too long for a wallet address")

    if _HEX40.match(s):
        return _evm(text, s, hint_chain)
    if _HEX64.match(s):
        return _invalid(text, s, "64 hex digits: a transaction hash or private key, not an address", family=hint_family)
    if _TRON_HEX.match(s) and hint_family in ("", "tron"):
        return _tron_hex(text, s)
    if _SEGWIT.match(s):
        return _segwit(text, s)
    if _CASHADDR.match(s) and (hint_family in ("", "bch") or s.lower().startswith("bitcoincash:")):
        return _cashaddr(text, s)
    if hint_family == "xrp" or (_XRP.match(s) and hint_family in ("", "xrp")):
        result = _xrp(text, s)
        if result.valid or hint_family == "xrp":
            return result
    if hint_family == "sol":
        return _solana(text, s, strict=True)
    if _B58.match(s):
        if s.startswith("T") and len(s) == 34:
            return _tron(text, s)
        result = _base58check(text, s, hint_family)
        if result.valid:
            return result
        if 32 <= len(s) <= 44:
            sol = _solana(text, s, strict=False)
            if sol.valid:
                return sol
        return result
    return _invalid(text, s, "not a recognised wallet address format", family=hint_family)


def _result(
    raw: str,
    family: str,
    address: str,
    *,
    chain: str,
    valid: bool = True,
    errors: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
    display: str | None = None,
    **details: Any,
) -> Result:
    info: dict[str, Any] = {"chain_family": family, "chain": chain}
    info.update(details)
    return Result(
        type=IdentifierType.CRYPTO_WALLET,
        value=f"{family}:{address}",
        display=display or address,
        valid=valid,
        errors=errors,
        warnings=warnings,
        details=info,
        input=raw,
    )


def _invalid(raw: str, s: str, error: str, family: str = "") -> Result:
    return Result(
        type=IdentifierType.CRYPTO_WALLET,
        value=f"{family}:{s}" if family else s,
        display=s,
        valid=False,
        errors=(error,),
        details={"chain_family": family, "chain": ""},
        input=raw,
    )


def _eip55(lower_hex40: str) -> str:
    """EIP-55 checksummed spelling (library implementation), for display."""
    return "0x" + bip_utils.addr.eth_addr._EthAddrUtils.ChecksumEncode(lower_hex40)


def _evm(raw: str, s: str, hint_chain: str) -> Result:
    body = s[2:]
    lower = body.lower()
    checksummed = _eip55(lower)
    mixed = body != lower and body != body.upper()
    candidates = [hint_chain] if hint_chain else list(EVM_CHAINS)
    # A mixed-case address must be spelt exactly as its EIP-55 checksum encoding (bip_utils' encoder; this is
    # the comparison EthAddrDecoder.DecodeAddr makes, without hashing twice).
    if mixed and body != checksummed[2:]:
        return _result(
            raw,
            "evm",
            "0x" + lower,
            chain=hint_chain,
            valid=False,
            errors=("EIP-55 checksum mismatch: a character's case is wrong, the address may be mistyped",),
            display="0x" + body,
            candidates=candidates,
            checksummed=checksummed,
        )
    return _result(
        raw,
        "evm",
        "0x" + lower,
        chain=hint_chain,
        display=checksummed,
        candidates=candidates,
        checksummed=checksummed,
        eip55_checked=mixed,
    )


def _tron(raw: str, s: str) -> Result:
    try:
        bip_utils.TrxAddrDecoder.DecodeAddr(s)
    except (ValueError, Base58ChecksumError) as exc:
        return _result(
            raw,
            "tron",
            s,
            chain="tron",
            valid=False,
            errors=(_b58_error(exc, "TRON"),),
        )
    return _result(raw, "tron", s, chain="tron", address_type="account", candidates=["tron"])


def _tron_hex(raw: str, s: str) -> Result:
    address = Base58Encoder.CheckEncode(bytes.fromhex(s))
    result = _tron(raw, address)
    return result.replace(warnings=(*result.warnings, "given in hex form; converted to base58"))


def _b58_error(exc: Exception, what: str) -> str:
    if isinstance(exc, Base58ChecksumError) or "checksum" in str(exc).lower():
        return f"{what} base58check checksum mismatch: the address is mistyped or altered"
    return f"not a valid {what} address ({exc})"


def _base58check(raw: str, s: str, hint_family: str) -> Result:
    try:
        payload = Base58Decoder.CheckDecode(s)
    except Base58ChecksumError:
        family = hint_family or {"1": "btc", "3": "btc", "L": "ltc", "M": "ltc", "D": "doge"}.get(s[0], "")
        return _result(
            raw,
            family,
            s,
            chain="",
            valid=False,
            errors=("base58check checksum mismatch: the address is mistyped or altered",),
        )
    except ValueError as exc:
        return _invalid(raw, s, f"not valid base58 ({exc})", family=hint_family)
    if len(payload) != 21 or payload[0] not in _B58_VERSIONS:
        return _invalid(raw, s, "base58check data is not a known address version", family=hint_family)
    family, chain, kind, network, candidates = _B58_VERSIONS[payload[0]]
    shared = {"bch": "bitcoin-cash", "ltc": "litecoin"}
    if hint_family in shared and hint_family != family and shared[hint_family] in candidates:
        # "bch:1..." is a legacy Bitcoin Cash address: the same bytes as Bitcoin; keep the caller's family.
        family, chain = hint_family, shared[hint_family]
    warnings: tuple[str, ...] = ()
    if network != "mainnet":
        warnings = (f"{network} address: holds no real funds",)
    return _result(
        raw,
        family,
        s,
        chain=chain,
        warnings=warnings,
        address_type=kind,
        network=network,
        candidates=list(candidates),
    )


def _segwit(raw: str, s: str) -> Result:
    lower = s.lower()
    hrp = lower.rsplit("1", 1)[0]
    family, chain, network = _SEGWIT_HRPS.get(hrp, ("btc", "bitcoin", "mainnet"))
    if len(s) > _BIP173_MAX_LENGTH:
        return _result(raw, family, lower, chain=chain, valid=False, errors=("longer than 90 characters (BIP-173)",))
    try:
        version, program = SegwitBech32Decoder.Decode(hrp, s)
    except Bech32ChecksumError:
        encoding = "bech32" if lower[len(hrp) + 1 : len(hrp) + 2] == "q" else "bech32m"
        return _result(
            raw,
            family,
            lower,
            chain=chain,
            valid=False,
            errors=(f"{encoding} checksum mismatch (BIP-173/BIP-350): the address is mistyped or altered",),
        )
    except ValueError as exc:
        message = str(exc)
        if "mixed case" in message:
            message = "mixes upper and lower case (BIP-173 forbids it)"
        return _result(raw, family, lower, chain=chain, valid=False, errors=(f"not a valid segwit address: {message}",))
    if version == 0:
        kind = "p2wpkh" if len(program) == 20 else "p2wsh"
    elif version == 1 and len(program) == 32:
        kind = "p2tr"
    else:
        kind = f"segwit_v{version}"
    warnings: tuple[str, ...] = ()
    if network != "mainnet":
        warnings = (f"{network} address: holds no real funds",)
    if kind.startswith("segwit_v"):
        warnings = (*warnings, f"witness version {version} is not in use on the network yet")
    return _result(
        raw,
        family,
        lower,
        chain=chain,
        warnings=warnings,
        address_type=kind,
        network=network,
        witness_version=version,
        candidates=[chain],
    )


def _cashaddr(raw: str, s: str) -> Result:
    lower = s.lower()
    body = lower.split(":", 1)[1] if ":" in lower else lower
    try:
        version, _data = BchBech32Decoder.Decode("bitcoincash", "bitcoincash:" + body)
    except (ValueError, Bech32ChecksumError) as exc:
        return _result(
            raw,
            "bch",
            body,
            chain="bitcoin-cash",
            valid=False,
            errors=(f"not a valid Bitcoin Cash cashaddr ({exc})",),
        )
    kind = {0: "p2pkh", 8: "p2sh"}.get(version[0], "unknown")
    return _result(
        raw,
        "bch",
        body,
        chain="bitcoin-cash",
        display="bitcoincash:" + body,
        address_type=kind,
        candidates=["bitcoin-cash"],
    )


def _xrp(raw: str, s: str) -> Result:
    try:
        bip_utils.XrpAddrDecoder.DecodeAddr(s)
    except (ValueError, Base58ChecksumError) as exc:
        return _result(raw, "xrp", s, chain="xrp", valid=False, errors=(_b58_error(exc, "XRP"),))
    return _result(raw, "xrp", s, chain="xrp", address_type="account", candidates=["xrp"])


def _solana(raw: str, s: str, strict: bool) -> Result:
    try:
        bip_utils.SolAddrDecoder.DecodeAddr(s)
    except ValueError as exc:
        return _result(
            raw,
            "sol",
            s,
            chain="solana",
            valid=False,
            errors=(f"not a valid Solana address ({exc})",),
        )
    warnings = ("Solana addresses carry no checksum: typing errors cannot be detected",)
    if not strict:
        warnings = (*warnings, "recognised by shape only (32-byte base58 key)")
    return _result(raw, "sol", s, chain="solana", warnings=warnings, address_type="account", candidates=["solana"])
