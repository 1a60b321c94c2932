"""Demo data for story 4: the 1st Korea-ASEAN International Crime Capacity Building Programme (15-19 November 2021,
hosted by KNPA, completed) and its 2nd edition in planning, made by "plan the next edition". Demo mode only;
idempotent: a second run finds the editions and changes nothing."""

import datetime as dt
import zoneinfo

from django.db import transaction

from lintas.accounts.choices import Role
from lintas.accounts.models import User, UserRole
from lintas.agencies.models import Agency
from lintas.programmes import services
from lintas.programmes.choices import EditionStatus, SessionKind
from lintas.programmes.models import Edition, Expert, Programme

__all__ = ["DEMO_ORGANISERS", "PROGRAMME_NAME", "seed_demo_participation", "seed_demo_programmes"]

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
        UserRole.objects.get_or_create(user=user, role=Role.PROGRAMME_ORGANISER)
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
