"""The API's error answers: documented for every operation in the OpenAPI schema, one JSON shape, never a page."""

import pytest
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.api import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(make_user):
    user = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR), username="spf.errors")
    _, secret = accounts.create_api_token(user, name="errors", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return schema, [(m, p, op) for p, ops in schema["paths"].items() for m, op in ops.items()]


def test_every_operation_documents_its_error_answers_with_the_error_body():
    schema, operations = _operations()
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"] and set(error["properties"]) == {"detail", "errors"}
    for method, path, operation in operations:
        codes = {int(code) for code in operation["responses"]}
        assert 401 in codes, (method, path)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert {404, 422} <= codes, (method, path)
        if method != "get":
            assert 403 in codes, (method, path)
        if "requestBody" in operation:
            assert {400, 413, 422} <= codes, (method, path)
    responses = {f"{m.upper()} {p}": {int(c) for c in op["responses"]} for m, p, op in operations}
    assert {409, 428} <= responses["POST /api/v1/requests/{request_id}/{action}"]
    assert 415 in responses["POST /api/v1/cases/bulk"] and 415 in responses["POST /api/v1/cases/imports"]
    assert 429 in responses["POST /api/v1/lookup"]
    assert 403 in responses["GET /api/v1/audit/events"] and 403 in responses["GET /api/v1/users"]
    transition = schema["paths"]["/api/v1/requests/{request_id}/{action}"]["post"]["responses"]
    version_needed = transition[428]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][version_needed]["required"] == ["detail"]  # was any object
    unauthorized = schema["paths"]["/api/v1/me"]["get"]["responses"][401]
    assert unauthorized["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_schema_check_answers_like_every_other_refusal(bearer):
    """django-ninja's own 422 (a list under ``detail``) becomes ``{"detail": ..., "errors": {field: [...]}}``."""
    response = Client().post(
        "/api/v1/requests/1/outcome",
        data={"transfers": [{"destination": "x", "amount": "1,5", "currency": "USD", "moved_at": "2026-01-01"}]},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request does not match the API schema."
    assert "transfers[0].amount" in body["errors"]
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    missing = Client().post("/api/v1/lookup", data="", content_type="application/json", **bearer).json()  # no body
    assert missing["errors"] == {"body": ["Field required"]}
    query = Client().get("/api/v1/cases/?offset=x", **bearer).json()
    assert list(query["errors"]) == ["offset"]


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/cases/abc", "/api/v1/cases/imports/a%0Ab"])
def test_a_path_no_operation_matches_answers_the_api_404(bearer, method, path):
    """``/cases/abc`` (ids are digits) was Django's HTML page, and for a write without CSRF cookie its 403 page."""
    response = getattr(Client(enforce_csrf_checks=True), method)(path, **bearer)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("body", ["0.0", "false", "[]", '"x"', "null", "[1]"])
def test_a_body_that_is_not_an_object_is_refused(bearer, body):
    """django-ninja took a falsy JSON body (``0.0``) for no body: ``PATCH /agencies/spf`` answered 200."""
    from lintas.agencies.models import Agency

    before = Agency.objects.get(code="spf").contact_24_7
    response = Client().patch("/api/v1/agencies/spf", data=body, content_type="application/json", **bearer)
    assert response.status_code == 400 and "detail" in response.json()
    assert Agency.objects.get(code="spf").contact_24_7 == before


def test_amounts_are_documented_as_the_parser_reads_them(bearer):
    """The schema said "any string" for decimal amounts: "" and "1,5" were schema-valid and refused."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    for model, name in [("RequestIn", "amount"), ("TransferSchema", "amount"), ("OutcomeIn", "amount_frozen")]:
        variants = schema[model]["properties"][name]["anyOf"]
        strings = [v for v in variants if v.get("type") == "string"]
        assert strings and all("pattern" in v for v in strings), (model, name)
    import re

    pattern = strings[0]["pattern"]
    assert all(re.search(pattern, ok) for ok in ["1", "1.50", "-2", "+0732461.e+51", "1e3", ".5"])
    assert not any(re.search(pattern, bad) for bad in ["", "1,5", "NaN", "Infinity", ".", "1e51080166589360961635"])
    from lintas.assistance.api import OutcomeIn

    for ok in ["1", "1.50", "-2", "+0732461.e+51", "1e3", ".5", "1e9999"]:
        OutcomeIn(amount_frozen=ok)  # what the schema allows, the parser takes


def test_an_attachment_is_documented_as_a_file_with_content():
    body = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]["/api/v1/requests/{request_id}/attachments"]
    schema = body["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"]["minLength"] == 1 and schema["required"] == ["file"]


def test_a_transition_names_its_actions_in_the_schema(bearer):
    """With any string as ``{action}``, the schema also described ``POST /requests/1/messages`` (another operation,
    with another body) as a transition: schemathesis sent it one and got "body: Field required"."""
    from lintas.assistance.services import TRANSITIONS

    operation = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]["/api/v1/requests/{request_id}/{action}"]
    action = next(p for p in operation["post"]["parameters"] if p["name"] == "action")
    assert set(action["schema"]["enum"]) == set(TRANSITIONS) and "messages" not in action["schema"]["enum"]
    response = Client().post(
        "/api/v1/requests/1/nonsense", data={"version": 1}, content_type="application/json", **bearer
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["action"]


@pytest.mark.parametrize("value", [0, 1, "no", "true"])
def test_a_boolean_in_a_body_is_true_or_false(make_user, value):
    """pydantic read ``{"is_active": 0}`` as false: schemathesis' schema-violating request disabled a user."""
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN, Role.INVESTIGATOR), username="spf.booladmin")
    colleague = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.boolcolleague")
    _, secret = accounts.create_api_token(admin, name="bool", scope=TokenScope.READ_WRITE, days=1)
    response = Client().put(
        f"/api/v1/users/{colleague.pk}/active",
        data={"is_active": value},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["is_active"]
    colleague.refresh_from_db()
    assert colleague.is_active


def test_an_agency_is_not_deactivated_by_a_zero(platform_admin):
    _, secret = accounts.create_api_token(platform_admin, name="bool", scope=TokenScope.READ_WRITE, days=1)
    response = Client().patch(
        "/api/v1/agencies/pntl",
        data={"is_active": 0},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["is_active"]
    from lintas.agencies.models import Agency

    assert Agency.objects.get(code="pntl").is_active


@pytest.mark.parametrize("value", ["0", "1700000000", "1.5e9", " 42 "])
def test_dates_and_times_are_iso_text_not_seconds_since_1970(bearer, make_user, value):
    """pydantic read ``date_to=0`` as 1 January 1970 and answered 200 (found by schemathesis' negative data check):
    dates and times in the API are ISO 8601 text, in query strings and JSON bodies alike."""
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN,), username="spf.audit.admin")
    _, secret = accounts.create_api_token(admin, name="audit", scope=TokenScope.READ, days=1)
    response = Client().get(f"/api/v1/audit/events?date_to={value}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 422, response.content
    assert "date_to" in response.json()["errors"]
    assert (
        Client().get("/api/v1/audit/events?date_to=2026-12-01", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
        == 200
    )
    draft = Client().post(
        "/api/v1/requests/",
        {"receivers": ["pntl"], "type": "general", "subject": "s", "asked": "a", "due_at": value.strip()},
        content_type="application/json",
        **bearer,
    )
    assert draft.status_code == 422 and "due_at" in draft.json()["errors"], draft.content
