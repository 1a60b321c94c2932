"""Realistic synthetic cases as NDJSON, with the ground truth of what should match.

Every identifier is generated in a real national format with a valid checksum (E.164-valid mobile numbers of each
member country, domestic accounts of listed banks, Timor-Leste IBANs, TRON/EVM/bech32 wallets, e-mails, URLs,
Telegram and WhatsApp handles, PromptPay/DuitNow/PayNow aliases), written as an officer of the holding agency would
write it, and checked with :func:`lintas.identifiers.normalize` exactly as ingest will normalise it.

* ``overlap``: the fraction of identifier occurrences that are values shared between agencies (2-4 agencies; some
  also twice within one agency, which links without a hit). A shared phone may appear as a PromptPay or DuitNow
  alias or a WhatsApp handle at one holder and as a plain number at another: the linked family still matches.
* ``hot``: values placed in more cases than the hot cap (an exchange's hot wallet, a call centre's number). Each
  appears in the first ``hot_cap + 1`` rows, so it is hot from the first batch whenever the batch size is larger than
  the cap (``min_batch_size`` in the truth), and in more rows spread over the file.
* Every other value is unique: values are drawn until their matching family is unused.

The ground truth counts the hits ingest must create: pairs of case identifiers of different agencies sharing a
match key (own or linked), leaving out keys held by more than ``hot_cap`` cases. Deterministic for a seed.
No database access: usable from a benchmark before Django touches one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import schwifty
from bip_utils import Base58Encoder, Kekkak256, SegwitBech32Encoder

from lintas import identifiers
from lintas.matching.tokens import match_keys

__all__ = ["MEMBERS", "Member", "generate"]


@dataclass(frozen=True)
class Member:
    code: str
    country: str  # "" for INTERPOL
    language: str  # narrative language
    currency: str
    weight: int  # share of the cases


MEMBERS: dict[str, Member] = {
    m.code: m
    for m in (
        Member("knpa", "KR", "ko", "KRW", 24),
        Member("rmp", "MY", "ms", "MYR", 10),
        Member("cnp", "KH", "en", "USD", 5),
        Member("inp", "ID", "id", "IDR", 8),
        Member("pnp", "PH", "en", "PHP", 8),
        Member("rtp", "TH", "th", "THB", 12),
        Member("mps-vn", "VN", "vi", "VND", 8),
        Member("spf", "SG", "en", "SGD", 10),
        Member("rbpf", "BN", "ms", "BND", 2),
        Member("lao-mps", "LA", "en", "LAK", 2),
        Member("mpf", "MM", "en", "MMK", 3),
        Member("pntl", "TL", "en", "USD", 2),
        Member("interpol", "", "en", "EUR", 6),
    )
}
COUNTRIES = ("KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL")

# Mobile ranges: (country calling code, [(national prefix, random digits after it)]). Every drawn number is still
# checked by libphonenumber through lintas.identifiers; a rare number outside an allocated range is drawn again.
_MOBILE = {
    "KR": ("82", [("10", 8)]),
    "MY": ("60", [("12", 7), ("13", 7), ("16", 7), ("17", 7), ("19", 7)]),
    "KH": ("855", [("12", 6), ("17", 6), ("92", 6), ("97", 7), ("88", 7), ("96", 7), ("10", 6), ("15", 6)]),
    "ID": ("62", [("812", 7), ("813", 8), ("821", 8), ("852", 8), ("857", 8), ("878", 8), ("896", 8)]),
    "PH": ("63", [("917", 7), ("905", 7), ("918", 7), ("927", 7), ("939", 7), ("966", 7), ("995", 7)]),
    "TH": ("66", [("81", 7), ("82", 7), ("86", 7), ("89", 7), ("91", 7), ("95", 7), ("61", 7), ("63", 7)]),
    "VN": ("84", [("91", 7), ("90", 7), ("98", 7), ("97", 7), ("96", 7), ("32", 7), ("70", 7), ("86", 7)]),
    "SG": ("65", [("8", 7), ("9", 7)]),
    "BN": ("673", [("71", 5), ("72", 5), ("73", 5), ("87", 5), ("88", 5), ("89", 5)]),
    "LA": ("856", [("202", 7), ("205", 7), ("207", 7), ("209", 7)]),
    "MM": ("95", [("96", 8), ("979", 7), ("925", 7)]),
    "TL": ("670", [("77", 6), ("78", 6), ("76", 6)]),
}
# Domestic accounts as officers write them: (bank as written, digit groups).
_BANKS = {
    "KR": [("KB국민은행", (6, 2, 6)), ("신한은행", (3, 3, 6)), ("우리은행", (4, 3, 6)), ("하나은행", (3, 6, 5))],
    "TH": [("Kasikornbank", (3, 1, 5, 1)), ("SCB", (3, 6, 1)), ("Krungthai", (3, 1, 5, 1)), ("Bangkok Bank", (3, 7))],
    "MY": [("Maybank", (4, 4, 4)), ("CIMB", (4, 4, 2)), ("Public Bank", (3, 7)), ("RHB", (3, 3, 8))],
    "SG": [("DBS", (3, 6, 1)), ("OCBC", (3, 6, 3)), ("UOB", (3, 3, 4)), ("POSB", (3, 5, 1))],
    "ID": [("BCA", (10,)), ("BNI", (10,)), ("Mandiri", (3, 10)), ("BRI", (4, 2, 6, 3))],
    "PH": [("BDO", (4, 4, 4)), ("BPI", (4, 4, 2)), ("Metrobank", (3, 3, 7)), ("UnionBank", (4, 4, 4))],
    "VN": [("Vietcombank", (13,)), ("Techcombank", (14,)), ("BIDV", (12,)), ("MB Bank", (4, 4, 4))],
    "KH": [("ABA", (3, 3, 3)), ("ACLEDA", (4, 2, 6, 2))],
    "BN": [("BIBD", (4, 4, 4))],
    "LA": [("BCEL", (4, 4, 4, 4))],
    "MM": [("KBZ", (4, 4, 4, 5))],
}
_BANK_CODES = {  # canonical form as a foreign agency would record it: CC:BANK:DIGITS (national code or BIC)
    "KB국민은행": "004",
    "신한은행": "088",
    "우리은행": "020",
    "하나은행": "081",
    "Kasikornbank": "004",
    "SCB": "014",
    "Krungthai": "006",
    "Bangkok Bank": "002",
    "Maybank": "MBBEMYKL",
    "CIMB": "CIBBMYKL",
    "Public Bank": "PBBEMYKL",
    "RHB": "RHBBMYKL",
    "DBS": "7171",
    "OCBC": "7339",
    "UOB": "7375",
    "POSB": "7171",
    "BCA": "014",
    "BNI": "009",
    "Mandiri": "008",
    "BRI": "002",
    "BDO": "BNORPHMM",
    "BPI": "BOPIPHMM",
    "Metrobank": "MBTCPHMM",
    "UnionBank": "UBPHPHMM",
    "Vietcombank": "970436",
    "Techcombank": "970407",
    "BIDV": "970418",
    "MB Bank": "970422",
    "ABA": "ABAAKHPP",
    "ACLEDA": "ACLBKHPP",
    "BIBD": "BIBDBNBB",
    "BCEL": "COEBLALA",
    "KBZ": "KBZBMMMY",
}
_TL_BANKS = ("008", "010", "012", "014", "020")
_ALIAS_PROVIDERS = {"TH": "promptpay", "MY": "duitnow", "SG": "paynow"}

_CRIMES = [
    ("voice_phishing", 20),
    ("investment_fraud", 18),
    ("romance_fraud", 10),
    ("phishing", 10),
    ("shopping_fraud", 8),
    ("job_scam", 8),
    ("loan_scam", 5),
    ("bec", 4),
    ("crypto_fraud", 6),
    ("money_mule", 5),
    ("sextortion", 2),
    ("illegal_gambling", 2),
    ("account_takeover", 2),
]
_CRIME_NAMES = {
    "ko": {
        "voice_phishing": "보이스피싱 (수사기관 사칭)",
        "investment_fraud": "투자 리딩방 사기",
        "romance_fraud": "로맨스 스캠",
        "phishing": "스미싱 (택배 문자)",
        "shopping_fraud": "중고거래 사기",
        "job_scam": "부업 알바 사기",
        "loan_scam": "대출 빙자 사기",
        "bec": "기업 이메일 사기",
        "crypto_fraud": "가상자산 거래소 사칭",
        "money_mule": "대포통장 모집",
    },
    "en": {
        "voice_phishing": "impersonation of officials by phone",
        "investment_fraud": "fake investment platform",
        "romance_fraud": "romance scam",
        "phishing": "parcel delivery smishing",
        "shopping_fraud": "online shopping fraud",
        "job_scam": "task scam",
        "loan_scam": "loan scam",
        "bec": "business e-mail compromise",
        "crypto_fraud": "fake crypto exchange",
        "money_mule": "money-mule recruitment",
    },
    "th": {
        "voice_phishing": "แก๊งคอลเซ็นเตอร์แอบอ้างเป็นเจ้าหน้าที่",
        "investment_fraud": "หลอกลงทุนออนไลน์",
        "romance_fraud": "หลอกให้รักแล้วลวงเงิน",
        "phishing": "ส่งลิงก์ปลอมทาง SMS",
        "shopping_fraud": "หลอกขายสินค้าออนไลน์",
        "job_scam": "หลอกทำงานออนไลน์",
    },
    "vi": {
        "voice_phishing": "giả danh công an qua điện thoại",
        "investment_fraud": "lừa đảo đầu tư trực tuyến",
        "romance_fraud": "lừa đảo tình cảm",
        "phishing": "tin nhắn giả mạo ngân hàng",
        "shopping_fraud": "lừa đảo mua bán trực tuyến",
        "job_scam": "lừa đảo việc làm online",
    },
    "ms": {
        "voice_phishing": "panggilan menyamar sebagai pegawai polis",
        "investment_fraud": "pelaburan palsu",
        "romance_fraud": "penipuan cinta",
        "phishing": "SMS pautan palsu",
        "shopping_fraud": "penipuan pembelian dalam talian",
        "job_scam": "penipuan kerja sambilan",
    },
    "id": {
        "voice_phishing": "penipuan telepon mengaku polisi",
        "investment_fraud": "investasi bodong",
        "romance_fraud": "penipuan asmara",
        "phishing": "SMS tautan palsu",
        "shopping_fraud": "penipuan belanja online",
        "job_scam": "penipuan kerja paruh waktu",
    },
}
_GENERIC = {"ko": "사이버 금융 범죄", "en": "cyber-enabled fraud", "th": "การฉ้อโกงออนไลน์", "vi": "lừa đảo trực tuyến"}
_GENERIC |= {"ms": "penipuan dalam talian", "id": "penipuan daring"}
_CHANNELS = {
    "ko": ["전화", "카카오톡", "텔레그램", "문자 메시지"],
    "en": ["Telegram", "WhatsApp", "Facebook", "a phone call"],
    "th": ["ไลน์", "โทรศัพท์", "เฟซบุ๊ก"],
    "vi": ["Zalo", "Facebook", "điện thoại"],
    "ms": ["WhatsApp", "Telegram", "panggilan telefon"],
    "id": ["WhatsApp", "Telegram", "telepon"],
}
_NARRATIVES = {
    "ko": "피해자는 {channel}을(를) 통해 연락을 받고 {crime} 피해를 입었다. "
    "피해자 {victims}명이 지시에 따라 송금하였다.",
    "en": "The victim was contacted via {channel} and lost money to a {crime}. {victims} victim(s) followed the "
    "suspects' instructions and transferred funds.",
    "th": "ผู้เสียหายถูกติดต่อผ่าน{channel} ({crime}) และถูกหลอกให้โอนเงิน ผู้เสียหาย {victims} ราย",
    "vi": "Nạn nhân được liên hệ qua {channel} ({crime}) và bị lừa chuyển tiền. Có {victims} nạn nhân.",
    "ms": "Mangsa dihubungi melalui {channel} ({crime}) dan diperdaya untuk memindahkan wang. {victims} mangsa.",
    "id": "Korban dihubungi melalui {channel} ({crime}) dan ditipu untuk mentransfer dana. {victims} korban.",
}
_MENTIONS = {
    "ko": " 용의자는 {value} 을(를) 사용하였다.",
    "en": " The suspect used {value}.",
    "th": " ผู้ต้องหาใช้ {value}",
    "vi": " Đối tượng sử dụng {value}.",
    "ms": " Suspek menggunakan {value}.",
    "id": " Tersangka menggunakan {value}.",
}
_TITLES = {
    "ko": "{crime} — 피해자 {victims}명",
    "en": "{crime}: {victims} victim(s)",
    "th": "{crime} ผู้เสียหาย {victims} ราย",
    "vi": "{crime} — {victims} nạn nhân",
    "ms": "{crime}: {victims} mangsa",
    "id": "{crime}: {victims} korban",
}
_WORDS = [
    "secure", "vip", "invest", "global", "support", "wallet", "trade", "bonus", "asia", "gold", "king", "lucky",
    "mega", "prime", "smart", "fast", "royal", "star", "alpha", "crypto", "profit", "money", "cash", "union",
]  # fmt: skip
_NAMES = [
    "minjun", "seoyeon", "jihoon", "somchai", "malee", "nguyen", "thanh", "aisyah", "siti", "budi", "dewi",
    "maria", "jose", "tan", "lim", "wei", "arif", "nurul", "kevin", "linh", "anh", "hafiz", "kamal", "joy",
]  # fmt: skip
_MAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "naver.com", "proton.me", "hotmail.com", "daum.net"]
_TLDS = ["com", "net", "top", "xyz", "vip", "shop", "online", "co", "asia", "site"]
_LOSS_RANGES = {  # (low, high, decimals)
    "KRW": (300_000, 80_000_000, 0),
    "MYR": (500, 250_000, 2),
    "USD": (100, 150_000, 2),
    "IDR": (1_000_000, 900_000_000, 0),
    "PHP": (2_000, 3_000_000, 2),
    "THB": (2_000, 4_000_000, 2),
    "VND": (5_000_000, 3_000_000_000, 0),
    "SGD": (200, 500_000, 2),
    "BND": (200, 200_000, 2),
    "LAK": (1_000_000, 500_000_000, 0),
    "MMK": (100_000, 90_000_000, 0),
    "EUR": (100, 200_000, 2),
}
_ROLES = {
    "phone": ("suspect_phone",),
    "bank": ("mule_account", "beneficiary_account"),
    "iban": ("beneficiary_account",),
    "wallet": ("receiving_wallet", "suspect_wallet"),
    "email": ("suspect_email",),
    "url": ("scam_website",),
    "telegram": ("suspect_handle",),
    "whatsapp": ("suspect_handle",),
    "alias": ("beneficiary_account",),
}
# Kinds of unique identifiers and their weights.
_KINDS = [("phone", 30), ("bank", 24), ("wallet", 16), ("email", 8), ("url", 7), ("telegram", 8), ("alias", 4)]
_KINDS += [("whatsapp", 3)]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789", k=n))


@dataclass
class _Base:
    """One value (a family: a phone with its aliases and handles is one base) and how each holder writes it."""

    kind: str
    render: Callable[[Member, random.Random], tuple[str, str]]  # -> (value as written, type)
    canonical: str = ""  # E.164 for a phone family
    family: str = ""  # the match key every form of the value carries


class _Values:
    """Draws values of each kind in real formats. Whether a value is valid and unused is decided by
    :meth:`take`, on the match keys of its normalised form, so two values never share a key by accident."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()  # match keys (own and linked) of every value drawn so far

    def phone(self, country: str, *, aliases: bool = True) -> _Base:
        rng = self.rng
        code, prefixes = _MOBILE[country]
        prefix, rest = rng.choice(prefixes)
        nsn = prefix + _digits(rng, rest)
        e164 = f"+{code}{nsn}"
        national, international = _phone_forms(country, code, prefix, nsn)
        provider = _ALIAS_PROVIDERS.get(country) if aliases else None

        def render(member: Member, rng: random.Random) -> tuple[str, str]:
            roll = rng.random()
            if provider and member.country == country and roll < 0.25:
                return f"{provider}:{national if provider != 'paynow' else international}", "payment_alias"
            if aliases and roll > 0.93:
                return f"wa.me/{e164[1:]}", "social_handle"
            return (national if member.country == country else international), "phone"

        return _Base("phone", render, e164, f"phone:{e164}")

    def bank(self, country: str) -> _Base:
        rng = self.rng
        if country == "TL":
            iban = schwifty.IBAN.generate("TL", bank_code=rng.choice(_TL_BANKS), account_code=_digits(rng, 14))
            compact, formatted = iban.compact, iban.formatted
            return _Base(
                "iban",
                lambda m, r: ((formatted if m.country == "TL" else compact), "bank_account"),
                family=f"bank_account:{compact}",
            )
        name, groups = rng.choice(_BANKS[country])
        parts = [_digits(rng, n) for n in groups]
        local = f"{name} {'-'.join(parts)}"
        canonical = f"{country}:{_BANK_CODES[name]}:{''.join(parts)}"
        return _Base(
            "bank",
            lambda m, r: ((local if m.country == country else canonical), "bank_account"),
            family=f"bank_account:{canonical}",
        )

    def wallet(self) -> _Base:
        rng = self.rng
        raw = rng.randbytes(20)
        roll = rng.random()
        if roll < 0.45:
            address = Base58Encoder.CheckEncode(b"\x41" + raw)  # TRON: base58check of 0x41 + 20 bytes
            family = f"crypto_wallet:tron:{address}"
        elif roll < 0.85:
            address = _eip55(raw)
            family = f"crypto_wallet:evm:0x{raw.hex()}"
        else:
            address = SegwitBech32Encoder.Encode("bc", 0, raw)  # P2WPKH, bech32
            family = f"crypto_wallet:btc:{address}"
        return _Base("wallet", lambda m, r: (address, "crypto_wallet"), family=family)

    def email(self) -> _Base:
        rng = self.rng
        local = f"{rng.choice(_NAMES)}.{rng.choice(_WORDS)}{rng.randint(1, 9999)}"
        domain = rng.choice(_MAIL_DOMAINS) if rng.random() < 0.7 else f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}.com"
        value = f"{local}@{domain}"
        return _Base("email", lambda m, r: (value, "email"), family=f"email:{value}")

    def url(self) -> _Base:
        rng = self.rng
        host = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}{rng.randint(1, 999)}.{rng.choice(_TLDS)}"
        value = f"https://{host}/{rng.choice(['login', 'verify', 'invest', 'app', 'member'])}"
        return _Base("url", lambda m, r: (value, "url"), family=f"url:{value}")

    def telegram(self) -> _Base:
        rng = self.rng
        handle = f"{rng.choice(_WORDS)}_{rng.choice(_NAMES)}{rng.randint(1, 99999)}"
        return _Base(
            "telegram", lambda m, r: (f"t.me/{handle}", "social_handle"), family=f"social_handle:telegram:{handle}"
        )

    def alias(self, country: str) -> _Base:
        base = self.phone(country, aliases=False)
        provider = _ALIAS_PROVIDERS.get(country)
        if provider is None:
            return base
        national = _phone_forms(country, *_split(country, base.canonical))[0]
        written = f"{provider}:{national if provider != 'paynow' else base.canonical}"
        base.kind, base.render = "alias", lambda m, r: (written, "payment_alias")
        return base

    def whatsapp(self, country: str) -> _Base:
        base = self.phone(country, aliases=False)
        e164 = base.canonical
        base.kind, base.render = "whatsapp", lambda m, r: (f"wa.me/{e164[1:]}", "social_handle")
        return base

    def draw(self, kind: str, country: str) -> _Base:
        if kind in ("phone", "shared_phone"):
            return self.phone(country, aliases=kind == "shared_phone")
        if kind in ("bank", "alias", "whatsapp"):
            return getattr(self, kind)(country)
        return getattr(self, kind)()

    def take(self, base: _Base, member: Member) -> tuple[identifiers.Result, str, str, set[str]] | None:
        """Render ``base`` for ``member`` and normalise it as ingest will; None when invalid or a key is taken."""
        value, kind = base.render(member, self.rng)
        result = identifiers.normalize(value, kind, member.country or None)
        keys = {k for k in match_keys(result) if k}
        if not result.valid or keys & self.used:
            return None
        return result, value, kind, keys

    def reserve(self, kind: str, country: str, member: Member) -> _Base:
        """A shared or hot value: valid as ``member`` writes it, and its whole family marked as used."""
        for _attempt in range(1000):
            base = self.draw(kind, country)
            if base.family in self.used:
                continue
            taken = self.take(base, member)
            if taken is not None and base.family in taken[3]:
                self.used |= taken[3] | {base.family}
                return base
        raise RuntimeError(f"could not draw a valid unused {kind} for {country}")

    def unique(self, kind: str, country: str, member: Member) -> tuple[identifiers.Result, str, str, _Base]:
        """A value no one else holds, as ``member`` writes it."""
        for _attempt in range(1000):
            base = self.draw(kind, country)
            if base.family in self.used:
                continue
            taken = self.take(base, member)
            if taken is not None:
                result, value, kind_, keys = taken
                self.used |= keys | {base.family}
                return result, value, kind_, base
        raise RuntimeError(f"could not draw a valid unused {kind} for {country}")


def _eip55(raw: bytes) -> str:
    """An EVM address with the EIP-55 mixed-case checksum (Keccak-256 of the lower-case hex)."""
    lower = raw.hex()
    digest = Kekkak256.QuickDigest(lower.encode()).hex()
    return "0x" + "".join(c.upper() if d in "89abcdef" else c for c, d in zip(lower, digest, strict=False))


_NO_TRUNK_PREFIX = {"SG", "BN", "TL"}


def _phone_forms(country: str, code: str, prefix: str, nsn: str) -> tuple[str, str]:
    """The national form (trunk 0, groups) and the international form (+CC, groups) an officer would type."""
    rest = nsn[len(prefix) :]
    groups = [rest[i : i + 4] for i in range(0, len(rest), 4)] if len(rest) % 4 == 0 else [rest[:3], rest[3:]]
    trunk = "" if country in _NO_TRUNK_PREFIX else "0"
    separator = "-" if country in ("KR", "ID") else " "
    return (
        separator.join([trunk + prefix, *groups]),
        f"+{code} " + separator.join([prefix, *groups]),
    )


def _split(country: str, e164: str) -> tuple[str, str, str]:
    code = _MOBILE[country][0]
    nsn = e164[len(code) + 1 :]
    prefix = next(p for p, n in _MOBILE[country][1] if nsn.startswith(p) and len(nsn) == len(p) + n)
    return code, prefix, nsn


def _loss(rng: random.Random, currency: str, on: dt.date) -> dict[str, str]:
    low, high, decimals = _LOSS_RANGES[currency]
    amount = rng.randint(low, high)
    text = f"{amount}.{rng.randint(0, 99):02d}" if decimals else str(amount - amount % 1000)
    return {"amount": text, "currency": currency, "date": on.isoformat()}


def generate(
    out: TextIO,
    *,
    cases: int,
    agencies: list[str] | None = None,
    overlap: float = 0.05,
    hot: int = 20,
    seed: int = 1,
    hot_cap: int = 50,
    narratives: bool = True,
    per_case: tuple[int, int] = (3, 7),
) -> dict[str, Any]:
    """Write ``cases`` NDJSON rows to ``out`` and return the ground truth (see the module docstring)."""
    codes = list(agencies or MEMBERS)
    unknown = [c for c in codes if c not in MEMBERS]
    if unknown:
        raise ValueError(f"unknown or case-less agency codes: {', '.join(unknown)} (use {', '.join(MEMBERS)})")
    if not 0 <= overlap < 1:
        raise ValueError("overlap is a fraction between 0 and 1")
    if hot and cases <= hot_cap + 1:
        raise ValueError(f"hot values need more than {hot_cap + 1} cases (the hot cap is {hot_cap})")
    rng = random.Random(seed)
    values = _Values(rng)
    members = [MEMBERS[c] for c in codes]
    case_member = rng.choices(range(len(members)), weights=[m.weight for m in members], k=cases)
    counts = [rng.randint(*per_case) for _ in range(cases)]

    # hot values: the first hot_cap + 1 rows, and more later
    hot_bases: list[_Base] = []
    hot_at: dict[int, list[int]] = defaultdict(list)
    for index in range(hot):
        if index % 4:
            base = values.reserve("wallet", "", members[0])
        else:
            base = values.reserve("phone", rng.choice(COUNTRIES), MEMBERS["interpol"])
        hot_bases.append(base)
        extra = rng.randint(hot_cap // 2, 2 * hot_cap) if hot_cap else 1
        extra = min(extra, cases - hot_cap - 1)
        for row in [*range(hot_cap + 1), *rng.sample(range(hot_cap + 1, cases), extra)]:
            hot_at[row].append(index)

    # shared values: 2-4 agencies each, sometimes twice within one, placed on random slots of their holders' cases
    slots_of: dict[int, list[int]] = defaultdict(list)  # member index -> one case index per identifier slot
    for case_index, member_index in enumerate(case_member):
        slots_of[member_index].extend([case_index] * counts[case_index])
    wanted = round(overlap * sum(counts))
    shared_bases: list[_Base] = []
    occurrences: dict[int, list[int]] = defaultdict(list)  # member index -> shared base indexes
    placed = 0
    present = sorted(slots_of)
    while placed < wanted and len(present) >= 2:
        k = min(len(present), rng.choices((2, 3, 4), weights=(60, 30, 10))[0])
        holders = rng.sample(present, k)
        if rng.random() < 0.15:
            holders.append(holders[0])  # twice in one agency: a link between its own cases, never a hit
        home = members[holders[0]].country or rng.choice(COUNTRIES)
        kind = rng.choices(["shared_phone", "bank", "wallet", "email", "telegram", "url"], [35, 25, 25, 5, 7, 3])[0]
        base = values.reserve(kind, home, members[holders[0]])
        for member_index in holders:
            occurrences[member_index].append(len(shared_bases))
        shared_bases.append(base)
        placed += len(holders)
    shared_at: dict[int, list[int]] = defaultdict(list)  # case index -> shared base indexes
    for member_index, bases in occurrences.items():
        slots = slots_of[member_index]
        positions = rng.sample(range(len(slots)), min(len(bases), len(slots)))
        for base_index, position in zip(bases, positions, strict=False):
            case_index = slots[position]
            tries = 0
            while base_index in shared_at[case_index] or len(shared_at[case_index]) >= counts[case_index]:
                case_index = slots[rng.randrange(len(slots))]
                tries += 1
                if tries > 1000:
                    break
            else:
                shared_at[case_index].append(base_index)
    del slots_of, occurrences

    # rows
    kinds = [kind for kind, _weight in _KINDS]
    kind_weights = list(itertools.accumulate(weight for _kind, weight in _KINDS))
    crimes, crime_weights = zip(*_CRIMES, strict=True)
    sequence: dict[str, int] = defaultdict(int)
    key_holders: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # key -> (ident index, case, agency)
    ident_index = 0
    total = 0
    start = dt.date(2024, 1, 1)
    share_codes = [c for c in codes if c != "interpol"] or codes
    for case_index in range(cases):
        member = members[case_member[case_index]]
        country = member.country
        items: list[tuple[identifiers.Result, str, str, _Base, bool]] = []
        for base in [
            *(shared_bases[b] for b in shared_at.get(case_index, [])),
            *(hot_bases[h] for h in hot_at[case_index]),
        ]:
            written, kind = base.render(member, rng)
            result = identifiers.normalize(written, kind, country or None)
            if not result.valid:
                raise AssertionError(f"generated an invalid {kind}: {written!r}: {result.errors}")
            items.append((result, written, kind, base, True))
        for _slot in range(counts[case_index] - len(shared_at.get(case_index, []))):
            kind = rng.choices(kinds, cum_weights=kind_weights)[0]
            home = country or (rng.choice(COUNTRIES) if kind in ("bank", "alias", "whatsapp", "phone") else "SG")
            items.append((*values.unique(kind, home, member), False))
        rng.shuffle(items)
        idents = []
        mention = ""
        for result, written, kind, base, tracked in items:
            item: dict[str, Any] = {"value": written, "type": kind, "role": rng.choice(_ROLES[base.kind])}
            if rng.random() < 0.3:
                seen = start + dt.timedelta(days=rng.randrange(600))
                item["first_seen"] = seen.isoformat()
                item["last_seen"] = (seen + dt.timedelta(days=rng.randrange(60))).isoformat()
            idents.append(item)
            if tracked:
                for key in {k for k in match_keys(result) if k}:
                    key_holders[key].append((ident_index, case_index, member.code))
            if not mention and kind in ("phone", "crypto_wallet", "email") and result.type == kind:
                mention = result.display if kind == "phone" else written
            ident_index += 1
        total += len(idents)
        crime = rng.choices(crimes, crime_weights)[0]
        language = member.language
        crime_name = _CRIME_NAMES[language].get(crime, _GENERIC[language])
        victims = rng.choice((1, 1, 1, 2, 3, 5, 12))
        first = start + dt.timedelta(days=rng.randrange(640))
        last = first + dt.timedelta(days=rng.randrange(90))
        sequence[member.code] += 1
        row: dict[str, Any] = {
            "agency": member.code,
            "external_reference": f"{member.code.upper()}-{first.year}-{sequence[member.code]:07d}",
            "title": _TITLES[language].format(crime=crime_name, victims=victims),
            "crime_type": crime,
            "status": rng.choices(("open", "investigating", "closed"), (5, 4, 1))[0],
            "first_incident_on": first.isoformat(),
            "last_incident_on": last.isoformat(),
            "countries": [c for c in dict.fromkeys([country, rng.choice(COUNTRIES)]) if c],
            "victim_count": victims,
            "victim_nationalities": [country] if country else [],
            "losses": [_loss(rng, member.currency, last) for _ in range(rng.choice((1, 1, 2)))],
            "identifiers": idents,
            "tlp": rng.choices(("amber", "green", "amber+strict", "red", "clear"), (60, 20, 10, 5, 5))[0],
            "handling_code": rng.choices(("H0", "H1", "H2"), (70, 15, 15))[0],
            "source_reliability": rng.choice("ABCX"),
            "information_accuracy": rng.choice("1234"),
        }
        if narratives:
            text = _NARRATIVES[language].format(
                channel=rng.choice(_CHANNELS[language]), crime=crime_name, victims=victims
            )
            if mention and rng.random() < 0.4:
                text += _MENTIONS[language].format(value=mention)
            row["narrative"] = text
        roll = rng.random()
        if roll < 0.25:
            row["distribution"] = "all"
        elif roll < 0.5:
            others = [c for c in share_codes if c != member.code] or share_codes
            row["distribution"] = "named"
            row["shared_with"] = rng.sample(others, min(len(others), rng.randint(1, 3)))
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
    return _truth(
        key_holders,
        shared_bases,
        hot_bases,
        hot_cap=hot_cap,
        seed=seed,
        cases=cases,
        identifiers_total=total,
        codes=codes,
        overlap=overlap,
        hot=hot,
    )


def _truth(key_holders, shared_bases, hot_bases, *, hot_cap, seed, cases, identifiers_total, codes, overlap, hot):
    pairs: set[tuple[int, int]] = set()
    hot_keys = []
    for key, holders in key_holders.items():
        if len({case for _i, case, _a in holders}) > hot_cap:
            hot_keys.append(key)
            continue
        for i, (left, left_case, left_agency) in enumerate(holders):
            for right, right_case, right_agency in holders[i + 1 :]:
                if left_agency != right_agency and left_case != right_case:
                    pairs.add((min(left, right), max(left, right)))

    def describe(base: _Base) -> dict[str, Any]:
        kind, _sep, value = base.family.partition(":")
        holders = key_holders.get(base.family, [])
        return {
            "type": kind,
            "value": value,
            "agencies": sorted({agency for _i, _c, agency in holders}),
            "cases": len({case for _i, case, _a in holders}),
        }

    return {
        "seed": seed,
        "cases": cases,
        "identifiers": identifiers_total,
        "agencies": codes,
        "overlap": overlap,
        "hot_cap": hot_cap,
        "min_batch_size": hot_cap + 1 if hot else 1,
        "expected_hits": len(pairs),
        "shared": [describe(b) for b in shared_bases],
        "hot": [describe(b) for b in hot_bases],
        "hot_keys": len(hot_keys),
    }
