"""Root URL configuration."""

from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path, re_path

from lintas.api import api_urls, unknown_path


def healthz(request):
    """Liveness for load balancers: no database, no authentication."""
    return JsonResponse({"status": "ok"})


def favicon(request):
    """``/favicon.ico`` for browsers and tools that ask for it without reading the page: the static SVG icon."""
    return HttpResponseRedirect(static("core/favicon.svg"))


# Error pages in the user's language, JSON under /api/ (lintas.core.errors).
handler400 = "lintas.core.errors.bad_request"
handler403 = "lintas.core.errors.permission_denied"
handler404 = "lintas.core.errors.not_found"
handler500 = "lintas.core.errors.server_error"


urlpatterns = [
    # First: the API's requests (most of them, and the most frequent) resolve without trying every page's pattern.
    path("api/v1/", api_urls()),
    # What no API operation matched (`/api/v1/cases/abc`): the API's JSON 404, not the HTML page.
    re_path(r"^api/v1/", unknown_path, name="api_unknown_path"),  # a prefix: also paths with a newline
    path("", include("lintas.dashboard.urls")),
    path("", include("lintas.accounts.urls")),
    path("directory/", include("lintas.agencies.urls")),
    path("audit/", include("lintas.audit.urls")),
    path("identify/", include("lintas.identify.urls")),
    path("cases/", include("lintas.cases.urls")),
    path("requests/", include("lintas.assistance.urls")),
    path("programmes/", include("lintas.programmes.urls")),
    path("insights/", include("lintas.insights.urls")),
    path("live/", include("lintas.live.urls")),
    path("", include("lintas.programmes.public_urls")),  # /verify/<code>/ and /public/editions/<id>/: no sign-in
    path("", include("lintas.matching.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]
