"""The REST API root: ``/api/v1/``, OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError

from lintas.accounts.api import router as accounts_router
from lintas.accounts.auth import api_auth
from lintas.agencies.api import router as agencies_router
from lintas.assistance.api import router as assistance_router
from lintas.audit.api import router as audit_router
from lintas.audit.services import record_denial
from lintas.cases.api import router as cases_router
from lintas.core.api_input import InputRefused, JsonParser
from lintas.identify.api import router as identify_router
from lintas.matching.api import router as matching_router
from lintas.matching.services import LookupLimitReached
from lintas.notifications.api import router as notifications_router

__all__ = ["api", "api_urls"]

api = NinjaAPI(
    title="Lintas API",
    version="1",
    description=(
        "Cross-border cooperation against cyber-enabled financial crime. Authenticate with a personal API token "
        "(`Authorization: Bearer lnt_...`, created under Profile → API tokens) or a signed-in browser session. "
        "What you may not see answers 404, exactly like what does not exist."
    ),
    auth=api_auth,
    urls_namespace="api",
    # The docs page is ninja's Swagger UI, served from ninja's own static files (pinned with django-ninja in the
    # lock), with its settings in a JSON block and no inline script, so it runs under the Content-Security-Policy.
    # No online validator: its badge would be an image from validator.swagger.io, which the policy refuses.
    docs=Swagger(settings={"validatorUrl": None}),
    parser=JsonParser(),
)


def api_index(request, **kwargs):
    """``GET /api/v1/``: where the documentation and the OpenAPI schema are, for anyone (both are public)."""
    if request.method not in {"GET", "HEAD"}:
        response = JsonResponse({"detail": _("Method not allowed.")}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    return JsonResponse(
        {
            "name": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "openapi": reverse("api:openapi-json"),
        }
    )


def api_urls():
    """``api.urls`` with ``/api/v1/`` itself answering :func:`api_index` instead of ninja's bare 404 (the pattern
    keeps ninja's name, ``api:api-root``, which ninja reverses to find where the API is mounted)."""
    patterns, app_name, namespace = api.urls
    patterns = [pattern for pattern in patterns if getattr(pattern, "name", None) != "api-root"]
    return [*patterns, path("", api_index, name="api-root")], app_name, namespace


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(LookupLimitReached)
def too_many(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    record_denial(request.user, str(exc), object_type="api", object_id=f"{request.method} {request.path}")
    return api.create_response(request, {"detail": str(exc) or _("Not allowed.")}, status=403)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc):
    # django-ninja answers 400 "Cannot parse request body" for anything the parser raises: a body the parser refused
    # for values no column can store (lintas.core.api_input) says which, as every invalid input does.
    if isinstance(exc.__cause__, InputRefused):
        return api.create_response(request, {"detail": _("Invalid input."), "errors": exc.__cause__.errors}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return api.create_response(
        request, {"detail": _("The request body is larger than this server accepts; send less at once.")}, status=413
    )


@api.exception_handler(OverflowError)
def overflow(request, exc):
    # The backstop for a number no column holds that reached the database driver (SQLite's 64-bit integers).
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": {"__all__": [_("A number beyond 64 bits.")]}}, status=422
    )


api.add_router("/agencies", agencies_router, tags=["agencies"])
api.add_router("/", accounts_router, tags=["accounts"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/identifiers", identify_router, tags=["identifiers"])
api.add_router("/cases", cases_router, tags=["cases"])
api.add_router("/", matching_router, tags=["matching"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/requests", assistance_router, tags=["mutual assistance"])
