"""Every write, tried by a user of the right agency who lacks the documented role: refused, audited, nothing written.

``test_access_matrix`` checks who may reach an endpoint at all (anonymous, another agency, the owner agency); this
matrix checks roles inside the agency. Each entry names one write (an API operation with a read-write token, or a page
with a complete session), the users who must be refused and, for the API, one user who holds the role: the same
request succeeds for them, so the refusal is the role's and not that of bad input.

A new API write fails ``test_every_api_write_is_in_the_role_matrix`` until it is listed here or in ``NO_ROLE_NEEDED``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.models import ApiToken
from lintas.accounts.tests.factories import TEST_PASSWORD
from lintas.agencies.models import Agency
from lintas.api import api
from lintas.assistance import services as assistance
from lintas.assistance.models import CountryCapability
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.tests.helpers import record
from lintas.matching import services as matching

pytestmark = pytest.mark.django_db

SHARED = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

# Users by the roles they hold. "without" in a test id means: lacks the role that write needs.
USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "spf admin": ("spf", (Role.AGENCY_ADMIN,)),
    # An agency admin grants only roles they hold: the control for user writes grants analyst and investigator.
    "spf manager": ("spf", (Role.AGENCY_ADMIN, Role.ANALYST, Role.INVESTIGATOR)),
    "spf non-admin": ("spf", (Role.INVESTIGATOR, Role.ANALYST, Role.LIAISON_OFFICER, Role.SUPERVISOR)),
    "spf liaison": ("spf", (Role.LIAISON_OFFICER,)),
    "spf investigator": ("spf", (Role.INVESTIGATOR,)),
    "spf supervisor": ("spf", (Role.SUPERVISOR,)),
    "pntl admin": ("pntl", (Role.AGENCY_ADMIN,)),
    "pntl analyst": ("pntl", (Role.ANALYST,)),
    "pntl investigator": ("pntl", (Role.INVESTIGATOR,)),
    "pntl liaison": ("pntl", (Role.LIAISON_OFFICER,)),
    "spf organiser": ("spf", (Role.PROGRAMME_ORGANISER,)),
    "secretariat admin": ("aseanapol", (Role.AGENCY_ADMIN, Role.SUPERVISOR)),
    "secretariat organiser": ("aseanapol", (Role.PROGRAMME_ORGANISER,)),
}
PROGRAMME_NOT = ("spf admin", "spf non-admin")  # programme writes need the organiser role (host or Secretariat)
NOMINATE_NOT = ("spf non-admin", "spf organiser")  # nominating and withdrawing need the agency admin role
NEXT_DATES = {"starts_on": "2028-11-13", "ends_on": "2028-11-17"}
NEW_SESSION = {"kind": "lecture", "topic": "t", "starts_at": "2027-11-16T10:00", "ends_at": "2027-11-16T11:00"}

# How a request drafted by SPF for PNTL reaches each status, and who moves it there.
WALK = [
    ("awaiting_approval", "submit", "spf investigator"),
    ("sent", "approve", "spf supervisor"),
    ("acknowledged", "acknowledge", "pntl liaison"),
    ("answered_fully", "answer_fully", "pntl liaison"),
]


class World:
    """The objects a write needs, made on first use so that each test pays only for its own."""

    moved = None  # the request a transition entry targets, made by its url and read by its data

    def __init__(self, make_user, platform_admin):
        self._make_user, self.platform_admin, self._users = make_user, platform_admin, {}

    def user(self, key: str):
        if key == "platform admin":
            return self.platform_admin
        if key not in self._users:
            agency, roles = USERS[key]
            self._users[key] = self._make_user(agency, roles=roles, username=key.replace(" ", "."))
        return self._users[key]

    @cached_property
    def case(self):
        return record(self.user("spf investigator"), [SHARED], title="Role matrix case")[0]

    @cached_property
    def target(self):
        """An SPF user whose roles and status the managers of SPF may change."""
        return self._make_user("spf", roles=(Role.ANALYST,), username="spf.target")

    @cached_property
    def duty_shift(self):
        import datetime as dt

        from django.utils import timezone

        from lintas.agencies.services import add_shift

        now = timezone.now()
        supervisor = self.user("spf supervisor")
        return add_shift(
            supervisor,
            supervisor.agency,
            officer_id=self.user("spf liaison").pk,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=8),
        )

    @cached_property
    def benign(self):
        return matching.add_benign(self.platform_admin, value="+6561234567", type=None, category="other", reason="x")

    @cached_property
    def capability(self):
        return CountryCapability.objects.filter(agency__code="spf").order_by("pk").first()

    @cached_property
    def edition(self):
        """A confirmed edition hosted by SPF: every SPF user reads it, only SPF's organisers change it."""
        from lintas.programmes import services as programmes
        from lintas.programmes.models import Programme

        programme = Programme.objects.create(
            name="Role matrix", coordinating_agency=Agency.objects.get(code="aseanapol")
        )
        organiser = self.user("spf organiser")
        edition = programmes.create_edition(
            organiser, programme, host_agency=organiser.agency, title="Role matrix edition", starts_on="2027-11-15",
            ends_on="2027-11-19", time_zone="Asia/Singapore", status="confirmed",
        )  # fmt: skip
        self.session = programmes.add_session(
            organiser, edition, kind="opening", topic="Opening", starts_at="2027-11-15T09:00",
            ends_at="2027-11-15T10:00",
        )  # fmt: skip
        self.task = programmes.add_checklist_task(organiser, edition, title="Book", owner_agency=organiser.agency)
        expert = programmes.add_expert(organiser, name="Role matrix expert")
        programmes.update_session(organiser, self.session, experts=[(expert, "speaker")])
        self.expert = expert
        return edition

    @cached_property
    def nomination(self):
        """A confirmed SPF participant of the edition (online, within SPF's seats) with an e-mail address."""
        from lintas.programmes import services as programmes
        from lintas.programmes.models import Nomination

        programmes.set_seats(self.user("spf organiser"), self.edition, [(Agency.objects.get(code="spf"), "online", 1)])
        return Nomination.objects.create(
            edition=self.edition, agency=Agency.objects.get(code="spf"), mode="online", name="Participant",
            email="participant@spf.example", status="confirmed",
        )  # fmt: skip

    @cached_property
    def open_edition(self):
        """An SPF-hosted edition open for nominations: SPF's admins nominate to it."""
        from lintas.programmes import services as programmes

        return programmes.create_edition(
            self.user("spf organiser"), self.edition.programme, host_agency=Agency.objects.get(code="spf"),
            title="Open edition", starts_on="2028-11-13", ends_on="2028-11-17", status="open_for_nominations",
        )  # fmt: skip

    @cached_property
    def expert_link(self):
        from lintas.programmes import services as programmes

        self.edition  # noqa: B018 - makes the expert
        return programmes.create_expert_link(self.user("spf organiser"), self.edition, self.expert)[0]

    def request(self, status: str = "draft", priority: str = "routine"):
        item = assistance.draft_request(
            self.user("spf investigator"),
            receivers=[Agency.objects.get(code="pntl")],
            type="stop_payment",
            priority=priority,
            subject="Role matrix",
            asked="Freeze the account",
        )[0]
        for reached, action, who in WALK:
            if item.status == status:
                break
            item = assistance.transition(self.user(who), item, action, version=item.version)
            assert item.status == reached
        assert item.status == status
        return item


@dataclass(frozen=True)
class Write:
    operation: str  # "METHOD /api/v1/path" as in the OpenAPI schema, or a page's URL name
    method: str
    url: Callable[[World], str]
    refused: tuple[str, ...]  # users (keys of USERS) of the right agency without the role
    allowed: str | None = None  # API: a user with the role, for whom the same request succeeds
    data: Callable[[World], object] = field(default=lambda w: {})
    ndjson: bool = False  # API body: one JSON object per line instead of one JSON document
    multipart: bool = False  # API body: a form with files (``data`` gives the fields and files)
    status: int = 403

    @property
    def is_api(self) -> bool:
        return self.operation.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE "))


CASE_WRITERS_NOT = ("spf liaison", "spf admin")  # case writing needs investigator, analyst or supervisor
SPF_NON_ADMIN = ("spf non-admin",)  # every role but agency admin
NEW_CASE = {"title": "Made by the matrix", "crime_type": "romance_fraud"}
NEW_DRAFT = {"receivers": ["pntl"], "type": "general", "subject": "s", "asked": "a"}
DRAFT_FORM = {
    **NEW_DRAFT,
    "priority": "routine",
    "legal_basis": "police_to_police",
    "handling_code": "H0",
    "tlp": "amber",
    "language": "en",
}

WRITES: dict[str, Write] = {
    # --- API
    "api agency patch": Write(
        "PATCH /api/v1/agencies/{code}",
        "patch",
        lambda w: "/api/v1/agencies/spf",
        SPF_NON_ADMIN,
        "spf manager",
        data=lambda w: {"contact_24_7": "+65 6000 0000"},
    ),
    "api user create": Write(
        "POST /api/v1/users",
        "post",
        lambda w: "/api/v1/users",
        SPF_NON_ADMIN,
        "spf manager",
        data=lambda w: {"username": "made.by.matrix", "password": TEST_PASSWORD, "roles": [Role.INVESTIGATOR]},
    ),
    "api user roles": Write(
        "PUT /api/v1/users/{user_id}/roles",
        "put",
        lambda w: f"/api/v1/users/{w.target.pk}/roles",
        SPF_NON_ADMIN,
        "spf manager",
        data=lambda w: {"roles": [Role.ANALYST, Role.INVESTIGATOR]},
    ),
    "api user active": Write(
        "PUT /api/v1/users/{user_id}/active",
        "put",
        lambda w: f"/api/v1/users/{w.target.pk}/active",
        SPF_NON_ADMIN,
        "spf manager",
        data=lambda w: {"is_active": False},
    ),
    "api case create": Write(
        "POST /api/v1/cases/",
        "post",
        lambda w: "/api/v1/cases/",
        CASE_WRITERS_NOT,
        "spf investigator",
        lambda w: NEW_CASE,
    ),
    "api case patch": Write(
        "PATCH /api/v1/cases/{case_id}",
        "patch",
        lambda w: f"/api/v1/cases/{w.case.pk}",
        CASE_WRITERS_NOT,
        "spf investigator",
        data=lambda w: {"title": "Renamed by the matrix"},
    ),
    "api case identifiers": Write(
        "POST /api/v1/cases/{case_id}/identifiers",
        "post",
        lambda w: f"/api/v1/cases/{w.case.pk}/identifiers",
        CASE_WRITERS_NOT,
        "spf investigator",
        data=lambda w: {"identifiers": [{"value": "+6591234567"}]},
    ),
    "api case bulk": Write(
        "POST /api/v1/cases/bulk",
        "post",
        lambda w: "/api/v1/cases/bulk",
        CASE_WRITERS_NOT,
        "spf investigator",
        data=lambda w: [{**NEW_CASE, "external_reference": "RM-1", "identifiers": ["+6591234567"]}],
        ndjson=True,
    ),
    "api case import": Write(
        "POST /api/v1/cases/imports",
        "post",
        lambda w: "/api/v1/cases/imports",
        CASE_WRITERS_NOT,
        "spf investigator",
        data=lambda w: [{**NEW_CASE, "external_reference": "RM-2", "identifiers": ["+6591234567"]}],
        ndjson=True,
    ),
    "api benign add": Write(
        "POST /api/v1/benign",
        "post",
        lambda w: "/api/v1/benign",
        ("spf admin", "spf non-admin"),
        "platform admin",
        data=lambda w: {"value": "+6561234568", "reason": "hotline"},
    ),
    "api benign remove": Write(
        "DELETE /api/v1/benign/{benign_id}",
        "delete",
        lambda w: f"/api/v1/benign/{w.benign.pk}",
        ("spf admin", "spf non-admin"),
        "platform admin",
    ),
    "api request draft": Write(
        "POST /api/v1/requests/",
        "post",
        lambda w: "/api/v1/requests/",
        ("spf admin",),
        "spf investigator",
        lambda w: NEW_DRAFT,
    ),
    "api request outcome": Write(
        "POST /api/v1/requests/{request_id}/outcome",
        "post",
        lambda w: f"/api/v1/requests/{w.request('acknowledged').pk}/outcome",
        ("pntl analyst", "pntl admin"),
        "pntl investigator",
        data=lambda w: {"amount_frozen": 1000, "note": "frozen"},
    ),
    # --- pages (refusals before any form is read: the data only needs to look like the real form's)
    "page agency edit": Write(
        "agencies:edit",
        "post",
        lambda w: "/directory/spf/edit/",
        SPF_NON_ADMIN,
        data=lambda w: {"contact_24_7": "+65 6000 0000", "languages": "en", "time_zone": "Asia/Singapore"},
    ),
    # The duty roster (decision 0048): admins and supervisors keep shifts; only admins set the escalation time.
    "page duty shift add": Write(
        "agencies:duty_shift_add",
        "post",
        lambda w: "/directory/spf/duty/shifts/",
        ("spf liaison", "spf investigator", "spf organiser"),
        data=lambda w: {
            "officer": w.user("spf liaison").pk,
            "starts_at": "2030-01-01T08:00",
            "ends_at": "2030-01-01T20:00",
            "position": "1",
        },
    ),
    "page duty shift remove": Write(
        "agencies:duty_shift_remove",
        "post",
        lambda w: f"/directory/spf/duty/shifts/{w.duty_shift.pk}/remove/",
        ("spf liaison", "spf investigator", "spf organiser"),
    ),
    "page duty escalation": Write(
        "agencies:duty_escalation",
        "post",
        lambda w: "/directory/spf/duty/escalation/",
        (*SPF_NON_ADMIN, "spf supervisor"),
        data=lambda w: {"escalate_after_minutes": "20"},
    ),
    "page user create": Write(
        "accounts:user_create",
        "post",
        lambda w: "/users/new/",
        SPF_NON_ADMIN,
        data=lambda w: {"username": "made.by.matrix", "password": TEST_PASSWORD, "roles": [Role.INVESTIGATOR]},
    ),
    "page user roles": Write(
        "accounts:user_detail",
        "post",
        lambda w: f"/users/{w.target.pk}/",
        SPF_NON_ADMIN,
        data=lambda w: {"action": "roles", "roles": [Role.ANALYST, Role.INVESTIGATOR]},
    ),
    "page user disable": Write(
        "accounts:user_detail",
        "post",
        lambda w: f"/users/{w.target.pk}/",
        SPF_NON_ADMIN,
        data=lambda w: {"action": "disable"},
    ),
    "page case create": Write(
        "cases:create",
        "post",
        lambda w: "/cases/new/",
        CASE_WRITERS_NOT,
        data=lambda w: {**NEW_CASE, "status": "open", "distribution": "owner", "tlp": "amber", "handling_code": "H0"},
    ),
    "page case edit": Write(
        "cases:edit", "post", lambda w: f"/cases/{w.case.pk}/edit/", CASE_WRITERS_NOT, data=lambda w: {"title": "x"}
    ),
    "page case identifiers": Write(
        "cases:add_identifiers",
        "post",
        lambda w: f"/cases/{w.case.pk}/identifiers/",
        CASE_WRITERS_NOT,
        data=lambda w: {"identifiers": "+6591234567"},
    ),
    "page exchange rates": Write(
        "cases:exchange_rates",
        "post",
        lambda w: "/cases/exchange-rates/",
        ("spf admin", "spf non-admin"),
        data=lambda w: {"file": SimpleUploadedFile("rates.csv", b"month,currency,usd_per_unit\n2024-01,EUR,1.09\n")},
    ),
    "page benign add": Write(
        "matching:benign",
        "post",
        lambda w: "/benign/",
        ("spf admin",),
        data=lambda w: {"value": "+6561234569", "category": "other", "reason": "hotline"},
    ),
    "page benign remove": Write(
        "matching:benign", "post", lambda w: "/benign/", ("spf admin",), data=lambda w: {"remove": w.benign.pk}
    ),
    "page request draft": Write(
        "assistance:draft", "post", lambda w: "/requests/new/", ("spf admin",), data=lambda w: DRAFT_FORM
    ),
    "page request outcome": Write(
        "assistance:outcome",
        "post",
        lambda w: f"/requests/{w.request('acknowledged').pk}/outcome/",
        ("pntl analyst", "pntl admin"),
        data=lambda w: {"amount_frozen": "1000", "note": "frozen"},
    ),
    "page capabilities": Write(
        "assistance:capabilities",
        "post",
        lambda w: "/requests/capabilities/",
        SPF_NON_ADMIN,
        data=lambda w: {"row": w.capability.pk, "documents": "changed by the matrix"},
    ),
}

# Request transitions: (action, the status it starts from, priority, users without the role, a user with it, reason).
TRANSITIONS = [
    ("submit", "draft", "routine", ("spf admin",), "spf investigator", ""),
    ("withdraw", "draft", "routine", ("spf admin",), "spf investigator", ""),
    ("approve", "awaiting_approval", "routine", ("spf liaison", "spf investigator"), "spf supervisor", ""),
    ("return", "awaiting_approval", "routine", ("spf liaison", "spf investigator"), "spf supervisor", ""),
    ("send_now", "draft", "urgent", ("spf investigator", "spf liaison"), "spf supervisor", ""),
    ("acknowledge", "sent", "routine", ("pntl investigator", "pntl admin"), "pntl liaison", ""),
    ("decline", "sent", "routine", ("pntl investigator", "pntl analyst"), "pntl liaison", "Not our jurisdiction"),
    ("start", "acknowledged", "routine", ("pntl analyst", "pntl admin"), "pntl investigator", ""),
    ("answer_partly", "acknowledged", "routine", ("pntl analyst", "pntl admin"), "pntl investigator", ""),
    ("answer_fully", "acknowledged", "routine", ("pntl analyst", "pntl admin"), "pntl investigator", ""),
    ("close", "answered_fully", "routine", ("spf admin",), "spf investigator", ""),
]


def _moving(action, status, priority, reason):
    def url(w, prefix):
        w.moved = w.request(status, priority)  # data() names the version of this request
        return f"{prefix}/{w.moved.pk}/{action}" + ("/" if prefix == "/requests" else "")

    def data(w):
        return {"version": w.moved.version, "reason": reason}

    return url, data


for _action, _status, _priority, _refused, _allowed, _reason in TRANSITIONS:
    _url, _data = _moving(_action, _status, _priority, _reason)
    WRITES[f"api request {_action}"] = Write(
        "POST /api/v1/requests/{request_id}/{action}",
        "post",
        lambda w, url=_url: url(w, "/api/v1/requests"),
        _refused,
        _allowed,
        data=_data,
    )
    # The page answers every refused move with a redirect back to the request and a message (audited).
    WRITES[f"page request {_action}"] = Write(
        "assistance:move", "post", lambda w, url=_url: url(w, "/requests"), _refused, data=_data, status=302
    )

# Programmes: the organiser role in the host agency (or the Secretariat); the edition is confirmed, so SPF reads it.
WRITES.update(
    {
        # Programmes are started by the Secretariat's organisers only: not its admin, not a host's organiser.
        "api programme create": Write(
            "POST /api/v1/programmes/programmes",
            "post",
            lambda w: "/api/v1/programmes/programmes",
            ("secretariat admin", "spf organiser"),
            "secretariat organiser",
            data=lambda w: {"name": "Started by the role matrix"},
        ),
        "page programme create": Write(
            "programmes:programme_create",
            "post",
            lambda w: "/programmes/new/",
            ("secretariat admin", "spf organiser"),
            data=lambda w: {"name": "Started by the role matrix"},
        ),
        "api edition create": Write(
            "POST /api/v1/programmes/editions",
            "post",
            lambda w: "/api/v1/programmes/editions" if w.edition else "",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"programme": "Role matrix", "host_agency": "spf", "title": "2nd", **NEXT_DATES},
        ),
        "api edition patch": Write(
            "PATCH /api/v1/programmes/editions/{edition_id}",
            "patch",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"theme": "changed"},
        ),
        "api session add": Write(
            "POST /api/v1/programmes/editions/{edition_id}/sessions",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/sessions",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: NEW_SESSION,
        ),
        "api session patch": Write(
            "PATCH /api/v1/programmes/editions/{edition_id}/sessions/{session_id}",
            "patch",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/sessions/{w.session.pk}",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"room": "Hall B"},
        ),
        "page edition create": Write(
            "programmes:edition_create",
            "post",
            lambda w: "/programmes/editions/new/" if w.edition else "",
            PROGRAMME_NOT,
            data=lambda w: {"title": "x", "host_agency": "spf", **NEXT_DATES},
        ),
        "page edition edit": Write(
            "programmes:edition_edit",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/edit/",
            PROGRAMME_NOT,
            data=lambda w: {"title": "changed"},
        ),
        "page plan next": Write(
            "programmes:plan_next", "post", lambda w: f"/programmes/editions/{w.edition.pk}/plan-next/", PROGRAMME_NOT
        ),
        "page session add": Write(
            "programmes:session_create",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/sessions/new/",
            PROGRAMME_NOT,
            data=lambda w: NEW_SESSION,
        ),
        "page session edit": Write(
            "programmes:session_edit",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/sessions/{w.session.pk}/edit/",
            PROGRAMME_NOT,
            data=lambda w: {**NEW_SESSION, "topic": "changed"},
        ),
        "page task add": Write(
            "programmes:task_create",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/checklist/new/",
            PROGRAMME_NOT,
            data=lambda w: {"title": "t", "owner_agency": "spf"},
        ),
        "page task done": Write(
            "programmes:task_done",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/checklist/{w.task.pk}/done/",
            PROGRAMME_NOT,
        ),
        # Certificates and the report (decision 0042): the edition is confirmed, so issuing and publishing would be
        # refused for the organiser too (422): no control for those; certificate and nomination ids name nothing,
        # the organiser check comes before their lookup.
        "api certificates issue": Write(
            "POST /api/v1/programmes/editions/{edition_id}/certificates",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/certificates",
            PROGRAMME_NOT,
        ),
        "api certificate revoke": Write(
            "POST /api/v1/programmes/editions/{edition_id}/certificates/{certificate_id}/revoke",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/certificates/999/revoke",
            PROGRAMME_NOT,
        ),
        "api report patch": Write(
            "PATCH /api/v1/programmes/editions/{edition_id}/report",
            "patch",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/report",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"reception": "Well received", "public_parts": ["theme", "reception"]},
        ),
        "api report publish": Write(
            "POST /api/v1/programmes/editions/{edition_id}/report/publish",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/report/publish",
            PROGRAMME_NOT,
            data=lambda w: {"published": True},
        ),
        "page report edit": Write(
            "programmes:report_edit",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/report/edit/",
            PROGRAMME_NOT,
            data=lambda w: {"reception": "Well received"},
        ),
        "page report publish": Write(
            "programmes:report_publish",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/report/publish/",
            PROGRAMME_NOT,
            data=lambda w: {"published": "1"},
        ),
        "page certificates issue": Write(
            "programmes:certificates_issue",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/certificates/issue/",
            PROGRAMME_NOT,
        ),
        "page certificate issue one": Write(
            "programmes:certificate_issue_one",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/nominations/999/certificate/",
            PROGRAMME_NOT,
        ),
        "page certificate revoke": Write(
            "programmes:certificate_revoke",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/certificates/999/revoke/",
            PROGRAMME_NOT,
        ),
        "api seats put": Write(
            "PUT /api/v1/programmes/editions/{edition_id}/seats",
            "put",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/seats",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"seats": [{"agency": "spf", "mode": "online", "seats": 3}]},
        ),
        "api nominate": Write(
            "POST /api/v1/programmes/editions/{edition_id}/nominations",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.open_edition.pk}/nominations",
            NOMINATE_NOT,
            "spf admin",
            data=lambda w: {"mode": "online", "name": "Insp. Tan", "email": "tan@spf.example"},
        ),
        "api nominations decide": Write(
            "POST /api/v1/programmes/editions/{edition_id}/nominations/decide",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/nominations/decide",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"nomination_ids": [w.nomination.pk], "decision": "wait_listed"},
        ),
        "api nomination withdraw": Write(
            # Others of SPF do not see the nomination at all (404); the organisers see it but do not withdraw.
            "POST /api/v1/programmes/editions/{edition_id}/nominations/{nomination_id}/withdraw",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/nominations/{w.nomination.pk}/withdraw",
            ("spf organiser",),
            "spf admin",
        ),
        "api attendance record": Write(
            "POST /api/v1/programmes/editions/{edition_id}/attendance",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/attendance",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"session_id": w.session.pk, "nomination_ids": [w.nomination.pk]},
        ),
        "api attendance import": Write(
            "POST /api/v1/programmes/editions/{edition_id}/attendance/import",
            "post",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/attendance/import",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {
                "file": SimpleUploadedFile("export.csv", f"Name,Email\nP,{w.nomination.email}\n".encode()),
                "session": w.session.pk,
            },
            multipart=True,
        ),
        "page seats": Write(
            "programmes:seats",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/seats/",
            PROGRAMME_NOT,
            data=lambda w: {"spf__online": "2"},
        ),
        "page nominate": Write(
            "programmes:nominate",
            "post",
            lambda w: f"/programmes/editions/{w.open_edition.pk}/nominate/",
            NOMINATE_NOT,
            data=lambda w: {"mode": "online", "name": "Insp. Tan"},
        ),
        "page nomination withdraw": Write(
            "programmes:nomination_withdraw",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/nominations/{w.nomination.pk}/withdraw/",
            NOMINATE_NOT,
        ),
        "page nominations decide": Write(
            "programmes:participants",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/participants/",
            PROGRAMME_NOT,
            data=lambda w: {"nominations": [w.nomination.pk], "decision": "declined"},
        ),
        "page attendance mark": Write(
            "programmes:attendance_mark",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/attendance/{w.session.pk}/{w.nomination.pk}/",
            PROGRAMME_NOT,
            data=lambda w: {"present": "1"},
        ),
        "page attendance all present": Write(
            "programmes:attendance_all_present",
            "post",
            lambda w: (
                f"/programmes/editions/{w.edition.pk}/attendance/{w.session.pk}/all-present/" if w.nomination else ""
            ),
            PROGRAMME_NOT,
        ),
        "page attendance import": Write(
            "programmes:attendance_import",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/attendance/import/",
            PROGRAMME_NOT,
            data=lambda w: {"file": SimpleUploadedFile("e.csv", f"Name,Email\nP,{w.nomination.email}\n".encode())},
        ),
        "page session join": Write(  # only the edition's confirmed participants join
            "programmes:session_join",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/sessions/{w.session.pk}/join/",
            ("spf admin", "spf organiser"),
        ),
        "page expert link create": Write(
            "programmes:expert_links",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/expert-links/",
            PROGRAMME_NOT,
            data=lambda w: {"expert": w.expert.pk, "days": "7"},
        ),
        "page expert link revoke": Write(
            "programmes:expert_link_revoke",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/expert-links/{w.expert_link.pk}/revoke/",
            PROGRAMME_NOT,
        ),
        "page expert add": Write(
            "programmes:expert_create",
            "post",
            lambda w: "/programmes/experts/new/",
            PROGRAMME_NOT,
            data=lambda w: {"name": "Someone"},
        ),
        "api survey patch": Write(
            "PATCH /api/v1/programmes/editions/{edition_id}/survey",
            "patch",
            lambda w: f"/api/v1/programmes/editions/{w.edition.pk}/survey",
            PROGRAMME_NOT,
            "spf organiser",
            data=lambda w: {"introduction": "Tell us", "is_open": True},
        ),
        # The survey's settings exist for the edition's organisers only: 404 for every other reader of the edition.
        "page survey edit": Write(
            "programmes:survey_edit",
            "post",
            lambda w: f"/programmes/editions/{w.edition.pk}/survey/",
            PROGRAMME_NOT,
            data=lambda w: {"introduction": "Tell us", "is_open": "on"},
            status=404,
        ),
    }
)

# API writes any signed-in member may make: the object-level rules (own agency, own token, one of a request's two
# agencies) are checked by test_access_matrix and the apps' own tests, not a role.
NO_ROLE_NEEDED = {
    "POST /api/v1/identifiers/normalize": "a pure function of the input; writes nothing",
    "POST /api/v1/identifiers/extract": "a pure function of the input; writes nothing",
    "POST /api/v1/lookup": "a read (audited) sent as POST for long value lists",
    "POST /api/v1/notifications/read": "marks the caller's own notifications read",
    "POST /api/v1/tokens": "the caller's own token, from a signed-in session only",
    "DELETE /api/v1/tokens/{token_id}": "revokes the caller's own token",
    "POST /api/v1/hits/{hit_id}/request-details": "any member of an agency party to the hit may ask",
    "POST /api/v1/requests/{request_id}/messages": "any member of the request's two agencies may write",
    "POST /api/v1/requests/{request_id}/attachments": "any member of the request's two agencies may attach",
    # Programme materials and answers: who may is a relation to the edition, not a role (decision 0041); tested in
    # programmes/tests/test_materials_and_feedback.py and test_access_matrix.
    "POST /api/v1/programmes/editions/{edition_id}/sessions/{session_id}/materials": "the edition's organisers and "
    "the session's own experts",
    "DELETE /api/v1/programmes/editions/{edition_id}/materials/{material_id}": "the edition's organisers and the "
    "material's uploader",
    "POST /api/v1/programmes/editions/{edition_id}/feedback": "the edition's confirmed participants, once each",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Tables a refused write must leave alone: every Lintas model but the audit trail (refusals are recorded there),
# notifications and API tokens (the test's own token records its use).
UNWATCHED = {"audit", "notifications"}
WATCHED = [
    model
    for model in apps.get_models()
    if model.__module__.startswith("lintas.") and model._meta.app_label not in UNWATCHED and model is not ApiToken
]


def _state() -> dict[str, list[dict]]:
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


def _changed(before: dict, after: dict) -> dict[str, list]:
    """Rows added, removed or changed, by table."""
    return {
        label: [row for row in before[label] + after[label] if (row in before[label]) != (row in after[label])]
        for label in before
        if before[label] != after[label]
    }


def _prepare(world: World, write: Write, who: str, signed_in) -> Callable[[], object]:
    """Make the objects the write targets, sign in, and return the request to send (nothing is written after)."""
    user = world.user(who)
    url, data = write.url(world), write.data(world)
    if not write.is_api:
        client = signed_in(user)
        return lambda: client.post(url, data)
    _, secret = accounts.create_api_token(user, name="role matrix", scope=TokenScope.READ_WRITE, days=1)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    method = getattr(Client(), write.method)
    if write.method == "delete":
        return lambda: method(url, **headers)
    if write.multipart:
        return lambda: method(url, data, **headers)
    if write.ndjson:
        body = "\n".join(json.dumps(row) for row in data)
        return lambda: method(url, body, content_type="application/x-ndjson", **headers)
    return lambda: method(url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def world(make_user, platform_admin):
    return World(make_user, platform_admin)


REFUSALS = [
    pytest.param(name, who, id=f"{name} without the role: {who}") for name in WRITES for who in WRITES[name].refused
]


@pytest.mark.parametrize(("name", "who"), REFUSALS)
def test_a_user_without_the_role_is_refused_and_nothing_is_written(name, who, world, signed_in):
    write = WRITES[name]
    send = _prepare(world, write, who, signed_in)
    before = _state()
    denials = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()

    response = send()

    assert response.status_code == write.status, (response.status_code, response.content[:300])
    if write.status == 302:  # back to the request with a message, not to the sign-in page
        assert response["Location"].startswith("/requests/"), response["Location"]
    assert _changed(before, _state()) == {}, "a refused write changed the database"
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == denials + 1, "the refusal is not audited"
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk").actor_id == world.user(who).pk


ALLOWED = [pytest.param(name, id=name) for name, write in WRITES.items() if write.allowed]


@pytest.mark.parametrize("name", ALLOWED)
def test_the_same_api_write_succeeds_with_the_role(name, world, signed_in):
    """The control: the request the refusals send is valid, so a refusal is the role's, not a 404 or a 422."""
    write = WRITES[name]
    send = _prepare(world, write, write.allowed, signed_in)
    before = _state()

    response = send()

    assert response.status_code in {200, 201, 202, 204}, (response.status_code, response.content[:300])
    assert _changed(before, _state()), "the allowed write changed nothing"


def _api_writes() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops if m in WRITE_METHODS}


def test_every_request_transition_is_in_the_role_matrix():
    assert set(assistance.TRANSITIONS) == {row[0] for row in TRANSITIONS}


def test_every_api_write_is_in_the_role_matrix():
    in_matrix = {write.operation for write in WRITES.values() if write.is_api}
    missing = _api_writes() - in_matrix - set(NO_ROLE_NEEDED)
    assert not missing, f"API writes neither in WRITES nor in NO_ROLE_NEEDED: {sorted(missing)}"
    stale = (in_matrix | set(NO_ROLE_NEEDED)) - _api_writes()
    assert not stale, f"no longer in the API: {sorted(stale)}"
    assert not in_matrix & set(NO_ROLE_NEEDED), "an operation is both checked for a role and exempt"
