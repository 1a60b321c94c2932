"""The event stream: who may open it (the pages' session rules), and that it carries only their own signals."""

import asyncio
import os
import signal
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lintas.accounts.choices import Role
from lintas.accounts.tests.factories import TEST_PASSWORD
from lintas.live import streams
from lintas.live.hub import get_hub
from lintas.live.streams import session_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("spf", roles=(Role.LIAISON_OFFICER,), username="spf.lo")


def _key(client):
    client.get("/")  # a page: the session's last activity is set as for any officer
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_a_complete_session_is_identified_with_its_user_and_agency(officer, signed_in):
    assert session_identity(_key(signed_in(officer))) == (officer.pk, officer.agency_id)


def test_no_session_an_unknown_one_and_an_inactive_user_are_refused(officer, signed_in):
    assert session_identity(None) is None
    assert session_identity("no-such-session") is None
    key = _key(signed_in(officer))
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert session_identity(key) is None


def test_a_session_without_its_second_factor_is_refused(officer, client):
    TOTPDevice.objects.create(user=officer, confirmed=True, name="phone")
    assert client.login(username=officer.username, password=TEST_PASSWORD)
    assert session_identity(client.cookies[django_settings.SESSION_COOKIE_NAME].value) is None


def test_a_changed_password_and_the_idle_timeout_end_the_stream_too(officer, signed_in, settings):
    client = signed_in(officer)
    key = _key(client)
    session = client.session
    session["lintas_last_seen"] = timezone.now().timestamp() - settings.IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    assert session_identity(key) is None
    key = _key(signed_in(officer))
    officer.set_password("another-long-passphrase-77")
    officer.save()
    assert session_identity(key) is None


def test_opening_the_stream_is_not_activity(officer, signed_in):
    client = signed_in(officer)
    _key(client)
    session = client.session
    session["lintas_last_seen"] = before = timezone.now().timestamp() - 600
    session.save()
    response = client.get("/live/stream/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert client.session["lintas_last_seen"] == before


def test_wsgi_stream_refuses_without_a_session_and_answers_204_on_a_production_wsgi_server(
    officer, signed_in, client, settings
):
    anonymous = client.get("/live/stream/")
    assert anonymous.status_code == 403 and anonymous.content == b""
    settings.LIVE_WSGI_STREAMS = False
    assert signed_in(officer).get("/live/stream/").status_code == 204


def test_wsgi_stream_carries_the_users_and_agencys_signals_only(officer):
    stream = streams.thread_stream(officer.pk, officer.agency_id)
    assert next(stream).startswith(b"retry: ")
    hub = get_hub()
    hub.dispatch({"k": "requests", "u": [], "a": [officer.agency_id + 1]})  # another agency's
    hub.dispatch({"k": "notification", "u": [officer.pk + 1], "a": []})  # another user's
    hub.dispatch({"k": "requests", "u": [], "a": [officer.agency_id]})
    hub.dispatch({"k": "notification", "u": [officer.pk], "a": []})
    assert [next(stream), next(stream)] == [b"data: requests\n\n", b"data: notification\n\n"]
    assert next(stream) == streams.HEARTBEAT  # nothing else was for this stream
    stream.close()
    assert hub.dispatch({"k": "notification", "u": [officer.pk], "a": []}) == 0  # closed: unsubscribed


def _run_asgi(cookie: str, during=None, seconds=1.5):
    """Open the ASGI stream with ``cookie``, call ``during()`` once it answered, collect what it sent."""
    sent = []

    async def main():
        disconnect = asyncio.Event()

        async def receive():
            await disconnect.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.start" and during:
                asyncio.get_running_loop().call_later(0.1, during)

        task = asyncio.ensure_future(
            streams.asgi_stream(
                {"type": "http", "method": "GET", "path": "/live/stream/", "headers": [(b"cookie", cookie.encode())]},
                receive,
                send,
            )
        )
        await asyncio.sleep(seconds)
        disconnect.set()
        await asyncio.wait_for(task, 3)

    asyncio.run(main())
    return sent


# The ASGI stream checks the session on its pool's threads: what the test wrote must be committed for them to see.
asgi = [pytest.mark.serial, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@asgi[0]
@asgi[1]
def test_asgi_stream_refuses_without_a_complete_session_and_sends_no_data(officer, client):
    for cookie in ("", f"{django_settings.SESSION_COOKIE_NAME}=forged", "garbage;;=\x7f"):
        sent = _run_asgi(cookie, seconds=0.2)
        assert sent[0]["status"] == 403 and [m.get("body") for m in sent[1:]] == [b""]
    TOTPDevice.objects.create(user=officer, confirmed=True, name="phone")
    client.login(username=officer.username, password=TEST_PASSWORD)  # password only: second factor missing
    sent = _run_asgi(
        f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    )
    assert sent[0]["status"] == 403


@asgi[0]
@asgi[1]
def test_asgi_stream_delivers_own_signals_only_and_ends_at_disconnect(officer, signed_in, settings):
    settings.LIVE_HEARTBEAT_SECONDS, settings.LIVE_STREAM_SECONDS = 0.5, 60
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={_key(signed_in(officer))}"
    hub = get_hub()

    def signals():
        hub.dispatch({"k": "requests", "u": [], "a": [officer.agency_id + 1]})
        hub.dispatch({"k": "requests", "u": [], "a": [officer.agency_id]})
        hub.dispatch({"k": "notification", "u": [officer.pk + 1], "a": []})

    started = time.monotonic()
    sent = _run_asgi(cookie, during=signals)
    assert time.monotonic() - started < 3  # ended at the disconnect, not at the stream's age
    assert sent[0]["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in sent[0]["headers"]
    bodies = [m.get("body", b"") for m in sent[1:]]
    assert bodies[0].startswith(b"retry: ")
    assert bodies.count(b"data: requests\n\n") == 1 and b"data: notification\n\n" not in bodies
    assert streams.HEARTBEAT in bodies
    assert hub.dispatch({"k": "requests", "u": [], "a": [officer.agency_id]}) == 0


@asgi[0]
@asgi[1]
def test_asgi_stream_ends_by_itself_after_its_age(officer, signed_in, settings):
    settings.LIVE_HEARTBEAT_SECONDS, settings.LIVE_STREAM_SECONDS = 0.2, 0.5
    sent = _run_asgi(f"{django_settings.SESSION_COOKIE_NAME}={_key(signed_in(officer))}", seconds=1.2)
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


def test_serve_runs_gunicorn_with_uvicorn_workers_on_the_asgi_application():
    from lintas.core.management.commands.serve import gunicorn_command

    command = gunicorn_command("127.0.0.1:8123", 3)
    assert command[1:4] == ["-m", "gunicorn", "lintas.asgi:application"]
    assert command[command.index("--worker-class") + 1] == "uvicorn_worker.UvicornWorker"
    assert command[command.index("--bind") + 1] == "127.0.0.1:8123" and command[command.index("--workers") + 1] == "3"


def test_the_asgi_application_routes_the_stream_apart_and_the_rest_to_django(monkeypatch):
    from lintas import asgi

    seen = []

    async def fake_stream(scope, receive, send):
        seen.append(("stream", scope["path"]))

    async def fake_django(scope, receive, send):
        seen.append(("django", scope["path"]))

    monkeypatch.setattr(asgi, "asgi_stream", fake_stream)
    monkeypatch.setattr(asgi, "django_application", fake_django)
    for path in ("/live/stream/", "/live/banner/", "/"):
        asyncio.run(asgi.application({"type": "http", "path": path}, None, None))
    assert seen == [("stream", "/live/stream/"), ("django", "/live/banner/"), ("django", "/")]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_sigterm_ends_the_streams_first_then_calls_the_servers_handler(monkeypatch):
    from lintas import asgi
    from lintas.live import hub as hub_module
    from lintas.live.backends import LocalBackend
    from lintas.live.hub import Hub, Subscription

    hub = Hub(backend=LocalBackend())
    monkeypatch.setattr(hub_module, "_hub", hub)
    stream = hub.subscribe(Subscription.for_thread(1, 1))
    called = []
    original = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda signum, frame: called.append(signum))  # stands for uvicorn's handler
    try:

        async def main():
            asgi._end_streams_on_sigterm(asyncio.get_running_loop())
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.2)

        asyncio.run(main())
    finally:
        signal.signal(signal.SIGTERM, original)
    assert called == [signal.SIGTERM]
    assert hub.stopping and stream.tqueue.get_nowait() is None  # the stream was told to end
