"""Root URL configuration."""

from django.http import JsonResponse
from django.urls import include, path, re_path

from lintas.api import api, unknown_path


def healthz(request):
    """Liveness for load balancers: no database, no authentication."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    # First: the API's requests (most of them, and the most frequent) resolve without trying every page's pattern.
    path("api/v1/", api.urls),
    # What no API operation matched (`/api/v1/cases/abc`): the API's JSON 404, not the HTML page.
    re_path(r"^api/v1/", unknown_path, name="api_unknown_path"),  # a prefix: also paths with a newline
    path("", include("lintas.dashboard.urls")),
    path("", include("lintas.accounts.urls")),
    path("directory/", include("lintas.agencies.urls")),
    path("audit/", include("lintas.audit.urls")),
    path("identify/", include("lintas.identify.urls")),
    path("cases/", include("lintas.cases.urls")),
    path("requests/", include("lintas.assistance.urls")),
    path("", include("lintas.matching.urls")),
    path("healthz", healthz, name="healthz"),
]
