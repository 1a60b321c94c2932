"""The paste box at phone width: each line's role in the live preview (given on the line or guessed), the page no
wider than the screen, and the roles recorded (issue 17, item 7)."""

import re

import pytest
from playwright.sync_api import expect

from lintas.accounts.choices import Role
from lintas.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_roles_per_line_in_the_preview_at_phone_width(page, make_user, signed_in_browser):
    user = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.paste")
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in_browser(page, user)
    page.goto("/cases/new/")
    page.get_by_label("Title").fill("Roles per line")
    page.get_by_label("Crime type").select_option(label="Business e-mail compromise")
    page.get_by_role("textbox", name="Identifiers").fill(
        "TL38 0080 0123 4567 8910 157\nmule 0812-345-678\nvictim +65 9123 4567\nTelegram @scam_support"
    )
    rows = page.locator("#identifier-preview-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator(".identifier-role")).to_contain_text("Beneficiary account")
    expect(rows.nth(0).locator(".identifier-role")).to_contain_text("guessed")
    expect(rows.nth(1).locator(".identifier-role")).to_contain_text("Mule account")
    expect(rows.nth(1).locator(".identifier-role")).to_contain_text("given on the line")
    expect(rows.nth(2).locator(".identifier-role")).to_contain_text("Victim phone")
    expect(rows.nth(3)).to_contain_text("telegram:scam_support")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The list now sets the role of the lines without one only; the preview follows it.
    page.get_by_label("Role for lines without one").select_option(label="Victim account")
    expect(rows.nth(0).locator(".identifier-role")).to_contain_text("chosen for lines without one")
    expect(rows.nth(1).locator(".identifier-role")).to_contain_text("Mule account")
    page.get_by_role("button", name="Record the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    roles = dict(Case.objects.get().identifiers.values_list("raw", "role"))
    assert roles["TL38 0080 0123 4567 8910 157"] == "victim_account" and roles["0812-345-678"] == "mule_account"
    assert roles["+65 9123 4567"] == "victim_phone"
