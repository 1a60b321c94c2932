"""Request id and client address for every request (kept in context for the audit trail), and the response headers
every answer of the application carries (no caching, Content-Security-Policy), and the refusal of input no column
can hold before any view runs."""

import ipaddress
import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from lintas.core import context

__all__ = ["CONTENT_SECURITY_POLICY", "InputGuardMiddleware", "RequestIdMiddleware", "ResponseHeadersMiddleware"]

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP. Behind a declared proxy (LINTAS_BEHIND_PROXY), the last X-Forwarded-For hop, which is the one
    that proxy appended itself; a client cannot forge it. Anything that is not an IP address is ignored."""
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_FORWARDED_FOR"):
        forwarded = _valid_ip(request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1])
        if forwarded:
            return forwarded
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


class RequestIdMiddleware:
    """Gives each request an id (an incoming valid ``X-Request-ID`` is kept) and echoes it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else context.new_request_id()
        request.client_ip = client_address(request)
        with context.use_context(request.request_id, request.client_ip):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


# Self only, no inline script or style, no eval (decision 0032). Images also as data: URIs (Bootstrap's form controls
# and Swagger UI draw their icons that way); nothing may frame a page.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ResponseHeadersMiddleware:
    """Every answer the application itself gives carries ``Cache-Control: private, no-store`` and the
    Content-Security-Policy, whatever the view set: pages, API answers, redirects and error pages alike.

    Nothing a view does can opt out, so a new view cannot forget it. Static files are served (and cached) by
    WhiteNoise, which answers before this middleware. It reads neither the session nor the user, so it also holds
    for the 500 page when the database is down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Police data must not stay in a browser's or a proxy's cache, nor come back with the Back button after
        # signing out. Expires and the validators would only invite a cache to keep or revalidate a copy.
        response["Cache-Control"] = "private, no-store"
        for header in ("Expires", "ETag", "Last-Modified"):
            if header in response:
                del response[header]
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


class InputGuardMiddleware:
    """Refuses, before any view, input that no column can hold (issue 15): a query string with a NUL character
    (PostgreSQL refuses NUL in text) answers 400 (422 in the API), a path id beyond 64 bits 404, and a number that
    still reaches the database driver beyond 64 bits (``OverflowError``) 400 instead of a server error. JSON bodies
    are checked by the API's parser (``lintas.core.api_input``). It sits after the user middleware, so a refused
    page is the friendly 400 page in the user's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return self._refuse(request, 400, _("Text cannot contain NUL characters."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from lintas.core.api_input import MAX_ID

        if any(isinstance(value, int) and not 0 <= value <= MAX_ID for value in view_kwargs.values()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return self._refuse(request, 400, _("A number beyond 64 bits."))
        return None

    @staticmethod
    def _refuse(request, status: int, message: str):
        if request.path.startswith("/api/"):  # as every invalid input to the API: 422 with the errors
            return JsonResponse({"detail": _("Invalid input."), "errors": {"__all__": [message]}}, status=422)
        # People get the friendly page in their language, saying what was wrong (this middleware runs after the
        # user's and their language's middleware, so the page has its usual frame).
        return HttpResponse(loader.render_to_string("400.html", {"reason": message}, request), status=status)
