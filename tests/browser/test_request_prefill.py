"""A request opened from the case's account row is filled in and submitted for approval in two clicks (issue 17,
items 1 and 2): the priority follows the type as the officer changes it, the due time and whether the receiver
confirmed it are shown, and the page works at phone width under the strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from lintas.accounts.choices import Role
from lintas.assistance.models import AssistanceRequest
from lintas.cases.tests.helpers import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IBAN = "TL38 0080 0123 4567 8910 157"


def test_stop_payment_from_the_case_in_two_clicks(page, make_user, signed_in_browser):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.prefill")
    case, _ = record(
        drafter,
        [IBAN],
        title="BEC wire to Timor-Leste",
        crime_type="bec",
        losses=[{"amount": "42300000", "currency": "USD"}],
        countries=["SG", "TL"],
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    signed_in_browser(page, drafter)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Request a stop-payment").click()  # click 1
    page.wait_for_url(re.compile(r"/requests/new/\?case="))
    expect(page.get_by_label(re.compile(r"^To\b"))).to_have_values(["pntl"])
    expect(page.get_by_label(re.compile(r"^Type\b"))).to_have_value("stop_payment")
    expect(page.get_by_label(re.compile(r"^Priority\b"))).to_have_value("urgent")
    expect(page.get_by_label("Subject")).to_have_value(
        f"Stop payment on {IBAN}: USD 42,300,000.00 (Business e-mail compromise)"
    )
    expect(page.get_by_label("Amount at stake")).to_have_value("42300000.00")
    expect(page.get_by_label(re.compile(IBAN))).to_be_checked()
    hint = page.locator("#capability-hint")
    expect(hint).to_contain_text("PNTL has not confirmed its turnaround for “Urgent stop-payment (freeze)”")
    # The priority follows the type while the officer has not chosen one, and the due time with it.
    page.get_by_label(re.compile(r"^Type\b")).select_option("general")
    expect(page.get_by_label(re.compile(r"^Priority\b"))).to_have_value("routine")
    expect(hint).to_contain_text("“Routine (weeks)”")
    page.get_by_label(re.compile(r"^Type\b")).select_option("stop_payment")
    expect(page.get_by_label(re.compile(r"^Priority\b"))).to_have_value("urgent")
    expect(hint).to_contain_text("“Urgent (hours)”")
    page.get_by_role("button", name="Submit for approval").click()  # click 2
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    expect(page.locator("#request-status")).to_have_text("Awaiting approval")
    request = AssistanceRequest.objects.get()
    assert (request.receiver_agency.code, request.priority, request.status) == ("pntl", "urgent", "awaiting_approval")
    assert [i.display for i in request.identifiers.all()] == [IBAN]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    # At phone width the case page and the form do not scroll sideways; the menu of other types opens.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/cases/{case.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name=re.compile("Other requests about")).click()
    expect(page.get_by_role("link", name="Preservation of electronic evidence")).to_be_visible()
    page.get_by_role("link", name="Preservation of electronic evidence").click()
    expect(page.get_by_label(re.compile(r"^Priority\b"))).to_have_value("urgent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
