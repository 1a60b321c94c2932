"""The Content-Security-Policy breaks nothing: the main pages, used as a person uses them, in real Chromium, report no
violation (decision 0032). Chromium reports each refused script, style or image both as a console message and as a
``securitypolicyviolation`` event; the test collects both."""

import pytest
from playwright.sync_api import expect

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance.services import draft_request
from lintas.cases.tests.helpers import record
from lintas.core.middleware import CONTENT_SECURITY_POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"

# Runs before any script of the page (Playwright's init scripts are not subject to the page's policy).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def test_main_pages_run_under_the_policy_without_a_violation(new_context, make_user, signed_in_browser):
    officer = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR, Role.AGENCY_ADMIN), username="spf.csp")
    case, _ = record(officer, [WALLET], title="CSP case")
    record(make_user("rmp", roles=(Role.INVESTIGATOR,)), [WALLET], title="other case")
    request = draft_request(
        officer,
        receivers=[Agency.objects.get(code="rmp")],
        type="general",
        subject="CSP request",
        asked="Who?",
        cases=[case],
    )[0]
    context = new_context()
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    signed_in_browser(page, officer)

    def visit(path):
        response = page.goto(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], (path, violations)
        # htmx was told not to inject its indicator <style>; nothing else may either.
        if not path.startswith("/api/"):
            assert page.evaluate("document.querySelectorAll('style').length") == 0, path
            assert page.evaluate("typeof htmx") == "object", path  # the scripts ran

    visit("/")
    visit("/cases/")
    page.locator("#case-q").fill("CSP")  # the list filters itself as one types (htmx), pushing the URL
    expect(page.locator("#case-rows")).to_contain_text("CSP case", timeout=5_000)
    page.wait_for_url("**/cases/?*q=CSP*")
    visit("/hits/")
    page.go_back()  # Back to the filtered list: fetched again from the server, not from a copy htmx kept
    expect(page.locator("#case-rows")).to_contain_text("CSP case", timeout=5_000)
    # Pages are no-store: htmx keeps no copy of one in the tab's storage either (only the current path, which the
    # browser's history holds anyway).
    stored = page.evaluate("[...Object.keys(sessionStorage), ...Object.keys(localStorage)]")
    assert "htmx-history-cache" not in stored and set(stored) <= {"htmx-current-path-for-history"}, stored
    visit("/cases/new/")
    page.locator("#id_identifiers").fill(WALLET)
    expect(page.locator("#identifier-preview")).to_contain_text("TR7N", timeout=5_000)
    visit(f"/cases/{case.pk}/")
    visit("/hits/")
    visit("/lookup/")
    page.locator("#nav-lookup").fill(WALLET)
    page.locator("#nav-lookup").press("Enter")
    page.wait_for_load_state("networkidle")
    visit("/requests/")
    visit(f"/requests/{request.pk}/")
    visit("/requests/new/")
    visit("/identify/")
    field = page.locator("#id_one-value")
    field.fill("+65 9123 4567")
    expect(page.locator(".identifier-preview-slot")).to_contain_text("+6591234567", timeout=5_000)
    field.press("Enter")  # handled by htmx (was an inline onsubmit): stays on the page
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/identify/")
    visit("/accounts/profile/")
    visit("/no-such-page/")
    visit("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Lintas API", timeout=10_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []

    refused = [text for text in console if "Content Security Policy" in text or "Refused to" in text]
    assert refused == [], refused
