"""Request id and client address for every request, kept in context for the audit trail."""

import ipaddress
import re

from django.conf import settings

from lintas.core import context

__all__ = ["RequestIdMiddleware"]

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
