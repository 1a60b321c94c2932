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
