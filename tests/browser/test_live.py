"""Live alerts in the browser: without a stream the page polls and still shows what arrives (decision 0045)."""

import pytest
from playwright.sync_api import expect

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _urgent_request_sent(make_user):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.drafter")
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,), username="spf.sup")
    request = services.draft_request(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="Freeze beneficiary account",
        asked="Stop payment",
    )[0]
    request = services.transition(drafter, request, "submit", version=request.version)
    return services.transition(supervisor, request, "approve", version=request.version)


def test_without_a_stream_the_page_polls_and_still_shows_the_urgent_request(
    new_context, make_user, signed_in_browser, settings
):
    settings.LIVE_WSGI_STREAMS = False  # as on a production WSGI server: the stream answers 204
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.liaison")
    page = new_context().new_page()
    signed_in_browser(page, liaison)
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-live", "polling")
    expect(page.locator("#dashboard-requests li").filter(has_text="Incoming").locator(".badge")).to_have_text("0")
    request = _urgent_request_sent(make_user)
    expect(page.locator("#dashboard-requests li").filter(has_text="Incoming").locator(".badge")).to_have_text(
        "1", timeout=8000
    )  # the next poll, within 5 s
    expect(page.get_by_role("alert")).to_contain_text(f"Acknowledge {request.reference}")
    expect(page).to_have_title("(1) My work · Lintas")


def test_with_a_stream_the_banner_shows_on_other_pages_too_and_offers_browser_notifications(
    new_context, make_user, signed_in_browser
):
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.liaison")
    page = new_context().new_page()
    signed_in_browser(page, liaison)
    page.goto("/cases/")
    expect(page.locator("body")).to_have_attribute("data-live", "stream")
    request = _urgent_request_sent(make_user)
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(
        f"Acknowledge {request.reference} — Urgent stop-payment (freeze) (SPF)", timeout=3000
    )
    expect(page.get_by_role("button", name="Allow browser notifications")).to_be_visible()
    expect(page).to_have_title("(1) Cases · Lintas")
    banner.get_by_role("link", name=f"Acknowledge {request.reference}").click()
    page.wait_for_url(f"**/requests/{request.pk}/")


def test_a_signal_arriving_while_the_banner_refetches_is_not_lost(new_context, make_user, signed_in_browser, settings):
    """A signal that arrives while the banner is refetching: queued behind that request, the new one went with the
    element the answer replaced (outerHTML), and the signal was lost. Each live part replaces its request instead
    (hx-sync="this:replace"): the held, stale refetch is abandoned and the new one shows the request."""
    settings.LIVE_STREAM_SECONDS = 120
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.liaison")
    page = new_context().new_page()
    signed_in_browser(page, liaison)
    page.goto("/cases/")
    expect(page.locator("body")).to_have_attribute("data-live", "stream")
    expect(page.locator("#live-banner[data-alert-count]")).to_have_count(1)  # the first refetch has answered
    held = []

    def hold_first(route):
        if not held:
            held.append(route)  # never answered: as a slow answer that arrives after the signal
        else:
            route.continue_()

    page.route("**/live/banner/", hold_first)
    page.evaluate("htmx.trigger(document.body, 'lintas:live')")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the banner's refetch was not sent"
    request = _urgent_request_sent(make_user)  # its signal arrives while the refetch is held
    expect(page.get_by_role("alert")).to_contain_text(f"Acknowledge {request.reference}", timeout=5000)
