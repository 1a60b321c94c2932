"""Story 1, the golden hour (BEC), played as new users play it: three officers of two agencies, by visible labels,
every click, submit and list choice counted (typing and signing in are not), at most 12 in all (issue 17).

A Singapore company wired USD 42.3 M to an account in Timor-Leste. An SPF investigator records the case with the
beneficiary IBAN (its role guessed), asks PNTL for a stop-payment from the IBAN's row (the request comes filled in) and
submits it; the drafter (who also holds the supervisor role) cannot approve it, a second SPF supervisor, called by the
urgent banner of the dashboard they already had open, does. PNTL's liaison officer, whose dashboard was opened before
anything was sent and is never reloaded, is called by the banner within a second (the latency is measured and
reported), acknowledges, and records USD 39 M frozen plus an onward transfer to a Thai account written as officers
write it, answering in full with the same submit. SPF's investigator, whose dashboard is open, is told of the outcome
and of the follow-up stop-payment to RTP that the freeze cascade drafted: a draft of SPF's own, linked to the first
request, with its own clock, invisible to PNTL.

Screenshots of the key steps go to ``$LINTAS_SCREENSHOT_DIR`` when set (``LINTAS_SCREENSHOT_DIR=docs/screenshots``
refreshes the user guide's images), otherwise to a temporary directory, so a plain test run changes no tracked file.
"""

import datetime as dt
import os
import re
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


class Actions:
    """Clicks, submits and list choices, counted per person: what an officer in a golden hour spends."""

    def __init__(self):
        self.log: list[tuple[str, str, str]] = []

    def click(self, who: str, locator, what: str) -> None:
        locator.click()
        self.log.append((who, "click", what))

    def submit(self, who: str, locator, what: str) -> None:
        locator.click()
        self.log.append((who, "submit", what))

    def choose(self, who: str, locator, label: str) -> None:
        locator.select_option(label=label)
        self.log.append((who, "list choice", label))

    def report(self) -> str:
        lines = [f"{n:2d}. {who}: {kind} {what!r}" for n, (who, kind, what) in enumerate(self.log, start=1)]
        kinds = {kind: sum(1 for _w, k, _x in self.log if k == kind) for kind in ("click", "submit", "list choice")}
        lines.append(f"{len(self.log)} actions: " + ", ".join(f"{n} {kind}s" for kind, n in kinds.items()))
        return "\n".join(lines)


WATCH_BANNER = """(reference) => {
  window.lintasBannerSeenAt = null;
  const seen = () => {
    const banner = document.querySelector('#live-banner [role=alert]');
    if (banner && banner.textContent.includes(reference) && window.lintasBannerSeenAt === null) {
      window.lintasBannerSeenAt = Date.now();
    }
  };
  new MutationObserver(seen).observe(document.body, {childList: true, subtree: true, characterData: true});
  seen();
}"""


def test_story1_golden_hour_stop_payment(new_context, make_user, signed_in_browser, shots, settings, record_property):
    settings.LIVE_STREAM_SECONDS = 120  # one stream per page for the whole story: what arrives is pushed
    # The beneficiary account and the onward Thai account are what the identifier library says they are.
    iban = identifiers.normalize(IBAN, None, "SG")
    assert (iban.type, iban.value, iban.country, iban.valid) == ("bank_account", IBAN_COMPACT, "TL", True)
    thai = identifiers.normalize(THAI_ACCOUNT, None, None)
    assert (thai.type, thai.value, thai.country, thai.valid) == ("bank_account", THAI_CANONICAL, "TH", True)
    assert thai.display == THAI_DISPLAY
    act = Actions()

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

    # Everyone is signed in with their dashboard open; PNTL's and the second supervisor's are never reloaded.
    dili = new_context().new_page()
    signed_in_browser(dili, liaison)
    dili.goto("/")
    expect(_count(dili, "Incoming")).to_have_text("0")
    expect(dili.locator("body")).to_have_attribute("data-live", "stream")
    dili.evaluate("window.lintasNotReloaded = true")
    boss = new_context().new_page()
    signed_in_browser(boss, supervisor)
    boss.goto("/")
    boss.evaluate("window.lintasNotReloaded = true")
    spf = new_context().new_page()
    signed_in_browser(spf, drafter)
    spf.goto("/")

    # 1-3. SPF's investigator records the case; the preview reads the IBAN as a Timor-Leste account and guesses its
    # role (the beneficiary's, in a business e-mail compromise): no role to pick from a list.
    act.click("SPF investigator", spf.get_by_role("link", name="Record a case"), "Record a case")
    spf.wait_for_url("**/cases/new/")
    spf.get_by_label("Title").fill(CASE_TITLE)
    act.choose("SPF investigator", spf.get_by_label("Crime type"), "Business e-mail compromise")
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
    expect(preview.locator(".identifier-role")).to_contain_text("Beneficiary account")
    expect(preview.locator(".identifier-role")).to_contain_text("guessed")
    spf.evaluate("window.scrollTo(0, 0)")
    shots(spf, "1-record-case")
    act.submit("SPF investigator", spf.get_by_role("button", name="Record the case"), "Record the case")
    spf.wait_for_url(re.compile(r"/cases/\d+/$"))
    expect(spf.get_by_role("status").filter(has_text="recorded")).to_be_visible()
    expect(spf.locator("#case-identifiers")).to_contain_text(IBAN)
    case = Case.objects.get(title=CASE_TITLE)
    assert case.owner_agency.code == "spf" and case.crime_type == "bec"
    assert list(case.identifiers.values_list("value", "role")) == [(IBAN_COMPACT, "beneficiary_account")]

    # 4-5. From the IBAN's row, one click opens the stop-payment already filled in (PNTL from the account's country,
    # urgent by its type, the amount from the losses, the text from the type's template); one submit sends it for
    # approval.
    act.click(
        "SPF investigator",
        spf.locator("#case-identifiers").get_by_role("link", name="Request a stop-payment"),
        "Request a stop-payment",
    )
    spf.wait_for_url("**/requests/new/**")
    expect(spf.get_by_label("Subject")).to_have_value(re.compile(rf"^Stop payment on {re.escape(IBAN)}"))
    expect(spf.get_by_label("Priority")).to_have_value("urgent")
    shots(spf, "2-request-filled-in")
    act.submit("SPF investigator", spf.get_by_role("button", name="Submit for approval"), "Submit for approval")
    spf.wait_for_url(re.compile(r"/requests/\d+/$"))
    expect(_status(spf)).to_have_text("Awaiting approval")
    request_url = spf.url
    spf.evaluate("window.lintasNotReloaded = true")
    request = AssistanceRequest.objects.get()
    assert (request.sender_agency.code, request.receiver_agency.code) == ("spf", "pntl")
    assert (request.type, request.priority, request.amount, request.currency) == (
        "stop_payment",
        "urgent",
        42_300_000,
        "USD",
    )
    assert list(request.cases.all()) == [case] and request.drafted_by == drafter
    assert [i.value for i in request.identifiers.all()] == [IBAN_COMPACT]
    # Four eyes: a supervisor who drafted the request does not get to approve it (an urgent send-now, reviewed
    # afterwards, remains open to them), and no banner calls them to.
    expect(spf.get_by_role("button", name="Send now (urgent; reviewed afterwards)")).to_be_visible()
    expect(spf.get_by_role("button", name="Approve and send")).to_have_count(0)
    expect(spf.locator("#live-banner [role=alert]")).to_have_count(0)
    # Nothing has left SPF yet: PNTL's dashboard still counts nothing incoming.
    expect(_count(dili, "Incoming")).to_have_text("0")

    # 6-7. The second supervisor's open dashboard raises the urgent banner; one click, one approval.
    expect(boss.get_by_role("alert")).to_contain_text(f"Approve {request.reference}")
    expect(boss).to_have_title(re.compile(r"^\(1\) "))
    assert boss.evaluate("window.lintasNotReloaded") is True
    dili.evaluate(WATCH_BANNER, request.reference)
    act.click(
        "SPF supervisor",
        boss.get_by_role("alert").get_by_role("link", name=re.compile(rf"^Approve {request.reference}")),
        "Approve <ref> (banner)",
    )
    boss.wait_for_url(request_url)
    expect(boss.get_by_role("button", name="Return to the drafter")).to_be_visible()
    shots(boss, "3-approve")
    act.submit("SPF supervisor", boss.get_by_role("button", name="Approve and send"), "Approve and send")
    expect(_status(boss)).to_have_text("Sent")
    request.refresh_from_db()
    assert request.status == "sent" and request.approved_by == supervisor and not request.review_after_sending

    # PNTL's dashboard, never reloaded, is called at once, by push (the stream stays open for the whole test): the
    # banner with the time left, the count, the urgent line first in "Requests waiting for me", the tab's title.
    banner = dili.get_by_role("alert")
    expect(banner).to_contain_text(f"Acknowledge {request.reference} — Urgent stop-payment (freeze) (SPF)")
    expect(banner).to_contain_text("due in")
    latency_ms = dili.evaluate("window.lintasBannerSeenAt") - request.sent_at.timestamp() * 1000
    record_property("approval_to_banner_ms", round(latency_ms))
    print(f"\nstory 1: approval committed -> PNTL's banner shown: {latency_ms:.0f} ms")
    expect(_count(dili, "Incoming")).to_have_text("1")
    expect(dili.locator("#requests-needing-table tbody tr").first).to_contain_text(request.reference)
    expect(dili).to_have_title("(1) My work · Lintas")
    assert dili.evaluate("window.lintasNotReloaded") is True
    shots(dili, "4-pntl-dashboard")

    # 8-10. PNTL's liaison officer follows the banner, acknowledges, and records what was frozen and where money had
    # gone, answering in full with the same submit.
    act.click(
        "PNTL liaison officer",
        banner.get_by_role("link", name=re.compile(rf"^Acknowledge {request.reference}")),
        "Acknowledge <ref> (banner)",
    )
    dili.wait_for_url(request_url)
    expect(dili.locator("#request-summary")).to_contain_text("Singapore Police Force → PNTL")
    expect(dili.locator("#request-summary")).to_contain_text("USD 42,300,000.00")
    act.submit("PNTL liaison officer", dili.get_by_role("button", name="Acknowledge"), "Acknowledge")
    expect(_status(dili)).to_have_text("Acknowledged")
    expect(dili.locator("#live-banner [role=alert]")).to_have_count(0)  # acknowledged: nobody is called any more
    expect(dili).to_have_title(re.compile(r"^(?!\()"))
    moved_at = timezone.localtime(timezone.now() - dt.timedelta(hours=3), liaison.zone)  # as read in Dili
    dili.get_by_label("Amount frozen").fill("39,000,000")
    expect(dili.get_by_label("Currency", exact=True)).to_have_value("USD")
    dili.get_by_label("Accounts frozen").fill("1")
    # The destination as written, the amount with its separators; the country is read from the account.
    dili.get_by_label(re.compile("^Onward transfers")).fill(
        f"{THAI_ACCOUNT}; 3,300,000; USD; {moved_at:%Y-%m-%d %H:%M}"
    )
    dili.get_by_label("Note").fill("Frozen on police notice; the remainder left for Thailand before the freeze.")
    act.submit(
        "PNTL liaison officer",
        dili.get_by_role("button", name="Record and answer in full"),
        "Record and answer in full",
    )
    expect(dili.get_by_role("status").filter(has_text="1 follow-up request(s) proposed")).to_be_visible()
    expect(_status(dili)).to_have_text("Answered in full")
    expect(dili.locator("#request-outcome")).to_contain_text("USD 39,000,000.00 frozen")
    expect(dili.locator("#money-trail")).to_contain_text(f"USD 3,300,000.00 → {THAI_DISPLAY} TH")
    expect(dili.locator("#money-trail")).not_to_contain_text(THAI_CANONICAL)
    shots(dili, "5-pntl-outcome")

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

    # 11-12. SPF's investigator, still on the request page they submitted (never reloaded), is told of the outcome and
    # of the follow-up under the banner (pushed), reads the outcome in one click and follows the money in one more.
    outcome_notice = f"PNTL recorded the outcome of {request.reference}: USD 39,000,000.00 frozen, 1 account(s)."
    follow_up_notice = (
        f"Lintas drafted a follow-up stop-payment {follow_up.reference} to RTP from PNTL's outcome on "
        f"{request.reference}: review and submit it."
    )
    news = spf.locator("#request-news")
    expect(news).to_contain_text(outcome_notice)
    expect(news).to_contain_text(follow_up_notice)
    from lintas.notifications.models import Notification

    assert not Notification.objects.filter(recipient=liaison, text__contains=follow_up.reference).exists()
    shots(spf, "6-spf-told")
    assert spf.evaluate("window.lintasNotReloaded") is True
    act.click("SPF investigator", news.get_by_role("link", name=outcome_notice), "the outcome notice")
    spf.wait_for_url(request_url)
    expect(_status(spf)).to_have_text("Answered in full")
    expect(spf.locator("#request-outcome")).to_contain_text("USD 39,000,000.00 frozen")
    expect(spf.locator("#request-outcome")).to_contain_text("1 account(s) frozen")
    trail = spf.locator("#money-trail")
    expect(trail).to_contain_text(f"{request.reference} → PNTL (Answered in full)")
    expect(trail).to_contain_text(f"USD 3,300,000.00 → {THAI_DISPLAY} TH — {follow_up.reference} (Draft)")
    trail.scroll_into_view_if_needed()
    shots(spf, "7-spf-outcome-trail")
    act.click("SPF investigator", trail.get_by_role("link", name=follow_up.reference), "<follow-up ref> (trail)")
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
    expect(spf.get_by_role("button", name="Submit for approval")).to_be_visible()

    # The whole story, three people together: at most 12 clicks, submits and list choices.
    print("\n" + act.report())
    record_property("actions", len(act.log))
    assert len(act.log) <= 12, act.report()
