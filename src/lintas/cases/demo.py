"""Demo cases for stories 2 and 3 of DOMAIN.md, recorded through the real service path. Demo mode only.

Story 2 (voice-phishing ring): KNPA holds three dozen victim reports whose money went through Korean mule accounts to
three TRON wallets; CNP raids a compound in Sihanoukville and records the seized phones, the same wallets, SIM cards
with some of the callers' Korean numbers and a ledger naming one mule account. Story 3 (pig-butchering across ASEAN):
RMP, SPF and RTP hold restricted cases whose victims paid into the same USDT address on TRON and talked to the same
Telegram handle, each written in the agency's own notation; RTP hides its name in hit/no-hit answers.

Every value is fixed, so the demo looks the same on every machine. Each case carries the agency's own case number
(``external_reference``): a case whose number its agency already holds is skipped, so seeding twice creates nothing.
Benign values (a bank's hotline that voice phishers spoof, a webmail domain) are added first, by the Secretariat's
platform admin, so they never raise a hit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from lintas.accounts.models import User
from lintas.cases.models import Case
from lintas.cases.services import create_case
from lintas.cases.validation import clean_case
from lintas.matching.models import BenignValue
from lintas.matching.services import add_benign

__all__ = [
    "BENIGN_VALUES",
    "KNPA_CALLER_PHONES",
    "KNPA_MULE_ACCOUNTS",
    "RING_WALLETS",
    "STORY3_HANDLES",
    "STORY3_WALLET",
    "DemoSeed",
    "demo_cases",
    "seed_demo_cases",
]

# --- story 2: the voice-phishing ring -----------------------------------------------------------------------------

# Where the victims' money ended up after the mule accounts: three TRON wallets (valid base58check addresses).
RING_WALLETS = (
    "TGGgNxEGGksDWaLqYsLFLw9daPht854Rvk",
    "TUdhy1Znn1E373Nh3oiG4nVkgj4mFNJcVU",
    "TWuSqUbFrLsLv7JNnbiK6psV6Ek6TyyqS1",
)
# Mule accounts as Korean officers write them: bank name (Hangul or Latin) and the account number with its dashes.
KNPA_MULE_ACCOUNTS = (
    "KB국민 123456-01-234567",
    "신한 110-234-567890",
    "우리 1002-345-678901",
    "카카오뱅크 3333-01-2345678",
    "NH 302-1234-5678-91",
    "하나 123-456789-01234",
)
# The callers' mobile numbers, as the victims reported them (domestic format).
KNPA_CALLER_PHONES = (
    "010-3141-5926",
    "010-2718-2818",
    "010-1414-2135",
    "010-1732-0508",
    "010-2236-0679",
    "010-1618-0339",
    "010-5772-1566",
    "010-4669-2016",
)
# The bank hotline the callers display as caller ID: not evidence, so it is on the benign list.
KB_HOTLINE = "1588-9999"

_CITIES = ("서울", "부산", "인천", "대구", "대전", "광주", "수원", "울산", "창원")
_AGE_BANDS = ("60-69", "30-39", "70-79", "50-59", "20-29", "40-49")
_LOSSES_KRW = (
    32_000_000,
    8_500_000,
    45_000_000,
    12_300_000,
    27_800_000,
    5_900_000,
    61_000_000,
    15_000_000,
    9_750_000,
)
# (tag, title, narrative) per pretext; the narrative has no numbers in it, so only the listed identifiers match.
_PRETEXTS = (
    (
        "prosecutor impersonation",
        "검찰 사칭 보이스피싱 피해 ({city})",
        "피해자는 서울중앙지검 수사관을 사칭한 남성으로부터 '명의가 도용되어 금융범죄에 연루되었다'는 전화를 받았다. "
        "피해자는 '자산 보호'를 위한 조치라는 말을 믿고 안내받은 계좌로 예금을 이체했다. 자금은 이체 직후 여러 "
        "계좌를 거쳐 인출되었으며, 일부는 가상자산 거래소를 통해 USDT(TRON)로 환전되어 해외 지갑으로 전송되었다.",
    ),
    (
        "bank impersonation",
        "저금리 대환대출 빙자 보이스피싱 ({city})",
        "피해자는 시중은행 직원을 사칭한 전화로 저금리 대환대출을 안내받았다. 발신번호는 은행 고객센터 번호로 "
        "표시되었다. 피해자는 '기존 대출 상환'이 필요하다는 말에 안내받은 계좌로 송금했으며, 송금 후 연락이 "
        "끊겼다. 피해금은 가상자산으로 환전되어 TRON 지갑으로 이동했다.",
    ),
    (
        "family impersonation",
        "자녀 사칭 메신저 피싱 ({city})",
        "피해자는 휴대전화가 고장 났다는 자녀를 사칭한 메시지를 받고, 원격제어 앱을 설치한 뒤 신분증 사진과 "
        "계좌 정보를 보냈다. 범인은 피해자 명의로 비대면 대출을 받고 예금과 함께 대포통장으로 이체했다. 이후 "
        "같은 조직이 사용하는 번호로 추가 송금을 요구하는 전화가 걸려 왔다.",
    ),
    (
        "FSS impersonation",
        "금융감독원 사칭 '안전계좌' 이체 피해 ({city})",
        "피해자는 금융감독원 직원을 사칭한 사람으로부터 '계좌가 범죄에 이용되어 안전계좌로 자금을 옮겨야 한다'는 "
        "말을 듣고 현금을 인출해 전달하거나 계좌로 이체했다. 범인은 검찰 공문서 형식의 가짜 문서를 메신저로 "
        "보내 피해자를 안심시켰다.",
    ),
)

KNPA_VICTIM_REPORTS = 36


def _story2_knpa() -> list[dict]:
    """Three dozen victim reports; every mule account, caller and wallet recurs across them, as in a real ring."""
    reports = []
    for index in range(KNPA_VICTIM_REPORTS):
        tag, title, narrative = _PRETEXTS[index % len(_PRETEXTS)]
        city = _CITIES[index % len(_CITIES)]
        incident = dt.date(2026, 3, 2) + dt.timedelta(days=5 * index)
        items = [
            {"value": KNPA_MULE_ACCOUNTS[index % 6], "type": "bank_account", "role": "mule_account"},
            {"value": KNPA_CALLER_PHONES[index % 8], "type": "phone", "role": "suspect_phone"},
            {"value": RING_WALLETS[index % 3], "role": "receiving_wallet"},
        ]
        if tag == "bank impersonation":
            items.append({"value": KB_HOTLINE, "type": "phone", "role": "other"})  # the spoofed caller ID
        reports.append(
            {
                "external_reference": f"SMPA-2026-VP-{101 + index:04d}",
                "title": title.format(city=city),
                "crime_type": "voice_phishing",
                "modus_operandi": [tag, "mule account", "USDT on TRON"],
                "status": "investigating" if index % 4 else "open",
                "first_incident_on": incident,
                "last_incident_on": incident + dt.timedelta(days=index % 3),
                "countries": ["KR"],
                "narrative": narrative,
                "victim_count": 1,
                "victim_nationalities": ["KR"],
                "victim_age_bands": [_AGE_BANDS[index % len(_AGE_BANDS)]],
                "distribution": "owner",
                "tlp": "amber",
                "handling_code": "H0",
                "source_reliability": "B",
                "information_accuracy": "2",
                "purpose": "전기통신금융사기 수사 (voice-phishing investigation)",
                "legal_basis": "전기통신금융사기 피해 방지 및 피해금 환급에 관한 특별법",
                "losses": [{"amount": str(_LOSSES_KRW[index % len(_LOSSES_KRW)]), "currency": "KRW", "date": incident}],
                "identifiers": items,
            }
        )
    return reports


# Phones seized in the compound: IMEIs with a valid Luhn check digit.
COMPOUND_IMEIS = (
    "353911101234566",
    "353911101234574",
    "860123456789014",
    "860123456789022",
    "352099001761481",
    "358462101234581",
)


def _international(korean_mobile: str) -> str:
    """A Korean mobile as written on a SIM card found abroad: +82, without the trunk 0."""
    return "+82 " + korean_mobile[1:].replace("-", " ")


def _story2_cnp() -> list[dict]:
    raid_on = dt.date(2026, 10, 14)
    raid = {
        "external_reference": "CNP-SHV-2026-0412",
        "title": "ការឆែកឆេរមជ្ឈមណ្ឌលបោកប្រាស់ ក្រុងព្រះសីហនុ — Raid on a voice-phishing compound, Sihanoukville",
        "crime_type": "voice_phishing",
        "modus_operandi": ["scam compound", "prosecutor impersonation", "USDT on TRON"],
        "status": "investigating",
        "first_incident_on": raid_on,
        "last_incident_on": raid_on,
        "countries": ["KH", "KR"],
        "narrative": (
            "កម្លាំងនគរបាលជាតិកម្ពុជា បានចុះឆែកឆេរអគារមួយនៅក្រុងព្រះសីហនុ ដែលត្រូវបានប្រើជាមជ្ឈមណ្ឌលបោកប្រាស់តាម"
            "ទូរស័ព្ទ។ បានរឹបអូសទូរស័ព្ទដៃ ស៊ីមកាតកូរ៉េ កុំព្យូទ័រ និងសៀវភៅកត់ត្រាគណនីធនាគារ និងកាបូបរូបិយប័ណ្ណឌីជីថល។ "
            "ជនសង្ស័យបានក្លែងខ្លួនជាព្រះរាជអាជ្ញា និងបុគ្គលិកធនាគារកូរ៉េ ដើម្បីបោកប្រាស់ជនរងគ្រោះនៅសាធារណរដ្ឋកូរ៉េ។\n\n"
            "Summary: a building in Sihanoukville used as a voice-phishing call centre targeting victims in Korea was "
            "raided. Seized: mobile phones, Korean SIM cards, laptops and a ledger listing a Korean mule account and "
            "the USDT (TRON) wallets the proceeds were sent to. The callers posed as Korean prosecutors and bank staff."
        ),
        "victim_count": 0,
        "distribution": "named",
        "shared_with": ["knpa"],
        "tlp": "amber",
        "handling_code": "H2",
        "source_reliability": "A",
        "information_accuracy": "1",
        "purpose": "Investigation of a transnational voice-phishing ring",
        "legal_basis": "Police-to-police cooperation (ASEANAPOL)",
        "identifiers": [
            *({"value": imei, "type": "imei", "role": "seized_device"} for imei in COMPOUND_IMEIS),
            # SIM cards of the seized phones: four of the callers' numbers, in international format.
            *(
                {"value": _international(phone), "type": "phone", "role": "suspect_phone"}
                for phone in KNPA_CALLER_PHONES[:4]
            ),
            {"value": "+855 96 555 0142", "type": "phone", "role": "suspect_phone"},
            {"value": "+855 12 555 0198", "type": "phone", "role": "suspect_phone"},
            {"value": RING_WALLETS[0], "role": "suspect_wallet"},
            {"value": f"tron:{RING_WALLETS[1]}", "role": "suspect_wallet"},
            {"value": RING_WALLETS[2], "role": "suspect_wallet"},
            {"value": KNPA_MULE_ACCOUNTS[0], "type": "bank_account", "country": "KR", "role": "mule_account"},
            # Saved in every seized phone to spoof the bank's caller ID: benign, never a hit.
            {"value": "+82 " + KB_HOTLINE.replace("-", " "), "type": "phone", "role": "other"},
        ],
    }
    courier = {
        "external_reference": "CNP-PNH-2026-0433",
        "title": "អ្នកដឹកប្រាក់ ព្រលានយន្តហោះភ្នំពេញ — Cash courier arrested, Phnom Penh airport",
        "crime_type": "money_mule",
        "modus_operandi": ["cash courier", "USDT on TRON"],
        "status": "open",
        "first_incident_on": dt.date(2026, 10, 20),
        "countries": ["KH", "KR"],
        "narrative": (
            "ជនសង្ស័យម្នាក់ត្រូវបានចាប់ខ្លួននៅព្រលានយន្តហោះអន្តរជាតិភ្នំពេញ ពេលកំពុងដឹកប្រាក់សុទ្ធ។ "
            "Summary: a courier for the Sihanoukville compound was arrested at Phnom Penh airport carrying cash; his "
            "phone held the ring's TRON wallet and the compound manager's number."
        ),
        "victim_count": 0,
        "distribution": "owner",
        "tlp": "amber+strict",
        "handling_code": "H0",
        "source_reliability": "B",
        "information_accuracy": "2",
        "purpose": "Investigation of a transnational voice-phishing ring",
        "losses": [],
        "identifiers": [
            {"value": RING_WALLETS[0], "role": "suspect_wallet"},
            {"value": "+855 96 555 0142", "type": "phone", "role": "suspect_phone"},
            {"value": _international(KNPA_CALLER_PHONES[5]), "type": "phone", "role": "suspect_phone"},
        ],
    }
    return [raid, courier]


# --- story 3: pig-butchering across ASEAN -------------------------------------------------------------------------

# The USDT (TRON) deposit address every victim was given, and a second one seen in Malaysia and Singapore.
STORY3_WALLET = "TQWLSdPbbKeuf2vHkzZq4ioL7zEZN7d7V1"
STORY3_SECOND_WALLET = "TDrgdrPviT7A4C6DwXSvGc3rRm5fKQwFad"
# One Telegram account, written the way each officer found it; all normalise to telegram:linagoldtrader.
STORY3_HANDLES = {
    "rmp": ("https://t.me/LinaGoldTrader", "t.me/linagoldtrader"),
    "spf": ("Telegram: @LinaGoldTrader", "telegram:LinaGoldTrader"),
    "rtp": ("tg:linagoldtrader", "https://t.me/LinaGoldTrader"),
}


def _story3() -> list[tuple[str, dict]]:
    common = {
        "crime_type": "investment_fraud",
        "modus_operandi": ["pig-butchering", "fake trading platform", "USDT on TRON", "Telegram"],
        "status": "investigating",
        "tlp": "amber",
        "handling_code": "H2",
        "source_reliability": "B",
        "information_accuracy": "2",
    }
    rmp = [
        {
            **common,
            "external_reference": "JSJK-JB-2026-0781",
            "title": "Penipuan pelaburan kripto 'Lina' — mangsa di Johor Bahru",
            "first_incident_on": dt.date(2026, 3, 9),
            "last_incident_on": dt.date(2026, 6, 21),
            "countries": ["MY"],
            "narrative": (
                "Mangsa, seorang jurutera berusia 45 tahun di Johor Bahru, berkenalan dengan seorang wanita yang "
                "memperkenalkan diri sebagai 'Lina' melalui Facebook. Perbualan kemudian dipindahkan ke Telegram. "
                "'Lina' meyakinkan mangsa untuk melabur dalam platform dagangan kripto palsu dan memindahkan USDT ke "
                "dompet TRON yang diberikan oleh 'khidmat pelanggan' platform itu. Pengeluaran disekat selepas "
                "mangsa diminta membayar 'cukai'.\n\nEnglish: romance-investment fraud; the victim was groomed on "
                "Facebook, moved to Telegram and paid USDT to a TRON address of a fake trading platform."
            ),
            "victim_count": 1,
            "victim_nationalities": ["MY"],
            "victim_age_bands": ["40-49"],
            "distribution": "owner",
            "purpose": "Siasatan jenayah komersial (commercial crime investigation)",
            "legal_basis": "Kanun Keseksaan s. 420",
            "losses": [{"amount": "248500.00", "currency": "MYR", "date": dt.date(2026, 6, 21)}],
            "identifiers": [
                {"value": STORY3_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["rmp"][0], "role": "suspect_handle"},
                {"value": "Maybank 5140 1234 5678", "type": "bank_account", "role": "mule_account"},
            ],
        },
        {
            **common,
            "external_reference": "JSJK-PG-2026-0334",
            "title": "Pig-butchering melalui aplikasi temu janji — Pulau Pinang",
            "first_incident_on": dt.date(2026, 4, 2),
            "last_incident_on": dt.date(2026, 5, 30),
            "countries": ["MY", "SG"],
            "narrative": (
                "Mangsa berkenalan dengan 'Lina' melalui aplikasi temu janji dan diarahkan ke Telegram. Mangsa "
                "membeli USDT di bursa tempatan dan menghantarnya ke dua dompet TRON. Penipu menggunakan alamat "
                "e-mel Gmail untuk menghantar 'penyata keuntungan' palsu."
            ),
            "victim_count": 1,
            "victim_nationalities": ["MY"],
            "victim_age_bands": ["30-39"],
            "distribution": "named",
            "shared_with": ["spf"],
            "purpose": "Siasatan jenayah komersial (commercial crime investigation)",
            "losses": [{"amount": "96000.00", "currency": "MYR", "date": dt.date(2026, 5, 30)}],
            "identifiers": [
                {"value": STORY3_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_SECOND_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["rmp"][1], "role": "suspect_handle"},
                {"value": "gmail.com", "type": "domain", "role": "other"},
            ],
        },
    ]
    spf = [
        {
            **common,
            "external_reference": "SPF-ASC-2026-11872",
            "title": "Fake crypto trading platform 'GoldLotus' — victim in Tampines",
            "first_incident_on": dt.date(2026, 2, 14),
            "last_incident_on": dt.date(2026, 5, 3),
            "countries": ["SG"],
            "narrative": (
                "The victim, a 52-year-old finance manager, met 'Lina' on a dating app. The conversation moved to "
                "Telegram, where 'Lina' introduced a trading platform showing large paper profits. The victim bought "
                "USDT on a local exchange and sent it to the TRON deposit address given by the platform's 'customer "
                "service'. Withdrawals were blocked pending a 20 per cent 'tax'."
            ),
            "victim_count": 1,
            "victim_nationalities": ["SG"],
            "victim_age_bands": ["50-59"],
            "distribution": "named",
            "shared_with": ["rmp"],
            "purpose": "Investigation of scam; recovery of funds (Anti-Scam Command)",
            "legal_basis": "Police-to-police cooperation",
            "losses": [{"amount": "412000.00", "currency": "SGD", "date": dt.date(2026, 5, 3)}],
            "identifiers": [
                {"value": f"  {STORY3_WALLET} ", "role": "receiving_wallet"},
                {"value": STORY3_SECOND_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["spf"][0], "role": "suspect_handle"},
                {"value": "gmail.com", "type": "domain", "role": "other"},
            ],
        },
        {
            **common,
            "external_reference": "SPF-ASC-2026-12544",
            "title": "Investment scam after LinkedIn contact — victim in Jurong West",
            "first_incident_on": dt.date(2026, 5, 11),
            "last_incident_on": dt.date(2026, 7, 2),
            "countries": ["SG"],
            "narrative": (
                "The victim was approached on LinkedIn by a 'wealth adviser' who passed her on to 'Lina' on Telegram. "
                "Six transfers of USDT to the same TRON address followed."
            ),
            "victim_count": 1,
            "victim_nationalities": ["SG"],
            "victim_age_bands": ["30-39"],
            "distribution": "owner",
            "purpose": "Investigation of scam; recovery of funds (Anti-Scam Command)",
            "losses": [{"amount": "86500.00", "currency": "SGD", "date": dt.date(2026, 7, 2)}],
            "identifiers": [
                {"value": STORY3_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["spf"][1], "role": "suspect_handle"},
            ],
        },
    ]
    rtp = [
        {
            **common,
            "external_reference": "TCSD-2026-04127",
            "title": "หลอกลงทุนคริปโต (หมูสับ) ผ่านเทเลแกรม — ผู้เสียหายในเชียงใหม่",
            "first_incident_on": dt.date(2026, 3, 20),
            "last_incident_on": dt.date(2026, 6, 8),
            "countries": ["TH"],
            "narrative": (
                "ผู้เสียหายรู้จักกับหญิงที่อ้างชื่อ 'ลีนา' ผ่านแอปหาคู่ จากนั้นย้ายไปคุยทางเทเลแกรม ผู้ต้องหาชักชวนให้"
                "ลงทุนในแพลตฟอร์มเทรดคริปโตปลอม ผู้เสียหายซื้อ USDT และโอนไปยังกระเป๋าเงินบนเครือข่าย TRON หลายครั้ง "
                "ก่อนที่แพลตฟอร์มจะปิดการถอนเงินและเรียกเก็บ 'ภาษี' เพิ่ม"
            ),
            "victim_count": 1,
            "victim_nationalities": ["TH"],
            "victim_age_bands": ["40-49"],
            "distribution": "owner",
            "hide_owner_in_hits": True,
            "purpose": "สืบสวนคดีฉ้อโกงออนไลน์ (online fraud investigation)",
            "legal_basis": "ประมวลกฎหมายอาญา มาตรา 341",
            "losses": [{"amount": "3850000.00", "currency": "THB", "date": dt.date(2026, 6, 8)}],
            "identifiers": [
                {"value": f"tron:{STORY3_WALLET}", "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["rtp"][0], "role": "suspect_handle"},
                {"value": "KBank 123-4-56789-0", "type": "bank_account", "role": "mule_account"},
            ],
        },
        {
            **common,
            "external_reference": "TCSD-2026-05302",
            "title": "แก๊งหลอกลงทุนสกุลเงินดิจิทัล — ผู้เสียหายในกรุงเทพฯ",
            "first_incident_on": dt.date(2026, 6, 1),
            "last_incident_on": dt.date(2026, 7, 15),
            "countries": ["TH"],
            "narrative": ("ผู้เสียหายถูกชักชวนผ่านเฟซบุ๊กให้เข้ากลุ่มเทเลแกรมลงทุน และโอน USDT ไปยังกระเป๋าเงินเดียวกับคดีก่อน"),
            "victim_count": 1,
            "victim_nationalities": ["TH"],
            "victim_age_bands": ["60-69"],
            "distribution": "owner",
            "hide_owner_in_hits": True,
            "purpose": "สืบสวนคดีฉ้อโกงออนไลน์ (online fraud investigation)",
            "losses": [{"amount": "1200000.00", "currency": "THB", "date": dt.date(2026, 7, 15)}],
            "identifiers": [
                {"value": STORY3_WALLET, "role": "receiving_wallet"},
                {"value": STORY3_HANDLES["rtp"][1], "role": "suspect_handle"},
            ],
        },
    ]
    return [
        *(("rmp.investigator", case) for case in rmp),
        *(("spf.investigator", case) for case in spf),
        *(("rtp.investigator", case) for case in rtp),
    ]


def demo_cases() -> list[tuple[str, dict]]:
    """``(username, case data)`` in recording order: story 2 (KNPA, then CNP), then story 3 (RMP, SPF, RTP)."""
    return [
        *(("knpa.investigator", case) for case in _story2_knpa()),
        *(("cnp.investigator", case) for case in _story2_cnp()),
        *_story3(),
    ]


# (value, type, country, category, reason)
BENIGN_VALUES = (
    (
        KB_HOTLINE,
        "phone",
        "KR",
        "bank_hotline",
        "KB Kookmin Bank customer centre; voice phishers spoof it as caller ID",
    ),
    ("gmail.com", "domain", "", "webmail", "Public webmail domain"),
)
SECRETARIAT_ADMIN = "aseanapol.admin"


@dataclass
class DemoSeed:
    cases: list[Case] = field(default_factory=list)
    benign: list[BenignValue] = field(default_factory=list)
    hits: int = 0


@transaction.atomic
def seed_demo_cases() -> DemoSeed:
    """Record the demo cases not recorded yet, as the demo users (create them first with ``seed_demo_users``)."""
    seed = DemoSeed()
    users = {user.username: user for user in User.objects.select_related("agency")}
    missing = sorted(({SECRETARIAT_ADMIN} | {name for name, _ in demo_cases()}) - set(users))
    if missing:
        raise LookupError(f"demo users missing: {', '.join(missing)} (seed the demo users first)")
    known = set(BenignValue.objects.values_list("pk", flat=True))
    for value, kind, country, category, reason in BENIGN_VALUES:
        benign = add_benign(
            users[SECRETARIAT_ADMIN], value=value, type=kind, country=country, category=category, reason=reason
        )
        if benign.pk not in known:
            seed.benign.append(benign)
    taken = set(Case.objects.exclude(external_reference="").values_list("owner_agency_id", "external_reference"))
    for username, data in demo_cases():
        actor = users[username]
        if (actor.agency_id, data["external_reference"]) in taken:
            continue
        case, outcome = create_case(actor, clean_case(data, owner=actor.agency))
        seed.cases.append(case)
        seed.hits += len(outcome.hits)
    return seed
