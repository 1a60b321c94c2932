"""Story 4 of DOMAIN.md, as its people click it: the annual Korea-ASEAN programme from plan to report.

The Secretariat's organiser plans the next edition from the last one and opens it for nominations with seats; RTP's
and KNPA's admins nominate an officer each, on site and online; the organiser confirms both at once; the
participants download their own agenda (.ics); the organiser records the on-site officer's attendance in the grid and
imports the online platform's export for the other; both answer the survey, in Thai and in Korean (their own UI
languages: every label the test clicks is the catalogue's translation, so an untranslated page fails); the organiser
issues certificates and downloads the report PDF, whose text must show the counts and the average rating; a
certificate verifies at its public URL for someone not signed in; and the trend briefing hides small cells.

Screenshots of the key steps go to ``$LINTAS_SCREENSHOT_DIR`` when set (``LINTAS_SCREENSHOT_DIR=docs/screenshots``
refreshes the user guide's images), otherwise to a temporary directory, so a plain test run changes no tracked file.
"""

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from lintas.accounts.choices import Role
from lintas.programmes import services
from lintas.programmes.models import Edition, Nomination
from lintas.programmes.tests.helpers import SEOUL, edition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def shot(tmp_path):
    directory = Path(os.environ.get("LINTAS_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=directory / f"story4-{name}.png", full_page=True)

    return take


def _in(language: str, text: str) -> str:
    """``text`` as the user reads it in ``language`` (the catalogue's translation)."""
    with translation.override(language):
        return translation.gettext(text)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _download(page, click) -> bytes:
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()


def _small_trends():
    """Four cases of two agencies this month: fewer than the five the community figures need (decision 0043)."""
    from lintas.insights.services import refresh_rollups
    from lintas.insights.tests.helpers import case

    now = timezone.now()
    for code in ("rmp", "rmp", "rmp", "spf"):
        case(code, crime="investment_fraud", month=(now.year, now.month), countries=["MY"], loss="1000")
    refresh_rollups(fast=False)


def test_story4_the_annual_programme_from_plan_to_report(new_context, make_user, signed_in_browser, shot):
    host = make_user("knpa", roles=(Role.PROGRAMME_ORGANISER,), username="knpa.organiser")
    first = edition(host, status="completed", title="1st Korea-ASEAN programme", theme="Cyber-financial crime")
    services.add_session(
        host,
        first,
        kind="lecture",
        topic="Current cybercrime trends",
        starts_at=dt.datetime(2021, 11, 16, 10, 0, tzinfo=SEOUL),
        ends_at=dt.datetime(2021, 11, 16, 12, 0, tzinfo=SEOUL),
    )
    secretariat = make_user(
        "aseanapol", roles=(Role.PROGRAMME_ORGANISER,), username="aseanapol.organiser", time_zone="Asia/Jakarta"
    )
    rtp_admin = make_user("rtp", roles=(Role.AGENCY_ADMIN,), username="rtp.admin")
    knpa_admin = make_user("knpa", roles=(Role.AGENCY_ADMIN,), username="knpa.admin")
    somchai = make_user(
        "rtp", username="rtp.somchai", first_name="Somchai", last_name="Rattanakul", language="th",
        email="somchai@rtp.example", time_zone="Asia/Bangkok",
    )  # fmt: skip
    jihoon = make_user(
        "knpa", username="knpa.jihoon", first_name="Ji-hoon", last_name="Kim", language="ko",
        email="jihoon.kim@knpa.example", time_zone="Asia/Seoul",
    )  # fmt: skip
    _small_trends()

    # 1. The Secretariat plans the next edition from the last one, then opens it for nominations with seats.
    organiser = new_context().new_page()
    signed_in_browser(organiser, secretariat)
    organiser.goto("/programmes/")
    organiser.get_by_role("link", name="1st Korea-ASEAN programme").click()
    organiser.get_by_role("button", name="Plan the next edition").click()
    second = Edition.objects.get(programme=first.programme, number=first.number + 1)
    organiser.wait_for_url(f"**/programmes/editions/{second.pk}/")
    assert second.sessions.count() == 2
    shot(organiser, "1-planned")
    organiser.get_by_role("link", name="Edit", exact=True).click()
    organiser.get_by_label("Status").select_option(label="Open for nominations")
    organiser.get_by_role("button", name="Save").click()
    organiser.wait_for_url(f"**/programmes/editions/{second.pk}/")
    organiser.get_by_role("link", name="Seats", exact=True).click()
    organiser.get_by_label("RTP: On site").fill("1")
    organiser.get_by_label("KNPA: Online").fill("1")
    organiser.get_by_role("button", name="Save").click()
    organiser.wait_for_url(f"**/programmes/editions/{second.pk}/participants/")

    # 2. Each agency's admin nominates an officer of their own: RTP on site, KNPA online.
    for admin, officer, mode in ((rtp_admin, somchai, "On site"), (knpa_admin, jihoon, "Online")):
        page = new_context().new_page()
        signed_in_browser(page, admin)
        page.goto(f"/programmes/editions/{second.pk}/")
        page.get_by_role("link", name="Nominate officers").click()
        page.get_by_label("Lintas user").select_option(label=str(officer))
        page.get_by_label("Mode").select_option(label=mode)
        page.get_by_role("button", name="Nominate", exact=True).click()
        assert officer.get_full_name() in page.locator("#own-nominations").inner_text()
        if admin is rtp_admin:
            shot(page, "2-nominate")
        page.context.close()
    assert Nomination.objects.filter(edition=second, status="nominated").count() == 2

    # 3. The organiser confirms both at once.
    organiser.goto(f"/programmes/editions/{second.pk}/")
    organiser.get_by_role("link", name="Participants", exact=True).click()
    organiser.get_by_label("Choose Somchai Rattanakul").check()
    organiser.get_by_label("Choose Ji-hoon Kim").check()
    organiser.get_by_label("With the chosen:").select_option(label="Confirm")
    organiser.get_by_role("button", name="Apply").click()
    organiser.wait_for_load_state()
    assert Nomination.objects.filter(edition=second, status="confirmed").count() == 2
    shot(organiser, "3-participants")

    # 4. The participants download their own agenda; the edition then runs.
    participants = {}
    for officer, language in ((somchai, "th"), (jihoon, "ko")):
        page = new_context().new_page()
        signed_in_browser(page, officer)
        page.goto(f"/programmes/editions/{second.pk}/")
        assert page.locator("html").get_attribute("lang") == language
        ics = _download(
            page, lambda p=page, lang=language: p.get_by_role("link", name=_in(lang, "My agenda (.ics)")).click()
        )
        assert ics.decode().count("BEGIN:VEVENT") == 2
        participants[language] = page
    services.update_edition(secretariat, second, status="running")

    # 5. Attendance: on site in the grid, online from the platform's export.
    panel = second.sessions.get(kind="panel")
    lecture = second.sessions.get(kind="lecture")
    organiser.goto(f"/programmes/editions/{second.pk}/")
    organiser.get_by_role("link", name="Attendance", exact=True).click()
    for session in (panel, lecture):
        organiser.get_by_role("button", name=f"Somchai Rattanakul, {session.topic}: not recorded; mark present").click()
        organiser.get_by_role("button", name=f"Somchai Rattanakul, {session.topic}: present; mark absent").wait_for()
    shot(organiser, "4-attendance")
    organiser.get_by_role("link", name="Import the platform's export").click()
    start = timezone.localtime(panel.starts_at, SEOUL)
    csv_text = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        f"Ji-hoon Kim,jihoon.kim@knpa.example,{start:%m/%d/%Y %I:%M:%S %p},"
        f"{start + dt.timedelta(minutes=110):%m/%d/%Y %I:%M:%S %p},110\n"
    )
    organiser.get_by_label("Attendance export (CSV)").set_input_files(
        {"name": "zoom-participants.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}
    )
    choice = organiser.get_by_label("Session").locator("option", has_text=panel.topic).inner_text()
    organiser.get_by_label("Session").select_option(label=choice)
    organiser.get_by_label("Time zone of the export's times").fill("Asia/Seoul")
    organiser.get_by_role("button", name="Import", exact=True).click()
    organiser.locator("#import-report").wait_for()
    jihoon_nomination = Nomination.objects.get(edition=second, user=jihoon)
    assert jihoon_nomination.attendance.filter(session=panel, present=True, source="platform_export").exists()

    # 6. The survey opens; each participant answers in their own language.
    organiser.goto(f"/programmes/editions/{second.pk}/survey/")
    organiser.get_by_label("Open for answers").check()
    organiser.get_by_role("button", name="Save").click()
    organiser.wait_for_url(f"**/programmes/editions/{second.pk}/**")
    comments = {"th": "การอภิปรายของผู้เชี่ยวชาญมีประโยชน์มาก", "ko": "사례 연구가 매우 유용했습니다"}
    for language, overall in (("th", "5"), ("ko", "4")):
        page = participants[language]
        page.goto(f"/programmes/editions/{second.pk}/")
        assert _in(language, "Give feedback") != "Give feedback"  # the page is in the participant's language
        page.get_by_role("link", name=_in(language, "Give feedback")).click()
        for session in (panel, lecture):
            page.get_by_role("group", name=session.topic).get_by_label(overall, exact=True).check()
        overall_question = _in(language, "Overall, how useful was the programme? (1 = not at all, 5 = very)")
        page.get_by_role("group", name=overall_question).get_by_label(overall, exact=True).check()
        page.get_by_label(_in(language, "Comments")).fill(comments[language])
        if language == "th":
            shot(page, "5-feedback-thai")
        page.get_by_role("button", name=_in(language, "Send my answer")).click()
        page.wait_for_url(f"**/programmes/editions/{second.pk}/")
        page.get_by_text(_in(language, "Feedback given, thank you")).wait_for()

    # 7. The edition is completed; certificates are issued and the report PDF shows what was recorded.
    services.update_edition(secretariat, second, status="completed")
    organiser.goto(f"/programmes/editions/{second.pk}/")
    organiser.get_by_role("link", name="Certificates", exact=True).first.click()
    organiser.get_by_role("button", name="Issue to every qualifying participant").click()
    organiser.locator("#certificates").wait_for()
    assert second.nominations.filter(certificate__isnull=False).count() == 2
    organiser.goto(f"/programmes/editions/{second.pk}/report/")
    shot(organiser, "6-report")
    text = _pdf_text(_download(organiser, lambda: organiser.locator("#report-pdf").click()))
    assert "2 (1 on site, 1 online)" in text
    assert "4.50 / 5" in text  # (5 + 4) / 2
    assert "2 / 2" in text  # answers of participants
    assert "Royal Thai Police" in text and "Korean National Police Agency" in text

    # 8. Somchai downloads the certificate; anyone verifies it at its public address.
    page = participants["th"]
    page.goto(f"/programmes/editions/{second.pk}/")
    certificate = _pdf_text(_download(page, lambda: page.locator("#my-certificate").click()))
    assert "Somchai Rattanakul" in certificate
    code = re.search(r"\b([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})\b", certificate).group(1)
    public = new_context().new_page()
    public.goto(f"/verify/{code}/")
    assert public.locator("#certificate-name").inner_text() == "Somchai Rattanakul"
    assert second.title in public.locator("#certificate-edition").inner_text()
    assert public.locator("#certificate-status").inner_text().strip() == "Valid"
    assert "rtp.example" not in public.content() and "Royal Thai Police" not in public.content()
    shot(public, "7-verify")

    # 9. The trend briefing for the programme's session: four cases this month is too few to show.
    organiser.goto("/")
    organiser.get_by_role("link", name="Trends", exact=True).click()
    organiser.get_by_role("link", name="Briefing pack").click()
    assert "fewer than 5" in organiser.locator("main").inner_text()
    shot(organiser, "8-briefing")

    # 10. Every page of the story holds at phone width (tables scroll inside their own box).
    organiser.set_viewport_size({"width": 375, "height": 740})
    for path in (
        f"/programmes/editions/{second.pk}/",
        f"/programmes/editions/{second.pk}/participants/",
        f"/programmes/editions/{second.pk}/seats/",
        f"/programmes/editions/{second.pk}/attendance/",
        f"/programmes/editions/{second.pk}/attendance/import/",
        f"/programmes/editions/{second.pk}/materials/",
        f"/programmes/editions/{second.pk}/survey/",
        f"/programmes/editions/{second.pk}/feedback/results/",
        f"/programmes/editions/{second.pk}/certificates/",
        f"/programmes/editions/{second.pk}/report/",
        f"/programmes/editions/{second.pk}/cooperation/",
        f"/programmes/editions/{second.pk}/expert-links/",
        "/insights/trends/",
        "/insights/trends/briefing/",
    ):
        organiser.goto(path)
        assert organiser.evaluate("document.documentElement.scrollWidth") <= 375, path
    public.set_viewport_size({"width": 375, "height": 740})
    public.goto(f"/verify/{code}/")
    assert public.evaluate("document.documentElement.scrollWidth") <= 375
