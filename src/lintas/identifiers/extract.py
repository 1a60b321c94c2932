"""Find identifiers in free text: victims' statements, pasted chat logs, e-mails, SMS.

The text is refanged first (with a map back to the original offsets). Finders run from the most specific
(URLs, e-mail addresses, wallets with checksums, IBANs) to the least (bare domains, phone numbers); a span
claimed by an earlier finder is not reused. Dates, times, amounts and percentages are masked before any
numeric finder runs, so "2024-03-15", "USD 5,000" or "1.500.000 VND" never become phone numbers or accounts.
Numbers that need context (bank accounts, IMEIs, passports, payment aliases) are only taken after a keyword
("KB국민은행", "account", "IMEI", "PromptPay" ...). Local phone numbers need a region: the ``country`` option, or
the script of the text (Hangul -> KR, Thai -> TH, Vietnamese letters -> VN, Khmer -> KH, Lao -> LA,
Myanmar -> MM); otherwise only numbers written with "+" or "00" are found.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

import phonenumbers

from . import banking, card, crypto, documents, payment, social, web
from ._noise import noise_spans
from ._text import refang_with_map, scan_pattern
from .core import _country
from .device import normalize_imei
from .phone import MIN_DIGITS as MIN_PHONE_DIGITS
from .phone import normalize_phone
from .types import IdentifierType, Result

__all__ = ["extract"]

Found = tuple[int, int, Result]


_URL = scan_pattern(r"[hfw]", r"""(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_PROFILE = scan_pattern(
    r"[wmtlzofix]",
    r"""(?<![\w.@/-])(?:(?:www\.|m\.|web\.)?(?:t\.me|telegram\.me|wa\.me|line\.me|zalo\.me|open\.kakao\.com|"""
    r"""facebook\.com|fb\.com|instagram\.com|tiktok\.com|twitter\.com|x\.com))/[^\s<>"'`]+""",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EVM = scan_pattern(r"0", r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
_BECH32 = scan_pattern(r"[btl]", r"(?<![0-9A-Za-z])(?:bc|tb|ltc)1[02-9ac-hj-np-z]{6,87}(?![0-9A-Za-z])", re.IGNORECASE)
_CASHADDR = scan_pattern(r"b", r"(?<![0-9A-Za-z])bitcoincash:[qp][02-9ac-hj-np-z]{41}(?![0-9A-Za-z])", re.IGNORECASE)
_BASE58 = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{25,44}(?![0-9A-Za-z])")
_IBAN = scan_pattern(
    r"[A-Z]", r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
)
_IPV4 = scan_pattern(r"\d", r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = scan_pattern(r"[0-9a-fA-F:]", r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
_CARD = scan_pattern(
    r"\d", r"(?<![\d-])(?:\d{4}[ -]?\d{6}[ -]?\d{5}|\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?)(?![\d-])"
)
_DOMAIN = re.compile(
    r"(?<![\w@.\-/:])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z][A-Za-z0-9-]{1,23}))"
    r"(?![\w-])(/[^\s<>\"'`]*)?"
)
_DIGITS = r"\+?\d[\d\s\-().]{5,22}\d"
_NON_DIGITS = re.compile(r"\D+")
_TRAILING = ".,;:!?)]}'\"…>"
# Top-level domains that are also common file extensions: a bare "notes.md" is a file, not a site, unless the
# text was defanged or the name has "www." or a path.
_FILE_TLDS = {"py", "sh", "md", "rs", "pl", "js", "ts", "so", "zip", "mov", "cs", "ps", "jar", "sql", "pdf"}
_FOLD_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0x3000: " ",
    0x2010: "-",
    0x2011: "-",
    0x2012: "-",
    0x2013: "-",
    0x2014: "-",
    0x2212: "-",
}
_MENTION = scan_pattern(r"@", r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.]{1,31})(?![\w@])")


def _words(names: list[str], *, folded: bool = True) -> str:
    """A pattern matching any of ``names``, standing alone as a word on the Latin side. ``folded`` names are
    case-folded, for a pattern compiled with ``re.IGNORECASE``; otherwise they keep their case ("LINE", the app,
    not "line", the word).

    Built as a trie ("kb|kbank|kb국민은행" -> "kb(?:ank|국민은행)?") so that the regex engine rejects most
    positions on the first character: with a flat alternation of a few hundred bank names, scanning a long
    statement was the slowest part of extraction. A lookahead for the names' first characters comes before the
    word-boundary lookbehind, so that a position is dropped by one set test (about twice as fast on the benchmark's
    narratives). A space in a name also matches no space ("prompt pay").
    """
    trie: dict = {}
    for name in names:
        node = trie
        for ch in name.casefold() if folded else name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends_here = "" in node
        branches = [(r"\s?" if ch == " " else re.escape(ch)) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends_here else body

    first = "".join(re.escape(ch) for ch in sorted(trie) if ch)
    return rf"(?=[{first}])(?<![A-Za-z0-9])(?:{build(trie)})(?![A-Za-z])"


_MENTION_CONTEXT = {
    "telegram": ["telegram", "tg", "tele", "텔레그램", "텔레", "เทเลแกรม", "telegram id"],
    "instagram": ["instagram", "insta", "ig", "인스타", "인스타그램"],
    "tiktok": ["tiktok", "틱톡"],
    "x": ["twitter"],
    "kakaotalk": ["kakaotalk", "kakao", "카톡", "카카오톡"],
    "line": ["LINE", "ไลน์", "라인"],
    "facebook": ["facebook", "페이스북"],
}
_CONTEXT_RE = {
    key: re.compile(_words(names), re.IGNORECASE) if key != "line" else re.compile(_words(names, folded=False))
    for key, names in _MENTION_CONTEXT.items()
}
_HANDLE_KEYWORDS = re.compile(
    r"(?P<kw>"
    + _words(
        [
            "telegram",
            "텔레그램",
            "line",
            "ไลน์",
            "라인",
            "kakaotalk",
            "kakao",
            "카톡",
            "카카오톡",
            "wechat",
            "weixin",
            "위챗",
            "instagram",
            "인스타",
            "tiktok",
            "facebook",
            "zalo",
        ]
    )
    + r")\s*(?:id|ID|아이디|username|handle)?\s*[:]\s*@?(?P<handle>[A-Za-z0-9_][A-Za-z0-9_.\-]{2,31})(?![\w@])",
    re.IGNORECASE,
)
_PHONE_PLATFORMS = re.compile(
    r"(?P<kw>" + _words(["whatsapp", "viber", "zalo", "왓츠앱", "바이버"]) + r")"
    r"(?:[\s:,]+(?:me|us|at|on|number|no\.?|num|번호|số)){0,3}[\s:,]*(?P<phone>" + _DIGITS + ")",
    re.IGNORECASE,
)
_PROVIDERS = re.compile(
    r"(?P<kw>"
    + _words([n for p in payment.PROVIDERS if p.key != "other" for n in (*p.names, p.name, "prompt pay", "ví momo")])
    + r")\s*(?:id|ID|no\.?|number|account|acct|#|번호|number:)?\s*[:\-]?\s*"
    r"(?P<alias>" + _DIGITS + r"|[STFGM]\d{7}[A-Z])",
    re.IGNORECASE,
)
_ACCOUNT_WORDS = [
    "account",
    "acct",
    "a/c",
    "acc no",
    "bank account",
    "계좌",
    "계좌번호",
    "통장",
    "บัญชี",
    "เลขที่บัญชี",
    "เลขบัญชี",
    "tài khoản",
    "tai khoan",
    "stk",
    "số tài khoản",
    "rekening",
    "no rek",
    "no. rek",
    "akaun",
    "nombor akaun",
]
_BANK_NAMES = sorted({a for b in banking.BANKS for a in (*b.aliases, b.name) if len(a) >= 2})
_BANK_CONTEXT = re.compile(
    r"(?P<kw>" + _words(_BANK_NAMES + _ACCOUNT_WORDS) + r")"
    r"(?P<gap>[^\d\n]{0,24}?)(?P<acct>(?<![\d+])\d{2,20}(?:[\s\-]\d{1,8}){0,4}(?!\d))",
    re.IGNORECASE,
)
_IMEI_CONTEXT = re.compile(
    r"(?:IMEI|단말기|기기번호)(?:\s*(?:is|no\.?|number|번호|:||#|=))*\s*(?P<n>\d[\d\s\-/]{12,20}\d)(?!\d)", re.I
)
_PASSPORT_CONTEXT = scan_pattern(
    r"[p여หh]",
    r"(?:passport|여권|หนังสือเดินทาง|hộ chiếu|paspor|pasport)\s*(?:no\.?|number|번호|#|số)?\s*[:]?\s*"
    r"(?P<n>[A-Z]{1,2}\d{6,8}[A-Z]?|[A-Z]\d{3}[A-Z]\d{4})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_RRN = scan_pattern(r"\d", r"(?<![\d-])\d{6}-\d{7}(?![\d-])")
_NRIC_MY = scan_pattern(r"\d", r"(?<![\d-])\d{6}-\d{2}-\d{4}(?![\d-])")
_PIN_TH = scan_pattern(r"\d", r"(?<![\d-])\d-\d{4}-\d{5}-\d{2}-\d(?![\d-])")
_NRIC_SG = re.compile(r"(?<![A-Za-z0-9])[STFG]\d{7}[A-Z](?![A-Za-z0-9])")
_NIK_CONTEXT = re.compile(r"(?:NIK|KTP)\s*[:]?\s*(?P<n>\d{16})(?!\d)")


def _script_region(text: str) -> str | None:
    """The member country whose script the text is written in, if that tells (Latin text does not)."""
    counts = {"KR": 0, "TH": 0, "LA": 0, "KH": 0, "MM": 0, "VN": 0}
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        if 0xAC00 <= o <= 0xD7A3:
            counts["KR"] += 1
        elif 0x0E00 <= o <= 0x0E7F:
            counts["TH"] += 1
        elif 0x0E80 <= o <= 0x0EFF:
            counts["LA"] += 1
        elif 0x1780 <= o <= 0x17FF:
            counts["KH"] += 1
        elif 0x1000 <= o <= 0x109F:
            counts["MM"] += 1
        elif ch in "ăâđêôơưĂÂĐÊÔƠƯ" or 0x1EA0 <= o <= 0x1EF9:
            counts["VN"] += 1
    region, count = max(counts.items(), key=lambda kv: kv[1])
    return region if count else None


def _trim(text: str, start: int, end: int) -> int:
    """End of a URL-like match without trailing punctuation (and without an unbalanced closing bracket)."""
    while end > start and text[end - 1] in _TRAILING:
        ch = text[end - 1]
        if ch == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


class _Claims:
    """Spans already used, so that each character belongs to at most one identifier.

    Kept as sorted, non-overlapping intervals so that checking a candidate costs O(log n): long pasted logs have
    thousands of dates and amounts masked.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    @property
    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=True))

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:  # the span starting at or before us reaches into us
            return False
        return not (i < len(self.starts) and self.starts[i] < end)  # the next span starts inside us

    def take(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def extract(text: str, country: str | None = None) -> list[Result]:
    """Every identifier found in ``text``, in order of appearance, each with ``start``/``end`` offsets into
    ``text`` (the original, not the refanged copy) and ``input`` the matched original text (masked for cards).

    Guarantees: spans never overlap; dates, times, amounts and percentages are never returned; the values are
    what :func:`lintas.identifiers.normalize` gives for the same identifier. Never raises for a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {text.__class__.__name__}")
    cc = _country(country)
    # Full-width ASCII (common in CJK input: full-width digits, dashes and colons) folded one-to-one, so offsets hold.
    plain, starts, ends = refang_with_map(text.translate(_FOLD_WIDTH))
    region = cc or _script_region(plain)
    claims = _Claims()
    found: list[Found] = []

    def accept(start: int, end: int, result: Result | None) -> bool:
        if result is None or not claims.free(start, end):
            return False
        claims.take(start, end)
        found.append((start, end, result))
        return True

    digits = len(_NON_DIGITS.sub("", plain))
    least = _LEAST_DIGITS
    for finder in (_urls, _emails, _wallets, _ibans, _ips):
        if digits >= least.get(finder, 0):
            for start, end, result in finder(plain):
                accept(start, end, result)
    if digits >= least.get(noise_spans, 0):
        for start, end, _kind in noise_spans(plain):
            if claims.free(start, end):
                claims.take(start, end)  # masked: nothing found here
    for finder in (_cards, _national_ids):
        if digits >= least.get(finder, 0):
            for start, end, result in finder(plain):
                accept(start, end, result)
    for finder in (
        _payment_aliases,
        _phone_handles,
        _keyword_handles,
        _mentions,
        _imeis,
        _passports,
        _accounts,
        _phones,
    ):
        if digits >= least.get(finder, 0):
            for start, end, result in finder(plain, region, claims):
                accept(start, end, result)
    for start, end, result in _domains(plain, text, starts, ends):
        accept(start, end, result)

    out = []
    for start, end, result in sorted(found, key=lambda f: f[0]):
        o_start, o_end = starts[start], ends[end - 1]
        raw = text[o_start:o_end]
        if result.type is IdentifierType.PAYMENT_CARD:
            raw = result.input
        out.append(result.replace(start=o_start, end=o_end, input=raw))
    return out


# --- strong finders: their own syntax is enough ----------------------------------------------------------------


def _urls(text: str) -> Iterator[Found]:
    if "/" not in text and "www." not in text.lower():  # _URL needs "://" or "www.", _PROFILE a "/"
        return
    for pattern in (_URL, _PROFILE):
        for m in pattern.finditer(text):
            end = _trim(text, m.start(), m.end())
            candidate = text[m.start() : end]
            profile = social.profile_from_url(candidate)
            if profile is not None:
                result = social.normalize_social_handle(candidate)
                if result.valid:
                    yield m.start(), end, result
                    continue
            if pattern is _PROFILE:
                continue
            result = web.normalize_url(candidate)
            if result.valid or "://" in candidate:
                yield m.start(), end, result


def _emails(text: str) -> Iterator[Found]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        end = _trim(text, m.start(), m.end())
        result = web.normalize_email(text[m.start() : end])
        if result.valid:
            yield m.start(), end, result


def _wallets(text: str) -> Iterator[Found]:
    for pattern in (_EVM, _CASHADDR, _BECH32):
        for m in pattern.finditer(text):
            result = crypto.normalize_crypto(m.group(0))
            if result.valid or pattern is _EVM:  # a 0x+40 hex string is an address even with a bad checksum
                yield m.start(), m.end(), result
    for m in _BASE58.finditer(text):
        token = m.group(0)
        if token.isdigit() or token.isalpha():  # real addresses mix digits and letters
            continue
        result = crypto.normalize_crypto(token)
        family = result.details.get("chain_family")
        if result.valid and family == "sol" and (len(token) < 32 or token.islower() or token.isupper()):
            continue
        if result.valid or (family == "tron" and len(token) == 34):
            yield m.start(), m.end(), result


def _ibans(text: str) -> Iterator[Found]:
    for m in _IBAN.finditer(text):
        result = banking.normalize_bank_account(m.group(0))
        if result.valid or "checksum" in " ".join(result.errors).lower():
            yield m.start(), m.end(), result


def _ips(text: str) -> Iterator[Found]:
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            if pattern is _IPV6 and m.group(0).count(":") < 2:
                continue
            result = web.normalize_ip(m.group(0))
            if result.valid:
                yield m.start(), m.end(), result


def _cards(text: str) -> Iterator[Found]:
    for m in _CARD.finditer(text):
        digits = _NON_DIGITS.sub("", m.group(0))
        if card.card_brand(digits):
            result = card.normalize_card(m.group(0))
            if result.valid:
                yield m.start(), m.end(), result


def _national_ids(text: str) -> Iterator[Found]:
    for pattern, cc in ((_RRN, "KR"), (_NRIC_MY, "MY"), (_PIN_TH, "TH"), (_NRIC_SG, "SG")):
        for m in pattern.finditer(text):
            result = documents.normalize_national_id(m.group(0), cc)
            if result.valid:
                yield m.start(), m.end(), result
    for m in _NIK_CONTEXT.finditer(text):
        result = documents.normalize_national_id(m.group("n"), "ID")
        if result.valid:
            yield m.start("n"), m.end("n"), result


# --- finders that need a keyword or a region -------------------------------------------------------------------


def _payment_aliases(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    for m in _PROVIDERS.finditer(text):
        alias = m.group("alias").strip()
        end = m.start("alias") + len(m.group("alias").rstrip())
        result = payment.normalize_payment_alias(f"{m.group('kw')}:{alias}", region)
        if result.valid:
            yield m.start(), end, result


def _phone_handles(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    for m in _PHONE_PLATFORMS.finditer(text):
        platform = social.find_platform(m.group("kw").replace(" ", ""))
        if platform is None:
            continue
        result = social.normalize_social_handle(f"{platform.key}:{m.group('phone')}", region)
        if result.valid:
            yield m.start(), m.start("phone") + len(m.group("phone").rstrip()), result


def _keyword_handles(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    if ":" not in text:
        return
    for m in _HANDLE_KEYWORDS.finditer(text):
        platform = social.find_platform(m.group("kw"))
        if platform is None:
            continue
        handle = m.group("handle").rstrip(".-")
        result = social.normalize_social_handle(f"{platform.key}:{handle}", region)
        if result.valid:
            yield m.start(), m.start("handle") + len(handle), result


def _mentions(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    if "@" not in text:
        return
    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(".")
        line_start = text.rfind("\n", 0, m.start()) + 1
        context = text[max(line_start, m.start() - 48) : m.start()]
        platform, best = "unknown", -1
        for key, pattern in _CONTEXT_RE.items():
            for hit in pattern.finditer(context):
                if hit.end() > best:
                    platform, best = key, hit.end()
        result = social.normalize_social_handle(f"{platform}:{handle}", region)
        if result.valid:
            yield m.start(), m.start(1) + len(handle), result


def _imeis(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    for m in _IMEI_CONTEXT.finditer(text):
        result = normalize_imei(m.group("n"))
        if result.valid:
            yield m.start("n"), m.end("n"), result


def _passports(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    for m in _PASSPORT_CONTEXT.finditer(text):
        result = documents.normalize_passport(m.group("n"), region)
        if result.valid:
            yield m.start("n"), m.end("n"), result


def _accounts(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    for m in _BANK_CONTEXT.finditer(text):
        if not claims.free(m.start("acct"), m.end("acct")):
            continue
        keyword = m.group("kw")
        bank, _key, bank_country = banking.find_bank(keyword, region or "")
        cc = region or bank_country
        if bank is not None and bank.country != cc:
            # The name belongs to a bank of another country ("KB" is Kookmin in KR, Kasikorn is "KBank" in TH).
            cc = bank.country if not region else cc
            bank = banking.find_bank(keyword, cc)[0]
        # "KB국민은행 123-... 계좌" or "계좌 KB국민은행 123-...": a generic account word with a bank named nearby
        # (in the gap before the digits, or just before the word).
        if bank is None:
            nearby = text[max(0, m.start() - 24) : m.start()] + " " + m.group("gap")
            for name in reversed(_BANK_WORDS.findall(nearby)):
                bank = banking.find_bank(name, cc or "")[0]
                if bank is not None:
                    cc = cc or bank.country
                    break
        if not cc:
            continue
        digits = m.group("acct")
        result = banking.normalize_bank_account(digits, cc, bank.key if bank else None)
        if result.valid and not (bank is None and _is_phone(digits, cc)):
            yield m.start("acct"), m.end("acct"), result


_BANK_WORDS = re.compile(_words(_BANK_NAMES), re.IGNORECASE)


def _is_phone(digits: str, cc: str) -> bool:
    return normalize_phone(digits, cc).valid


def _phones(text: str, region: str | None, claims: _Claims) -> Iterator[Found]:
    # libphonenumber's matcher understands grouping, brackets and "+"; masked spans are blanked (same length, so
    # offsets hold) so that it cannot see dates, amounts or identifiers already found.
    chars = list(text)
    for start, end in claims.spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    masked = "".join(chars)
    if len(_NON_DIGITS.sub("", masked)) < MIN_PHONE_DIGITS:
        # No number here can pass normalize_phone below. Most statements: the matcher would still parse "12명" or
        # "3 victims" as candidates, which was a third of extraction's time.
        return
    matcher = phonenumbers.PhoneNumberMatcher(masked, region, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        start, end, raw = match.start, match.end, match.raw_string
        # The matcher may take an opening bracket without its partner: "(010-1234-5678)" -> keep the number.
        if raw.startswith("(") and ")" not in raw:
            start, raw = start + 1, raw[1:]
        if raw.endswith(")") and "(" not in raw:
            end, raw = end - 1, raw[:-1]
        result = normalize_phone(raw, region)
        if result.valid:
            yield start, end, result


def _domains(plain: str, original: str, starts: list[int], ends: list[int]) -> Iterator[Found]:
    for m in _DOMAIN.finditer(plain):
        name, tld, path = m.group(1), m.group(2), m.group(3)
        if not (tld.islower() or tld.isupper()):  # "Mr.Kim", "bank.Then": sentence text, not a host
            continue
        o_start, o_end = starts[m.start()], ends[m.end() - 1]
        defanged = (o_end - o_start) != (m.end() - m.start())
        if tld.lower() in _FILE_TLDS and not (defanged or path or name.lower().startswith("www.")):
            continue
        if path and len(path) > 1:
            end = _trim(plain, m.start(), m.end())
            result = web.normalize_url(plain[m.start() : end])
            if result.valid:
                yield m.start(), end, result.replace(warnings=())
            continue
        result = web.normalize_domain(name)
        if result.valid:
            yield m.start(1), m.end(1), result


# The fewest digits that a match of each finder holds, read off its patterns (an account after a bank name is
# "\\d{2,20}": 2; a Malaysian NRIC 12, a Singapore one 7): a text with fewer digits is not searched by it. Most
# statements hold a count or two and nothing else. test_extract compares extract() with and without these.
_LEAST_DIGITS = {
    noise_spans: 1,
    _ibans: 2,
    _cards: 12,
    _national_ids: 7,
    _payment_aliases: 2,
    _phone_handles: 2,
    _imeis: 2,
    _passports: 6,
    _accounts: 2,
    _phones: MIN_PHONE_DIGITS,
}
