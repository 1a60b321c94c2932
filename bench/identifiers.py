"""Identifier normalisation throughput: a deterministic mix of 100,000 values of every type, valid and corrupted.

Values are generated in real formats with the libraries' own checksum code (Luhn, base58check, bech32, EIP-55,
IBAN mod-97, national check digits), then some are corrupted (a digit changed, a character dropped). The run
normalises every value with its type on one core, in random type order (the headline figure) and grouped by type,
then runs type detection on a sample, and prints the figures and a final JSON line.

    python bench/identifiers.py [--count 100000] [--seed 20241115] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import random
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import phonenumbers
import schwifty
from bip_utils import Base58Encoder, SegwitBech32Encoder
from bip_utils.addr.eth_addr import _EthAddrUtils
from stdnum import luhn
from stdnum.kr import rrn
from stdnum.th import pin

from lintas.identifiers import detect, normalize

MEMBERS = ["KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL"]
WORDS = ["secure", "bank", "login", "verify", "wallet", "promo", "gift", "support", "update", "account", "pay"]
TLDS = ["com", "net", "co.th", "com.my", "vn", "co.id", "ph", "co.kr", "sg", "xyz", "top", "shop"]
SURNAMES = ["Lee", "Park", "Kim", "Choi", "Nguyen", "Tran", "Tan", "Lim", "Santos", "Reyes", "Wong", "이", "김"]
GIVEN = ["Min-su", "Ji-sung", "Anh", "Duc", "Siti", "Aisyah", "Somchai", "Maria", "Jose", "민수", "Đức", "Văn"]
PROVIDERS = {
    "promptpay": "TH",
    "gcash": "PH",
    "momo": "VN",
    "duitnow": "MY",
    "paynow": "SG",
    "dana": "ID",
    "kakaopay": "KR",
}
PLATFORMS = ["telegram", "line", "instagram", "x", "tiktok", "kakaotalk", "wechat"]
KR_BANKS = ["KB", "004", "신한은행", "Woori", "088", "CZNBKRSE", "카카오뱅크"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _corrupt(rng: random.Random, value: str) -> str:
    """Change one digit or letter, or drop one character: what a mistyped identifier looks like."""
    if len(value) < 4:
        return value + "9"
    i = rng.randrange(2, len(value))
    if rng.random() < 0.3:
        return value[:i] + value[i + 1 :]
    ch = value[i]
    repl = rng.choice("0123456789") if ch.isdigit() else rng.choice("abcdefghjkmnpqrstuvwxyz")
    return value[:i] + (repl if repl != ch else "7") + value[i + 1 :]


def _phone(rng: random.Random) -> tuple[str, str | None]:
    region = rng.choice(MEMBERS)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    nsn = phonenumbers.national_significant_number(example)
    number = phonenumbers.parse(f"+{example.country_code}{nsn[:-3]}{_digits(rng, 3)}")
    if rng.random() < 0.5:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL), region
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL), None


def _iban(rng: random.Random) -> str:
    country = rng.choice(["DE", "GB", "NL", "TL"])
    if country == "DE":
        iban = schwifty.IBAN.generate("DE", bank_code="37040044", account_code=_digits(rng, 10))
    elif country == "GB":
        iban = schwifty.IBAN.generate("GB", bank_code="NWBK", branch_code="601613", account_code=_digits(rng, 8))
    elif country == "NL":
        iban = schwifty.IBAN.generate("NL", bank_code="ABNA", account_code=_digits(rng, 10))
    else:
        iban = schwifty.IBAN.generate("TL", bank_code="008", account_code=_digits(rng, 14))
    return iban.formatted


def _wallet(rng: random.Random) -> str:
    kind = rng.randrange(5)
    payload = rng.randbytes(20)
    if kind == 0:
        return "0x" + _EthAddrUtils.ChecksumEncode(payload.hex())
    if kind == 1:
        return Base58Encoder.CheckEncode(b"\x41" + payload)  # TRON
    if kind == 2:
        return Base58Encoder.CheckEncode(rng.choice([b"\x00", b"\x05"]) + payload)  # BTC P2PKH / P2SH
    if kind == 3:
        return SegwitBech32Encoder.Encode("bc", 0, payload)
    return SegwitBech32Encoder.Encode("bc", 1, rng.randbytes(32))  # taproot, bech32m


def _national_id(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        body = _digits(rng, 12)
        return body + pin.calc_check_digit(body), "TH"
    body = (
        f"{rng.randint(50, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.choice('12')}"
        + "12"
        + _digits(rng, 3)
    )
    body = body + _digits(rng, 12 - len(body))
    return f"{body[:6]}-{body[6:]}{rrn.calc_check_digit(body)}", "KR"


def _card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "37", "6011", "35"])
    length = 15 if prefix == "37" else 16
    body = prefix + _digits(rng, length - len(prefix) - 1)
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def generate(count: int, seed: int) -> list[tuple[str, str, str | None]]:
    """``count`` (value, type, country) triples; about one in four is corrupted or malformed."""
    rng = random.Random(seed)

    def word() -> str:
        return rng.choice(WORDS)

    def provider_alias() -> tuple[str, None]:
        provider = rng.choice(list(PROVIDERS))
        return f"{provider}:{_phone_for(rng, PROVIDERS[provider])}", None

    def imei() -> tuple[str, None]:
        body = _digits(rng, 14)
        return body + luhn.calc_check_digit(body), None

    # (weight, type, maker returning (value, country))
    makers = [
        (14, "phone", lambda: _phone(rng)),
        (
            6,
            "bank_account",
            lambda: (f"{rng.choice(KR_BANKS)} {_digits(rng, 6)}-{_digits(rng, 2)}-{_digits(rng, 6)}", "KR"),
        ),
        (4, "bank_account", lambda: (_iban(rng), None)),
        (
            2,
            "bic",
            lambda: (rng.choice(["CZNBKRSE", "KASITHBK", "MBBEMYKL", "DBSSSGSG", "BFTVVNVX", "DEUTDEFF500"]), None),
        ),
        (6, "payment_alias", provider_alias),
        (12, "crypto_wallet", lambda: (_wallet(rng), None)),
        (6, "email", lambda: (f"{word()}.{word()}{rng.randint(1, 999)}@{word()}.{rng.choice(TLDS)}", None)),
        (6, "domain", lambda: (f"{word()}-{word()}.{rng.choice(TLDS)}", None)),
        (
            6,
            "url",
            lambda: (f"hxxps://{word()}-{word()}[.]{rng.choice(TLDS)}/{word()}?id={rng.randint(1, 9999)}", None),
        ),
        (4, "ip", lambda: (".".join(str(rng.randint(1, 254)) for _ in range(4)), None)),
        (3, "social_handle", lambda: (f"t.me/{word()}_{word()}{rng.randint(1, 99)}", None)),
        (3, "social_handle", lambda: (f"{rng.choice(PLATFORMS)}:{word()}{rng.randint(10, 9999)}", None)),
        (4, "imei", imei),
        (5, "national_id", lambda: _national_id(rng)),
        (3, "passport", lambda: (rng.choice("MSR") + _digits(rng, 8), "KR")),
        (4, "payment_card", lambda: (_card(rng), None)),
        (12, "person_name", lambda: (f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", None)),
    ]
    weighted = [(kind, maker) for weight, kind, maker in makers for _ in range(weight)]
    values = []
    for _ in range(count):
        kind, maker = rng.choice(weighted)
        value, country = maker()
        if rng.random() < 0.25:
            value = _corrupt(rng, value)
        values.append((value, kind, country))
    return values


def _phone_for(rng: random.Random, region: str) -> str:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)[:-3] + _digits(rng, 3)


def run(values: list[tuple[str, str, str | None]]) -> tuple[float, int]:
    valid = 0
    start = time.perf_counter()
    for value, kind, country in values:
        valid += normalize(value, kind, country).valid
    return time.perf_counter() - start, valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20241115)
    parser.add_argument("--detect-sample", type=int, default=20_000, help="values run through detection")
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    args = parser.parse_args()

    t0 = time.perf_counter()
    values = generate(args.count, args.seed)
    print(f"generated {len(values):,} values in {time.perf_counter() - t0:.1f} s")
    per_type: dict[str, int] = {}
    for _, kind, _ in values:
        per_type[kind] = per_type.get(kind, 0) + 1
    print("mix: " + ", ".join(f"{k} {v}" for k, v in sorted(per_type.items())))

    # The generated inputs are the benchmark's, not the library's: keep the collector from re-scanning them.
    gc.collect()
    gc.freeze()

    cold_start = time.perf_counter()
    for value, kind, country in values[:200]:  # first calls load phone metadata and the suffix list
        normalize(value, kind, country)
    print(f"warm-up (200 values, loads metadata): {time.perf_counter() - cold_start:.2f} s")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    seconds, valid = run(values)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    rate = len(values) / seconds
    print(f"normalize with type: {len(values):,} values in {seconds:.2f} s = {rate:,.0f} values/s ({valid:,} valid)")

    # The same values grouped by type, as an import job meets them (one column at a time): the interpreter and
    # CPU caches stay warm for one code path, so this is the best case; the interleaved figure above is the
    # headline.
    grouped = sorted(values, key=lambda item: item[1])
    grouped_seconds, _ = run(grouped)
    print(f"normalize grouped by type: {len(values) / grouped_seconds:,.0f} values/s")

    sample = values[: args.detect_sample]
    start = time.perf_counter()
    for value, _kind, country in sample:
        detect(value, country)
    detect_seconds = time.perf_counter() - start
    detect_rate = len(sample) / detect_seconds
    print(f"detect (no type): {len(sample):,} values in {detect_seconds:.2f} s = {detect_rate:,.0f} values/s")

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"peak RSS {peak_mb:.0f} MB")
    print(
        json.dumps(
            {
                "values": len(values),
                "seconds": round(seconds, 3),
                "per_second": round(rate),
                "peak_rss_mb": round(peak_mb, 1),
                "grouped_per_second": round(len(values) / grouped_seconds),
                "detect_per_second": round(detect_rate),
            }
        )
    )


if __name__ == "__main__":
    main()
