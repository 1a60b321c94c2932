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
    "api:openapi-json": Case("get", lambda c: "/api/v1/openapi.json", 200, 200, 200),
    "api:openapi-view": Case("get", lambda c: "/api/v1/docs", 200, 200, 200),
    "api:api-root": Case("get", lambda c: "/api/v1/", 404, 404, 404),
    "healthz": Case("get", lambda c: "/healthz", 200, 200, 200),
    "api_unknown_path": Case("get", lambda c: "/api/v1/cases/abc", 404, 404, 404),
}

API: dict[str, Case] = {
    "GET /api/v1/agencies/": Case("get", lambda c: "/api/v1/agencies/", 401, 200, 200),
    "GET /api/v1/agencies/{code}": Case("get", lambda c: "/api/v1/agencies/spf", 401, 200, 200),
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
    return Ctx(
        owner=owner,
        colleague=colleague,
        other=other,
        token=token,
        case=case,
        hit=outcome.hits[0],
        benign=benign,
        request=request,
    )


def _import(ctx: Ctx):
    """The owner's bulk import, its report naming the owner's marker (made once per test)."""
    from lintas.cases.models import BulkImport

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
