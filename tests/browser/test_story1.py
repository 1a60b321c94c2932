"""Story 1, the golden hour (BEC), as four officers of two agencies click it in their own browsers.

A Singapore company wired USD 42.3 M to an account in Timor-Leste. An SPF investigator records the case with the
beneficiary IBAN, drafts an urgent stop-payment request to PNTL and submits it; the drafter (who also holds the
supervisor role) cannot approve it, a second SPF supervisor does. PNTL's liaison officer, whose dashboard was opened
before anything was sent and is never reloaded, sees the incoming count rise within five seconds, acknowledges, and
records USD 39 M frozen plus an onward transfer to a Thai account written as officers write it, and answers in full
with the same submit. SPF then reads the outcome and the money trail,
where the freeze cascade proposes a follow-up stop-payment to RTP: a draft of SPF's own, linked to the first request,
with its own clock, invisible to PNTL.

Screenshots of the key steps go to ``$LINTAS_SCREENSHOT_DIR`` when set (``LINTAS_SCREENSHOT_DIR=docs/screenshots``
refreshes the user guide's images), otherwise to a temporary directory, so a plain test run changes no tracked file.
"""

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lintas import identifiers
from lintas.accounts.choices import Role
from lintas.assistance.models import AssistanceRequest, OnwardTransfer
from lintas.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IBAN = "TL38 0080 0123 4567 8910 157"
IBAN_COMPACT = "TL380080012345678910157"
# Krungthai Bank written with its short name, as a Thai officer writes it; Lintas shows it with the bank's full name.
THAI_ACCOUNT = "KTB 123-4-56789-0"
THAI_CANONICAL = "TH:006:1234567890"
THAI_DISPLAY = "Krungthai Bank 123-4-56789-0"
CASE_TITLE = "Golden hour: BEC wire of USD 42.3 M to Timor-Leste"


@pytest.fixture
def shots(tmp_path):
    directory = Path(os.environ.get("LINTAS_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> None:
        page.screenshot(path=directory / f"story1-{name}.png")

    return shot


def _count(page, box: str):
    """The badge of one box ("Incoming", "Awaiting my approval" ...) on the dashboard's requests card."""
    return page.locator("#dashboard-requests li").filter(has_text=box).locator(".badge")


def _status(page):
    return page.locator("#request-status")


def test_story1_golden_hour_stop_payment(new_context, make_user, signed_in_browser, shots, settings):
    settings.LIVE_STREAM_SECONDS = 120  # one stream per page for the whole story: what arrives is pushed
    # The beneficiary account and the onward Thai account are what the identifier library says they are.
    iban = identifiers.normalize(IBAN, None, "SG")
    assert (iban.type, iban.value, iban.country, iban.valid) == ("bank_account", IBAN_COMPACT, "TL", True)
    thai = identifiers.normalize(THAI_ACCOUNT, None, None)
    assert (thai.type, thai.value, thai.country, thai.valid) == ("bank_account", THAI_CANONICAL, "TH", True)
    assert thai.display == THAI_DISPLAY

    # The drafter also holds the supervisor role, so only the four-eyes rule can keep "Approve and send" from them.
    drafter = make_user(
        "spf",
        roles=(Role.INVESTIGATOR, Role.SUPERVISOR),
        username="spf.investigator",
        first_name="Mei Ling",
        last_name="Tan",
    )
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,), username="spf.supervisor", first_name="Rajesh")
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.liaison", first_name="Ana")

    # PNTL's dashboard is open before anything happens and is never reloaded.
    dili = new_context().new_page()
    signed_in_browser(dili, liaison)
    dili.goto("/")
    expect(_count(dili, "Incoming")).to_have_text("0")
    dili.evaluate("window.lintasNotReloaded = true")

    # SPF's investigator records the case through the form; the preview reads the IBAN as a Timor-Leste account.
    spf = new_context().new_page()
    signed_in_browser(spf, drafter)
    spf.goto("/cases/")
    spf.get_by_role("link", name="Record a case").click()
    spf.wait_for_url("**/cases/new/")
    spf.get_by_label("Title").fill(CASE_TITLE)
    spf.get_by_label("Crime type").select_option(label="Business e-mail compromise")
    spf.get_by_label("Countries involved").fill("SG, TL")
    spf.get_by_label("Narrative").fill(
        "A Singapore commodity trader received an e-mail from a look-alike supplier domain with new bank details "
        "and wired USD 42,300,000 to an account in Timor-Leste."
    )
    spf.get_by_label("Victims").fill("1")
    spf.get_by_label("Loss", exact=True).fill("42300000")
    spf.get_by_label("Currency").fill("USD")
    spf.get_by_role("textbox", name="Identifiers").fill(IBAN)
    preview = spf.locator("#identifier-preview-table")
    expect(preview).to_contain_text("Bank account")
    expect(preview).to_contain_text(IBAN_COMPACT)
    # No role to pick: in a business e-mail compromise an account is guessed to be the beneficiary's, and the preview
    # says so (a role written on the line, "beneficiary: …", or "Role for lines without one" would override it).
    expect(preview.locator(".identifier-role")).to_contain_text("Beneficiary account")
    expect(preview.locator(".identifier-role")).to_contain_text("guessed")
    spf.evaluate("window.scrollTo(0, 0)")
    shots(spf, "1-record-case")
    spf.get_by_role("button", name="Record the case").click()
    spf.wait_for_url(re.compile(r"/cases/\d+/$"))
    expect(spf.get_by_role("status").filter(has_text="recorded")).to_be_visible()
    expect(spf.locator("#case-identifiers")).to_contain_text(IBAN)
    case = Case.objects.get(title=CASE_TITLE)
    assert case.owner_agency.code == "spf" and case.crime_type == "bec"
    assert list(case.identifiers.values_list("value", "role")) == [(IBAN_COMPACT, "beneficiary_account")]

    # The investigator drafts the urgent stop-payment request to PNTL and submits it for approval.
    spf.get_by_role("link", name="Requests", exact=True).click()
    spf.get_by_role("link", name="Draft a request").click()
    spf.wait_for_url("**/requests/new/")
    spf.get_by_label(re.compile(r"^To\b")).select_option(label="PNTL")
    spf.get_by_label(re.compile(r"^Type\b")).select_option(label="Urgent stop-payment (freeze)")
    expect(spf.locator("#capability-hint")).to_contain_text("PNTL")
    spf.get_by_label("Priority").select_option(label="Urgent (hours)")
    spf.get_by_label("Subject").fill(f"Stop payment on {IBAN}: USD 42.3 M business e-mail compromise")
    spf.get_by_label("What is asked").fill(
        f"Please freeze account {IBAN} at once: it received USD 42,300,000 from a Singapore company deceived by a "
        "business e-mail compromise, and tell us of any onward transfers."
    )
    spf.get_by_label("Amount at stake").fill("42300000")
    spf.get_by_label("Currency").fill("USD")
    spf.get_by_label("Linked cases").select_option(label=f"{case.reference} {CASE_TITLE}")
    spf.get_by_role("button", name="Save draft").click()
    spf.wait_for_url(re.compile(r"/requests/\d+/$"))
    expect(_status(spf)).to_have_text("Draft")
    request_url = spf.url
    spf.get_by_role("button", name="Submit for approval").click()
    expect(_status(spf)).to_have_text("Awaiting approval")
    request = AssistanceRequest.objects.get()
    assert (request.sender_agency.code, request.receiver_agency.code) == ("spf", "pntl")
    assert (request.type, request.priority, request.amount, request.currency) == (
        "stop_payment",
        "urgent",
        42_300_000,
        "USD",
    )
    assert list(request.cases.all()) == [case] and request.drafted_by == drafter
    # Four eyes: a supervisor who drafted the request does not get to approve it (an urgent send-now, reviewed
    # afterwards, remains open to them), and it is not in their "awaiting my approval" box.
    expect(spf.get_by_role("button", name="Send now (urgent; reviewed afterwards)")).to_be_visible()
    expect(spf.get_by_role("button", name="Approve and send")).to_have_count(0)
    spf.goto("/")
    expect(_count(spf, "Awaiting my approval")).to_have_text("0")
    expect(_count(spf, "Outgoing")).to_have_text("1")
    # Nothing has left SPF yet: PNTL's dashboard still counts nothing incoming.
    expect(_count(dili, "Incoming")).to_have_text("0")

    # A second SPF supervisor finds it waiting and approves it.
    boss = new_context().new_page()
    signed_in_browser(boss, supervisor)
    boss.goto("/")
    expect(_count(boss, "Awaiting my approval")).to_have_text("1")
    boss.get_by_role("link", name="Awaiting my approval").click()
    # The urgent request also calls the second supervisor from a banner on every page (the drafter is not called).
    expect(boss.get_by_role("alert")).to_contain_text(f"Approve {request.reference}")
    boss.locator("#requests-table").get_by_role("link", name=request.reference, exact=True).click()
    boss.wait_for_url(request_url)
    expect(boss.get_by_role("button", name="Return to the drafter")).to_be_visible()
    shots(boss, "2-approve")
    boss.get_by_role("button", name="Approve and send").click()
    expect(_status(boss)).to_have_text("Sent")
    sent_at = time.monotonic()
    request.refresh_from_db()
    assert request.status == "sent" and request.approved_by == supervisor and not request.review_after_sending

    # PNTL's dashboard, never reloaded, shows the request within a second, pushed (the stream stays open for the
    # whole test: no reconnection refetches it): the count, its urgent line first in "Requests waiting for me", the
    # urgent banner with the time left, and the count in the tab's title.
    budget = max(300, 1000 - int((time.monotonic() - sent_at) * 1000))
    expect(_count(dili, "Incoming")).to_have_text("1", timeout=budget)
    banner = dili.get_by_role("alert")
    expect(banner).to_contain_text(f"Acknowledge {request.reference} — Urgent stop-payment (freeze) (SPF)")
    expect(banner).to_contain_text("due in")
    expect(dili.locator("#requests-needing-table tbody tr").first).to_contain_text(request.reference)
    expect(dili).to_have_title("(1) My work · Lintas")
    assert dili.evaluate("window.lintasNotReloaded") is True
    shots(dili, "3-pntl-dashboard")

    # PNTL's liaison officer opens it, acknowledges, and records what was frozen and where money had gone.
    dili.get_by_role("link", name="Incoming").click()
    dili.locator("#requests-table").get_by_role("link", name=request.reference, exact=True).click()
    dili.wait_for_url(request_url)
    expect(dili.locator("main")).to_contain_text("Singapore Police Force → PNTL")
    expect(dili.locator("main")).to_contain_text("USD 42,300,000.00")
    dili.get_by_role("button", name="Acknowledge").click()
    expect(_status(dili)).to_have_text("Acknowledged")
    expect(dili.locator("#live-banner [role=alert]")).to_have_count(0)  # acknowledged: nobody is called any more
    expect(dili).to_have_title(re.compile(r"^(?!\()"))
    moved_at = timezone.localtime(timezone.now() - dt.timedelta(hours=3), liaison.zone)  # as read in Dili
    dili.get_by_label("Amount frozen").fill("39000000")
    expect(dili.get_by_label("Currency", exact=True)).to_have_value("USD")
    dili.get_by_label("Accounts frozen").fill("1")
    # The destination as written, the amount with its separators; the country is read from the account.
    dili.get_by_label(re.compile("^Onward transfers")).fill(
        f"{THAI_ACCOUNT}; 3,300,000; USD; {moved_at:%Y-%m-%d %H:%M}"
    )
    dili.get_by_label("Note").fill("Frozen on police notice; the remainder left for Thailand before the freeze.")
    # One submit records the outcome and answers the request in full.
    dili.get_by_role("button", name="Record and answer in full").click()
    expect(dili.get_by_role("status").filter(has_text="1 follow-up request(s) proposed")).to_be_visible()
    expect(_status(dili)).to_have_text("Answered in full")
    expect(dili.locator("#request-outcome")).to_contain_text("USD 39,000,000.00 frozen")
    expect(dili.locator("#money-trail")).to_contain_text(f"USD 3,300,000.00 → {THAI_DISPLAY} TH")
    expect(dili.locator("#money-trail")).not_to_contain_text(THAI_CANONICAL)
    shots(dili, "4-pntl-outcome")

    transfer = OnwardTransfer.objects.get()
    follow_up = transfer.follow_up
    assert (transfer.request, transfer.value, transfer.country) == (request, THAI_CANONICAL, "TH")
    assert follow_up is not None
    # The follow-up is SPF's own urgent stop-payment draft to RTP, linked to the first request, with its own clock.
    request.refresh_from_db()
    assert (follow_up.sender_agency.code, follow_up.receiver_agency.code) == ("spf", "rtp")
    assert (follow_up.type, follow_up.priority, follow_up.status) == ("stop_payment", "urgent", "draft")
    assert follow_up.parent == request and follow_up.amount == 3_300_000 and follow_up.currency == "USD"
    assert follow_up.due_at > request.due_at and follow_up.due_at > timezone.now()
    # A draft stays inside SPF: PNTL's page names the transfer but not the follow-up request.
    assert follow_up.reference not in dili.content()
    # SPF is told of the outcome and of the follow-up (the drafter, in their own language); PNTL of neither.
    from lintas.notifications.models import Notification

    told = list(Notification.objects.filter(recipient=drafter).values_list("text", flat=True))
    assert f"PNTL recorded the outcome of {request.reference}: USD 39,000,000.00 frozen, 1 account(s)." in told
    assert (
        f"Lintas drafted a follow-up stop-payment {follow_up.reference} to RTP from PNTL's outcome on "
        f"{request.reference}: review and submit it."
    ) in told
    assert not Notification.objects.filter(recipient=liaison, text__contains=follow_up.reference).exists()

    # SPF's investigator reads the outcome and follows the money to the proposed request.
    spf.goto("/")
    # The answered request has left the open boxes; the proposed follow-up waits in Outgoing.
    expect(_count(spf, "Outgoing")).to_have_text("1")
    spf.get_by_role("link", name="Outgoing").click()
    expect(spf.locator("#requests-table tbody")).to_contain_text(follow_up.reference)
    expect(spf.locator("#requests-table tbody tr")).to_have_count(1)
    spf.goto(request_url)
    expect(_status(spf)).to_have_text("Answered in full")
    expect(spf.locator("#request-outcome")).to_contain_text("USD 39,000,000.00 frozen")
    expect(spf.locator("#request-outcome")).to_contain_text("1 account(s) frozen")
    trail = spf.locator("#money-trail")
    expect(trail).to_contain_text(f"{request.reference} → PNTL (Answered in full)")
    expect(trail).to_contain_text(f"USD 3,300,000.00 → {THAI_DISPLAY} TH — {follow_up.reference} (Draft)")
    spf.locator("#money-trail").scroll_into_view_if_needed()
    shots(spf, "5-spf-outcome-trail")
    trail.get_by_role("link", name=follow_up.reference).click()
    spf.wait_for_url(f"**/requests/{follow_up.pk}/")
    expect(_status(spf)).to_have_text("Draft")
    main = spf.locator("main")
    expect(main).to_contain_text("Singapore Police Force → RTP")
    expect(main).to_contain_text(f"Follow the money: USD 3,300,000.00 moved to {THAI_DISPLAY}")
    # Who it is drafted for and why, and the transfer in the reader's time zone.
    expect(spf.locator("#request-proposed")).to_contain_text(
        f"Drafted by Lintas from PNTL's outcome on {request.reference}, for Mei Ling Tan"
    )
    expect(spf.locator("#request-proposed")).to_contain_text(
        timezone.localtime(transfer.moved_at, drafter.zone).strftime("%Y-%m-%d %H:%M")
    )
    expect(main).not_to_contain_text(THAI_CANONICAL)
    # The transfer time PNTL gave in Dili time is stated in UTC to RTP.
    expect(main).to_contain_text(
        f"arrived there on {moved_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC from an account frozen under "
        f"{request.reference} (first request {request.reference})"
    )
    expect(main).to_contain_text(timezone.localtime(follow_up.due_at, drafter.zone).strftime("%Y-%m-%d %H:%M"))
    expect(main).to_contain_text(case.reference)  # the parent's linked case came along
    expect(spf.locator("#money-trail")).to_contain_text(f"{request.reference} → PNTL (Answered in full)")
    expect(spf.locator("#money-trail")).to_contain_text(f"{follow_up.reference} → RTP (Draft)")
    expect(spf.get_by_role("button", name="Submit for approval")).to_be_visible()
