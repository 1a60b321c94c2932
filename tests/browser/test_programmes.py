"""The programmes foundation as an organiser clicks it at phone width: the menu, the edition's agenda in two time
zones, the iCalendar link, and "Plan the next edition"."""

import pytest

from lintas.accounts.choices import Role
from lintas.programmes.models import Edition
from lintas.programmes.tests.helpers import edition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_organiser_plans_the_next_edition_at_phone_width(page, make_user, signed_in_browser):
    host = make_user("knpa", roles=(Role.PROGRAMME_ORGANISER,), username="knpa.organiser", time_zone="Europe/London")
    first = edition(host, status="completed", title="1st Korea-ASEAN programme")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content-Security-Policy" in message.text else None,
    )
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in_browser(page, host)
    page.goto("/")
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name="1st Korea-ASEAN programme").click()
    agenda = page.locator(f"#session-{first.sessions.get().pk}")
    assert "Wed 05:00" in agenda.inner_text() and "Wed 14:00" in agenda.inner_text()  # London, and Seoul
    assert page.get_by_role("link", name="Agenda (.ics)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Plan the next edition").click()
    nxt = Edition.objects.get(number=first.number + 1)
    page.wait_for_url(f"**/programmes/editions/{nxt.pk}/")
    assert "Planning" in page.locator("h1").inner_text()
    assert page.locator("#checklist").inner_text().count("Book the hall") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert violations == []
