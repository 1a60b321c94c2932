"""Certificates of participation, the post-programme report, its public summary and cooperation after the programme
(issue 16 items 6 and 8; decision 0042). Nominations, attendance and feedback are made directly with the ORM here:
the services that write them belong to other parts of the issue."""

import datetime as dt
import io
import re
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.services import create_api_token
from lintas.agencies.models import Agency
from lintas.assistance.models import AssistanceRequest, Outcome
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.programmes import services
from lintas.programmes.cooperation import cooperation
from lintas.programmes.models import (
    Attendance,
    Certificate,
    FeedbackResponse,
    Nomination,
    SessionRating,
    Survey,
)
from lintas.programmes.report import attendance_rates, feedback_results, public_summary, summary_text
from lintas.programmes.tests.helpers import SEOUL, edition, organiser

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_allowance():
    cache.clear()  # the public pages' per-address allowance lives in the cache
    yield
    cache.clear()


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _api(user):
    _, secret = create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def nominate(made, agency, name, *, mode="on_site", status="confirmed", user=None, rank="Inspector"):
    return Nomination.objects.create(
        edition=made,
        agency=Agency.objects.get(code=agency),
        mode=mode,
        user=user,
        name=name,
        rank=rank,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        status=status,
    )


def attend(nomination, session, present=True):
    return Attendance.objects.create(nomination=nomination, session=session, present=present, source="organiser")


def answer(made, overall, ratings, *, most_useful=None, topics=""):
    survey, _ = Survey.objects.get_or_create(edition=made)
    response = FeedbackResponse.objects.create(
        survey=survey, overall_rating=overall, most_useful=most_useful, topics_wanted=topics
    )
    for session, rating in ratings.items():
        SessionRating.objects.create(response=response, session=session, rating=rating)
    return response


@pytest.fixture
def fixture_edition(make_user):
    """A completed edition with two sessions; RMP (2 on site), SPF (1 online), CNP (1 on site, absent) confirmed;
    a PNTL nomination not confirmed (attended, must not count). 4 of 8 attendances; 3 answers."""
    host = organiser(make_user)
    made = edition(
        host,
        status="completed",
        theme="Fostering Mutual Assistance against New Forms of Cyber-financial Crimes",
        venue="KNPA headquarters",
    )
    panel = made.sessions.get()
    lecture = services.add_session(
        host,
        made,
        kind="lecture",
        topic="Current cybercrime trends",
        starts_at=dt.datetime(2021, 11, 15, 11, 0, tzinfo=SEOUL),
        ends_at=dt.datetime(2021, 11, 15, 12, 30, tzinfo=SEOUL),
    )
    participant_user = make_user("rmp", roles=(Role.INVESTIGATOR,), username="rmp.alice")
    alice = nominate(made, "rmp", "Alice Tan", user=participant_user, rank="Chief Inspector")
    bob = nominate(made, "rmp", "Bob Lim")
    carol = nominate(made, "spf", "Carol Ng", mode="online")
    eve = nominate(made, "cnp", "Eve Sok")
    dan = nominate(made, "pntl", "Dan Soares", status="nominated")
    for person, session in [(alice, panel), (alice, lecture), (bob, panel), (carol, lecture), (dan, panel)]:
        attend(person, session)
    attend(eve, panel, present=False)
    answer(made, 5, {panel: 5, lecture: 5}, most_useful=panel, topics="Crypto tracing")
    answer(made, 4, {panel: 3, lecture: 4}, most_useful=panel)
    answer(made, 4, {}, most_useful=lecture, topics="Mule accounts")
    return {
        "host": host,
        "edition": made,
        "panel": panel,
        "lecture": lecture,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "eve": eve,
        "dan": dan,
        "participant_user": participant_user,
    }


# --- Selectors -------------------------------------------------------------------------------------------------------


def test_attendance_rates_count_confirmed_participants_only(fixture_edition):
    rates = attendance_rates(fixture_edition["edition"])
    assert (rates["participants"], rates["sessions_count"], rates["present"], rates["possible"]) == (4, 2, 4, 8)
    assert rates["rate"] == 0.5
    by_topic = {s["topic"]: (s["present"], s["rate"]) for s in rates["sessions"]}
    assert by_topic == {"Expert panel": (2, 0.5), "Current cybercrime trends": (2, 0.5)}
    by_agency = {a["code"]: (a["participants"], a["present"], a["possible"], a["rate"]) for a in rates["agencies"]}
    assert by_agency == {"cnp": (1, 0, 2, 0.0), "rmp": (2, 3, 4, 0.75), "spf": (1, 1, 2, 0.5)}


def test_feedback_results_are_counts_and_averages(fixture_edition):
    results = feedback_results(fixture_edition["edition"])
    assert (results["responses"], results["participants"], results["response_rate"]) == (3, 4, 0.75)
    assert results["overall_average"] == 4.33
    assert results["overall_distribution"] == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    averages = {s["topic"]: (s["ratings"], s["average"]) for s in results["sessions"]}
    assert averages == {"Expert panel": (2, 4.0), "Current cybercrime trends": (2, 4.5)}
    assert [(m["topic"], m["votes"]) for m in results["most_useful"]] == [
        ("Expert panel", 2),
        ("Current cybercrime trends", 1),
    ]
    assert sorted(results["topics_wanted"]) == ["Crypto tracing", "Mule accounts"]


# --- Certificates ----------------------------------------------------------------------------------------------------


def test_issue_certificates_to_every_qualifying_participant_once(fixture_edition):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    issued = services.issue_certificates(host, made)
    # Eve was absent, Dan is not confirmed: no certificate for either.
    assert {c.nomination.name for c in issued} == {"Alice Tan", "Bob Lim", "Carol Ng"}
    assert AuditEvent.objects.filter(action=Action.CERTIFICATE_ISSUED).count() == 3
    codes = [c.code for c in issued]
    assert all(re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{12}", code) for code in codes)
    assert len(set(codes)) == 3
    assert services.issue_certificates(host, made) == []  # again: nothing new
    with pytest.raises(ValidationError):
        services.issue_certificates(host, made, [fixture_edition["eve"]])


def test_the_attendance_share_is_configurable(fixture_edition, settings):
    settings.PROGRAMME_CERTIFICATE_MIN_PERCENT = 100  # every session
    issued = services.issue_certificates(fixture_edition["host"], fixture_edition["edition"])
    assert [c.nomination.name for c in issued] == ["Alice Tan"]


def test_only_organisers_issue_and_revoke(fixture_edition, make_user):
    member = make_user("knpa", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR))
    with pytest.raises(PermissionDenied):
        services.issue_certificates(member, fixture_edition["edition"])
    (certificate,) = services.issue_certificates(
        fixture_edition["host"], fixture_edition["edition"], [fixture_edition["bob"]]
    )
    with pytest.raises(PermissionDenied):
        services.revoke_certificate(member, certificate)
    services.revoke_certificate(fixture_edition["host"], certificate)
    assert AuditEvent.objects.filter(action=Action.CERTIFICATE_REVOKED).count() == 1


def test_verify_page_shows_only_name_edition_and_status(fixture_edition):
    (certificate,) = services.issue_certificates(
        fixture_edition["host"], fixture_edition["edition"], [fixture_edition["alice"]]
    )
    response = Client().get(f"/verify/{certificate.display_code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Tan" in body and fixture_edition["edition"].title in body and "Valid" in body
    for private in ("Chief Inspector", "alice.tan@example.org", "Royal Malaysia Police", "RMP", "rmp"):
        assert private not in body, private
    # typed in lower case without dashes: the same certificate
    assert Client().get(f"/verify/{certificate.code.lower()}/").status_code == 200


def test_verify_page_says_revoked(fixture_edition):
    (certificate,) = services.issue_certificates(
        fixture_edition["host"], fixture_edition["edition"], [fixture_edition["alice"]]
    )
    services.revoke_certificate(fixture_edition["host"], certificate)
    response = Client().get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    assert "Revoked" in response.content.decode() and "Valid" not in response.content.decode()


def test_an_unknown_code_is_the_same_page_with_404(fixture_edition):
    services.issue_certificates(fixture_edition["host"], fixture_edition["edition"])
    for code in ("ABCD-EFGH-JKLM", "not-a-code", "0" * 12):
        response = Client().get(f"/verify/{code}/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "No such certificate" in body and 'id="verification"' in body
        assert "Alice Tan" not in body


def test_the_verification_page_is_rate_limited_per_address(fixture_edition, settings):
    settings.PUBLIC_PAGES_PER_MINUTE = 3
    client = Client()
    answers = [client.get("/verify/ABCD-EFGH-JKLM/").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get("/verify/ABCD-EFGH-JKLM/").status_code == 404


def test_certificate_pdf_names_the_participant_and_code_for_them_and_organisers_only(
    fixture_edition, signed_in, make_user
):
    made = fixture_edition["edition"]
    alice_cert, bob_cert, _carol = sorted(
        services.issue_certificates(fixture_edition["host"], made), key=lambda c: c.nomination.name
    )
    url = f"/programmes/editions/{made.pk}/certificates/{alice_cert.pk}/certificate.pdf"
    response = signed_in(fixture_edition["participant_user"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Alice Tan" in text and alice_cert.display_code in text
    assert (
        "Chief Inspector" in text and "Royal Malaysia Police" in text and f"/verify/{alice_cert.display_code}/" in text
    )
    assert "attending 2 sessions" in text
    event = AuditEvent.objects.get(action=Action.CERTIFICATE_DOWNLOADED)
    assert event.object_id == str(alice_cert.pk)
    # Bob's certificate is not Alice's to download; nor is anyone's for a member of another agency.
    bob_url = f"/programmes/editions/{made.pk}/certificates/{bob_cert.pk}/certificate.pdf"
    assert signed_in(fixture_edition["participant_user"]).get(bob_url).status_code == 404
    stranger = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    assert signed_in(stranger).get(url).status_code == 404
    assert signed_in(fixture_edition["host"]).get(bob_url).status_code == 200
    services.revoke_certificate(fixture_edition["host"], alice_cert)
    assert signed_in(fixture_edition["participant_user"]).get(url).status_code == 404


def test_the_edition_page_links_a_participant_to_their_certificate(fixture_edition, signed_in):
    made = fixture_edition["edition"]
    services.issue_certificates(fixture_edition["host"], made)
    body = signed_in(fixture_edition["participant_user"]).get(f"/programmes/editions/{made.pk}/").content.decode()
    assert 'id="my-certificate"' in body and "/report/" not in body


def test_certificate_pages_issue_and_revoke(fixture_edition, signed_in):
    made, client = fixture_edition["edition"], signed_in(fixture_edition["host"])
    assert (
        client.post(
            f"/programmes/editions/{made.pk}/nominations/{fixture_edition['carol'].pk}/certificate/"
        ).status_code
        == 302
    )
    assert Certificate.objects.count() == 1
    assert client.post(f"/programmes/editions/{made.pk}/certificates/issue/").status_code == 302
    assert Certificate.objects.count() == 3
    page = client.get(f"/programmes/editions/{made.pk}/certificates/")
    assert page.status_code == 200 and "Carol Ng" in page.content.decode()
    carol_cert = Certificate.objects.get(nomination=fixture_edition["carol"])
    client.post(f"/programmes/editions/{made.pk}/certificates/{carol_cert.pk}/revoke/")
    carol_cert.refresh_from_db()
    assert carol_cert.revoked_at is not None


# --- The report ------------------------------------------------------------------------------------------------------


def test_report_pdf_shows_the_right_counts_and_ratings(fixture_edition, signed_in):
    made = fixture_edition["edition"]
    services.update_report(fixture_edition["host"], made, reception="Well received by all agencies.")
    response = signed_in(fixture_edition["host"]).get(f"/programmes/editions/{made.pk}/report.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "Participants 4 (3 on site, 1 online)" in text
    assert "4 of 8 possible attendances (50%)" in text
    assert "3 / 4 (response rate 75%)" in text
    assert "4.33 / 5" in text
    assert "Royal Malaysia Police (RMP) 2 0" in text and "Singapore Police Force (SPF) 0 1" in text
    assert "Expert panel — 2 votes" in text and "Crypto tracing" in text
    assert "Well received by all agencies." in text
    assert "Dan Soares" not in text and "National Police of Timor-Leste" not in text
    assert AuditEvent.objects.get(action=Action.REPORT_VIEWED).details == {"as": "pdf"}


def test_report_page_for_organisers_and_the_host_agency_only(fixture_edition, signed_in, make_user):
    made = fixture_edition["edition"]
    url = f"/programmes/editions/{made.pk}/report/"
    page = signed_in(fixture_edition["host"]).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="chart-attendance-sessions"' in body and "Publish the public summary" in body
    host_member = make_user("knpa", roles=(Role.INVESTIGATOR,))
    read_only = signed_in(host_member).get(url)
    assert read_only.status_code == 200 and "Publish the public summary" not in read_only.content.decode()
    assert signed_in(fixture_edition["participant_user"]).get(url).status_code == 403
    assert AuditEvent.objects.filter(action=Action.REPORT_VIEWED).count() == 2


def test_update_report_checks_its_fields(fixture_edition):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    with pytest.raises(ValidationError) as refused:
        services.update_report(host, made, public_parts=["theme", "participants"], colour="red")
    assert set(refused.value.message_dict) == {"public_parts", "colour"}
    saved = services.update_report(host, made, outcomes="Contact points agreed.", public_parts=["reception", "theme"])
    assert saved.public_parts == ["theme", "reception"]  # in the order of PUBLIC_PARTS
    assert AuditEvent.objects.filter(action=Action.REPORT_UPDATED).count() == 1


def test_public_summary_404_until_published_then_only_ticked_parts(fixture_edition, signed_in):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    url = f"/public/editions/{made.pk}/"
    services.update_report(
        host,
        made,
        reception="Well received.",
        next_edition_plan="An annual programme.",
        public_parts=["theme", "agencies"],
    )
    assert Client().get(url).status_code == 404
    assert Client().get(f"/api/v1/programmes/public/editions/{made.pk}/summary").status_code == 404
    signed_in(host).post(f"/programmes/editions/{made.pk}/report/publish/", {"published": "1"})
    assert AuditEvent.objects.filter(action=Action.REPORT_PUBLISHED).count() == 1
    response = Client().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert made.theme in body and "Royal Malaysia Police" in body and "Singapore Police Force" in body
    for absent in ("Well received.", "An annual programme.", "JUNG Hye Ryun", "Expert panel", "Alice Tan", "Eve Sok"):
        assert absent not in body, absent
    assert 'data-copy-from="summary-text"' in body and "programmes/copy-text" in body
    services.update_report(host, made, public_parts=["experts", "reception", "next_edition", "counts", "sessions"])
    body = Client().get(url).content.decode()
    assert "JUNG Hye Ryun" in body and "KNPU" in body and "Well received." in body and "An annual programme." in body
    assert "4 participants from 3 agencies, 2 sessions." in body and "Expert panel" in body
    assert made.theme not in body and "Alice Tan" not in body
    api = Client().get(f"/api/v1/programmes/public/editions/{made.pk}/summary").json()
    assert api["parts"] == ["experts", "sessions", "reception", "counts", "next_edition"]
    assert api["theme"] is None and api["counts"] == {"participants": 4, "agencies": 3, "sessions": 2}
    services.publish_report(host, made, published=False)
    assert Client().get(url).status_code == 404


def test_summary_text_is_ready_for_a_news_item(fixture_edition):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    saved = services.update_report(
        host, made, reception="Well received.", public_parts=["theme", "agencies", "experts", "reception"]
    )
    text = summary_text(public_summary(made, saved))
    assert text.splitlines()[0] == made.title
    assert f"Theme: {made.theme}" in text
    assert "On site: Cambodia National Police, Royal Malaysia Police" in text
    assert "Online: Singapore Police Force" in text
    assert "Experts: Professor JUNG Hye Ryun (KNPU)" in text


def test_publishing_needs_a_completed_edition(make_user):
    host = organiser(make_user)
    planning = edition(host)
    with pytest.raises(ValidationError):
        services.publish_report(host, planning)


def test_report_api(fixture_edition, make_user):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    headers = _api(host)
    response = Client().get(f"/api/v1/programmes/editions/{made.pk}/report", **headers)
    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {"participants": 4, "on_site": 3, "online": 1, "agencies": 3, "sessions": 2, "experts": 1}
    assert data["feedback"]["overall_average"] == 4.33 and data["attendance"]["rate"] == 0.5
    assert data["public_url"] is None
    patched = Client().patch(
        f"/api/v1/programmes/editions/{made.pk}/report",
        {"reception": "Well received.", "public_parts": ["reception"]},
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == 200 and patched.json()["reception"] == "Well received."
    published = Client().post(
        f"/api/v1/programmes/editions/{made.pk}/report/publish",
        {"published": True},
        content_type="application/json",
        **headers,
    )
    assert published.status_code == 200 and published.json()["public_url"].endswith(f"/public/editions/{made.pk}/")
    stranger = _api(make_user("pntl", roles=(Role.AGENCY_ADMIN,)))
    assert Client().get(f"/api/v1/programmes/editions/{made.pk}/report", **stranger).status_code == 403
    pdf = Client().get(f"/api/v1/programmes/editions/{made.pk}/report.pdf", **headers)
    assert pdf.status_code == 200 and "4.33 / 5" in _pdf_text(pdf.content)


def test_certificates_api(fixture_edition, make_user):
    host, made = fixture_edition["host"], fixture_edition["edition"]
    headers = _api(host)
    url = f"/api/v1/programmes/editions/{made.pk}/certificates"
    refused = Client().post(
        url, {"nominations": [fixture_edition["eve"].pk]}, content_type="application/json", **headers
    )
    assert refused.status_code == 422
    elsewhere = nominate(edition(host, status="completed", title="another"), "rmp", "Elsewhere Officer")
    for pk in (elsewhere.pk, 2_000_000_007):  # another edition's nomination answers as a missing one
        answer_ = Client().post(url, {"nominations": [pk]}, content_type="application/json", **headers)
        assert answer_.status_code == 422 and answer_.json()["errors"] == {
            "nominations": ["Name participants of this edition only."]
        }
    issued = Client().post(url, {}, content_type="application/json", **headers)
    assert issued.status_code == 201 and len(issued.json()) == 3
    assert {c["status"] for c in issued.json()} == {"valid"}
    mine = Client().get(url, **_api(fixture_edition["participant_user"])).json()
    assert [c["name"] for c in mine] == ["Alice Tan"]
    assert Client().get(url, **_api(make_user("pntl", roles=(Role.AGENCY_ADMIN,)))).json() == []
    cert = Certificate.objects.get(nomination=fixture_edition["alice"])
    pdf = Client().get(f"{url}/{cert.pk}/pdf", **_api(fixture_edition["participant_user"]))
    assert pdf.status_code == 200 and cert.display_code in _pdf_text(pdf.content)
    revoked = Client().post(f"{url}/{cert.pk}/revoke", {}, content_type="application/json", **headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


# --- Cooperation after the programme ---------------------------------------------------------------------------------


def _request(sender, receiver, sent_at, *, answered_after=None, frozen=None):
    request = AssistanceRequest.objects.create(
        reference=f"T-{uuid.uuid4().hex[:12]}",
        sender_agency=Agency.objects.get(code=sender),
        receiver_agency=Agency.objects.get(code=receiver),
        type="general",
        subject="subject",
        asked="asked",
        due_at=sent_at + dt.timedelta(days=7),
        status="answered_fully" if answered_after else "sent",
        sent_at=sent_at,
        actioned_at=sent_at + answered_after if answered_after else None,
    )
    if frozen is not None:
        Outcome.objects.create(request=request, currency="USD", amount_frozen=frozen)
    return request


@pytest.fixture
def cooperating(make_user):
    """An edition that ended 30 days ago with RMP and SPF taking part, hosted by KNPA; PNTL took no part."""
    host = organiser(make_user)
    today = timezone.localdate()
    made = edition(
        host,
        status="completed",
        starts_on=(today - dt.timedelta(days=34)).isoformat(),
        ends_on=(today - dt.timedelta(days=30)).isoformat(),
    )
    nominate(made, "rmp", "Rmp Officer")
    nominate(made, "spf", "Spf Officer", mode="online")
    now = timezone.now()
    for i in range(6):
        _request(
            "rmp",
            "spf",
            now - dt.timedelta(days=10, hours=i),
            answered_after=dt.timedelta(hours=10) if i < 5 else None,
            frozen=Decimal("1000") if i == 0 else None,
        )
    for _ in range(2):
        _request("knpa", "rmp", now - dt.timedelta(days=5))
    _request("rmp", "spf", now - dt.timedelta(days=200))  # before the edition
    for _ in range(7):  # a non-participating agency: never counted
        _request("pntl", "rmp", now - dt.timedelta(days=3), frozen=Decimal("5"))
    for _ in range(3):
        _request("spf", "pntl", now - dt.timedelta(days=3))
    return {"host": host, "edition": made}


def test_cooperation_counts_only_participating_agencies_and_suppresses_small_cells(cooperating, make_user):
    from lintas.cases.tests.helpers import record

    rmp_user = make_user("rmp", roles=(Role.INVESTIGATOR,))
    record(rmp_user, ["+60123456789"], title="rmp case")
    record(make_user("spf", roles=(Role.INVESTIGATOR,)), ["+60123456789"], title="spf case")  # one RMP-SPF hit
    record(make_user("pntl", roles=(Role.INVESTIGATOR,)), ["+60123456789"], title="pntl case")  # hits with PNTL

    knpa = Agency.objects.get(code="knpa")
    figures = cooperation(cooperating["edition"], knpa.pk)
    assert [a["code"] for a in figures["agencies"]] == ["knpa", "rmp", "spf"]
    pairs = {tuple(p["codes"]): p for p in figures["pairs"]}
    assert set(pairs) == {("knpa", "rmp"), ("rmp", "spf")}
    assert pairs[("knpa", "rmp")]["party"] and pairs[("knpa", "rmp")]["after"]["requests"] == 2
    rmp_spf = pairs[("rmp", "spf")]
    assert (rmp_spf["after"]["requests"], rmp_spf["after"]["answered"], rmp_spf["after"]["median_hours"]) == (
        6,
        5,
        10.0,
    )
    assert rmp_spf["after"]["frozen"] == {"USD": "1000.00"}
    # 1 request before and 1 hit after between two other agencies: not shown to KNPA
    assert rmp_spf["before"]["requests"] is None and "requests" in rmp_spf["before"]["suppressed"]
    assert rmp_spf["after"]["hits"] is None and "hits" in rmp_spf["after"]["suppressed"]
    after = figures["totals"]["after"]
    assert (after["requests"], after["answered"]) == (8, 5)
    assert after["frozen"] == {"USD": "1000.00"}  # PNTL's freezes are not in it
    assert figures["totals"]["before"]["requests"] is None
    # RMP is a party to RMP-SPF: it sees its own small figures
    own = {tuple(p["codes"]): p for p in cooperation(cooperating["edition"], rmp_user.agency_id)["pairs"]}
    assert own[("rmp", "spf")]["before"]["requests"] == 1 and own[("rmp", "spf")]["after"]["hits"] == 1


def test_cooperation_hides_a_pair_the_shown_total_would_give_away(cooperating):
    """Two pairs KNPA is no party to add up to the after total: with one hidden (2 RMP-CNP requests), showing the
    other (6 RMP-SPF requests) and the total would give the hidden one away by subtraction, so both are hidden
    (lintas.insights.suppression.protect_partitions) while the total, resting on 8 of others' requests, is shown."""
    made = cooperating["edition"]
    nominate(made, "cnp", "Cnp Officer")
    for _ in range(2):
        _request("rmp", "cnp", timezone.now() - dt.timedelta(days=4))
    figures = cooperation(made, Agency.objects.get(code="knpa").pk)
    pairs = {tuple(sorted(p["codes"])): p["after"] for p in figures["pairs"]}
    assert pairs[("cnp", "rmp")]["requests"] is None
    assert pairs[("rmp", "spf")]["requests"] is None and "frozen" in pairs[("rmp", "spf")]["suppressed"]
    assert pairs[("rmp", "spf")]["median_hours"] == 10.0  # not additive: shown on its own count (5 answered)
    assert pairs[("knpa", "rmp")]["requests"] == 2  # KNPA's own pair: always in full
    assert figures["totals"]["after"]["requests"] == 10 and figures["min_count"] == 5


def test_cooperation_page_and_api_for_organisers(cooperating, signed_in, make_user):
    made = cooperating["edition"]
    page = signed_in(cooperating["host"]).get(f"/programmes/editions/{made.pk}/cooperation/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="pair-rmp-spf-after"' in body and "not shown" in body and "pntl" not in body.lower().split("<main")[-1]
    assert AuditEvent.objects.filter(action=Action.REPORT_VIEWED).count() == 1
    member = make_user("knpa", roles=(Role.INVESTIGATOR,))
    assert signed_in(member).get(f"/programmes/editions/{made.pk}/cooperation/").status_code == 403
    api = Client().get(f"/api/v1/programmes/editions/{made.pk}/cooperation", **_api(cooperating["host"]))
    assert api.status_code == 200 and api.json()["totals"]["after"]["requests"] == 8
    assert Client().get(f"/api/v1/programmes/editions/{made.pk}/cooperation", **_api(member)).status_code == 403


# --- Demo ------------------------------------------------------------------------------------------------------------


def test_seed_report_is_idempotent(make_user):
    from lintas.accounts.demo import seed_demo_users
    from lintas.programmes.demo import seed_demo_programmes, seed_report

    seed_demo_users()
    first, _second = seed_demo_programmes()  # with the 1st edition's participants and their attendance
    attended = Nomination.objects.filter(edition=first, status="confirmed", attendance__present=True).distinct().count()
    assert attended > 10
    done = seed_report(first)
    assert done == {"report": True, "published": True, "certificates": attended}
    assert seed_report(first) == {"report": False, "published": False, "certificates": 0}
    body = Client().get(f"/public/editions/{first.pk}/").content.decode()
    assert "well received" in body and "annual programme" in body and "Royal Malaysia Police" in body
    names = Nomination.objects.filter(edition=first).values_list("name", flat=True)
    assert not [name for name in names if name in body]  # participants are never named in public
