"""Story 1 on PNTL's side in Portuguese (issue 17, item 8): the liaison officer in Dili reads Lintas in Portuguese
while SPF writes in English. The banner, the request's structured summary (type, amount, legal basis, due time) and
the outcome form are in Portuguese; SPF's own words are shown as written, labelled with their language; SPF is told
of the outcome in English. Labels are looked up in the catalogue, so the test clicks what a Portuguese reader sees.

Screenshots go to ``$LINTAS_SCREENSHOT_DIR`` when set (the user guide's Portuguese images), else to a temporary
directory.
"""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.cases.tests.helpers import record
from lintas.notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IBAN = "TL38 0080 0123 4567 8910 157"


def pt(message: str) -> str:
    with translation.override("pt"):
        return gettext(message)


def test_pntl_answers_an_urgent_stop_payment_in_portuguese(
    new_context, make_user, signed_in_browser, settings, tmp_path
):
    settings.LIVE_STREAM_SECONDS = 120
    directory = Path(os.environ.get("LINTAS_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.inv", first_name="Mei Ling", last_name="Tan")
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,), username="spf.sup")
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.lo", first_name="Ana", language="pt")
    case, _outcome = record(
        drafter,
        [{"value": IBAN, "role": "beneficiary_account"}],
        title="BEC wire to Timor-Leste",
        crime_type="bec",
        losses=[{"amount": "42300000", "currency": "USD"}],
    )

    dili = new_context().new_page()
    signed_in_browser(dili, liaison)
    dili.goto("/")
    expect(dili.locator("html")).to_have_attribute("lang", "pt")
    expect(dili.locator("body")).to_have_attribute("data-live", "stream")

    [request] = services.draft_and_submit(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        subject=f"Stop payment on {IBAN}",
        asked=f"Please freeze account {IBAN} at once and tell us of any onward transfers.",
        amount=Decimal("42300000"),
        currency="USD",
        cases=[case],
        language="en",
    )
    services.transition(supervisor, request, "approve", version=request.version)

    # The banner calls PNTL in Portuguese, pushed to the open dashboard.
    banner = dili.get_by_role("alert")
    expect(banner).to_contain_text(f"{pt('Acknowledge')} {request.reference}")
    expect(banner).to_contain_text(pt("Urgent stop-payment (freeze)"))
    dili.screenshot(path=directory / "story1-pt-1-pntl-dashboard.png")
    banner.get_by_role("link", name=re.compile(rf"^{pt('Acknowledge')} {request.reference}")).click()
    dili.wait_for_url(f"**/requests/{request.pk}/")

    # The structured part in Portuguese (with Portuguese number format); SPF's words as written, in English.
    summary = dili.locator("#request-summary")
    expect(summary).to_contain_text(pt("Urgent stop-payment (freeze)"))
    expect(summary).to_contain_text(pt("Police-to-police cooperation"))
    expect(summary).to_contain_text("USD 42.300.000,00")
    expect(dili.locator("#request-text")).to_contain_text(f"Please freeze account {IBAN}")
    with translation.override("pt"):
        written = gettext("Written in %(language)s") % {
            "language": translation.get_language_info("en")["name_translated"]
        }
    expect(dili.locator("#request-language")).to_have_text(written)
    dili.screenshot(path=directory / "story1-pt-2-pntl-request.png", full_page=True)

    dili.get_by_role("button", name=pt("Acknowledge")).click()
    dili.get_by_label(pt("Amount frozen")).fill("39.000.000")
    dili.get_by_label(pt("Accounts frozen")).fill("1")
    moved_at = timezone.localtime(timezone.now() - dt.timedelta(hours=3), liaison.zone)
    dili.get_by_label(re.compile("^" + re.escape(pt("Onward transfers, one per line")))).fill(
        f"KTB 123-4-56789-0; 3.300.000; USD; {moved_at:%Y-%m-%d %H:%M}"
    )
    dili.get_by_role("button", name=pt("Record and answer in full")).click()
    expect(dili.locator("#request-outcome")).to_contain_text("USD 39.000.000,00")
    expect(dili.locator("#money-trail")).to_contain_text("Krungthai Bank 123-4-56789-0")
    dili.screenshot(path=directory / "story1-pt-3-pntl-outcome.png", full_page=True)

    # SPF is told in its own language (English), with the amount PNTL wrote the Portuguese way.
    told = [note.message for note in Notification.objects.filter(recipient=drafter)]
    assert f"PNTL recorded the outcome of {request.reference}: USD 39,000,000.00 frozen, 1 account(s)." in told
