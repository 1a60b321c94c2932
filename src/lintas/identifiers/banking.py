"""Bank accounts (IBAN and domestic), and BIC/SWIFT codes.

IBAN checksums and per-country BBAN formats come from ``schwifty`` (which ships the SWIFT IBAN registry); BIC
syntax and country from ``schwifty`` too. Korea and the ASEAN members other than Timor-Leste have no IBAN, so a
domestic account is identified by country + bank + account digits, canonically ``KR:004:123456789012``.

Input syntax for domestic accounts (any of):

* ``CC:BANK:ACCOUNT`` - e.g. ``KR:004:123456-78-901234`` or ``MY:MBBEMYKL:5140 1234 5678``;
* ``BANK:ACCOUNT`` or ``BANK ACCOUNT`` with the country from the ``country`` option or the bank's BIC, where
  BANK is a national bank code, a BIC (8 or 11 characters) or a bank name from the built-in list
  (``KB국민은행 123456-78-901234``, ``CZNBKRSE 123456789012``, ``Maybank 514012345678``);
* just the account digits with the ``country`` and, optionally, the ``bank`` option.

The bank part of the canonical value is the national bank code where the country has a public numeric scheme
that the built-in list covers (KR: KFTC 3-digit codes; TH: 3-digit bank codes; ID: Bank Indonesia 3-digit
codes; VN: NAPAS 6-digit bank BINs; SG: MAS 4-digit bank codes), otherwise the 8-character BIC. Names and BICs
of listed banks are translated to that code, so ``KB``, ``004`` and ``CZNBKRSE`` all give ``KR:004:...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import schwifty
from schwifty.exceptions import SchwiftyException

from ._text import is_digits, prepare
from .types import IdentifierType, Result

__all__ = [
    "ACCOUNT_RULES",
    "BANKS",
    "AccountRule",
    "Bank",
    "find_bank",
    "looks_like_iban",
    "normalize_bank_account",
    "normalize_bic",
    "split_bank_account",
]


@dataclass(frozen=True, slots=True)
class AccountRule:
    """How long a domestic account number may be in one country, and how sure we are of it."""

    min_digits: int
    max_digits: int
    verified: bool
    source: str
    lengths: frozenset[int] | None = None  # when only some lengths in [min, max] occur

    def allows(self, n: int) -> bool:
        return self.min_digits <= n <= self.max_digits and (self.lengths is None or n in self.lengths)

    def describe(self) -> str:
        if self.lengths:
            return " or ".join(str(n) for n in sorted(self.lengths)) + " digits"
        return f"{self.min_digits}-{self.max_digits} digits"


# None of these countries publishes one national account-number standard: each bank chooses its own format.
# The ranges below are the lengths commonly cited by banks' own customer pages, payment-gateway integration
# guides and transfer forms; they are "commonly cited", not an official registry, and say so in details.
ACCOUNT_RULES: dict[str, AccountRule] = {
    "KR": AccountRule(
        10,
        14,
        False,
        "commonly cited range: Korean banks use 10-14 digit account numbers (e.g. KB 12 or 14, Shinhan 11 or 12, "
        "Woori 13, Hana 14, Kakao Bank 13); no public national standard",
    ),
    "TH": AccountRule(
        10,
        12,
        False,
        "commonly cited: 10 digits at commercial banks (branch, type, serial, check digit; the check algorithm is "
        "not public), 12 at some state banks (GSB, BAAC, GHB)",
        frozenset({10, 12}),
    ),
    "MY": AccountRule(
        10,
        16,
        False,
        "commonly cited range: 10-16 digits (e.g. Maybank 12, CIMB 10 or 14, Public Bank 10, RHB 14, BSN 16)",
    ),
    "SG": AccountRule(
        9,
        12,
        False,
        "commonly cited range: 9-12 digits (POSB 9, DBS 10, UOB 10, OCBC 10 or 12)",
    ),
    "ID": AccountRule(
        10,
        16,
        False,
        "commonly cited range: 10-16 digits (e.g. BCA 10, BNI 10, Mandiri 13, BRI 15)",
    ),
    "PH": AccountRule(
        10,
        16,
        False,
        "commonly cited range: 10-16 digits (e.g. BPI 10, BDO 10 or 12, UnionBank 12, Metrobank 13)",
    ),
    "VN": AccountRule(
        6,
        19,
        False,
        "commonly cited range: 6-19 digits; banks also sell chosen ('beautiful') numbers, so lengths vary widely",
    ),
}
# KH, BN, LA, MM (and TL outside IBAN) have no public rule we could cite: 6-20 digits with "format not verified".
_FALLBACK_RULE = AccountRule(6, 20, False, "no public rule known: any 6-20 digits accepted (format not verified)")
_NOT_VERIFIED = "format not verified"

# Countries whose canonical bank part is a national numeric code (and that code's length).
_NATIONAL_CODE_LENGTH = {"KR": 3, "TH": 3, "ID": 3, "VN": 6, "SG": 4}


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank in the built-in list: its country, national code (if the country has one), BIC and names."""

    country: str
    code: str
    name: str
    bic: str = ""
    aliases: tuple[str, ...] = ()
    # Commonly cited account lengths at this bank (warnings only: banks change formats over time).
    lengths: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """The bank part of canonical account values."""
        return self.code or self.bic[:8]


# Built-in bank list. National codes: KR from the KFTC (Korea Financial Telecommunications & Clearings Institute)
# participant codes, TH from the Bank of Thailand / Thai Bankers' Association bank codes, ID from Bank Indonesia
# "sandi bank", VN from NAPAS bank BINs (as used in VietQR), SG from MAS/ABS bank codes, all as commonly
# published. BICs as published by the banks. The list is deliberately small: an unlisted bank still works, its
# code or BIC is kept as given (with a warning).
BANKS: tuple[Bank, ...] = (
    # Korea
    Bank("KR", "002", "KDB Korea Development Bank", "KODBKRSE", ("kdb", "산업은행", "kdb산업은행")),
    Bank("KR", "003", "IBK Industrial Bank of Korea", "IBKOKRSE", ("ibk", "기업은행", "ibk기업은행"), (12, 14)),
    Bank(
        "KR",
        "004",
        "KB Kookmin Bank",
        "CZNBKRSE",
        ("kb", "kookmin", "kbkookmin", "kookminbank", "국민", "국민은행", "kb국민", "kb국민은행", "kb은행"),
        (12, 14),
    ),
    Bank("KR", "007", "Suhyup Bank", "NFFCKRSE", ("suhyup", "수협", "수협은행")),
    Bank("KR", "011", "NH NongHyup Bank", "NACFKRSE", ("nh", "nonghyup", "농협", "농협은행", "nh농협", "nh농협은행")),
    Bank("KR", "020", "Woori Bank", "HVBKKRSE", ("woori", "우리", "우리은행"), (13,)),
    Bank("KR", "023", "SC First Bank Korea", "SCBLKRSE", ("scfirst", "sc제일", "sc제일은행", "제일은행")),
    Bank("KR", "027", "Citibank Korea", "CITIKRSX", ("citikorea", "씨티", "씨티은행", "한국씨티은행")),
    Bank("KR", "031", "iM Bank (Daegu Bank)", "DAEBKR22", ("dgb", "daegu", "대구은행", "im뱅크", "imbank")),
    Bank("KR", "032", "BNK Busan Bank", "PUSBKR2P", ("busanbank", "부산은행")),
    Bank("KR", "034", "Gwangju Bank", "KWABKRSE", ("gwangju", "광주은행")),
    Bank("KR", "035", "Jeju Bank", "JJBKKR22", ("jejubank", "제주은행")),
    Bank("KR", "037", "Jeonbuk Bank", "JEONKRSE", ("jeonbuk", "전북은행")),
    Bank("KR", "039", "BNK Kyongnam Bank", "KYNAKR22", ("kyongnam", "경남은행")),
    Bank("KR", "045", "MG Saemaul Geumgo", "", ("saemaul", "새마을금고", "mg새마을금고")),
    Bank("KR", "048", "Shinhyup (credit unions)", "", ("shinhyup", "신협")),
    Bank("KR", "071", "Korea Post", "", ("koreapost", "우체국", "우체국은행")),
    Bank(
        "KR", "081", "Hana Bank", "KOEXKRSE", ("hana", "hanabank", "하나", "하나은행", "keb하나", "keb하나은행"), (14,)
    ),
    Bank("KR", "088", "Shinhan Bank", "SHBKKRSE", ("shinhan", "shinhanbank", "신한", "신한은행"), (11, 12)),
    Bank("KR", "089", "K Bank", "", ("kbank", "케이뱅크")),
    Bank("KR", "090", "Kakao Bank", "", ("kakaobank", "카카오뱅크", "카뱅"), (13,)),
    Bank("KR", "092", "Toss Bank", "", ("tossbank", "토스뱅크"), (12,)),
    # Thailand
    Bank("TH", "002", "Bangkok Bank", "BKKBTHBK", ("bbl", "bangkokbank", "ธนาคารกรุงเทพ", "กรุงเทพ", "bualuang")),
    Bank(
        "TH",
        "004",
        "Kasikornbank",
        "KASITHBK",
        ("kbank", "kasikorn", "kasikornbank", "kasikornthai", "กสิกร", "กสิกรไทย", "ธนาคารกสิกรไทย"),
    ),
    Bank("TH", "006", "Krungthai Bank", "KRTHTHBK", ("ktb", "krungthai", "krungthaibank", "กรุงไทย", "ธนาคารกรุงไทย")),
    Bank(
        "TH",
        "011",
        "TMBThanachart Bank",
        "TMBKTHBK",
        ("ttb", "tmb", "tmbthanachart", "ทหารไทยธนชาต", "ธนาคารทหารไทยธนชาต"),
    ),
    Bank("TH", "014", "Siam Commercial Bank", "SICOTHBK", ("scb", "siamcommercial", "ไทยพาณิชย์", "ธนาคารไทยพาณิชย์")),
    Bank(
        "TH",
        "025",
        "Bank of Ayudhya (Krungsri)",
        "AYUDTHBK",
        ("bay", "krungsri", "กรุงศรี", "กรุงศรีอยุธยา", "ธนาคารกรุงศรีอยุธยา"),
    ),
    Bank("TH", "030", "Government Savings Bank", "GSBATHBK", ("gsb", "ออมสิน", "ธนาคารออมสิน")),
    Bank("TH", "034", "Bank for Agriculture and Agricultural Cooperatives", "", ("baac", "ธกส", "ธ.ก.ส.")),
    # Indonesia
    Bank("ID", "002", "Bank Rakyat Indonesia", "BRINIDJA", ("bri", "bankbri")),
    Bank("ID", "008", "Bank Mandiri", "BMRIIDJA", ("mandiri", "bankmandiri")),
    Bank("ID", "009", "Bank Negara Indonesia", "BNINIDJA", ("bni", "bankbni")),
    Bank("ID", "014", "Bank Central Asia", "CENAIDJA", ("bca", "bankbca")),
    Bank("ID", "022", "CIMB Niaga", "BNIAIDJA", ("cimbniaga",)),
    Bank("ID", "451", "Bank Syariah Indonesia", "BSMDIDJA", ("bsi",)),
    # Viet Nam (NAPAS BINs)
    Bank("VN", "970436", "Vietcombank", "BFTVVNVX", ("vcb", "vietcombank")),
    Bank("VN", "970415", "VietinBank", "ICBVVNVX", ("vietinbank", "ctg")),
    Bank("VN", "970418", "BIDV", "BIDVVNVX", ("bidv",)),
    Bank("VN", "970405", "Agribank", "VBAAVNVX", ("agribank",)),
    Bank("VN", "970407", "Techcombank", "VTCBVNVX", ("techcombank", "tcb")),
    Bank("VN", "970422", "MB Bank", "MSCBVNVX", ("mbbank", "mb")),
    Bank("VN", "970416", "ACB", "ASCBVNVX", ("acb",)),
    Bank("VN", "970432", "VPBank", "VPBKVNVX", ("vpbank",)),
    Bank("VN", "970423", "TPBank", "TPBVVNVX", ("tpbank",)),
    Bank("VN", "970403", "Sacombank", "SGTTVNVX", ("sacombank",)),
    # Singapore (MAS bank codes)
    Bank("SG", "7171", "DBS Bank / POSB", "DBSSSGSG", ("dbs", "posb", "dbsposb")),
    Bank("SG", "7339", "OCBC Bank", "OCBCSGSG", ("ocbc",)),
    Bank("SG", "7375", "UOB", "UOVBSGSG", ("uob",)),
    # Malaysia (identified by BIC)
    Bank("MY", "", "Maybank", "MBBEMYKL", ("maybank", "malayanbanking")),
    Bank("MY", "", "CIMB Bank", "CIBBMYKL", ("cimb", "cimbbank")),
    Bank("MY", "", "Public Bank", "PBBEMYKL", ("publicbank", "pbb")),
    Bank("MY", "", "RHB Bank", "RHBBMYKL", ("rhb", "rhbbank")),
    Bank("MY", "", "Hong Leong Bank", "HLBBMYKL", ("hongleong", "hlb", "hongleongbank")),
    Bank("MY", "", "AmBank", "ARBKMYKL", ("ambank",)),
    Bank("MY", "", "Bank Islam Malaysia", "BIMBMYKL", ("bankislam",)),
    # Philippines (BIC)
    Bank("PH", "", "BDO Unibank", "BNORPHMM", ("bdo",)),
    Bank("PH", "", "Bank of the Philippine Islands", "BOPIPHMM", ("bpi",)),
    Bank("PH", "", "Metrobank", "MBTCPHMM", ("metrobank",)),
    Bank("PH", "", "Land Bank of the Philippines", "TLBPPHMM", ("landbank",)),
    Bank("PH", "", "UnionBank of the Philippines", "UBPHPHMM", ("unionbank",)),
    # Cambodia, Brunei, Lao PDR, Myanmar, Timor-Leste (BIC)
    Bank("KH", "", "ACLEDA Bank", "ACLBKHPP", ("acleda",)),
    Bank("KH", "", "ABA Bank", "ABAAKHPP", ("aba", "ababank")),
    Bank("BN", "", "Bank Islam Brunei Darussalam", "BIBDBNBB", ("bibd",)),
    Bank("LA", "", "Banque Pour Le Commerce Exterieur Lao", "COEBLALA", ("bcel",)),
    Bank("MM", "", "KBZ Bank", "KBZBMMMY", ("kbz", "kbzbank")),
)


_SLUG_JUNK = re.compile(r"[\s.\-_()]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_LETTERS = re.compile(r"[^\W\d_]+")


def _slug(name: str) -> str:
    return _SLUG_JUNK.sub("", name.casefold())


_BY_ALIAS: dict[tuple[str, str], Bank] = {}
_BY_CODE: dict[tuple[str, str], Bank] = {}
_BY_BIC8: dict[str, Bank] = {}
for _bank in BANKS:
    for _alias in (*_bank.aliases, _bank.name):
        _BY_ALIAS.setdefault((_bank.country, _slug(_alias)), _bank)
        _BY_ALIAS.setdefault(("", _slug(_alias)), _bank)
    if _bank.code:
        _BY_CODE[(_bank.country, _bank.code)] = _bank
    if _bank.bic:
        _BY_BIC8[_bank.bic[:8]] = _bank

_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_SEPARATORS = re.compile(r"[\s\-./]+")
_ACCOUNT_CHARS = re.compile(r"^[\d\s\-./]+$")


def looks_like_iban(s: str) -> bool:
    """Cheap shape test: two letters, two check digits, 10-30 alphanumerics (spaces ignored)."""
    return bool(_IBAN_SHAPE.match(s.replace(" ", "").upper()))


def find_bank(bank: str, country: str = "") -> tuple[Bank | None, str, str]:
    """Look up a bank by national code, BIC or name.

    Returns ``(bank, key, country)``: the listed bank or None, the bank part for canonical values (national code,
    BIC8, or the given text cleaned up when unlisted) and the bank's country ("" when unknown).
    """
    raw = bank.strip()
    if not raw:
        return None, "", country
    upper = _NOT_ALNUM.sub("", raw.upper())
    if is_digits(upper):
        width = _NATIONAL_CODE_LENGTH.get(country, 0)
        code = upper.zfill(width) if width and len(upper) <= width else upper
        found = _BY_CODE.get((country, code))
        return found, code, country
    slug = _slug(raw)
    # Names first: "VIETCOMBANK" has the shape of a BIC (and a valid country code, CO) but is a bank name.
    found = _BY_ALIAS.get((country, slug)) or (None if country else _BY_ALIAS.get(("", slug)))
    if found is not None:
        return found, found.key, found.country
    if _BIC_SHAPE.match(upper) and (upper[:8] in _BY_BIC8 or _valid_bic(upper)):
        found = _BY_BIC8.get(upper[:8])
        if found is not None:
            return found, found.key, found.country
        bic_country = upper[4:6]
        return None, upper[:8], bic_country
    return None, upper, country


def _valid_bic(code: str) -> bool:
    try:
        schwifty.BIC(code)
    except (SchwiftyException, ValueError):
        return False
    return True


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_KNOWN_COUNTRIES = {"KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL"}
_BANK_THEN_NUMBER = re.compile(r"^(?P<bank>[^\d:][^:]*?)\s*[:\s]\s*(?P<acct>[\d][\d\s\-./]*)$")


# "Kasikornbank 123-4-56789-0", "KTB a/c no. 123-4-56789-0", "SCB, 123-456789-0"; and the number first:
# "123-4-56789-0 (Kasikornbank)", "123-4-56789-0 at KTB". The bank part has no digits.
_ACCOUNT_WORDS = r"(?:(?:account|acct|acc|a/c|bank\s+account)\.?\s*)?(?:(?:no|number|nr)\.?\s*)?[:#]?\s*"
_BANK_FIRST = re.compile(
    r"^(?P<bank>[^\d:;,()]+?)\s*[,(\-]?\s*" + _ACCOUNT_WORDS + r"(?P<acct>\d[\d\s\-./]*\d)\s*\)?$", re.IGNORECASE
)
_NUMBER_FIRST = re.compile(
    r"^(?P<acct>\d[\d\s\-./]*\d)\s*[,(\-]?\s*(?:(?:at|with|in|@)\s+)?(?P<bank>[^\d:;,()]+?)\s*\)?$", re.IGNORECASE
)


def split_bank_account(text: str) -> tuple[str, str] | None:
    """``(bank, account)`` when ``text`` is an account number written with a listed bank's name, short name, local
    name or BIC, before or after the digits ("KTB 123-4-56789-0", "123-4-56789-0 (Kasikornbank)"); else None.

    Only listed banks (or a real BIC) count, so a name followed by a number is not taken for an account."""
    s = prepare(text)
    if len(s) > 120 or not any(ch.isdigit() for ch in s):
        return None
    for pattern in (_BANK_FIRST, _NUMBER_FIRST):
        match = pattern.match(s)
        if match is None:
            continue
        bank = match.group("bank").strip(" .-")
        found, key, _country = find_bank(bank)
        if found is not None or (key and _BIC_SHAPE.match(key) and key == _NOT_ALNUM.sub("", bank.upper()[:8])):
            return bank, match.group("acct")
    return None


def normalize_bank_account(text: str, country: str | None = None, bank: str | None = None) -> Result:
    """Normalise a bank account: an IBAN to its compact form, a domestic account to ``CC:BANK:DIGITS``.

    Guarantees: separators (spaces, dashes, dots, slashes) and full-width digits never change the value; an
    IBAN is checked (mod-97 check digits and the country's BBAN format) by schwifty; a domestic account's length
    is checked against the country rule in :data:`ACCOUNT_RULES`, whose source and status are reported in
    ``details["rule"]``; where no public rule exists 6-20 digits are accepted with the warning
    "format not verified".
    """
    s = prepare(text)
    compact = s.replace(" ", "").replace("-", "").upper()
    if _IBAN_SHAPE.match(compact):
        # "KB 1234 5678 9012 34" has the shape of an IBAN but starts with a bank's name, not a country.
        lead = _LETTERS.match(s)
        if lead is None or ("", _slug(lead.group(0))) not in _BY_ALIAS:
            return _iban(text, compact)
    cc = (country or "").upper()
    bank_text = bank or ""
    account = s
    parts = s.split(":")
    if len(parts) == 3 and (not parts[0].strip() or _COUNTRY.match(parts[0].strip())):
        cc = parts[0].strip().upper() or cc
        bank_text = bank or parts[1].strip()
        account = parts[2]
    elif len(parts) == 2:
        head = parts[0].strip()
        if _COUNTRY.match(head) and head.upper() in _KNOWN_COUNTRIES and (head.upper(), _slug(head)) not in _BY_ALIAS:
            cc = head.upper()  # "KR:123456789012": a country, not a bank
        else:
            bank_text = bank or head
        account = parts[1]
    else:
        m2 = _BANK_THEN_NUMBER.match(s)
        if m2:
            bank_text = bank or m2.group("bank")
            account = m2.group("acct")
    warnings: list[str] = []
    found, bank_key, bank_country = find_bank(bank_text, cc)
    if bank_country and cc and bank_country != cc and found is not None:
        # A listed bank of another country under the same name: prefer the country the caller gave.
        other = _BY_ALIAS.get((cc, _slug(bank_text)))
        if other is not None:
            found, bank_key, bank_country = other, other.key, cc
    if not cc:
        cc = bank_country
    if bank_text and found is None:
        warnings.append(f"bank {bank_text.strip()!r} is not in the built-in list; kept as given")
    if not _ACCOUNT_CHARS.match(account.strip() or "x"):
        digits = _NOT_ALNUM.sub("", account.upper())
        return _domestic(text, cc, bank_key, digits, found, False, ["account number must be digits"], warnings)
    digits = _SEPARATORS.sub("", account)
    errors: list[str] = []
    if not cc:
        errors.append("country needed: give the country option, a CC: prefix or the bank's BIC")
    rule = ACCOUNT_RULES.get(cc, _FALLBACK_RULE)
    if cc == "TL":
        warnings.append("Timor-Leste uses IBAN (TL + 21 characters): give the IBAN where possible")
    if not rule.allows(len(digits)):
        basis = "commonly cited" if rule is not _FALLBACK_RULE else _NOT_VERIFIED
        errors.append(f"{cc or 'an'} account number has {rule.describe()} ({basis}); this one has {len(digits)}")
    elif rule is _FALLBACK_RULE:
        warnings.append(_NOT_VERIFIED)
    if not errors and found is not None and found.lengths and len(digits) not in found.lengths:
        expected = " or ".join(str(n) for n in found.lengths)
        warnings.append(f"{found.name} accounts are commonly {expected} digits; this one has {len(digits)}")
    if not bank_key:
        warnings.append("bank not given: compared by country and account number only")
    return _domestic(text, cc, bank_key, digits, found, not errors, errors, warnings, rule)


def _domestic(
    raw: str,
    cc: str,
    bank_key: str,
    digits: str,
    found: Bank | None,
    valid: bool,
    errors: list[str],
    warnings: list[str],
    rule: AccountRule | None = None,
) -> Result:
    details: dict[str, Any] = {"iban": False, "account_number": digits, "bank_code": bank_key}
    if found is not None:
        details["bank"] = found.name
        if found.bic:
            details["bic"] = found.bic
    if rule is not None:
        details["rule"] = {
            "lengths": rule.describe(),
            "status": "verified"
            if rule.verified
            else ("format not verified" if rule is _FALLBACK_RULE else "commonly cited"),
            "source": rule.source,
        }
    # A listed bank reads as people write it ("Krungthai Bank 123-4-56789-0"); otherwise country, bank part, digits.
    if found is not None and valid:
        display = f"{found.name} {_grouped(cc, digits)}"
    else:
        display = f"{cc} {found.name if found else bank_key} {digits}".replace("  ", " ").strip()
    return Result(
        type=IdentifierType.BANK_ACCOUNT,
        value=f"{cc}:{bank_key}:{digits}",
        display=display,
        country=cc,
        valid=valid,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details=details,
        input=raw,
    )


def _grouped(cc: str, digits: str) -> str:
    """Digits grouped the way the country prints them where that is settled (Thai 10-digit accounts: 3-1-5-1)."""
    if cc == "TH" and len(digits) == 10:
        return f"{digits[:3]}-{digits[3]}-{digits[4:9]}-{digits[9]}"
    return digits


def _iban(raw: str, compact: str) -> Result:
    try:
        iban = schwifty.IBAN(compact)
    except (SchwiftyException, ValueError) as exc:
        return Result(
            type=IdentifierType.BANK_ACCOUNT,
            value=compact,
            display=compact,
            country=compact[:2] if compact[:2].isalpha() else "",
            valid=False,
            errors=(f"not a valid IBAN: {exc}",),
            details={"iban": True},
            input=raw,
        )
    details: dict[str, Any] = {
        "iban": True,
        "bank_code": iban.bank_code,
        "account_number": iban.account_code,
    }
    bic, bank_name = _iban_bank(iban)
    if bic:
        details["bic"] = bic
    if bank_name:
        details["bank"] = bank_name
    return Result(
        type=IdentifierType.BANK_ACCOUNT,
        value=iban.compact,
        display=iban.formatted,
        country=iban.country_code,
        valid=True,
        details=details,
        input=raw,
    )


_IBAN_BANKS: dict[tuple[str, str, str], tuple[str, str]] = {}


def _iban_bank(iban: schwifty.IBAN) -> tuple[str, str]:
    """BIC and bank name from schwifty's bank registry (for the countries it covers), cached per bank: the
    registry lookup costs more than checking the IBAN itself."""
    key = (iban.country_code, iban.bank_code, iban.branch_code)
    found = _IBAN_BANKS.get(key)
    if found is None:
        try:
            bic = iban.bic
            names = (getattr(bic, "bank_names", None) or []) if bic is not None else []
            found = (str(bic) if bic is not None else ""), (names[0] if names else "")
        except (SchwiftyException, ValueError):  # the lookup is optional
            found = ("", "")
        if len(_IBAN_BANKS) < 8192:
            _IBAN_BANKS[key] = found
    return found


def normalize_bic(text: str, country: str | None = None) -> Result:
    """Normalise a BIC (ISO 9362 / SWIFT code): upper case, 8 characters when the branch is the head office
    ("XXX"), 11 otherwise. Guarantees: structure and country code are checked with schwifty."""
    s = prepare(text).replace(" ", "").upper()
    value = s[:8] if len(s) == 11 and s.endswith("XXX") else s
    try:
        bic = schwifty.BIC(s)
    except (SchwiftyException, ValueError) as exc:
        return Result(
            type=IdentifierType.BIC,
            value=value,
            display=s,
            valid=False,
            errors=(f"not a valid BIC: {exc}",),
            details={},
            input=text,
        )
    details: dict[str, Any] = {
        "bank_code": bic.bank_code,
        "country": bic.country_code,
        "location_code": bic.location_code,
        "branch_code": bic.branch_code or "XXX",
    }
    warnings: tuple[str, ...] = ()
    if bic.location_code[1] == "0":
        warnings = ("test BIC (second location character is 0): not used for live payments",)
    found = _BY_BIC8.get(value[:8])
    if found is not None:
        details["bank"] = found.name
        if found.code:
            details["national_code"] = found.code
    return Result(
        type=IdentifierType.BIC,
        value=value,
        display=value,
        country=bic.country_code,
        valid=True,
        warnings=warnings,
        details=details,
        input=text,
    )
