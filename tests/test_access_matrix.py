"""Every URL pattern and every API operation, checked for an anonymous user, another agency and the owner.

A new endpoint without an entry here fails ``test_matrix_covers_every_endpoint``: security review is not optional.
"owner" is an SPF agency admin whose agency owns the objects; "other" is a PNTL agency admin with the same roles.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from lintas.accounts import services
from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.tests.factories import TEST_PASSWORD
from lintas.agencies.models import Agency
from lintas.api import api
from lintas.assistance.services import draft_request
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.tests.helpers import record
from lintas.core.middleware import CONTENT_SECURITY_POLICY
from lintas.core.tests.html_checks import inline_code
from lintas.matching.models import BenignValue

LOGIN = "login"  # anonymous page requests are redirected to the sign-in page
ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.INVESTIGATOR)
MARKER = "spf-only-marker-7f3a"
SHARED = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@dataclass
class Ctx:
    owner: object
    colleague: object
    other: object
    token: object
    case: object = None
    hit: object = None
    benign: object = None
    request: object = None
    imported: object = None  # a stand-in for the owner's bulk import (hidden-vs-missing runs); else made by _import
    edition: object = None  # the owner's programme edition in planning (hidden from other agencies' members)
    session: object = None
    task: object = None
    material: object = None  # a recording (a link) of the owner's session
    nomination: object = None  # the owner's own confirmed nomination to that edition
    link: object = None  # a personal link for the session's expert
    link_token: str = ""
    shift: object = None  # a shift on the owner agency's duty roster (decision 0048)


@dataclass
class Case:
    method: str
    url: Callable[[Ctx], str]
    anon: int | str
    other: int
    owner: int
    data: Callable[[Ctx], dict] = field(default=lambda ctx: {})
    hidden: Callable[[Ctx], str] | None = None  # text of the owner's data that "other" must never receive
    session: bool = False  # API case run with a signed-in session instead of a bearer token


PAGES: dict[str, Case] = {
    "dashboard:home": Case("get", lambda c: "/", LOGIN, 200, 200),
    "accounts:login": Case("get", lambda c: "/accounts/login/", 200, 302, 302),
    "accounts:logout": Case("post", lambda c: "/accounts/logout/", 302, 302, 302),
    "accounts:mfa_verify": Case("get", lambda c: "/accounts/mfa/verify/", LOGIN, 302, 302),
    "accounts:mfa_setup": Case("get", lambda c: "/accounts/mfa/setup/", LOGIN, 200, 200),
    "accounts:recovery_codes": Case("post", lambda c: "/accounts/mfa/recovery-codes/", LOGIN, 200, 200),
    "accounts:profile": Case("get", lambda c: "/accounts/profile/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "accounts:token_revoke": Case("post", lambda c: f"/accounts/profile/tokens/{c.token.pk}/revoke/", LOGIN, 404, 302),
    "accounts:set_language": Case(
        "post", lambda c: "/i18n/language/", 302, 302, 302, data=lambda c: {"language": "ko"}
    ),
    "accounts:user_list": Case("get", lambda c: "/users/", LOGIN, 200, 200, hidden=lambda c: c.colleague.username),
    "accounts:user_create": Case("get", lambda c: "/users/new/", LOGIN, 200, 200),
    "accounts:user_detail": Case(
        "get", lambda c: f"/users/{c.colleague.pk}/", LOGIN, 404, 200, hidden=lambda c: c.colleague.username
    ),
    "agencies:directory": Case("get", lambda c: "/directory/", LOGIN, 200, 200),
    "agencies:detail": Case("get", lambda c: "/directory/spf/", LOGIN, 200, 200),
    "agencies:edit": Case("get", lambda c: "/directory/spf/edit/", LOGIN, 403, 200),
    # The duty roster names the agency's officers: another agency gets 404 for reading and writing alike.
    "agencies:duty": Case("get", lambda c: "/directory/spf/duty/", LOGIN, 404, 200, hidden=lambda c: MARKER),
    "agencies:duty_shift_add": Case("post", lambda c: "/directory/spf/duty/shifts/", LOGIN, 404, 200),
    "agencies:duty_shift_remove": Case(
        "post", lambda c: f"/directory/spf/duty/shifts/{c.shift.pk}/remove/", LOGIN, 404, 302
    ),
    "agencies:duty_escalation": Case(
        "post",
        lambda c: "/directory/spf/duty/escalation/",
        LOGIN,
        404,
        302,
        data=lambda c: {"escalate_after_minutes": 20},
    ),
    "identify:identify": Case("get", lambda c: "/identify/", LOGIN, 200, 200),
    "identify:preview": Case(
        "post", lambda c: "/identify/preview/", LOGIN, 200, 200, data=lambda c: {"one-value": "+6591234567"}
    ),
    "cases:list": Case("get", lambda c: "/cases/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "cases:export": Case("get", lambda c: "/cases/export.csv", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "cases:create": Case("get", lambda c: "/cases/new/", LOGIN, 200, 200),
    "cases:identifier_preview": Case(
        "post", lambda c: "/cases/identifier-preview/", LOGIN, 200, 200, data=lambda c: {"identifiers": SHARED}
    ),
    "cases:detail": Case("get", lambda c: f"/cases/{c.case.pk}/", LOGIN, 404, 200, hidden=lambda c: MARKER),
    "cases:add_identifiers": Case(
        "post",
        lambda c: f"/cases/{c.case.pk}/identifiers/",
        LOGIN,
        404,
        302,
        data=lambda c: {"identifiers": "+6591234567"},
    ),
    "cases:edit": Case("get", lambda c: f"/cases/{c.case.pk}/edit/", LOGIN, 404, 200, hidden=lambda c: MARKER),
    "cases:exchange_rates": Case("get", lambda c: "/cases/exchange-rates/", LOGIN, 200, 200),
    "matching:benign": Case("get", lambda c: "/benign/", LOGIN, 200, 200),
    "matching:hit_list": Case("get", lambda c: "/hits/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "matching:inbox": Case("get", lambda c: "/hits/inbox/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "matching:hit_detail": Case("get", lambda c: f"/hits/{c.hit.pk}/", LOGIN, 404, 200),
    "matching:request_details": Case("post", lambda c: f"/hits/{c.hit.pk}/request-details/", LOGIN, 404, 302),
    "matching:lookup": Case("get", lambda c: "/lookup/", LOGIN, 200, 200),
    "assistance:list": Case("get", lambda c: "/requests/?box=outgoing", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "assistance:ledger": Case("get", lambda c: "/requests/ledger/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "assistance:outcome": Case(
        "post", lambda c: f"/requests/{c.request.pk}/outcome/", LOGIN, 404, 403, data=lambda c: {"amount_frozen": "1"}
    ),
    "assistance:capabilities": Case("get", lambda c: "/requests/capabilities/?agency=knpa", LOGIN, 200, 200),
    "assistance:capability_hint": Case(
        "get", lambda c: "/requests/capabilities/hint/?receivers=pntl&type=stop_payment", LOGIN, 200, 200
    ),
    "assistance:message": Case(
        "post", lambda c: f"/requests/{c.request.pk}/messages/", LOGIN, 404, 302, data=lambda c: {"body": "hello"}
    ),
    "assistance:attach": Case("post", lambda c: f"/requests/{c.request.pk}/attachments/", LOGIN, 404, 302),
    "assistance:attachment": Case("get", lambda c: f"/requests/{c.request.pk}/attachments/999/", LOGIN, 404, 404),
    "assistance:panel_counts": Case("get", lambda c: "/requests/counts/", LOGIN, 200, 200),
    # the event stream: refused without a session (no sign-in page for an EventSource); signals only, never data
    "live:stream": Case("get", lambda c: "/live/stream/", 403, 200, 200, hidden=lambda c: MARKER),
    "live:banner": Case("get", lambda c: "/live/banner/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "live:requests_panel": Case("get", lambda c: "/live/requests/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "assistance:draft": Case("get", lambda c: "/requests/new/", LOGIN, 200, 200),
    "assistance:detail": Case("get", lambda c: f"/requests/{c.request.pk}/", LOGIN, 404, 200, hidden=lambda c: MARKER),
    "assistance:move": Case(
        "post",
        lambda c: f"/requests/{c.request.pk}/submit/",
        LOGIN,
        404,
        302,
        data=lambda c: {"version": c.request.version},
    ),
    "audit:event_list": Case("get", lambda c: "/audit/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "programmes:list": Case("get", lambda c: "/programmes/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "programmes:expert_list": Case("get", lambda c: "/programmes/experts/", LOGIN, 200, 200),
    # only the Secretariat's organisers start programmes; the matrix's owner organises for another agency
    "programmes:programme_create": Case("get", lambda c: "/programmes/new/", LOGIN, 403, 403),
    "programmes:expert_create": Case("get", lambda c: "/programmes/experts/new/", LOGIN, 403, 200),
    "programmes:edition_create": Case("get", lambda c: "/programmes/editions/new/", LOGIN, 403, 200),
    "programmes:edition_detail": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:edition_edit": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/edit/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:edition_ics": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/agenda.ics", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:plan_next": Case("post", lambda c: f"/programmes/editions/{c.edition.pk}/plan-next/", LOGIN, 404, 302),
    "programmes:session_create": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/sessions/new/", LOGIN, 404, 200
    ),
    "programmes:session_edit": Case(
        "get",
        lambda c: f"/programmes/editions/{c.edition.pk}/sessions/{c.session.pk}/edit/",
        LOGIN,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "programmes:task_create": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/checklist/new/", LOGIN, 404, 200
    ),
    "programmes:task_done": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/checklist/{c.task.pk}/done/", LOGIN, 404, 302
    ),
    # Trends: every member's own figures and the suppressed community sums; the owner's case title never appears.
    "insights:trends": Case("get", lambda c: "/insights/trends/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "insights:trends_export": Case(
        "get", lambda c: "/insights/trends/export.csv", LOGIN, 200, 200, hidden=lambda c: MARKER
    ),
    "insights:briefing": Case("get", lambda c: "/insights/trends/briefing/", LOGIN, 200, 200, hidden=lambda c: MARKER),
    "insights:briefing_pdf": Case("get", lambda c: "/insights/trends/briefing.pdf", LOGIN, 200, 200),
    # Materials and the feedback survey: the owner organises the edition (reads and removes materials, sets up the
    # survey, reads its results) but takes no part in it, so the participants' form answers the owner 404 too.
    "programmes:material_list": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/materials/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:material_create": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/materials/new/", LOGIN, 404, 200
    ),
    "programmes:material_download": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/materials/{c.material.pk}/", LOGIN, 404, 302
    ),
    "programmes:material_remove": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/materials/{c.material.pk}/remove/", LOGIN, 404, 302
    ),
    "programmes:survey_edit": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/survey/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    # the owner is also a confirmed participant (see _programme_edition): the form says the survey is not open yet
    "programmes:feedback_give": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/feedback/", LOGIN, 404, 200
    ),
    "programmes:feedback_results": Case(
        "get",
        lambda c: f"/programmes/editions/{c.edition.pk}/feedback/results/",
        LOGIN,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "programmes:seats": Case("get", lambda c: f"/programmes/editions/{c.edition.pk}/seats/", LOGIN, 404, 200),
    "programmes:nominate": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/nominate/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:nomination_withdraw": Case(
        "post",
        lambda c: f"/programmes/editions/{c.edition.pk}/nominations/{c.nomination.pk}/withdraw/",
        LOGIN,
        404,
        302,
    ),
    "programmes:participants": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/participants/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:attendance": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/attendance/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:attendance_all_present": Case(
        "post",
        lambda c: f"/programmes/editions/{c.edition.pk}/attendance/{c.session.pk}/all-present/",
        LOGIN,
        404,
        302,
    ),
    "programmes:attendance_mark": Case(
        "post",
        lambda c: f"/programmes/editions/{c.edition.pk}/attendance/{c.session.pk}/{c.nomination.pk}/",
        LOGIN,
        404,
        302,
        data=lambda c: {"present": "1"},
    ),
    "programmes:attendance_import": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/attendance/import/", LOGIN, 404, 200
    ),
    "programmes:session_join": Case(  # no online link: back to the edition with a message
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/sessions/{c.session.pk}/join/", LOGIN, 404, 302
    ),
    "programmes:my_agenda_ics": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/my-agenda.ics", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:expert_links": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/expert-links/", LOGIN, 404, 200
    ),
    "programmes:expert_link_revoke": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/expert-links/{c.link.pk}/revoke/", LOGIN, 404, 302
    ),
    # A bearer link: whoever holds the token reads the expert's sessions, signed in or not (see PAGE_IDS_EXEMPT).
    "programmes:expert_page": Case("get", lambda c: f"/programmes/expert/{c.link_token}/", 200, 200, 200),
    # The same link downloads its expert's sessions' materials (the matrix's is a recording: a redirect to its link).
    "programmes:expert_material": Case(
        "get", lambda c: f"/programmes/expert/{c.link_token}/materials/{c.material.pk}/", 302, 302, 302
    ),
    "api:openapi-json": Case("get", lambda c: "/api/v1/openapi.json", 200, 200, 200),
    "api:openapi-view": Case("get", lambda c: "/api/v1/docs", 200, 200, 200),
    "api:api-root": Case("get", lambda c: "/api/v1/", 200, 200, 200),
    # Certificates, the report and cooperation (decision 0042): the owner organises an edition in planning, so it has
    # no certificates yet (their ids name nothing) and its summary is not published (404 to everyone).
    "programmes:report": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/report/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:report_pdf": Case("get", lambda c: f"/programmes/editions/{c.edition.pk}/report.pdf", LOGIN, 404, 200),
    "programmes:report_edit": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/report/edit/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:report_publish": Case(
        "post",
        lambda c: f"/programmes/editions/{c.edition.pk}/report/publish/",
        LOGIN,
        404,
        302,  # refused for an edition in planning: back to the report with the message
        data=lambda c: {"published": "1"},
    ),
    "programmes:cooperation": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/cooperation/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:certificate_list": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/certificates/", LOGIN, 404, 200, hidden=lambda c: MARKER
    ),
    "programmes:certificates_issue": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/certificates/issue/", LOGIN, 404, 302
    ),
    "programmes:certificate_issue_one": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/nominations/999/certificate/", LOGIN, 404, 404
    ),
    "programmes:certificate_revoke": Case(
        "post", lambda c: f"/programmes/editions/{c.edition.pk}/certificates/999/revoke/", LOGIN, 404, 404
    ),
    "programmes:certificate_pdf": Case(
        "get", lambda c: f"/programmes/editions/{c.edition.pk}/certificates/999/certificate.pdf", LOGIN, 404, 404
    ),
    "programmes_public:verify": Case("get", lambda c: "/verify/ABCD-EFGH-JKLM/", 404, 404, 404),
    "programmes_public:summary": Case(
        "get", lambda c: f"/public/editions/{c.edition.pk}/", 404, 404, 404, hidden=lambda c: MARKER
    ),
    "healthz": Case("get", lambda c: "/healthz", 200, 200, 200),
    "favicon": Case("get", lambda c: "/favicon.ico", 302, 302, 302),
    "api_unknown_path": Case("get", lambda c: "/api/v1/cases/abc", 404, 404, 404),
}

NEXT_YEAR = {"starts_on": "2027-11-15", "ends_on": "2027-11-19"}

API: dict[str, Case] = {
    "GET /api/v1/programmes/programmes": Case("get", lambda c: "/api/v1/programmes/programmes", 401, 200, 200),
    "POST /api/v1/programmes/programmes": Case(
        "post", lambda c: "/api/v1/programmes/programmes", 401, 403, 403, data=lambda c: {"name": "Matrix two"}
    ),
    "GET /api/v1/programmes/editions": Case(
        "get", lambda c: "/api/v1/programmes/editions", 401, 200, 200, hidden=lambda c: MARKER
    ),
    "POST /api/v1/programmes/editions": Case(
        "post",
        lambda c: "/api/v1/programmes/editions",
        401,
        403,
        201,
        data=lambda c: {"programme": "Matrix programme", "host_agency": "spf", "title": "next", **NEXT_YEAR},
    ),
    "GET /api/v1/programmes/editions/{edition_id}": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "PATCH /api/v1/programmes/editions/{edition_id}": Case(
        "patch",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}",
        401,
        404,
        200,
        data=lambda c: {"theme": "changed"},
    ),
    "GET /api/v1/programmes/editions/{edition_id}/agenda.ics": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/agenda.ics",
        401,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "POST /api/v1/programmes/editions/{edition_id}/sessions": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/sessions",
        401,
        404,
        201,
        data=lambda c: {
            "kind": "lecture",
            "topic": "t",
            "starts_at": "2027-11-15T10:00",
            "ends_at": "2027-11-15T11:00",
        },
    ),
    "PATCH /api/v1/programmes/editions/{edition_id}/sessions/{session_id}": Case(
        "patch",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/sessions/{c.session.pk}",
        401,
        404,
        200,
        data=lambda c: {"room": "Hall B"},
    ),
    "GET /api/v1/programmes/editions/{edition_id}/certificates": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/certificates", 401, 404, 200
    ),
    "POST /api/v1/programmes/editions/{edition_id}/certificates": Case(
        "post", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/certificates", 401, 404, 422
    ),  # 422: an edition in planning issues no certificates
    "POST /api/v1/programmes/editions/{edition_id}/certificates/{certificate_id}/revoke": Case(
        "post", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/certificates/999/revoke", 401, 404, 404
    ),
    "GET /api/v1/programmes/editions/{edition_id}/certificates/{certificate_id}/pdf": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/certificates/999/pdf", 401, 404, 404
    ),
    "GET /api/v1/programmes/editions/{edition_id}/report": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/report", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "PATCH /api/v1/programmes/editions/{edition_id}/report": Case(
        "patch",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/report",
        401,
        404,
        200,
        data=lambda c: {"outcomes": "Contact points agreed"},
    ),
    "POST /api/v1/programmes/editions/{edition_id}/report/publish": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/report/publish",
        401,
        404,
        422,  # an edition in planning is not published
        data=lambda c: {"published": True},
    ),
    "GET /api/v1/programmes/editions/{edition_id}/report.pdf": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/report.pdf", 401, 404, 200
    ),
    "GET /api/v1/programmes/editions/{edition_id}/cooperation": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/cooperation", 401, 404, 200
    ),
    "GET /api/v1/programmes/public/editions/{edition_id}/summary": Case(
        "get",
        lambda c: f"/api/v1/programmes/public/editions/{c.edition.pk}/summary",
        404,  # no credentials needed: unpublished answers 404 to everyone
        404,
        404,
        hidden=lambda c: MARKER,
    ),
    "GET /api/v1/programmes/editions/{edition_id}/materials": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/materials", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "POST /api/v1/programmes/editions/{edition_id}/sessions/{session_id}/materials": Case(
        # JSON has no form fields: 422 for everyone before any lookup (the multipart path: the test below and
        # programmes/tests/test_materials_and_feedback.py)
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/sessions/{c.session.pk}/materials",
        401,
        422,
        422,
    ),
    "GET /api/v1/programmes/editions/{edition_id}/materials/{material_id}/file": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/materials/{c.material.pk}/file",
        401,
        404,
        302,
    ),
    "DELETE /api/v1/programmes/editions/{edition_id}/materials/{material_id}": Case(
        "delete", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/materials/{c.material.pk}", 401, 404, 204
    ),
    "GET /api/v1/programmes/editions/{edition_id}/survey": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/survey", 401, 404, 200
    ),
    "PATCH /api/v1/programmes/editions/{edition_id}/survey": Case(
        "patch",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/survey",
        401,
        404,
        200,
        data=lambda c: {"introduction": "Tell us", "is_open": True},
    ),
    "POST /api/v1/programmes/editions/{edition_id}/feedback": Case(
        # the owner is a confirmed participant, the survey not open: 422 naming that; others 404 as if missing
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/feedback",
        401,
        404,
        422,
        data=lambda c: {"overall_rating": 5},
    ),
    "GET /api/v1/programmes/editions/{edition_id}/feedback/results": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/feedback/results",
        401,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "GET /api/v1/programmes/editions/{edition_id}/seats": Case(
        "get", lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/seats", 401, 404, 200
    ),
    "PUT /api/v1/programmes/editions/{edition_id}/seats": Case(
        "put",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/seats",
        401,
        404,
        200,
        data=lambda c: {"seats": [{"agency": "spf", "mode": "on_site", "seats": 2}]},
    ),
    "GET /api/v1/programmes/editions/{edition_id}/nominations": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/nominations",
        401,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "POST /api/v1/programmes/editions/{edition_id}/nominations": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/nominations",
        401,
        404,
        201,
        data=lambda c: {"mode": "online", "name": "Someone", "email": "someone@spf.example"},
    ),
    "POST /api/v1/programmes/editions/{edition_id}/nominations/decide": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/nominations/decide",
        401,
        404,
        200,
        data=lambda c: {"nomination_ids": [c.nomination.pk], "decision": "confirmed"},
    ),
    "POST /api/v1/programmes/editions/{edition_id}/nominations/{nomination_id}/withdraw": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/nominations/{c.nomination.pk}/withdraw",
        401,
        404,
        200,
    ),
    "GET /api/v1/programmes/editions/{edition_id}/attendance": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/attendance",
        401,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "POST /api/v1/programmes/editions/{edition_id}/attendance": Case(
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/attendance",
        401,
        404,
        200,
        data=lambda c: {"session_id": c.session.pk, "nomination_ids": [c.nomination.pk]},
    ),
    "POST /api/v1/programmes/editions/{edition_id}/attendance/import": Case(
        # JSON has no file: 422 for everyone before any lookup (the multipart path: test_an_attendance_upload_...)
        "post",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/attendance/import",
        401,
        422,
        422,
    ),
    "GET /api/v1/programmes/editions/{edition_id}/my-agenda.ics": Case(
        "get",
        lambda c: f"/api/v1/programmes/editions/{c.edition.pk}/my-agenda.ics",
        401,
        404,
        200,
        hidden=lambda c: MARKER,
    ),
    "GET /api/v1/agencies/": Case("get", lambda c: "/api/v1/agencies/", 401, 200, 200),
    "GET /api/v1/agencies/{code}": Case("get", lambda c: "/api/v1/agencies/spf", 401, 200, 200),
    "GET /api/v1/agencies/{code}/duty": Case(
        "get", lambda c: "/api/v1/agencies/spf/duty", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "GET /api/v1/me": Case("get", lambda c: "/api/v1/me", 401, 200, 200),
    "GET /api/v1/users": Case("get", lambda c: "/api/v1/users", 401, 200, 200, hidden=lambda c: c.colleague.username),
    "POST /api/v1/users": Case(
        "post",
        lambda c: "/api/v1/users",
        401,
        201,
        201,
        data=lambda c: {"username": "made.by.api", "password": TEST_PASSWORD, "roles": [Role.INVESTIGATOR]},
    ),
    "GET /api/v1/users/{user_id}": Case(
        "get", lambda c: f"/api/v1/users/{c.colleague.pk}", 401, 404, 200, hidden=lambda c: c.colleague.username
    ),
    "PUT /api/v1/users/{user_id}/roles": Case(
        "put",
        lambda c: f"/api/v1/users/{c.colleague.pk}/roles",
        401,
        404,
        200,
        data=lambda c: {"roles": [Role.INVESTIGATOR, Role.SUPERVISOR]},
    ),
    "PUT /api/v1/users/{user_id}/active": Case(
        "put", lambda c: f"/api/v1/users/{c.colleague.pk}/active", 401, 404, 200, data=lambda c: {"is_active": False}
    ),
    "GET /api/v1/tokens": Case("get", lambda c: "/api/v1/tokens", 401, 200, 200, hidden=lambda c: MARKER),
    "POST /api/v1/tokens": Case(
        "post", lambda c: "/api/v1/tokens", 401, 201, 201, data=lambda c: {"name": "new"}, session=True
    ),
    "PATCH /api/v1/agencies/{code}": Case(
        "patch", lambda c: "/api/v1/agencies/spf", 401, 403, 200, data=lambda c: {"contact_24_7": "+65 6000 0000"}
    ),
    "DELETE /api/v1/tokens/{token_id}": Case("delete", lambda c: f"/api/v1/tokens/{c.token.pk}", 401, 404, 200),
    "POST /api/v1/identifiers/normalize": Case(
        "post", lambda c: "/api/v1/identifiers/normalize", 401, 200, 200, data=lambda c: {"items": [{"value": "x"}]}
    ),
    "POST /api/v1/identifiers/extract": Case(
        "post", lambda c: "/api/v1/identifiers/extract", 401, 200, 200, data=lambda c: {"text": "call 010-2000-0000"}
    ),
    "GET /api/v1/cases/": Case("get", lambda c: "/api/v1/cases/", 401, 200, 200, hidden=lambda c: MARKER),
    "POST /api/v1/cases/": Case(
        "post",
        lambda c: "/api/v1/cases/",
        401,
        201,
        201,
        data=lambda c: {"title": "new", "crime_type": "romance_fraud"},
    ),
    "GET /api/v1/cases/{case_id}": Case(
        "get", lambda c: f"/api/v1/cases/{c.case.pk}", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "PATCH /api/v1/cases/{case_id}": Case(
        "patch", lambda c: f"/api/v1/cases/{c.case.pk}", 401, 404, 200, data=lambda c: {"status": "investigating"}
    ),
    "POST /api/v1/cases/{case_id}/identifiers": Case(
        "post",
        lambda c: f"/api/v1/cases/{c.case.pk}/identifiers",
        401,
        404,
        201,
        data=lambda c: {"identifiers": [{"value": "+6591234567"}]},
    ),
    # A queued import is stored for the caller's own agency ("other" queues its own); its report is the importer's.
    "POST /api/v1/cases/imports": Case(
        "post",
        lambda c: "/api/v1/cases/imports",
        401,
        202,
        202,
        data=lambda c: {"title": "queued", "crime_type": "bec", "external_reference": "Q-1"},
    ),
    "GET /api/v1/cases/imports": Case(
        "get", lambda c: (_import(c), "/api/v1/cases/imports")[1], 401, 200, 200, hidden=lambda c: MARKER
    ),
    "GET /api/v1/cases/imports/{import_id}": Case(
        "get", lambda c: f"/api/v1/cases/imports/{_import(c).pk}", 401, 404, 200, hidden=lambda c: MARKER
    ),
    # Bulk ingest records the rows for the caller's own agency: "other" ingests its own case (and learns only counts).
    "POST /api/v1/cases/bulk": Case(
        "post",
        lambda c: "/api/v1/cases/bulk",
        401,
        200,
        200,
        data=lambda c: {
            "title": "bulk",
            "crime_type": "romance_fraud",
            "external_reference": "B-1",
            "identifiers": [SHARED],
        },
        hidden=lambda c: MARKER,
    ),
    "GET /api/v1/hits": Case("get", lambda c: "/api/v1/hits", 401, 200, 200, hidden=lambda c: MARKER),
    "GET /api/v1/hits/{hit_id}": Case("get", lambda c: f"/api/v1/hits/{c.hit.pk}", 401, 404, 200),
    "POST /api/v1/hits/{hit_id}/request-details": Case(
        "post", lambda c: f"/api/v1/hits/{c.hit.pk}/request-details", 401, 404, 200
    ),
    "POST /api/v1/lookup": Case(
        "post", lambda c: "/api/v1/lookup", 401, 200, 200, data=lambda c: {"values": [SHARED]}, hidden=lambda c: MARKER
    ),
    "GET /api/v1/benign": Case("get", lambda c: "/api/v1/benign", 401, 200, 200),
    "POST /api/v1/benign": Case(
        "post", lambda c: "/api/v1/benign", 401, 403, 403, data=lambda c: {"value": "gmail.com", "reason": "webmail"}
    ),
    "DELETE /api/v1/benign/{benign_id}": Case("delete", lambda c: f"/api/v1/benign/{c.benign.pk}", 401, 403, 403),
    "GET /api/v1/notifications/": Case("get", lambda c: "/api/v1/notifications/", 401, 200, 200),
    "POST /api/v1/notifications/read": Case("post", lambda c: "/api/v1/notifications/read", 401, 200, 200),
    "GET /api/v1/requests/": Case("get", lambda c: "/api/v1/requests/", 401, 200, 200, hidden=lambda c: MARKER),
    "POST /api/v1/requests/": Case(
        "post",
        lambda c: "/api/v1/requests/",
        401,
        201,
        201,
        data=lambda c: {"receivers": ["cnp"], "type": "general", "subject": "s", "asked": "a"},
    ),
    "GET /api/v1/requests/ledger": Case("get", lambda c: "/api/v1/requests/ledger", 401, 200, 200),
    "POST /api/v1/requests/{request_id}/outcome": Case(
        "post", lambda c: f"/api/v1/requests/{c.request.pk}/outcome", 401, 404, 403, data=lambda c: {"amount_frozen": 1}
    ),
    "GET /api/v1/requests/{request_id}/trail": Case(
        "get", lambda c: f"/api/v1/requests/{c.request.pk}/trail", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "GET /api/v1/requests/{request_id}/messages": Case(
        "get", lambda c: f"/api/v1/requests/{c.request.pk}/messages", 401, 404, 200
    ),
    "POST /api/v1/requests/{request_id}/messages": Case(
        "post", lambda c: f"/api/v1/requests/{c.request.pk}/messages", 401, 404, 201, data=lambda c: {"body": "hi"}
    ),
    "GET /api/v1/requests/{request_id}/attachments": Case(
        "get", lambda c: f"/api/v1/requests/{c.request.pk}/attachments", 401, 404, 200
    ),
    "POST /api/v1/requests/{request_id}/attachments": Case(
        # JSON has no file: 422 for everyone before any lookup (the multipart path is tested in test_attachments)
        "post",
        lambda c: f"/api/v1/requests/{c.request.pk}/attachments",
        401,
        422,
        422,
    ),
    "GET /api/v1/requests/{request_id}": Case(
        "get", lambda c: f"/api/v1/requests/{c.request.pk}", 401, 404, 200, hidden=lambda c: MARKER
    ),
    "POST /api/v1/requests/{request_id}/{action}": Case(
        "post",
        lambda c: f"/api/v1/requests/{c.request.pk}/withdraw",
        401,
        404,
        200,
        data=lambda c: {"version": c.request.version},
    ),
    "GET /api/v1/audit/events": Case("get", lambda c: "/api/v1/audit/events", 401, 200, 200, hidden=lambda c: MARKER),
    "GET /api/v1/insights/trends": Case(
        "get", lambda c: "/api/v1/insights/trends", 401, 200, 200, hidden=lambda c: MARKER
    ),
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _url_names(pattern.url_patterns, inner or namespace)
        else:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _api_operations():
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_matrix_covers_every_endpoint():
    names = set(_url_names(get_resolver().url_patterns))
    page_names = {n for n in names if not n.startswith("api:")} | {
        n for n in names if n in {"api:openapi-json", "api:openapi-view", "api:api-root"}
    }
    assert None not in names, "every URL pattern needs a name"
    assert page_names == set(PAGES), (
        f"pages missing from the matrix: {page_names - set(PAGES)}; stale: {set(PAGES) - page_names}"
    )
    operations = _api_operations()
    assert operations == set(API), f"API operations missing: {operations - set(API)}; stale: {set(API) - operations}"


@pytest.fixture
def ctx(make_user):
    owner = make_user("spf", roles=ADMIN_ROLES, username="spf.owner")
    colleague = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.colleague.hidden")
    other = make_user("pntl", roles=ADMIN_ROLES, username="pntl.other")
    token, _ = services.create_api_token(owner, name=MARKER, scope=TokenScope.READ, days=30)
    record_event(Action.USER_UPDATED, actor=owner, target=colleague, details={"note": MARKER})
    # The owner's restricted case shares an identifier with a third agency's case: a hit PNTL ("other") is not part of.
    case, _ = record(owner, [SHARED], title=MARKER, narrative=MARKER)
    _, outcome = record(make_user("knpa", roles=ADMIN_ROLES), [SHARED], title="knpa case")
    benign = BenignValue.objects.create(
        token="0" * 32, type="domain", value="example.org", category="other", reason="x"
    )
    request = draft_request(
        owner, receivers=[Agency.objects.get(code="knpa")], type="general", subject=MARKER, asked=MARKER, cases=[case]
    )[0]
    edition, session, task, material, nomination, (link, link_token) = _programme_edition(owner)
    shift = _duty_shift(owner, colleague)
    return Ctx(
        owner=owner,
        colleague=colleague,
        other=other,
        token=token,
        case=case,
        hit=outcome.hits[0],
        benign=benign,
        request=request,
        edition=edition,
        session=session,
        task=task,
        material=material,
        nomination=nomination,
        link=link,
        link_token=link_token,
        shift=shift,
    )


def _duty_shift(owner, colleague):
    """The colleague (named with the marker) on the owner agency's duty desk now."""
    import datetime as dt

    from django.utils import timezone

    from lintas.agencies.services import add_shift

    colleague.first_name = MARKER
    colleague.save(update_fields=["first_name"])
    now = timezone.now()
    return add_shift(owner, owner.agency, officer_id=colleague.pk, starts_at=now, ends_at=now + dt.timedelta(hours=8))


def _programme_edition(owner):
    """The owner (made a programme organiser) hosts an edition in planning: other agencies' members cannot see it."""
    import datetime as dt

    from lintas.accounts.models import UserRole
    from lintas.programmes import services as programmes
    from lintas.programmes.models import Programme

    UserRole.objects.create(user=owner, role=Role.PROGRAMME_ORGANISER)
    owner.__dict__.pop("roles", None)  # User.roles is cached per instance
    programme = Programme.objects.create(
        name="Matrix programme", coordinating_agency=Agency.objects.get(code="aseanapol")
    )
    edition = programmes.create_edition(
        owner, programme, host_agency=owner.agency, title=MARKER, time_zone="Asia/Singapore", **NEXT_YEAR
    )
    start = dt.datetime(2027, 11, 15, 1, 0, tzinfo=dt.UTC)
    expert = programmes.add_expert(owner, name="Matrix expert")
    session = programmes.add_session(
        owner, edition, kind="opening", topic=MARKER, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        experts=[(expert, "speaker")],
    )  # fmt: skip
    task = programmes.add_checklist_task(owner, edition, title=MARKER, owner_agency=owner.agency)
    material = programmes.add_material(
        owner, session, kind="recording", title=MARKER, link="https://meet.example.org/matrix-recording"
    )
    # The owner is SPF's admin and an organiser: nominated (as MARKER), confirmed within SPF's one on-site seat.
    programmes.set_seats(owner, edition, [(owner.agency, "on_site", 1)])
    nomination = programmes.nominate(owner, edition, mode="on_site", user=owner, name=MARKER)
    programmes.decide_nominations(owner, edition, [nomination], "confirmed")
    link = programmes.create_expert_link(owner, edition, expert)
    return edition, session, task, material, nomination, link


def _import(ctx: Ctx):
    """The owner's bulk import, its report naming the owner's marker (made once per test)."""
    from lintas.cases.models import BulkImport

    if ctx.imported is not None:
        return ctx.imported
    job, _ = BulkImport.objects.get_or_create(
        owner_agency=ctx.owner.agency,
        file_name="matrix.ndjson",
        defaults={"created_by": ctx.owner, "status": "done", "report": {"errors": [{"message": MARKER}]}},
    )
    return job


def _request(client, case: Case, ctx: Ctx, headers=None):
    method = getattr(client, case.method)
    data = case.data(ctx)
    if case.method == "get":
        return method(case.url(ctx), **(headers or {}))
    if headers is not None:  # API: JSON bodies
        return method(case.url(ctx), data, content_type="application/json", **headers)
    return method(case.url(ctx), data)


def _check(response, expected, case, ctx, who):
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), who
    else:
        assert response.status_code == expected, (who, response.status_code, response.content[:300])
    if who != "owner" and case.hidden is not None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert case.hidden(ctx) not in body.decode(errors="replace"), f"{who} received owner data"
    # Every answer, whoever asks and whatever the status: never cached, under the Content-Security-Policy, and no
    # page uses what the policy refuses (decision 0032).
    assert response["Cache-Control"] == "private, no-store", (who, response.get("Cache-Control"))
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, who
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        assert not inline_code(response.content.decode()), (who, inline_code(response.content.decode()))


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("who", ["anonymous", "other", "owner"])
def test_page_access(name, who, ctx, signed_in):
    case = PAGES[name]
    client = Client() if who == "anonymous" else signed_in(getattr(ctx, who))
    _check(_request(client, case, ctx), getattr(case, "anon" if who == "anonymous" else who), case, ctx, who)


@pytest.mark.parametrize("operation", sorted(API))
@pytest.mark.parametrize("who", ["anonymous", "other", "owner"])
def test_api_access(operation, who, ctx, signed_in):
    case = API[operation]
    headers = {}
    if who != "anonymous" and case.session:
        response = _request(signed_in(getattr(ctx, who)), case, ctx, headers)
        _check(response, getattr(case, who), case, ctx, who)
        return
    if who != "anonymous":
        _, secret = services.create_api_token(getattr(ctx, who), name="matrix", scope=TokenScope.READ_WRITE, days=1)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = _request(Client(), case, ctx, headers)
    _check(response, getattr(case, "anon" if who == "anonymous" else who), case, ctx, who)


@pytest.mark.parametrize("operation", sorted(op for op, case in API.items() if case.method != "get"))
def test_api_session_writes_need_a_complete_session(operation, ctx):
    """A password-only session (second factor not given) cannot use the API, not even to write."""
    client = Client()
    client.force_login(ctx.owner)
    response = _request(client, API[operation], ctx, headers={})
    assert response.status_code == 401


# --- Ids named by parameters: hidden answers exactly as missing (issue 15, items 1 and 4; decision 0030) ----

MISSING_ID = 2_000_000_007  # no row has it
BAD_IDS = ["abc", "-1", "0", "1.5", str(2**63), "99999999999999999999"]


class _Missing:
    """Stands in for an owner's object in a URL: the same endpoint, an id that names nothing."""

    pk = MISSING_ID
    version = 1
    username = "nobody"


def _missing(ctx: Ctx) -> Ctx:
    gone = _Missing()
    return Ctx(
        owner=ctx.owner,
        colleague=gone,
        other=ctx.other,
        token=gone,
        case=gone,
        hit=gone,
        benign=ctx.benign,
        request=gone,
        imported=gone,
        edition=gone,
        session=gone,
        task=gone,
        material=gone,
        nomination=gone,
        link=gone,
        link_token="x" * 43,
        shift=gone,
    )


# Path ids: every entry "other" is refused (404) must answer a missing id exactly alike, after the same queries.
DETAIL_PAGES = sorted(name for name, case in PAGES.items() if case.other == 404 and name != "api:api-root")
DETAIL_API = sorted(op for op, case in API.items() if case.other == 404)
# Path ids that name no agency's data, or are refused before any lookup (the reason says which).
PATH_IDS_EXEMPT = {
    "DELETE /api/v1/benign/{benign_id}": "the platform's benign list: 403 for every agency before any lookup",
    "POST /api/v1/requests/{request_id}/attachments": "a JSON body is refused (422) before any lookup; the multipart "
    "path: test_an_upload_to_a_hidden_request_answers_like_a_missing_one",
    "POST /api/v1/programmes/editions/{edition_id}/sessions/{session_id}/materials": "a JSON body is refused (422) "
    "before any lookup; the multipart path: test_an_upload_to_a_hidden_edition_answers_like_a_missing_one",
    "POST /api/v1/programmes/editions/{edition_id}/attendance/import": "a JSON body is refused (422) before any "
    "lookup; the multipart path: test_an_attendance_upload_to_a_hidden_edition_answers_like_a_missing_one",
    "GET /api/v1/agencies/{code}": "the public directory of member agencies",
    "PATCH /api/v1/agencies/{code}": "the public directory of member agencies",
}


def _normalised_queries(queries) -> list[str]:
    """The statements a request ran, with literal numbers and strings blanked: the same work has the same list."""
    import re

    return [re.sub(r"'[^']*'|\b\d+\b|\bNULL\b", "?", q["sql"]) for q in queries]


def _run_as_other(case: Case, ctx: Ctx, client, headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = _request(client, case, ctx, headers)
    return response, _normalised_queries(queries)


def _other_client(ctx, signed_in, api: bool, case: Case):
    if api and not case.session:
        _, secret = services.create_api_token(ctx.other, name="probe", scope=TokenScope.READ_WRITE, days=1)
        return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return signed_in(ctx.other), ({} if api else None)


@pytest.mark.parametrize("name", [f"page {n}" for n in DETAIL_PAGES] + [f"api {o}" for o in DETAIL_API])
def test_a_hidden_id_answers_like_a_missing_one_after_the_same_work(name, ctx, signed_in):
    """Issue 15 item 4: the same status, the same body (API) and the same statements, in the same order, for the id
    of the owner's object as for an id that names nothing: no prefetch, no extra write before the answer."""
    kind, key = name.split(" ", 1)
    case = PAGES[key] if kind == "page" else API[key]
    client, headers = _other_client(ctx, signed_in, kind == "api", case)
    ctx.imported = _import(ctx)  # made now, not while the hidden request's queries are counted
    _request(client, case, _missing(ctx), headers)  # warm per-session caches (token, roles) alike for both runs
    hidden, hidden_sql = _run_as_other(case, ctx, client, headers)
    missing, missing_sql = _run_as_other(case, _missing(ctx), client, headers)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    if kind == "api":
        assert hidden.content == missing.content
    assert MARKER not in hidden.content.decode(errors="replace")
    assert hidden_sql == missing_sql


@pytest.mark.parametrize("name", [f"page {n}" for n in DETAIL_PAGES] + [f"api {o}" for o in DETAIL_API])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_malformed_and_out_of_range_path_ids_are_missing_not_a_500(name, bad, ctx, signed_in):
    kind, key = name.split(" ", 1)
    case = PAGES[key] if kind == "page" else API[key]
    client, headers = _other_client(ctx, signed_in, kind == "api", case)
    stand_in = _missing(ctx)
    url = case.url(stand_in).replace(str(MISSING_ID), bad)
    method = getattr(client, case.method)
    data = case.data(stand_in)
    if case.method == "get":
        response = method(url, **(headers or {}))
    elif headers is not None:
        response = method(url, data, content_type="application/json", **headers)
    else:
        response = method(url, data)
    # A page answers 404; the API's schema may refuse a path id that is not an integer first (422), never a 500.
    assert response.status_code in ({404, 422} if headers is not None else {404}), (url, response.status_code)


@dataclass
class IdParam:
    """A query, form or body parameter naming agency data by id. ``refused`` is the answer to "other" for the
    owner's id and for a missing id alike; ``covers`` the parameters it stands for (see the coverage test)."""

    method: str
    url: Callable[[Ctx, object], str]
    owner_id: Callable[[Ctx], object]
    owner: int
    refused: int
    covers: tuple[str, ...]
    data: Callable[[Ctx, object], dict] = field(default=lambda ctx, value: {})
    api: bool = False


def _draft_fields(ctx, **more):
    return {
        "receivers": ["cnp"], "type": "general", "subject": "s", "asked": "a", "priority": "routine",
        "legal_basis": "police_to_police", "handling_code": "H0", "tlp": "amber", **more,
    }  # fmt: skip


def _owner_identifier(ctx):
    return ctx.case.identifiers.values_list("pk", flat=True).first()


ID_PARAMETERS: dict[str, IdParam] = {
    "hits page ?case": IdParam(
        "get", lambda c, v: f"/hits/?case={v}", lambda c: c.case.pk, 200, 404, ("page:matching.views:case",)
    ),
    "hits API ?case": IdParam(
        "get",
        lambda c, v: f"/api/v1/hits?case={v}",
        lambda c: c.case.pk,
        200,
        404,
        ("api:GET /api/v1/hits:query:case",),
        api=True,
    ),
    "draft page ?hit": IdParam(
        "get", lambda c, v: f"/requests/new/?hit={v}", lambda c: c.hit.pk, 200, 404, ("page:assistance.views:hit",)
    ),
    "draft page ?case": IdParam(
        "get", lambda c, v: f"/requests/new/?case={v}", lambda c: c.case.pk, 200, 404, ("page:assistance.views:case",)
    ),
    "draft page ?identifier": IdParam(
        "get", lambda c, v: f"/requests/new/?identifier={v}", _owner_identifier, 200, 404, ()
    ),
    "draft page POST hit": IdParam(
        "post", lambda c, v: "/requests/new/", lambda c: c.hit.pk, 200, 404, (), data=lambda c, v: {"hit": v}
    ),
    "draft page POST cases": IdParam(
        "post",
        lambda c, v: "/requests/new/",
        lambda c: c.case.pk,
        302,
        200,  # the form again, with the field's error
        ("form:lintas.assistance.forms.DraftForm.cases",),
        data=lambda c, v: _draft_fields(c, cases=[v]),
    ),
    "draft API cases": IdParam(
        "post",
        lambda c, v: "/api/v1/requests/",
        lambda c: c.case.pk,
        201,
        422,
        ("api:POST /api/v1/requests/:body:cases",),
        data=lambda c, v: _draft_fields(c, cases=[v]),
        api=True,
    ),
    "draft API identifiers": IdParam(
        "post",
        lambda c, v: "/api/v1/requests/",
        _owner_identifier,
        201,
        422,
        ("api:POST /api/v1/requests/:body:identifiers",),
        data=lambda c, v: _draft_fields(c, identifiers=[v]),
        api=True,
    ),
    # The audit filters narrow the viewer's own trail (visible_to first): another agency's object id finds nothing.
    "audit page ?object_id": IdParam(
        "get",
        lambda c, v: f"/audit/?object_type=accounts.user&object_id={v}",
        lambda c: c.colleague.pk,
        200,
        200,
        ("form:lintas.audit.filters.AuditFilterForm.object_id",),
    ),
    "audit API ?object_id": IdParam(
        "get",
        lambda c, v: f"/api/v1/audit/events?object_type=accounts.user&object_id={v}",
        lambda c: c.colleague.pk,
        200,
        200,
        ("api:GET /api/v1/audit/events:query:object_id",),
        api=True,
    ),
    # Programmes: the ids name the owner's agency's users, the edition's nominations and sessions. "Other" cannot see
    # the edition (in planning): 404 before any of them is looked at; the edition's own checks are in
    # programmes.tests.test_participation (another agency's user answers 422 exactly like a missing one).
    "nominate API user": IdParam(
        "post",
        lambda c, v: f"/api/v1/programmes/editions/{c.edition.pk}/nominations",
        lambda c: c.colleague.pk,
        201,
        404,
        ("api:POST /api/v1/programmes/editions/{edition_id}/nominations:body:user",),
        data=lambda c, v: {"mode": "online", "user": v},
        api=True,
    ),
    "nominate page user": IdParam(
        "post",
        lambda c, v: f"/programmes/editions/{c.edition.pk}/nominate/",
        lambda c: c.colleague.pk,
        302,
        404,
        ("form:lintas.programmes.forms.NominationForm.user",),
        data=lambda c, v: {"mode": "online", "user": v},
    ),
    "decide API nomination_ids": IdParam(
        "post",
        lambda c, v: f"/api/v1/programmes/editions/{c.edition.pk}/nominations/decide",
        lambda c: c.nomination.pk,
        200,
        404,
        ("api:POST /api/v1/programmes/editions/{edition_id}/nominations/decide:body:nomination_ids",),
        data=lambda c, v: {"nomination_ids": [v], "decision": "wait_listed"},
        api=True,
    ),
    "decide page nominations": IdParam(
        "post",
        lambda c, v: f"/programmes/editions/{c.edition.pk}/participants/",
        lambda c: c.nomination.pk,
        302,
        404,
        ("form:lintas.programmes.forms.DecisionForm.nominations",),
        data=lambda c, v: {"nominations": [v], "decision": "wait_listed"},
    ),
    "attendance API session_id": IdParam(
        "post",
        lambda c, v: f"/api/v1/programmes/editions/{c.edition.pk}/attendance",
        lambda c: c.session.pk,
        200,
        404,
        ("api:POST /api/v1/programmes/editions/{edition_id}/attendance:body:session_id",),
        data=lambda c, v: {"session_id": v, "nomination_ids": [c.nomination.pk]},
        api=True,
    ),
    "attendance API nomination_ids": IdParam(
        "post",
        lambda c, v: f"/api/v1/programmes/editions/{c.edition.pk}/attendance",
        lambda c: c.nomination.pk,
        200,
        404,
        ("api:POST /api/v1/programmes/editions/{edition_id}/attendance:body:nomination_ids",),
        data=lambda c, v: {"session_id": c.session.pk, "nomination_ids": [v]},
        api=True,
    ),
    "attendance import page session": IdParam(
        "post",
        lambda c, v: f"/programmes/editions/{c.edition.pk}/attendance/import/",
        lambda c: c.session.pk,
        200,  # the form again: no file
        404,
        ("form:lintas.programmes.forms.AttendanceImportForm.session",),
        data=lambda c, v: {"session": v},
    ),
}

EXPERT_DIRECTORY = "the expert directory every member reads (/programmes/experts/)"
# Parameters whose names look like ids but name no agency data by id (the reason says what they are).
NOT_IDS = {
    "page:cases.views:identifiers": "identifier values typed into a case, not ids",
    "form:lintas.cases.forms.CaseForm.identifiers": "identifier values typed into a case, not ids",
    "api:POST /api/v1/cases/{case_id}/identifiers:body:identifiers": "identifier values added to the case, not ids",
    "form:lintas.cases.forms.CaseEditForm.identifiers": "identifier values typed into a case, not ids",
    "form:lintas.cases.forms.CaseForm.shared_with": "agency codes from the public directory",
    "form:lintas.cases.forms.CaseEditForm.shared_with": "agency codes from the public directory",
    "form:lintas.assistance.forms.DraftForm.receivers": "agency codes from the public directory",
    "form:lintas.assistance.forms.DraftForm.identifiers": "offered only among the identifiers of the case named by "
    "?case= or ?identifier= (each checked above: 'draft page ?case', 'draft page ?identifier'); any other id is an "
    "invalid choice (assistance tests: test_identifiers_of_another_case_are_refused)",
    "form:lintas.accounts.forms.UserCreateForm.agency": "agency codes from the public directory",
    "form:lintas.programmes.forms.EditionForm.host_agency": "agency codes from the public directory",
    "form:lintas.programmes.forms.EditionForm.co_organisers": "agency codes from the public directory",
    "form:lintas.programmes.forms.ChecklistTaskForm.owner_agency": "agency codes from the public directory",
    "form:lintas.programmes.forms.SessionForm.moderator": EXPERT_DIRECTORY,
    "form:lintas.programmes.forms.SessionForm.speakers": EXPERT_DIRECTORY,
    "form:lintas.programmes.forms.SessionForm.panellists": EXPERT_DIRECTORY,
    "form:lintas.programmes.forms.MaterialForm.session": "a session of the edition in the URL, already found visible "
    "(and read); the choices are that edition's sessions the user may add to, any other id an invalid choice",
    "form:lintas.programmes.forms.FeedbackForm.most_useful": "a session of the edition in the URL, which the "
    "participant reads; the choices are that edition's sessions, any other id an invalid choice",
    "form:lintas.programmes.forms.ExpertLinkForm.expert": EXPERT_DIRECTORY,
    "page:assistance.views:row": "a row of the capability table every member reads; its own agency's admins edit it "
    "(test_capability_row_ids_never_500)",
}

ID_NAME = r"(^|_)(ids?|case|cases|hits?|identifiers|requests?|imports?|tokens?|users?|attachments?|events?|rows?)$"


def _api_id_parameters() -> set[str]:
    """Every query, path and JSON body parameter of the OpenAPI schema whose name says it names objects by id."""
    import re

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def properties(node):
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node.get("properties", {})

    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path" and re.search(ID_NAME, parameter["name"]):
                    found.add(f"api:{name}:{parameter['in']}:{parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            for prop in properties(body.get("schema", {})):
                if re.search(ID_NAME, prop):
                    found.add(f"api:{name}:body:{prop}")
    return found


def _page_id_parameters() -> set[str]:
    """Every ``request.GET``/``request.POST`` key read in a views module, and every form field, that names objects
    by id: by its name, or because it is a model choice."""
    import ast
    import importlib
    import inspect
    import pkgutil
    import re

    from django import forms

    import lintas

    found = set()
    for module_info in pkgutil.walk_packages(lintas.__path__, "lintas."):
        leaf = module_info.name.rsplit(".", 1)[-1]
        if leaf not in ("views", "forms", "filters") or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        app_module = module_info.name.removeprefix("lintas.")
        if leaf == "views":
            for node in ast.walk(ast.parse(inspect.getsource(module))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "getlist")
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr in ("GET", "POST")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and re.search(ID_NAME, str(node.args[0].value))
                ):
                    found.add(f"page:{app_module}:{node.args[0].value}")
        for _, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, form_field in form.base_fields.items():
                if isinstance(form_field, forms.BooleanField):  # a yes/no (hide_owner_in_hits) names nothing
                    continue
                # Every model choice (agency choices too: NOT_IDS says why they name public data) and every field
                # whose name says it holds ids.
                if isinstance(form_field, forms.ModelChoiceField) or re.search(ID_NAME, field_name):
                    found.add(f"form:{module.__name__}.{form.__name__}.{field_name}")
    return found


def test_every_id_parameter_is_in_the_matrix():
    """A new parameter naming agency data by id (query, form or body) fails here until it has an ID_PARAMETERS entry
    proving hidden answers like missing, or a NOT_IDS reason; a new path id until its entry answers 404."""
    covered = {name for entry in ID_PARAMETERS.values() for name in entry.covers} | set(NOT_IDS)
    found = _api_id_parameters() | _page_id_parameters()
    assert found - covered == set(), f"id parameters without a matrix entry: {sorted(found - covered)}"
    assert covered - found == set(), f"stale entries: {sorted(covered - found)}"
    schema = api.get_openapi_schema()
    with_path_ids = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["in"] == "path" for p in operation.get("parameters", []))
    }
    assert with_path_ids - set(DETAIL_API) - set(PATH_IDS_EXEMPT) == set()
    page_ids = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if name and not name.startswith("api:") and "<" in _route(name)
    }
    assert page_ids - set(DETAIL_PAGES) - set(PAGE_IDS_EXEMPT) == set()


# Pages with a path parameter that is not a refused id (the reason says what it is).
PAGE_IDS_EXEMPT = {
    "agencies:detail": "the public directory of member agencies",
    "agencies:edit": "the public directory of member agencies (its own admins edit)",
    "programmes:expert_page": "a bearer token, not an id: unknown, expired and revoked links answer the same 404 "
    "(programmes.tests.test_participation)",
    "programmes:expert_material": "a bearer token and a material id read through that link only: a material of "
    "none of the link's expert's sessions answers the same 404 as a missing one or an unknown link "
    "(programmes.tests.test_participation)",
}


def _route(name: str) -> str:
    from django.urls import get_resolver

    for route, _pattern in _routes(get_resolver().url_patterns):
        if route[0] == name:
            return route[1]
    return ""


def _routes(patterns, namespace="", prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, inner or namespace, prefix + str(pattern.pattern))
        else:
            full = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield (full, prefix + str(pattern.pattern)), pattern


def _id_client(ctx, signed_in, who: str, entry: IdParam):
    if who == "anonymous":
        return Client(), ({} if entry.api else None)
    user = getattr(ctx, who)
    if entry.api:
        _, secret = services.create_api_token(user, name="ids", scope=TokenScope.READ_WRITE, days=1)
        return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return signed_in(user), None


def _id_request(client, headers, entry: IdParam, ctx: Ctx, value):
    url, data = entry.url(ctx, value), entry.data(ctx, value)
    method = getattr(client, entry.method)
    if entry.method == "get":
        return method(url, **(headers or {}))
    if headers is not None:
        return method(url, data, content_type="application/json", **headers)
    return method(url, data)


@pytest.mark.parametrize("name", sorted(ID_PARAMETERS))
@pytest.mark.parametrize("who", ["anonymous", "other", "owner"])
def test_id_parameter_access(name, who, ctx, signed_in):
    """Issue 15 item 1: the owner's id works for the owner; for another agency it answers exactly as a missing id
    (status and, in the API, body), and nothing of the owner's reaches it; anonymous users are sent to sign in."""
    entry = ID_PARAMETERS[name]
    client, headers = _id_client(ctx, signed_in, who, entry)
    response = _id_request(client, headers, entry, ctx, entry.owner_id(ctx))
    if who == "anonymous":
        if entry.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    if who == "owner":
        assert response.status_code == entry.owner, (response.status_code, response.content[:300])
        return
    missing = _id_request(client, headers, entry, ctx, MISSING_ID)
    assert (response.status_code, missing.status_code) == (entry.refused, entry.refused), response.content[:300]
    body = response.content.decode(errors="replace")
    assert MARKER not in body and ctx.case.reference not in body
    if entry.api:
        assert response.json() == missing.json()
    else:  # the page may echo the value typed: the same page once numbers and CSRF tokens are blanked
        assert _without_tokens(body) == _without_tokens(missing.content.decode())
    for bad in BAD_IDS:  # malformed and out of range: refused like a missing id (the API's schema may say 422 first)
        answer = _id_request(client, headers, entry, ctx, bad)
        assert answer.status_code in {entry.refused, 422}, (bad, answer.status_code)


def _without_tokens(html: str) -> str:
    """A page without what differs between two renderings of it: CSRF tokens (64 letters and digits), numbers."""
    import re

    return re.sub(r"\d+", "N", re.sub(r"\b[A-Za-z0-9]{64}\b", "T", html))


@pytest.mark.parametrize("row", ["abc", "-1", str(2**63), "99999999999999999999", "0"])
def test_capability_row_ids_never_500(row, ctx, signed_in):
    response = signed_in(ctx.owner).post("/requests/capabilities/", {"row": row, "documents": "x"})
    assert response.status_code == 404


def test_an_upload_to_a_hidden_request_answers_like_a_missing_one(ctx):
    """The multipart path of ``POST /requests/{id}/attachments`` (the matrix sends JSON, refused before any lookup)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = services.create_api_token(ctx.other, name="upload", scope=TokenScope.READ_WRITE, days=1)
    client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answers = []
    for pk in (MISSING_ID, ctx.request.pk, MISSING_ID):  # the first warms the token cache
        upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/v1/requests/{pk}/attachments", {"file": upload}, **headers)
        answers.append((response.status_code, response.content, _normalised_queries(queries)))
    assert answers[1][0] == 404 and answers[1] == answers[2]


def test_an_upload_to_a_hidden_edition_answers_like_a_missing_one(ctx):
    """The multipart path of ``POST /programmes/editions/{id}/sessions/{id}/materials`` (the matrix sends JSON,
    refused before any lookup): the owner's edition in planning answers "other" as a missing one, after the same
    work, and stores nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lintas.programmes.models import Material

    _, secret = services.create_api_token(ctx.other, name="upload", scope=TokenScope.READ_WRITE, days=1)
    client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answers = []
    for pk in (MISSING_ID, ctx.edition.pk, MISSING_ID):  # the first warms the token cache
        upload = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/api/v1/programmes/editions/{pk}/sessions/{ctx.session.pk}/materials",
                {"kind": "paper", "title": "x", "file": upload},
                **headers,
            )
        answers.append((response.status_code, response.content, _normalised_queries(queries)))
    assert answers[1][0] == 404 and answers[1] == answers[2]
    assert not Material.objects.filter(title="x").exists()


def test_an_attendance_upload_to_a_hidden_edition_answers_like_a_missing_one(ctx):
    """The multipart path of ``POST /programmes/editions/{id}/attendance/import`` (the matrix sends JSON, refused
    before any lookup): another agency's member gets the missing edition's answer, after the same statements."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = services.create_api_token(ctx.other, name="upload", scope=TokenScope.READ_WRITE, days=1)
    client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    answers = []
    for pk in (MISSING_ID, ctx.edition.pk, MISSING_ID):  # the first warms the token cache
        upload = SimpleUploadedFile("zoom.csv", b"Name,Email\nA,a@spf.example\n", content_type="text/csv")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/v1/programmes/editions/{pk}/attendance/import", {"file": upload}, **headers)
        answers.append((response.status_code, response.content, _normalised_queries(queries)))
    assert answers[1][0] == 404 and answers[1] == answers[2]
