"""The error answers: friendly pages in the user's language for people, JSON for the API.

Django's defaults answer an API client with an HTML page; these views take their place (``handler400`` ... in
``lintas.urls``). A form refused by the CSRF check gets the template ``403_csrf.html``, which Django's own view renders
with the request (without it Django shows its English page with an inline style).
None of them shows a URL list or a traceback: that is what ``DEBUG`` would do, and ``DEBUG`` is off wherever Lintas
serves (``lintas serve`` forces it off).
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

__all__ = ["bad_request", "not_found", "permission_denied", "server_error"]

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

# The last resort, if even the 500 template cannot be rendered (a broken installation): no template, no translation.
_PLAIN_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · Lintas</title></head><body>'
    "<h1>Something went wrong</h1><p>Lintas could not complete this request. Please try again.</p>"
    '<p><a href="/">Back to Lintas</a></p></body></html>'
)


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception=None):
    """400: a request Django refused before any view (a host not allowed, a malformed multipart body ...)."""
    if _is_api(request):
        return _api_error(_("Bad request."), 400)
    return HttpResponse(loader.render_to_string("400.html", request=request), status=400)


def permission_denied(request, exception=None):
    """403 from a view; the page shows the reason the view gave, which is written for the user."""
    if _is_api(request):
        return _api_error(str(exception or "") or _("Not allowed."), 403)
    message = str(exception or "")
    return HttpResponse(loader.render_to_string("403.html", {"exception": message}, request), status=403)


def not_found(request, exception=None):
    """404, the same for what does not exist and what the user may not see; the path asked for is not echoed."""
    if _is_api(request):
        return _api_error(_("Not found."), 404)
    return HttpResponse(loader.render_to_string("404.html", request=request), status=404)


def server_error(request):
    """500: rendered without the request's context processors, so it needs neither the database nor the session
    (the failure may be the database itself); the language the request already chose still applies."""
    if _is_api(request):
        return _api_error(_("Server error. Nothing was changed by the failed step; please try again."), 500)
    try:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(_PLAIN_500, status=500)
