"""How Lintas answers as a served application: response headers on every answer, the Content-Security-Policy and
templates that keep to it, the error pages (in the user's language, JSON for the API), the favicon and the API index
(issue 15, items 3 and 11; ``lintas serve`` with DEBUG off is in test_serve_command)."""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext

from lintas.core import errors
from lintas.core.middleware import CONTENT_SECURITY_POLICY
from lintas.core.tests.html_checks import inline_code

NO_STORE = "private, no-store"


def _boom(request):
    raise RuntimeError("secret detail of the failure")


def _cached(request):
    response = HttpResponse("cacheable?")
    response["Cache-Control"] = "public, max-age=3600"
    response["Expires"] = "Thu, 01 Dec 2099 16:00:00 GMT"
    return response


# The application's URLs plus a page and an API path that fail, and a view that asks to be cached.
urlpatterns = [
    path("boom/", _boom),
    path("api/v1/boom/", _boom),
    path("cached/", _cached),
    path("", include("lintas.urls")),
]
# The application's own error handlers, so these tests fail if lintas.urls loses them.
from lintas.urls import handler400, handler403, handler404, handler500  # noqa: E402, F401


@pytest.fixture
def failing_urls():
    with override_settings(ROOT_URLCONF=__name__):
        yield Client(raise_request_exception=False)


def _korean(msgid: str) -> str:
    with translation.override("ko"):
        text = gettext(msgid)
    assert text != msgid, f"no Korean for {msgid!r}"
    return text


# --- item 3: headers --------------------------------------------------------------------------------------------


def _assert_headers(response):
    assert response["Cache-Control"] == NO_STORE
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Expires" not in response and "ETag" not in response


@pytest.mark.django_db
def test_every_kind_of_answer_is_not_stored_and_carries_the_policy(admin_user, signed_in, failing_urls):
    anonymous = Client()
    user = signed_in(admin_user)
    answers = {
        "sign-in page": anonymous.get("/accounts/login/"),
        "redirect to sign-in": anonymous.get("/cases/"),
        "signed-in page": user.get("/cases/"),
        "signed-in HTMX partial": user.get("/hits/inbox/", headers={"HX-Request": "true"}),
        "page 404": user.get("/no-such-page/"),
        "API 401": anonymous.get("/api/v1/cases/"),
        "API 200": user.get("/api/v1/cases/"),
        "API 404 object": user.get("/api/v1/cases/999999"),
        "API 404 path": user.get("/api/v1/no-such-thing"),
        "API index": anonymous.get("/api/v1/"),
        "OpenAPI schema": anonymous.get("/api/v1/openapi.json"),
        "API docs": anonymous.get("/api/v1/docs"),
        "page 500": failing_urls.get("/boom/"),
        "API 500": failing_urls.get("/api/v1/boom/"),
        "favicon": anonymous.get("/favicon.ico"),
    }
    for name, response in answers.items():
        assert response["Cache-Control"] == NO_STORE, name
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name


@pytest.mark.django_db
def test_a_view_cannot_opt_out_of_no_store(failing_urls):
    _assert_headers(failing_urls.get("/cached/"))


def test_the_policy_allows_no_inline_code_and_nothing_from_elsewhere():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


# --- item 3: no template uses what the policy refuses ------------------------------------------------------------


def _served(path: Path) -> bool:
    """PDF templates (``core/pdf_base.html`` and those extending it) are laid out by WeasyPrint, never served as pages,
    so the page policy does not bind them (decision 0039); every other template does."""
    text = path.read_text(encoding="utf-8")
    return path.name != "pdf_base.html" and '{% extends "core/pdf_base.html" %}' not in text


ALL_TEMPLATES = sorted(Path(settings.BASE_DIR).rglob("templates/**/*.html"))
TEMPLATES = [path for path in ALL_TEMPLATES if _served(path)]


def test_templates_are_found():
    assert len(TEMPLATES) > 30
    assert "pdf_base.html" in {p.name for p in ALL_TEMPLATES if not _served(p)}  # PDFs are left out, no page is


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_style_or_handlers(template):
    """The source of every template (also those no test renders): the access matrix checks the rendered pages."""
    # Template tags and comments replaced by a word, so the HTML parser sees the markup around them.
    text = re.sub(r"{%.*?%}|{#.*?#}", "tag", template.read_text(encoding="utf-8"), flags=re.S)
    assert not inline_code(text)


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script>alert(1)</script><script src="/static/x.js"></script>', ["<script> without src"]),
        ('<script type="application/json" id="s">{}</script>', []),
        ("<style>p{}</style>", ["<style> element"]),
        ('<form onsubmit="return false">', ["<form onsubmit=...> event handler"]),
        ('<body style="margin:0">', ["<body style=...> attribute"]),
        ('<div hx-on:click="x()">', ["<div hx-on:click=...> htmx inline handler"]),
        ('<a href=" JavaScript:go()">', ["<a href=javascript:...>"]),
    ],
)
def test_the_inline_code_check_finds_each_kind(html, found):
    assert inline_code(html) == found


def test_htmx_injects_no_style_and_its_indicator_rules_are_in_the_stylesheet(admin_user):
    base = (Path(settings.BASE_DIR) / "core/templates/core/base.html").read_text()
    assert '<meta name="htmx-config"' in base and '"includeIndicatorStyles": false' in base
    css = (Path(settings.BASE_DIR) / "core/static/core/lintas.css").read_text()
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css


# --- item 11: error pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_page_is_friendly_and_in_korean(admin_user, signed_in):
    client = signed_in(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    admin_user.language = "ko"
    admin_user.save()
    response = client.get("/cases/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert _korean("Not found") in body and _korean("Back to my work") in body
    assert '<html lang="ko"' in body
    assert "URLconf" not in body and "Page not found" not in body  # not Django's debug page with its URL list


@pytest.mark.django_db
def test_500_page_is_friendly_in_korean_without_traceback(failing_urls):
    response = failing_urls.get("/boom/", headers={"Accept-Language": "ko"})
    body = response.content.decode()
    assert response.status_code == 500
    assert _korean("Something went wrong") in body and _korean("Back to Lintas") in body
    assert "secret detail" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert not inline_code(body)


def test_500_page_renders_without_database_or_request_context():
    """No ``db`` fixture: pytest-django fails any query, so this proves the page needs no database."""
    with translation.override("ko"):
        response = errors.server_error(RequestFactory().get("/cases/"))
    assert response.status_code == 500
    assert _korean("Something went wrong") in response.content.decode()


def test_500_page_falls_back_to_plain_html_if_its_template_fails():
    with mock.patch.object(errors.loader, "render_to_string", side_effect=RuntimeError("broken")):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


@pytest.mark.django_db
def test_api_path_that_names_no_operation_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_api_errors_stay_json(failing_urls):
    for path_, status in [("/api/v1/no-such-thing", 404), ("/api/v1/boom/", 500)]:
        response = failing_urls.get(path_)
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
        assert "secret detail" not in response.content.decode()


@pytest.mark.django_db
def test_400_for_a_host_not_allowed_is_friendly_and_json_for_the_api():
    page = Client().get("/accounts/login/", HTTP_HOST="evil.example", headers={"Accept-Language": "ko"})
    assert page.status_code == 400 and _korean("Bad request") in page.content.decode()
    api = Client().get("/api/v1/cases/", HTTP_HOST="evil.example")
    assert api.status_code == 400 and api.json() == {"detail": "Bad request."}


@pytest.mark.django_db
def test_csrf_failure_is_a_friendly_page_in_korean(admin_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"}, headers={"Accept-Language": "ko"})
    body = response.content.decode()
    assert response.status_code == 403
    assert _korean("This form has expired") in body
    assert 'name="csrfmiddlewaretoken"' in body  # rendered with the request: the language switcher still works
    assert "CSRF cookie not set" not in body and "Forbidden (403)" not in body  # Django's technical page
    assert not inline_code(body)


@pytest.mark.django_db
def test_403_page_shows_the_views_reason(make_user, signed_in):
    investigator = signed_in(make_user("spf", username="spf.inv"))
    response = investigator.get("/directory/pntl/edit/")
    assert response.status_code == 403
    assert "Only this agency&#x27;s admins and the platform admin change its details." in response.content.decode()


# --- item 11: favicon and API index -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_is_linked_from_every_page_and_served_at_favicon_ico(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/core/favicon.svg"
    from django.contrib.staticfiles import finders

    svg = Path(finders.find("core/favicon.svg")).read_text()
    assert svg.startswith("<svg") and "<script" not in svg


@pytest.mark.django_db
def test_api_index_points_at_docs_and_schema(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Lintas API",
        "version": "1",
        "docs": "/api/v1/docs",
        "openapi": "/api/v1/openapi.json",
    }
    assert client.get(response.json()["docs"]).status_code == 200
    assert client.get(response.json()["openapi"]).json()["info"]["version"] == "1"
    refused = client.post("/api/v1/")
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD" and "detail" in refused.json()


@pytest.mark.django_db
def test_api_docs_load_nothing_from_elsewhere(client):
    body = client.get("/api/v1/docs").content.decode()
    assert re.findall(r'(?:src|href)="(https?:)?//', body) == []
    assert '"validatorUrl": null' in body  # no badge image from validator.swagger.io
    assert not inline_code(body)
