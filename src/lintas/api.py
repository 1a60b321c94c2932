"""The REST API root: ``/api/v1/``, OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaMismatch

from lintas.accounts.api import router as accounts_router
from lintas.accounts.auth import api_auth
from lintas.agencies.api import router as agencies_router
from lintas.assistance.api import router as assistance_router
from lintas.audit.api import router as audit_router
from lintas.audit.services import record_denial
from lintas.cases.api import router as cases_router
from lintas.core.api_input import InputRefused, JsonParser
from lintas.identify.api import router as identify_router
from lintas.insights.api import router as insights_router
from lintas.matching.api import router as matching_router
from lintas.matching.services import LookupLimitReached
from lintas.notifications.api import router as notifications_router
from lintas.programmes.api import router as programmes_router

__all__ = ["ERROR_SCHEMA", "LintasAPI", "api", "api_urls", "unknown_path"]

# The body of every error answer (except the two documented exceptions: 409 on a transition, 422 of a bulk report).
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the user's language."},
        "errors": {
            "type": "object",
            "description": "Messages by field (`__all__` for the whole input; list items as `identifiers[2]`).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}

_ERROR_DESCRIPTIONS = {
    400: "The body is not a JSON object (or not in the declared media type).",
    401: "No credentials, or an unknown, expired or revoked token, or a session without its second factor.",
    403: "A read-only token used to write, roles that do not allow this, or a session write without CSRF token.",
    404: "The object does not exist or you may not see it: the two are indistinguishable on purpose.",
    409: "The object changed since you read it, or is not in a state this action starts from.",
    413: "The body is larger than the upload limit.",
    415: "The body is not in a media type this operation reads.",
    422: "The input was refused: `errors` says why, by field.",
    428: "Name the version you saw (If-Match header or `version` in the body).",
    429: "Past your or your agency's allowance: `Retry-After` says when to try again.",
}

# What some operations answer beyond the rule of ``LintasAPI._error_codes``: (method, path below /api/v1/) -> codes.
_EXTRA_ERRORS: dict[tuple[str, str], set[int]] = {
    ("get", "/users"): {403},
    ("get", "/users/{user_id}"): {403},
    ("get", "/audit/events"): {403},
    ("post", "/users"): {404},  # an unknown agency code
    ("post", "/requests/"): {404},  # an unknown receiving agency
    ("post", "/cases/imports"): {415},
    ("post", "/requests/{request_id}/attachments"): {415},
    ("post", "/requests/{request_id}/{action}"): {409, 428},
    ("post", "/lookup"): {429},
    ("get", "/hits"): {404},  # a case filter naming a case you may not see, as one that does not exist
    ("post", "/cases/"): {429},  # past the hourly allowance of recorded identifiers
    ("post", "/cases/{case_id}/identifiers"): {429},
    ("post", "/cases/bulk"): {415, 429},
    ("post", "/programmes/editions"): {404},  # an unknown programme or host agency
    ("get", "/programmes/public/editions/{edition_id}/summary"): {429},  # anonymous: a per-address allowance
}

_WRITE_METHODS = {"post", "put", "patch", "delete"}


class LintasAPI(NinjaAPI):
    """The ninja API whose OpenAPI schema also documents, for every operation, the error answers it can give."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        prefix = (path_prefix if path_prefix is not None else self.get_root_path(path_params or {})).rstrip("/")
        for url, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code in sorted(self._error_codes(method, url.removeprefix(prefix), operation)):
                    if code in responses or str(code) in responses:  # an operation's own answer comes first
                        continue
                    responses[code] = {
                        "description": _ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
        return schema

    @staticmethod
    def _error_codes(method: str, path: str, operation: dict) -> set[int]:
        """Every operation needs credentials (401); input can be refused (422); ids in the path can name what you may
        not see (404); writes can be refused (403) and carry a body (400 unparsable, 413 too large)."""
        codes = {401} | _EXTRA_ERRORS.get((method, path), set())
        parameters = operation.get("parameters", [])
        if parameters or "requestBody" in operation:
            codes.add(422)
        if any(p.get("in") == "path" for p in parameters):
            codes.add(404)
        if method in _WRITE_METHODS:
            codes.add(403)
        if "requestBody" in operation:
            codes |= {400, 413}
        return codes


api = LintasAPI(
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


@csrf_exempt  # as every API operation: a write to a wrong path is a 404, not the CSRF page
def unknown_path(request):
    """``/api/v1/...`` that names no operation (``/cases/abc``: ids are digits): the API's JSON 404, not the HTML
    page a browser gets."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


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


@api.exception_handler(SchemaMismatch)
def schema_mismatch(request, exc):
    """The input does not fit the operation's schema (django-ninja's check): the same shape as every other 422, the
    fields named as Lintas names them (``transfers[0].amount``, ``offset``, ``body`` for a missing body)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    detail = _("The request does not match the API schema.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _field_name(loc) -> str:
    """``("body", "payload", "transfers", 0, "amount")`` -> ``transfers[0].amount``; the source (body, query, path,
    file) and the body parameter's own name are left out."""
    source, *parts = loc or ("",)
    if source == "body":
        parts = parts[1:] or ["body"]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name or "__all__"


api.add_router("/agencies", agencies_router, tags=["agencies"])
api.add_router("/", accounts_router, tags=["accounts"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/identifiers", identify_router, tags=["identifiers"])
api.add_router("/cases", cases_router, tags=["cases"])
api.add_router("/", matching_router, tags=["matching"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/requests", assistance_router, tags=["mutual assistance"])
api.add_router("/programmes", programmes_router, tags=["programmes"])
api.add_router("/insights", insights_router, tags=["insights"])
