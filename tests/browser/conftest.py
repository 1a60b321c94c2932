"""Playwright driving Debian's Chromium against the live test server. Never downloads a browser."""

import os
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """On SQLite, a test database in a file, as Lintas runs (WAL, busy timeout), not Django's in-memory one.

    The live server answers in threads. On the in-memory database they share one cache, whose table locks fail at once
    ("database table is locked") instead of waiting: a page polling in the background made a write fail now and then.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "lintas-test.sqlite3")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}")
        pytest.skip("browser tests need Debian's Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    # Set only while the browser runs, so it never leaks into other tests or the processes they start.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_context(browser, live_server):
    """Open another browser context on the live server: its own cookies, so another officer signed in at once.

    Every context opened is closed at the end of the test. Pages opened in a context share its session (a second tab).
    """
    contexts = []

    def open_context():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def signed_in_browser(db):
    """Sign ``user`` in through the real form, second factor included (an authenticator with a known key)."""
    from django.utils import translation
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lintas.accounts.tests.factories import TEST_PASSWORD

    def sign_in(page, user):
        device = TOTPDevice.objects.create(user=user, confirmed=True, name="browser test")
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/accounts/mfa/verify/**")
        # From here on the pages speak the user's own language
        with translation.override(user.language):
            code_label, verify = translation.gettext("Code"), translation.gettext("Verify")
        page.get_by_label(code_label).fill(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
        page.get_by_role("button", name=verify).click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

    return sign_in


@pytest.fixture(autouse=True)
def _end_live_streams(django_db_blocker):
    """The pages' event streams (lintas.live) end after each test; their threads may still close their database
    connections as they go (the test's own database fixture may already be torn down)."""
    yield
    from lintas.live import hub

    if hub._hub is not None:
        hub._hub.stop()
        with django_db_blocker.unblock():
            time.sleep(0.3)
        hub._hub = None
