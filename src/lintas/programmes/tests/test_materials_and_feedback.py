"""Items 4 and 5 of issue 16: session materials (checked, hashed, read by participants, organisers and the session's
experts only, downloads audited) and the anonymous feedback survey (one answer per participant, results for the
organisers only). A second agency's edition with its own materials and answers is always present."""

import base64
import datetime as dt
import json

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models, transaction
from django.test import Client

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.services import create_api_token
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.programmes import services
from lintas.programmes.feedback import feedback_summary
from lintas.programmes.materials import can_read_materials, materials_visible_to
from lintas.programmes.models import FeedbackReceipt, FeedbackResponse, Material, Nomination, SessionRating, Survey
from lintas.programmes.tests.helpers import SEOUL, edition, organiser

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _api(user):
    _, secret = create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _nominate(edition, user, *, status="confirmed", mode="on_site"):
    return Nomination.objects.create(
        edition=edition, agency=user.agency, user=user, name=user.get_full_name() or user.username, mode=mode,
        status=status,
    )  # fmt: skip


class World:
    pass


@pytest.fixture
def w(make_user, settings, tmp_path):
    """KNPA hosts a running edition (a panel, a lecture, a site visit); RTP and SPF officers take part (SPF online);
    an RMP officer is only nominated; a PNTL member is no part of it; an RMP user speaks at the lecture. SPF hosts
    another edition with its own material and answer (the second agency's data)."""
    settings.MEDIA_ROOT = tmp_path
    x = World()
    x.host = organiser(make_user, username="knpa.organiser")
    x.edition = edition(x.host, status="running")
    x.panel = x.edition.sessions.get()
    at = dt.datetime(2021, 11, 16, 10, 0, tzinfo=SEOUL)
    x.speaker = make_user("rmp", roles=(Role.INVESTIGATOR,), username="rmp.speaker")
    speaker_entry = services.add_expert(x.host, name="Mohd Mahidisham", organisation="RMP", user=x.speaker)
    x.lecture = services.add_session(
        x.host, x.edition, kind="lecture", topic="Current cybercrime trends", starts_at=at,
        ends_at=at + dt.timedelta(hours=1), experts=[(speaker_entry, "speaker")],
    )  # fmt: skip
    x.visit = services.add_session(
        x.host, x.edition, kind="site_visit", topic="Visit to the cyber bureau",
        starts_at=at + dt.timedelta(days=2), ends_at=at + dt.timedelta(days=2, hours=2),
    )  # fmt: skip
    x.thai = make_user("rtp", roles=(Role.INVESTIGATOR,), username="rtp.participant")
    x.online = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.participant")
    x.nominated = make_user("rmp", roles=(Role.INVESTIGATOR,), username="rmp.nominated")
    x.outsider = make_user("pntl", roles=(Role.AGENCY_ADMIN, Role.INVESTIGATOR), username="pntl.outsider")
    x.thai_nomination = _nominate(x.edition, x.thai)
    x.online_nomination = _nominate(x.edition, x.online, mode="online")
    _nominate(x.edition, x.nominated, status="nominated")
    x.slides = services.add_material(
        x.host, x.panel, kind="slides", title="Panel slides", language="en", tlp="amber",
        upload=SimpleUploadedFile("panel.pdf", PDF),
    )  # fmt: skip
    # The second agency's edition: its own organiser, material, participant and answer.
    x.spf_host = organiser(make_user, "spf", username="spf.organiser")
    x.spf_edition = edition(x.spf_host, status="running", host="spf", title="SPF edition", number=9)
    x.spf_material = services.add_material(
        x.spf_host, x.spf_edition.sessions.get(), kind="paper", title="SPF-only paper",
        upload=SimpleUploadedFile("spf.txt", b"SPF only notes"),
    )  # fmt: skip
    spf_participant = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.own")
    _nominate(x.spf_edition, spf_participant)
    services.update_survey(x.spf_host, x.spf_edition, introduction="SPF survey", is_open=True)
    services.give_feedback(spf_participant, x.spf_edition, overall_rating=1, comments="SPF-only comment")
    return x


def _open(w, introduction="Tell us what you think."):
    return services.update_survey(w.host, w.edition, introduction=introduction, is_open=True)


# --- Materials ------------------------------------------------------------------------------------------------------


def test_an_organiser_uploads_a_checked_hashed_file_under_a_random_name(w):
    material = Material.objects.get(pk=w.slides.pk)
    assert (material.content_type, material.size, material.original_name) == ("application/pdf", len(PDF), "panel.pdf")
    import hashlib

    assert material.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "panel" not in material.file.name and material.file.name.startswith("programmes/materials/")
    event = AuditEvent.objects.get(action=Action.MATERIAL_ADDED, object_id=str(material.pk))
    assert event.details["sha256"] == material.sha256 and event.agency.code == "knpa"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "slides", "upload": SimpleUploadedFile("virus.pdf", EXE)}, "file"),
        ({"kind": "slides", "upload": SimpleUploadedFile("empty.pdf", b"")}, "file"),
        ({"kind": "slides", "link": "https://example.org/slides"}, "link"),  # only a recording may be a link
        ({"kind": "recording", "link": "javascript:alert(1)"}, "link"),
        ({"kind": "recording", "link": "https://x.example/r", "upload": SimpleUploadedFile("a.pdf", PDF)}, "link"),
        ({"kind": "recording"}, "file"),
        ({"kind": "poster", "upload": SimpleUploadedFile("a.pdf", PDF)}, "kind"),
        ({"kind": "paper", "tlp": "purple", "upload": SimpleUploadedFile("a.pdf", PDF)}, "tlp"),
    ],
)
def test_materials_are_refused_as_attachments_are(w, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.add_material(w.host, w.panel, title="x", **fields)
    assert field in refused.value.message_dict


def test_a_recording_may_be_a_link_and_its_download_is_an_audited_redirect(w, signed_in):
    recording = services.add_material(
        w.host, w.panel, kind="recording", title="Panel recording", link="https://meet.example.org/rec/1"
    )
    response = signed_in(w.thai).get(f"/programmes/editions/{w.edition.pk}/materials/{recording.pk}/")
    assert response.status_code == 302 and response["Location"] == "https://meet.example.org/rec/1"
    event = AuditEvent.objects.get(action=Action.MATERIAL_DOWNLOADED, object_id=str(recording.pk))
    assert event.actor == w.thai and event.details["link"] is True


def test_the_sessions_experts_add_to_their_own_session_only_and_participants_not_at_all(w):
    paper = services.add_material(
        w.speaker, w.lecture, kind="paper", title="Speaker's paper", upload=SimpleUploadedFile("p.txt", b"notes")
    )
    assert paper.uploaded_by == w.speaker
    with pytest.raises(PermissionDenied):
        services.add_material(w.speaker, w.panel, kind="paper", title="x", upload=SimpleUploadedFile("p.txt", b"x"))
    with pytest.raises(PermissionDenied):
        services.add_material(w.thai, w.panel, kind="paper", title="x", upload=SimpleUploadedFile("p.txt", b"x"))


def test_who_reads_materials(w):
    speakers = services.add_material(
        w.speaker, w.lecture, kind="paper", title="Lecture paper", upload=SimpleUploadedFile("p.txt", b"notes")
    )
    everything = {w.slides, speakers}
    assert set(materials_visible_to(w.host, w.edition)) == everything
    assert set(materials_visible_to(w.thai, w.edition)) == everything
    assert set(materials_visible_to(w.online, w.edition)) == everything
    assert set(materials_visible_to(w.speaker, w.edition)) == {speakers}  # the expert: their own session's
    for stranger in (w.nominated, w.outsider, w.spf_host):
        assert not materials_visible_to(stranger, w.edition).exists()
        assert not can_read_materials(stranger, w.edition)
    assert w.spf_material not in set(materials_visible_to(w.host, w.edition))  # never another edition's


def test_a_participant_downloads_a_material_as_an_audited_attachment(w, signed_in):
    client = signed_in(w.thai)
    page = client.get(f"/programmes/editions/{w.edition.pk}/materials/")
    body = page.content.decode()
    assert page.status_code == 200 and "Panel slides" in body and "TLP:AMBER" in body
    assert w.slides.sha256 in body and "SPF-only paper" not in body
    response = client.get(f"/programmes/editions/{w.edition.pk}/materials/{w.slides.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "panel.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action=Action.MATERIAL_DOWNLOADED, object_id=str(w.slides.pk))
    assert event.actor == w.thai and event.details["sha256"] == w.slides.sha256 and event.agency.code == "knpa"


@pytest.mark.parametrize("who", ["outsider", "nominated", "spf_host"])
def test_materials_of_an_edition_you_take_no_part_in_answer_404(w, signed_in, who):
    user = getattr(w, who)
    client = signed_in(user)
    base = f"/programmes/editions/{w.edition.pk}/materials/"
    assert client.get(f"/programmes/editions/{w.edition.pk}/").status_code == 200  # the edition itself is public
    for url in (base, f"{base}new/", f"{base}{w.slides.pk}/"):
        response = client.get(url)
        assert response.status_code == 404 and "Panel slides" not in response.content.decode()
    assert client.post(f"{base}{w.slides.pk}/remove/").status_code == 404
    api = Client()
    headers = _api(user)
    assert api.get(f"/api/v1/programmes/editions/{w.edition.pk}/materials", **headers).status_code == 404
    missing = api.get(f"/api/v1/programmes/editions/{w.edition.pk}/materials/{w.slides.pk}/file", **headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(action=Action.MATERIAL_DOWNLOADED).exists()
    assert Material.objects.filter(pk=w.slides.pk).exists()


def test_the_organiser_removes_a_material_and_its_file_goes_on_commit(w, signed_in, django_capture_on_commit_callbacks):
    storage, name = w.slides.file.storage, w.slides.file.name
    refused = signed_in(w.thai).post(f"/programmes/editions/{w.edition.pk}/materials/{w.slides.pk}/remove/")
    assert refused.status_code == 403 and storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(w.host).post(f"/programmes/editions/{w.edition.pk}/materials/{w.slides.pk}/remove/")
    assert response.status_code == 302
    assert not Material.objects.filter(pk=w.slides.pk).exists() and not storage.exists(name)
    event = AuditEvent.objects.get(action=Action.MATERIAL_REMOVED)
    assert event.actor == w.host and event.details["sha256"] == w.slides.sha256


def test_the_upload_page_offers_an_expert_their_own_sessions(w, signed_in):
    client = signed_in(w.speaker)
    page = client.get(f"/programmes/editions/{w.edition.pk}/materials/new/")
    assert page.status_code == 200
    assert f'value="{w.lecture.pk}"' in page.content.decode() and f'value="{w.panel.pk}"' not in page.content.decode()
    refused = client.post(
        f"/programmes/editions/{w.edition.pk}/materials/new/",
        {"session": w.panel.pk, "kind": "paper", "title": "x", "tlp": "green",
         "file": SimpleUploadedFile("a.pdf", PDF)},
    )  # fmt: skip
    assert refused.status_code == 200 and not Material.objects.filter(title="x").exists()  # not one of the choices
    response = client.post(
        f"/programmes/editions/{w.edition.pk}/materials/new/",
        {"session": w.lecture.pk, "kind": "slides", "title": "Trends", "tlp": "green", "language": "en",
         "file": SimpleUploadedFile("trends.png", PNG)},
    )  # fmt: skip
    assert response.status_code == 302
    assert Material.objects.get(title="Trends").content_type == "image/png"
    assert signed_in(w.thai).get(f"/programmes/editions/{w.edition.pk}/materials/new/").status_code == 403


def test_materials_api_list_upload_download(w):
    client, headers = Client(), _api(w.host)
    url = f"/api/v1/programmes/editions/{w.edition.pk}/sessions/{w.lecture.pk}/materials"
    made = client.post(
        url, {"kind": "slides", "title": "Trends deck", "tlp": "green", "file": SimpleUploadedFile("d.pdf", PDF)},
        **headers,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["title"], body["content_type"], body["session"]) == ("Trends deck", "application/pdf", w.lecture.pk)
    bad = client.post(url, {"kind": "slides", "title": "x", "file": SimpleUploadedFile("x.pdf", EXE)}, **headers)
    assert bad.status_code == 422 and "file" in bad.json()["errors"]
    link = client.post(url, {"kind": "recording", "title": "Rec", "link": "https://meet.example.org/r"}, **headers)
    assert link.status_code == 201 and link.json()["link"] == "https://meet.example.org/r"
    listed = Client().get(f"/api/v1/programmes/editions/{w.edition.pk}/materials", **_api(w.online)).json()
    assert {m["title"] for m in listed} == {"Panel slides", "Trends deck", "Rec"}
    download = Client().get(f"/api/v1/programmes/editions/{w.edition.pk}/materials/{body['id']}/file", **_api(w.online))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action=Action.MATERIAL_DOWNLOADED, actor=w.online).count() == 1
    upload = {"kind": "slides", "title": "x", "file": SimpleUploadedFile("x.pdf", PDF)}
    refused = client.post(url, upload, **_api(w.thai))
    assert refused.status_code == 403
    gone = client.delete(f"/api/v1/programmes/editions/{w.edition.pk}/materials/{body['id']}", **headers)
    assert gone.status_code == 204 and not Material.objects.filter(pk=body["id"]).exists()


def test_an_upload_to_a_session_of_a_hidden_edition_answers_like_a_missing_one(w):
    planning = edition(w.host, title="Planning edition")
    session = planning.sessions.get()
    headers = _api(w.outsider)
    answers = []
    for edition_id, session_id in ((planning.pk, session.pk), (2_000_000_007, session.pk)):
        response = Client().post(
            f"/api/v1/programmes/editions/{edition_id}/sessions/{session_id}/materials",
            {"kind": "slides", "title": "x", "file": SimpleUploadedFile("x.pdf", PDF)},
            **headers,
        )
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert not Material.objects.filter(title="x").exists()


# --- The survey -----------------------------------------------------------------------------------------------------


def test_only_organisers_set_up_the_survey_and_it_is_audited(w):
    with pytest.raises(PermissionDenied):
        services.update_survey(w.thai, w.edition, is_open=True)
    with pytest.raises(PermissionDenied):
        services.update_survey(w.spf_host, w.edition, is_open=True)  # an organiser, of another edition
    survey = _open(w)
    assert (survey.introduction, survey.is_open) == ("Tell us what you think.", True)
    event = AuditEvent.objects.filter(action=Action.SURVEY_UPDATED, object_id=str(survey.pk)).get()
    assert event.details["changed"] == ["introduction", "is_open"] and event.actor == w.host
    with pytest.raises(ValidationError):
        services.update_survey(w.host, w.edition, is_open="yes")


def test_plan_next_edition_copies_the_survey_introduction_closed(w):
    _open(w, "How was it?")
    nxt = services.plan_next_edition(w.host, w.edition)
    copied = Survey.objects.get(edition=nxt)
    assert (copied.introduction, copied.is_open, copied.responses.count()) == ("How was it?", False, 0)


def _answer(w, user=None, **fields):
    values = {"overall_rating": 5, "ratings": {w.panel.pk: 5, w.lecture.pk: 4}, "most_useful": w.panel.pk}
    return services.give_feedback(user or w.thai, w.edition, **{**values, **fields})


def test_one_anonymous_answer_per_participant(w):
    _open(w)
    receipt = _answer(w, comments="Very useful", topics_wanted="Crypto tracing", language="th")
    assert receipt.nomination == w.thai_nomination
    response = FeedbackResponse.objects.get(survey__edition=w.edition)
    assert (response.overall_rating, response.language, response.most_useful) == (5, "th", w.panel)
    assert {(r.session, r.rating) for r in response.ratings.all()} == {(w.panel, 5), (w.lecture, 4)}
    with pytest.raises(ValidationError) as twice:
        _answer(w, overall_rating=1)
    assert "already answered" in str(twice.value)
    assert FeedbackResponse.objects.filter(survey__edition=w.edition).count() == 1
    assert FeedbackReceipt.objects.filter(nomination=w.thai_nomination).count() == 1
    event = AuditEvent.objects.get(action=Action.FEEDBACK_GIVEN, actor=w.thai)
    assert event.details == {"edition": w.edition.pk}
    trail = json.dumps(list(AuditEvent.objects.values("object_id", "details")), default=str)
    assert str(response.pk) not in trail and str(response.pk.hex) not in trail


def test_nothing_links_an_answer_to_its_participant(w):
    """No field of an answer (or its ratings) names a person, a nomination, a receipt or a time; no field of a
    receipt names an answer; every key of an answer is random, so no order ties them either."""
    person_models = {"accounts.user", "programmes.nomination", "programmes.feedbackreceipt"}
    for model in (FeedbackResponse, SessionRating):
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                assert field.related_model._meta.label_lower not in person_models, (model, field.name)
            assert not isinstance(field, models.DateField | models.DateTimeField), (model, field.name)
        assert isinstance(model._meta.pk, models.UUIDField)
    for field in FeedbackReceipt._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            label = field.related_model._meta.label_lower
            assert label not in {"programmes.feedbackresponse", "programmes.sessionrating"}, field.name


def test_the_unique_receipt_refuses_a_concurrent_second_answer(w, monkeypatch):
    """Two submissions that both pass the "already answered?" check: the receipt's unique constraint refuses the
    second, and its answer is rolled back with it."""
    _open(w)
    _answer(w)
    monkeypatch.setattr(services, "_already_answered", lambda nomination: False)  # as if both checked at once
    with pytest.raises(ValidationError) as second, transaction.atomic():
        _answer(w, overall_rating=1, comments="second")
    assert "already answered" in str(second.value)
    stored = FeedbackResponse.objects.filter(survey__edition=w.edition)
    assert list(stored.values_list("overall_rating", flat=True)) == [5]
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackReceipt.objects.create(
            survey=w.edition.survey, nomination=w.thai_nomination, answered_on=dt.date.today()
        )


def test_a_closed_survey_and_a_missing_one_refuse_answers(w):
    with pytest.raises(ValidationError) as missing:
        _answer(w)
    assert "not open" in str(missing.value)
    services.update_survey(w.host, w.edition, introduction="x", is_open=False)
    with pytest.raises(ValidationError):
        _answer(w)
    assert not FeedbackReceipt.objects.filter(nomination__edition=w.edition).exists()


def test_only_confirmed_participants_answer(w):
    _open(w)
    for user in (w.nominated, w.outsider, w.host, w.speaker):
        with pytest.raises(PermissionDenied):
            services.give_feedback(user, w.edition, overall_rating=5)
    assert not FeedbackResponse.objects.filter(survey__edition=w.edition).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"overall_rating": 6}, "overall_rating"),
        ({"overall_rating": 0}, "overall_rating"),
        ({"overall_rating": "five"}, "overall_rating"),
        ({"ratings": {"OTHER": 5}}, "ratings"),  # another edition's session
        ({"ratings": {"PANEL": 9}}, "ratings"),
        ({"ratings": [("PANEL", 4), ("PANEL", 5)]}, "ratings"),
        ({"most_useful": "OTHER"}, "most_useful"),
        ({"comments": "nul\x00"}, "comments"),
    ],
)
def test_answers_are_checked(w, fields, field):
    _open(w)
    ids = {"OTHER": w.spf_edition.sessions.get().pk, "PANEL": w.panel.pk}
    fields = json.loads(json.dumps(fields))
    for key, value in list(fields.items()):
        if key == "ratings":
            pairs = value.items() if isinstance(value, dict) else value
            fields[key] = [(ids.get(s, s), r) for s, r in pairs]
        elif value in ids:
            fields[key] = ids[value]
    with pytest.raises(ValidationError) as refused:
        services.give_feedback(w.thai, w.edition, **{"overall_rating": 4, **fields})
    assert field in refused.value.message_dict
    assert not FeedbackReceipt.objects.filter(nomination=w.thai_nomination).exists()


def test_online_participants_do_not_rate_the_site_visit(w):
    _open(w)
    with pytest.raises(ValidationError):
        services.give_feedback(w.online, w.edition, overall_rating=4, ratings={w.visit.pk: 5})
    services.give_feedback(w.thai, w.edition, overall_rating=4, ratings={w.visit.pk: 5})


def test_the_form_is_answered_in_the_participants_language(w, signed_in):
    _open(w, "ขอบคุณที่เข้าร่วม")
    client = signed_in(w.thai)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "th"
    url = f"/programmes/editions/{w.edition.pk}/feedback/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "ขอบคุณที่เข้าร่วม" in body and 'lang="th"' in body
    assert f'name="session_{w.visit.pk}"' in body  # on site: the visit is theirs to rate
    response = client.post(
        url,
        {"overall_rating": "5", f"session_{w.panel.pk}": "5", f"session_{w.lecture.pk}": "", "most_useful": w.panel.pk,
         "comments": "การอภิปรายมีประโยชน์มาก", "topics_wanted": "คริปโต"},
    )  # fmt: skip
    assert response.status_code == 302
    answer = FeedbackResponse.objects.get(survey__edition=w.edition)
    assert (answer.language, answer.comments, answer.ratings.count()) == ("th", "การอภิปรายมีประโยชน์มาก", 1)
    again = client.get(url)
    assert 'id="feedback-answered"' in again.content.decode() and 'id="feedback-form"' not in again.content.decode()
    assert client.post(url, {"overall_rating": "1"}).status_code == 200
    assert FeedbackResponse.objects.filter(survey__edition=w.edition).count() == 1


def test_the_online_participants_form_leaves_out_the_site_visit(w, signed_in):
    _open(w)
    body = signed_in(w.online).get(f"/programmes/editions/{w.edition.pk}/feedback/").content.decode()
    assert f'name="session_{w.panel.pk}"' in body and f'name="session_{w.visit.pk}"' not in body


@pytest.mark.parametrize("who", ["outsider", "nominated", "speaker", "host"])
def test_the_form_is_404_for_anyone_not_a_confirmed_participant(w, signed_in, who):
    _open(w)
    client = signed_in(getattr(w, who))
    assert client.get(f"/programmes/editions/{w.edition.pk}/feedback/").status_code == 404
    assert client.post(f"/programmes/editions/{w.edition.pk}/feedback/", {"overall_rating": "5"}).status_code == 404
    response = Client().post(
        f"/api/v1/programmes/editions/{w.edition.pk}/feedback", {"overall_rating": 5},
        content_type="application/json", **_api(getattr(w, who)),
    )  # fmt: skip
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_a_closed_survey_page_says_so(w, signed_in):
    response = signed_in(w.thai).get(f"/programmes/editions/{w.edition.pk}/feedback/")
    assert response.status_code == 200 and 'id="feedback-closed"' in response.content.decode()


# --- Results --------------------------------------------------------------------------------------------------------


def _three_answers(w, make_user):
    third = make_user("knpa", roles=(Role.INVESTIGATOR,), username="knpa.participant")
    _nominate(w.edition, third)
    _open(w)
    _answer(w, comments="zebra crossing", topics_wanted="Mule accounts", language="th")
    services.give_feedback(
        w.online, w.edition, overall_rating=4, ratings={w.panel.pk: 3}, most_useful=w.lecture.pk,
        comments="Apple pie", language="en",
    )  # fmt: skip
    services.give_feedback(third, w.edition, overall_rating=4, most_useful=w.panel.pk, comments="매우 유익했습니다")


def test_feedback_summary(w, make_user):
    _three_answers(w, make_user)
    summary = feedback_summary(w.edition)
    assert (summary["participants"], summary["responses"], summary["response_rate"]) == (3, 3, 1.0)
    assert summary["overall"] == {"count": 3, "average": 4.33, "distribution": [0, 0, 0, 2, 1]}
    by_topic = {s["topic"]: s for s in summary["sessions"]}
    assert by_topic["Expert panel"]["average"] == 4.0 and by_topic["Expert panel"]["distribution"] == [0, 0, 1, 0, 1]
    visit = by_topic["Visit to the cyber bureau"]
    assert (visit["count"], visit["average"], visit["distribution"]) == (0, None, [0, 0, 0, 0, 0])
    assert summary["most_useful"] == [
        {"id": w.panel.pk, "topic": "Expert panel", "count": 2},
        {"id": w.lecture.pk, "topic": "Current cybercrime trends", "count": 1},
    ]
    assert summary["comments"] == ["Apple pie", "zebra crossing", "매우 유익했습니다"]  # by text, not by time
    assert summary["topics_wanted"] == ["Mule accounts"]
    assert summary["languages"] == {"": 1, "en": 1, "th": 1}
    assert "SPF-only comment" not in json.dumps(summary, default=str)


def test_the_results_page_is_for_organisers_only_and_audited(w, make_user, signed_in):
    _three_answers(w, make_user)
    url = f"/programmes/editions/{w.edition.pk}/feedback/results/"
    response = signed_in(w.host).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Apple pie") < body.index("zebra crossing") < body.index("매우 유익했습니다")
    assert 'id="chart-overall"' in body and f'id="chart-session-{w.panel.pk}"' in body and "100 %" in body
    assert "SPF-only comment" not in body
    event = AuditEvent.objects.get(action=Action.FEEDBACK_VIEWED)
    assert event.actor == w.host and event.details == {"responses": 3}
    for who in ("thai", "speaker", "outsider", "spf_host"):
        client = signed_in(getattr(w, who))
        for page in (url, f"/programmes/editions/{w.edition.pk}/survey/"):
            refused = client.get(page)
            assert refused.status_code == 404 and "Apple pie" not in refused.content.decode(), (who, page)
        api = Client().get(f"/api/v1/programmes/editions/{w.edition.pk}/feedback/results", **_api(getattr(w, who)))
        assert api.status_code == 404 and "Apple pie" not in api.content.decode()
    assert AuditEvent.objects.filter(action=Action.FEEDBACK_VIEWED).count() == 1


def test_the_survey_page_opens_and_closes_the_survey(w, signed_in):
    client = signed_in(w.host)
    url = f"/programmes/editions/{w.edition.pk}/survey/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"introduction": "Please answer by Friday.", "is_open": "on"})
    assert response.status_code == 302
    assert Survey.objects.get(edition=w.edition).is_open
    client.post(url, {"introduction": "Please answer by Friday."})
    assert not Survey.objects.get(edition=w.edition).is_open
    edition_page = signed_in(w.thai).get(f"/programmes/editions/{w.edition.pk}/").content.decode()
    assert 'id="give-feedback"' not in edition_page and "/materials/" in edition_page


def test_the_edition_page_offers_materials_and_the_survey_to_whom_they_are_for(w, signed_in):
    _open(w)
    url = f"/programmes/editions/{w.edition.pk}/"
    thai = signed_in(w.thai).get(url).content.decode()
    assert 'id="give-feedback"' in thai and "/materials/" in thai and "/feedback/results/" not in thai
    host = signed_in(w.host).get(url).content.decode()
    assert "/feedback/results/" in host and 'id="give-feedback"' not in host
    outsider = signed_in(w.outsider).get(url).content.decode()
    assert 'id="edition-materials-feedback"' not in outsider


def test_feedback_api(w, make_user):
    headers = _api(w.host)
    client = Client()
    opened = client.patch(
        f"/api/v1/programmes/editions/{w.edition.pk}/survey", {"introduction": "Hello", "is_open": True},
        content_type="application/json", **headers,
    )  # fmt: skip
    assert opened.status_code == 200 and opened.json()["is_open"] is True
    refused = client.patch(
        f"/api/v1/programmes/editions/{w.edition.pk}/survey", {"is_open": False}, content_type="application/json",
        **_api(w.thai),
    )  # fmt: skip
    assert refused.status_code == 403
    mine = client.get(f"/api/v1/programmes/editions/{w.edition.pk}/survey", **_api(w.online)).json()
    assert mine["answered"] is False and [s["id"] for s in mine["sessions"]] == [w.lecture.pk, w.panel.pk]
    assert client.get(f"/api/v1/programmes/editions/{w.edition.pk}/survey", **_api(w.outsider)).status_code == 404
    body = {"overall_rating": 5, "ratings": [{"session": w.panel.pk, "rating": 4}], "most_useful": w.panel.pk,
            "comments": "좋았습니다", "topics_wanted": "가상자산"}  # fmt: skip
    thai = _api(w.thai)
    given = client.post(
        f"/api/v1/programmes/editions/{w.edition.pk}/feedback", body, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ko", **thai,
    )  # fmt: skip
    assert given.status_code == 201 and given.json() == {"answered_on": dt.date.today().isoformat()}
    again = client.post(
        f"/api/v1/programmes/editions/{w.edition.pk}/feedback", body, content_type="application/json", **thai
    )
    assert again.status_code == 422 and "already answered" in json.dumps(again.json(), ensure_ascii=False)
    answer = FeedbackResponse.objects.get(survey__edition=w.edition)
    assert answer.comments == "좋았습니다"
    results = client.get(f"/api/v1/programmes/editions/{w.edition.pk}/feedback/results", **headers)
    data = results.json()
    assert results.status_code == 200 and data["responses"] == 1 and data["response_rate"] == 0.5
    assert data["overall"]["distribution"] == [0, 0, 0, 0, 1] and data["comments"] == ["좋았습니다"]
    assert AuditEvent.objects.filter(action=Action.FEEDBACK_VIEWED, actor=w.host).count() == 1


# --- Demo -----------------------------------------------------------------------------------------------------------


def test_demo_materials_and_feedback_are_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from lintas.accounts.demo import seed_demo_users
    from lintas.programmes.demo import seed_demo_materials_and_feedback, seed_demo_programmes

    seed_demo_users()
    first, _second = seed_demo_programmes()  # with the 1st edition's participants (decision 0040)
    with_accounts = first.nominations.filter(status="confirmed", user__isnull=False).count()
    assert with_accounts >= 8
    assert seed_demo_materials_and_feedback() == {"materials": 3, "answers": with_accounts}
    assert seed_demo_materials_and_feedback() == {"materials": 0, "answers": 0}
    summary = feedback_summary(first)
    assert summary["responses"] == with_accounts and summary["overall"]["average"] >= 4.4
    assert {"th", "ms", "id", "vi", "en"} <= set(summary["languages"])
    text = " ".join(summary["comments"])
    assert "การอภิปราย" in text  # Thai, as the RTP participant answered
    survey = Survey.objects.get(edition=first)
    assert survey.introduction and not survey.is_open
    pdfs = Material.objects.filter(session__edition=first, content_type="application/pdf")
    assert pdfs.count() == 2 and all(m.file.read(5) == b"%PDF-" for m in pdfs)
    assert Material.objects.filter(session__edition=first, kind="recording").exclude(link="").count() == 1
