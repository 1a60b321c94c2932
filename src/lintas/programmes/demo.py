"""Demo data for story 4: the 1st Korea-ASEAN International Crime Capacity Building Programme (15-19 November 2021,
hosted by KNPA, completed) and its 2nd edition in planning, made by "plan the next edition". Demo mode only;
idempotent: a second run finds the editions and changes nothing."""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import translation

from lintas.accounts.choices import Role
from lintas.accounts.models import User, UserRole
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.programmes import services
from lintas.programmes.choices import EditionStatus, SessionKind
from lintas.programmes.models import Edition, Expert, Programme

__all__ = [
    "DEMO_ORGANISERS",
    "PROGRAMME_NAME",
    "seed_demo_materials",
    "seed_demo_materials_and_feedback",
    "seed_demo_participation",
    "seed_demo_programmes",
    "seed_demo_reports",
    "seed_feedback",
    "seed_report",
]

PROGRAMME_NAME = "Korea-ASEAN International Crime Capacity Building Programme"
DEMO_ORGANISERS = ("aseanapol.admin", "knpa.supervisor")
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")

EXPERTS = [
    ("JUNG Hye Ryun", "Professor", "Korean National Police University"),
    ("Sang Eun LEE", "Sen. Insp.", "Korean National Police Agency (KNPA)"),
    ("Mohd Mahidisham", "Assistant Commissioner of Police", "Royal Malaysia Police (RMP)"),
    ("Franky Cheung", "Mr.", "INTERPOL"),
    ("Yong Chul PARK", "Professor", "Academia"),
]

# (day of the programme from 15 November 2021, start, end, kind, topic, [(expert name, role)])
SESSIONS = [
    (0, "09:30", "10:30", SessionKind.OPENING, "Opening ceremony", []),
    (
        0,
        "11:00",
        "12:30",
        SessionKind.LECTURE,
        "Current cybercrime trends",
        [("Sang Eun LEE", "speaker")],
    ),
    (
        1,
        "10:00",
        "11:30",
        SessionKind.LECTURE,
        "Cooperation for cybersecurity",
        [("Franky Cheung", "speaker")],
    ),
    (
        2,
        "14:00",
        "16:00",
        SessionKind.PANEL,
        "Expert panel: mutual assistance against new forms of cyber-financial crimes",
        [
            ("JUNG Hye Ryun", "moderator"),
            ("Sang Eun LEE", "panellist"),
            ("Mohd Mahidisham", "panellist"),
            ("Franky Cheung", "panellist"),
            ("Yong Chul PARK", "panellist"),
        ],
    ),
    (4, "15:00", "16:00", SessionKind.CLOSING, "Closing ceremony", []),
]


def _at(day: int, clock: str) -> dt.datetime:
    hour, minute = map(int, clock.split(":"))
    return dt.datetime(2021, 11, 15 + day, hour, minute, tzinfo=SEOUL)


def _organisers() -> dict[str, User]:
    """The demo organisers, given the role if they lack it (existing demo users are otherwise left as they are)."""
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_ORGANISERS)}
    for user in users.values():
        _role, granted = UserRole.objects.get_or_create(user=user, role=Role.PROGRAMME_ORGANISER)
        if granted:  # a role granted is audited wherever it is granted, the demo too
            record_event(
                Action.USER_ROLES_CHANGED,
                actor=None,
                target=user,
                agency=user.agency,
                details={"added": [Role.PROGRAMME_ORGANISER.value], "removed": [], "by": "lintas demo"},
            )
    return users


@transaction.atomic
def seed_demo_programmes() -> list[Edition]:
    """Create the programme, its 1st edition with sessions, experts and checklist, and the 2nd edition in planning;
    return the editions created (none on a second run)."""
    organisers = _organisers()
    if len(organisers) < len(DEMO_ORGANISERS):
        return []  # the demo users come first (seed_demo_users)
    secretariat, knpa = Agency.objects.get(code="aseanapol"), Agency.objects.get(code="knpa")
    actor = organisers["aseanapol.admin"]
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first() or services.create_programme(
        actor,
        name=PROGRAMME_NAME,
        description="An annual programme of the ASEANAPOL Secretariat and the Korean National Police Agency.",
    )
    if programme.editions.exists():
        return []
    first = services.create_edition(
        actor,
        programme,
        host_agency=knpa,
        co_organisers=[secretariat],
        title="1st Korea-ASEAN International Crime Capacity Building Programme",
        theme="Fostering Mutual Assistance against New Forms of Cyber-financial Crimes",
        aims="Share current cyber-financial crime trends and build the mutual assistance to counter them.",
        starts_on="2021-11-15",
        ends_on="2021-11-19",
        venue="Korean National Police Agency",
        address="97 Tongil-ro, Seodaemun-gu, Seoul, Republic of Korea",
        online_link="https://meet.example.org/korea-asean-2021",
        time_zone="Asia/Seoul",
        languages=["en", "ko"],
        status=EditionStatus.PLANNING,
    )
    experts = {}
    for name, title, organisation in EXPERTS:
        experts[name] = Expert.objects.filter(name=name).first() or services.add_expert(
            actor, name=name, title=title, organisation=organisation
        )
    for day, start, end, kind, topic, people in SESSIONS:
        services.add_session(
            actor,
            first,
            kind=kind,
            topic=topic,
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            room="Main hall",
            language="en",
            interpretation="English-Korean",
            experts=[(experts[name], role) for name, role in people],
        )
    for title, agency, due in [
        ("Confirm the dates and venue", knpa, "2021-08-31"),
        ("Invite member agencies", secretariat, "2021-09-15"),
        ("Confirm the experts", knpa, "2021-10-15"),
    ]:
        task = services.add_checklist_task(actor, first, title=title, owner_agency=agency, due_on=due)
        services.complete_checklist_task(actor, task)
    seed_demo_participation(actor, first)
    first = services.update_edition(actor, first, status=EditionStatus.COMPLETED)
    second = services.plan_next_edition(organisers["knpa.supervisor"], first)
    return [first, second]


# --- The 1st edition's report, public summary and certificates (decision 0042) --------------------------------------

REPORT_OUTCOMES = (
    "Officers of eight ASEAN member police forces, INTERPOL and the ASEANAPOL Secretariat shared current "
    "cyber-financial crime trends and agreed contact points for urgent stop-payment requests across borders."
)
REPORT_RECEPTION = (
    "The programme was well received by the participating agencies, on site and online; participants asked for more "
    "case studies and hands-on work."
)
REPORT_NEXT_EDITION = (
    "The ASEANAPOL Secretariat and KNPA agreed to make the programme an annual programme; the 2nd edition is in "
    "planning."
)


@transaction.atomic
def seed_report(edition: Edition) -> dict:
    """The report texts, the published public summary (every part ticked) and certificates for the participants who
    qualify, on whatever nominations and attendance exist. Idempotent: texts already written are kept, a published
    summary stays as it is, and participants holding a certificate keep it. Returns what was done now."""
    from lintas.programmes.models import EditionReport

    organisers = _organisers()
    actor = organisers.get("aseanapol.admin")
    if actor is None:
        return {"report": False, "published": False, "certificates": 0}
    from lintas.programmes.report import PUBLIC_PARTS

    current = EditionReport.objects.filter(edition=edition).first()
    wrote = False
    if current is None or not (current.outcomes or current.reception or current.next_edition_plan):
        services.update_report(
            actor,
            edition,
            outcomes=REPORT_OUTCOMES,
            reception=REPORT_RECEPTION,
            next_edition_plan=REPORT_NEXT_EDITION,
            public_parts=list(PUBLIC_PARTS),
        )
        wrote = True
    published = False
    if (
        edition.status == EditionStatus.COMPLETED
        and not EditionReport.objects.filter(edition=edition, published_at__isnull=False).exists()
    ):
        services.publish_report(actor, edition)
        published = True
    issued = []
    if edition.status in (EditionStatus.RUNNING, EditionStatus.COMPLETED):
        issued = services.issue_certificates(actor, edition)
    return {"report": wrote, "published": published, "certificates": len(issued)}


def seed_demo_reports() -> list[dict]:
    """``seed_report`` for the demo programme's completed editions; run last, after nominations, attendance and
    feedback are seeded."""
    editions = Edition.objects.filter(programme__name=PROGRAMME_NAME, status=EditionStatus.COMPLETED).select_related(
        "programme", "host_agency"
    )
    return [seed_report(edition) for edition in editions]


# --- Materials and feedback of the 1st edition (issue 16 items 4 and 5) ---------------------------------------------

# (session topic, kind, title, language, tlp, author, sections) rendered as small PDFs
DEMO_MATERIALS = [
    (
        "Current cybercrime trends",
        "slides",
        "Current cybercrime trends in the region (slides)",
        "en",
        "green",
        "Sen. Insp. Sang Eun LEE, KNPA",
        [
            ("Trends", ["Investment and romance scams run from call centres abroad", "Mule accounts rented online"]),
            ("What helps", ["Stop-payment requests within hours", "Shared identifiers across borders"]),
        ],
    ),
    (
        "Expert panel: mutual assistance against new forms of cyber-financial crimes",
        "paper",
        "Mutual assistance against new forms of cyber-financial crimes (panel paper)",
        "en",
        "amber",
        "Prof. JUNG Hye Ryun, Korean National Police University",
        [
            ("Questions for the panel", ["How fast can a freeze follow a report?", "Which channel for which request?"]),
            ("Conclusions", ["One contact point per agency, reachable 24/7", "An annual programme to keep it alive"]),
        ],
    ),
]
DEMO_RECORDING = (
    "Expert panel: mutual assistance against new forms of cyber-financial crimes",
    "Recording of the expert panel",
    "https://meet.example.org/korea-asean-2021/recordings/expert-panel",
)

SURVEY_INTRODUCTION = (
    "Thank you for taking part in the programme. Your answer is anonymous and helps us plan next year's edition."
)

# The language a participant of each agency answers in, and answers in that language (overall, comment, topics).
# Overall ratings average about 4.5: the programme was well received.
DEMO_ANSWERS = {
    "ko": [
        (
            5,
            "사례 중심의 강의가 매우 유익했습니다. 각국 담당자와 직접 연락처를 교환할 수 있어 좋았습니다.",
            "가상자산 추적",
        ),
        (4, "통역이 조금 더 빨랐으면 좋겠습니다.", "보이스피싱 콜센터 수사 공조"),
    ],
    "th": [
        (5, "การอภิปรายของผู้เชี่ยวชาญมีประโยชน์มาก ได้เรียนรู้วิธีการขอความร่วมมือระหว่างประเทศ", "การติดตามสกุลเงินดิจิทัล"),
        (4, "อยากให้มีเวลาถามตอบมากกว่านี้", "การอายัดบัญชีข้ามประเทศ"),
    ],
    "ms": [(5, "Sesi panel sangat bermanfaat untuk kerjasama serantau.", "Penipuan pelaburan dalam talian")],
    "id": [(4, "Materi sangat relevan dengan kasus yang kami tangani.", "Pelacakan aset kripto")],
    "vi": [(5, "Chương trình rất hữu ích, mong được tổ chức hàng năm.", "Lừa đảo đầu tư trực tuyến")],
    "en": [
        (5, "Excellent programme; the contacts made will speed up our requests.", "Tracing stablecoins on TRON"),
        (4, "More time for case studies would help.", "Money mule networks"),
    ],
}
AGENCY_LANGUAGE = {"knpa": "ko", "rtp": "th", "rmp": "ms", "rbpf": "ms", "inp": "id", "mps-vn": "vi"}


def _demo_pdf(edition: Edition, session, title: str, author: str, sections, tlp: str) -> bytes:
    from lintas.core.pdf import render_pdf

    context = {
        "edition": edition,
        "session": session,
        "title": title,
        "author": author,
        "sections": sections,
        "tlp": tlp,
    }
    return render_pdf("programmes/demo_material_pdf.html", context)


def seed_demo_materials(edition: Edition, actor: User) -> list:
    """The 1st edition's slides, panel paper and panel recording (a link); nothing when it has materials already."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lintas.programmes.models import Material

    if Material.objects.filter(session__edition=edition).exists():
        return []
    made = []
    for topic, kind, title, language, tlp, author, sections in DEMO_MATERIALS:
        session = edition.sessions.filter(topic=topic).first()
        if session is None:
            continue
        pdf = _demo_pdf(edition, session, title, author, sections, tlp)
        upload = SimpleUploadedFile(f"{kind}-{session.pk}.pdf", pdf, content_type="application/pdf")
        made.append(
            services.add_material(actor, session, kind=kind, title=title, language=language, tlp=tlp, upload=upload)
        )
    topic, title, link = DEMO_RECORDING
    session = edition.sessions.filter(topic=topic).first()
    if session is not None:
        made.append(
            services.add_material(actor, session, kind="recording", title=title, language="en", tlp="green", link=link)
        )
    return made


def seed_feedback(edition: Edition, actor: User | None = None) -> int:
    """Answers to ``edition``'s survey from its confirmed participants who have an account and have not answered
    yet, in their agency's language (Korean and Thai among them), well received overall (about 4.5 of 5); the
    survey's introduction set if it has none. Opens the survey for the answers and closes it again if it was
    closed. Works on whatever confirmed nominations exist; returns how many answers it added (0 on a second run)."""
    from lintas.programmes.choices import NominationStatus
    from lintas.programmes.feedback import rateable_sessions, survey_of

    actor = actor or User.objects.filter(username=DEMO_ORGANISERS[0]).first()
    pending = list(
        edition.nominations.filter(status=NominationStatus.CONFIRMED, user__isnull=False, feedback_receipt=None)
        .select_related("user", "agency")
        .order_by("pk")
    )
    survey = survey_of(edition)
    if survey is None or not survey.introduction:
        survey = services.update_survey(actor, edition, introduction=SURVEY_INTRODUCTION)
    if not pending:
        return 0
    was_open = survey.is_open
    if not was_open:
        services.update_survey(actor, edition, is_open=True)
    taken: dict[str, int] = {}
    for index, nomination in enumerate(pending):
        language = AGENCY_LANGUAGE.get(nomination.agency.code, "en")
        answers = DEMO_ANSWERS[language]
        overall, comment, topics = answers[taken.get(language, 0) % len(answers)]
        taken[language] = taken.get(language, 0) + 1
        sessions = list(rateable_sessions(nomination))
        ratings = {s.pk: 5 if (i + index) % 3 else 4 for i, s in enumerate(sessions)}
        panel = next((s for s in sessions if s.kind == "panel"), sessions[0] if sessions else None)
        with translation.override(language):
            services.give_feedback(
                nomination.user,
                edition,
                overall_rating=overall,
                ratings=ratings,
                most_useful=panel.pk if panel and index % 4 else (sessions[1].pk if len(sessions) > 1 else None),
                comments=comment,
                topics_wanted=topics,
                language=language,
            )
    if not was_open:
        services.update_survey(actor, edition, is_open=False)
    return len(pending)


@transaction.atomic
def seed_demo_materials_and_feedback() -> dict:
    """Items 4 and 5 of the demo: the 1st edition's materials, its survey and its participants' answers. Runs after
    every other part of the programmes demo (so it sees the nominations); idempotent."""
    organisers = _organisers()
    first = Edition.objects.filter(programme__name=PROGRAMME_NAME, number=1).first()
    if first is None or "knpa.supervisor" not in organisers:
        return {"materials": 0, "answers": 0}
    actor = organisers["knpa.supervisor"]
    materials = seed_demo_materials(first, actor)
    return {"materials": len(materials), "answers": seed_feedback(first, actor)}


# --- Seats, nominations and attendance of the 1st edition (decision 0040) -------------------------------------------
# (agency code, mode, seats, officer without an account: name, rank, unit, language). Each agency's admin also
# nominates its demo investigator (INTERPOL's too; the Secretariat its liaison officer), so participants can sign in.
PARTICIPANTS = [
    ("rmp", "on_site", 2, ("Nurul Aina binti Hassan", "Inspector", "Commercial Crime Investigation Department", "ms")),
    ("cnp", "on_site", 2, ("Sok Dara", "Captain", "Anti-Cybercrime Department", "km")),
    ("inp", "on_site", 2, ("Rina Wulandari", "AKP", "Directorate of Cyber Crime (Dittipidsiber)", "id")),
    ("pnp", "on_site", 2, ("Maria Santos", "Police Captain", "Anti-Cybercrime Group", "en")),
    ("rtp", "on_site", 2, ("Somchai Kittisak", "Police Captain", "Cyber Crime Investigation Bureau", "th")),
    ("mps-vn", "on_site", 2, ("Nguyen Van An", "Major", "Department of Cyber Security and High-Tech Crime", "vi")),
    ("spf", "online", 2, ("Tan Wei Ming", "ASP", "Anti-Scam Command", "en")),
    ("rbpf", "online", 2, ("Hajah Siti Aminah", "Inspector", "Commercial Crime Investigation Division", "ms")),
    ("interpol", "on_site", 1, None),
    ("aseanapol", "on_site", 2, ("Aisyah Rahman", "Ms.", "ASEANAPOL Secretariat, Police Services", "en")),
]
# (agency code, "user" or "guest", session index): recorded absent; everyone else attended every session.
ABSENCES = {("cnp", "guest", 2), ("inp", "user", 4), ("rbpf", "guest", 3), ("pnp", "user", 1)}


def _guest_email(name: str, code: str) -> str:
    return f"{'.'.join(name.lower().split()[:2])}@{code}.demo.invalid"


def _admin_of(code: str) -> User | None:
    agency = Agency.objects.get(code=code)
    return User.objects.filter(username=f"{code}.admin" if agency.is_secretariat else f"{code}.supervisor").first()


def seed_demo_participation(actor: User, edition: Edition) -> int:
    """Open ``edition`` for nominations, set its seats, let each agency's admin nominate (a demo user and an officer
    without an account), confirm them all, and record attendance: on site by the organisers, online by joining
    through Lintas (users) and by the platform's export (officers without accounts); a few absences. Returns the
    participants confirmed. Called once, while the edition is made (the demo is idempotent above it)."""
    services.update_edition(actor, edition, status=EditionStatus.OPEN_FOR_NOMINATIONS)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[row[0] for row in PARTICIPANTS])}
    services.set_seats(actor, edition, [(agencies[code], mode, seats) for code, mode, seats, _g in PARTICIPANTS])
    people: dict[tuple[str, str], object] = {}
    for code, mode, _seats, guest in PARTICIPANTS:
        admin = _admin_of(code)
        if admin is None:
            continue
        officer = User.objects.filter(username=f"{code}.liaison" if code == "aseanapol" else f"{code}.investigator")
        if officer.exists():
            people[(code, "user")] = services.nominate(admin, edition, mode=mode, user=officer.get())
        if guest is not None:
            name, rank, unit, language = guest
            people[(code, "guest")] = services.nominate(
                admin, edition, mode=mode, name=name, rank=rank, unit=unit, email=_guest_email(name, code),
                language=language,
            )  # fmt: skip
    services.decide_nominations(actor, edition, list(people.values()), "confirmed")
    services.update_edition(actor, edition, status=EditionStatus.RUNNING)
    sessions = list(edition.sessions.order_by("starts_at"))
    export = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    for index, session in enumerate(sessions):
        on_site, absent = [], []
        for (code, kind), nomination in people.items():
            if (code, kind, index) in ABSENCES:
                absent.append(nomination)
            elif nomination.mode == "on_site":
                on_site.append(nomination)
            elif nomination.user is not None:
                services.join_online(nomination.user, session, now=session.starts_at - dt.timedelta(minutes=3))
            else:
                joined = session.starts_at.astimezone(SEOUL) - dt.timedelta(minutes=2)
                left = session.ends_at.astimezone(SEOUL)
                minutes = int((left - joined).total_seconds() // 60)
                export.append(
                    f"{nomination.name},{nomination.email},{joined:%m/%d/%Y %I:%M:%S %p},{left:%m/%d/%Y %I:%M:%S %p},"
                    f"{minutes},Yes"
                )
        services.record_attendance(actor, session, on_site, True)
        if absent:
            services.record_attendance(actor, session, absent, False)
    services.import_attendance(actor, edition, ("\n".join(export) + "\n").encode(), file_name="zoom-participants.csv")
    return len(people)
