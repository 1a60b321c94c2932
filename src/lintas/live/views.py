"""The live stream under WSGI, the urgent banner and the dashboard's requests panel (decision 0045)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from lintas.accounts import mfa
from lintas.live.hub import get_hub
from lintas.live.selectors import alerts_for, request_news, requests_needing, unread_request_news
from lintas.live.streams import STREAM_HEADERS, thread_stream


def stream(request):
    """Signals for the signed-in user as Server-Sent Events; 403 without a complete session.

    Under ``lintas serve`` (ASGI) ``lintas.asgi`` answers this path itself and Django never sees it. A production
    WSGI server answers 204: a stream would hold one of its few threads for minutes, so the page polls instead.
    """
    user = request.user
    if not user.is_authenticated or not mfa.session_is_complete(user):
        return HttpResponse(status=403)
    if not settings.LIVE_WSGI_STREAMS or get_hub().stopping:
        return HttpResponse(status=204)
    response = StreamingHttpResponse(thread_stream(user.pk, user.agency_id))
    for name, value in STREAM_HEADERS:
        response[name.decode()] = value.decode()
    return response


@login_required
def banner(request):
    """The urgent banner of every page: requests the user must act on now, with the time left."""
    alerts = alerts_for(request.user)
    called = {f"/requests/{alert.request.pk}/" for alert in alerts}  # already in the banner: not news twice
    news = [note for note in unread_request_news(request.user) if note.url not in called]
    context = {"alerts": alerts, "news": news, "now": timezone.now()}
    return render(request, "live/_banner.html", context)


@login_required
def requests_panel(request):
    """The dashboard's list of open requests waiting for the user, urgent first."""
    context = {"needing": requests_needing(request.user), "now": timezone.now(), **request_news(request.user)}
    return render(request, "live/_requests_panel.html", context)
