"""Request id and client address for every request, kept in context for the audit trail."""

import re

from django.conf import settings

from lintas.core import context

__all__ = ["RequestIdMiddleware"]

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def client_address(request) -> str | None:
    """The client's IP: the first X-Forwarded-For hop when Lintas runs behind a trusted proxy, else REMOTE_ADDR."""
    if getattr(settings, "PRODUCTION", False) and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
