"""Request pages: drafting, approving and acknowledging by clicking, panels with counts."""

import pytest

from lintas.accounts.choices import Role
from lintas.assistance.models import AssistanceRequest

pytestmark = pytest.mark.django_db


def test_draft_approve_acknowledge_through_the_pages(make_user, signed_in):
    drafter = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))
    response = drafter.post(
        "/requests/new/",
        {
            "receivers": ["pntl"],
            "type": "stop_payment",
            "priority": "urgent",
            "legal_basis": "police_to_police",
            "subject": "Freeze TL38 0080 0123 4567 8910 157",
            "asked": "Stop the payment",
            "amount": "42300000",
            "currency": "USD",
            "handling_code": "H0",
            "tlp": "amber",
        },
    )
    assert response.status_code == 302
    item = AssistanceRequest.objects.get()
    assert drafter.post(f"/requests/{item.pk}/submit/", {"version": item.version}).status_code == 302
    item.refresh_from_db()
    supervisor = signed_in(make_user("spf", roles=(Role.SUPERVISOR,)))
    page = supervisor.get("/requests/?box=approval")
    assert item.reference in page.content.decode() and page.context["counts"]["approval"] == 1
    supervisor.post(f"/requests/{item.pk}/approve/", {"version": item.version})
    item.refresh_from_db()
    assert item.status == "sent"
    liaison = signed_in(make_user("pntl", roles=(Role.LIAISON_OFFICER,)))
    home = liaison.get("/")
    assert home.context["request_counts"]["incoming"] == 1
    liaison.post(f"/requests/{item.pk}/acknowledge/", {"version": item.version})
    item.refresh_from_db()
    assert item.status == "acknowledged"
    # a stale button (old version) is refused with a clear message, not a crash
    response = liaison.post(f"/requests/{item.pk}/acknowledge/", {"version": item.version - 1}, follow=True)
    assert "changed since you opened it" in response.content.decode()


def test_bad_draft_shows_errors_and_saves_nothing(make_user, signed_in):
    client = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))
    response = client.post(
        "/requests/new/",
        {
            "receivers": ["pntl"],
            "type": "stop_payment",
            "subject": "",
            "asked": "",
            "priority": "urgent",
            "legal_basis": "other",
            "handling_code": "H0",
            "tlp": "amber",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert AssistanceRequest.objects.count() == 0


def test_request_from_a_hit_with_a_hidden_holder_does_not_name_it(make_user, signed_in):
    from lintas.cases.tests.helpers import record

    rtp = make_user("rtp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    rmp = make_user("rmp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    record(rtp, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], hide_owner_in_hits=True, title="RTP hidden")
    _, outcome = record(rmp, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    hit = outcome.hits[0]
    client = signed_in(rmp)
    page = client.get(f"/requests/new/?hit={hit.pk}")
    body = page.content.decode()
    assert "receivers" not in page.context["form"].fields and "RTP" not in body.split("<main", 1)[1]
    response = client.post(
        f"/requests/new/?hit={hit.pk}",
        {
            "hit": hit.pk,
            "type": "general",
            "priority": "routine",
            "legal_basis": "police_to_police",
            "subject": "Details please",
            "asked": "What do you hold?",
            "handling_code": "H0",
            "tlp": "amber",
        },
    )
    assert response.status_code == 302
    item = AssistanceRequest.objects.get()
    assert item.receiver_agency.code == "rtp" and item.receiver_hidden
    for path in (f"/requests/{item.pk}/", "/requests/?box=outgoing", "/requests/ledger/"):
        assert "RTP" not in client.get(path).content.decode().split("<main", 1)[1], path
    api = client.get(f"/api/v1/requests/{item.pk}").json()
    assert api["receiver"] == "hidden"
    assert client.get("/api/v1/requests/?box=outgoing").json()["items"][0]["receiver"] == "hidden"


def test_a_hidden_holder_stays_hidden_until_it_acknowledges(make_user, signed_in):
    from django.core.exceptions import PermissionDenied

    from lintas.assistance import services
    from lintas.cases.tests.helpers import record
    from lintas.notifications.models import Notification

    rtp = make_user("rtp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    rmp = make_user("rmp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER, Role.SUPERVISOR))
    record(rtp, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], hide_owner_in_hits=True)
    _, outcome = record(rmp, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    signed_in(rmp).post(
        f"/requests/new/?hit={outcome.hits[0].pk}",
        {
            "hit": outcome.hits[0].pk,
            "type": "general",
            "priority": "urgent",
            "legal_basis": "police_to_police",
            "subject": "Details",
            "asked": "What do you hold?",
            "handling_code": "H0",
            "tlp": "amber",
        },
    )
    item = AssistanceRequest.objects.get()
    item = services.transition(rmp, item, "send_now", version=item.version)
    with pytest.raises(PermissionDenied):
        services.post_message(rtp, item, "hello from RTP")
    item = services.transition(rtp, item, "decline", version=item.version, reason="No")
    texts = " ".join(Notification.objects.filter(recipient=rmp).values_list("text", flat=True))
    assert "RTP" not in texts and "a member agency" in texts


def test_the_request_rows_refresh_on_live_signals_in_the_background(make_user, signed_in):
    """Not on a timer of their own: a signal (or the page's polling without a stream) refreshes them, marked as
    background, so an unattended requests page does not keep its session alive."""
    page = signed_in(make_user("spf", roles=(Role.LIAISON_OFFICER,))).get("/requests/").content.decode()
    rows = page[page.index('id="request-rows"') :].split(">", 1)[0]
    assert 'hx-trigger="lintas:live from:body" hx-sync="this:replace"' in rows and "X-Lintas-Background" in rows
