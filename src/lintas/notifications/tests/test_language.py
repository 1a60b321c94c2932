"""Each recipient reads a notification in their own language, whoever caused it and in whatever language."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.cases.tests.helpers import record
from lintas.notifications import tasks
from lintas.notifications.models import Notification
from lintas.notifications.services import for_recipients, render_message

pytestmark = pytest.mark.django_db


def test_a_hit_reaches_each_officer_in_their_own_language(make_user):
    thai = make_user("rtp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    thai.language = "th"
    thai.save(update_fields=["language"])
    korean = make_user("knpa", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    korean.language = "ko"
    korean.save(update_fields=["language"])
    english = make_user("knpa", roles=(Role.LIAISON_OFFICER,))
    record(thai, [{"value": "TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"}], hide_owner_in_hits=True)
    with translation.override("ko"):  # the Korean officer's request is in Korean
        record(korean, [{"value": "TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"}])
    texts = {note.recipient_id: note.text for note in Notification.objects.all()}
    assert texts[thai.pk].startswith("รายการที่ตรงกันใหม่") and "KNPA" in texts[thai.pk]
    assert "หน่วยงานสมาชิกแห่งหนึ่ง" not in texts[thai.pk]
    # The Thai case hides its owner: the Koreans read "a member agency", each in their language.
    with translation.override("ko"):
        assert translation.gettext("a member agency") in texts[korean.pk]
    assert texts[english.pk].startswith("New hit") and "a member agency" in texts[english.pk]


# --- rendered at display time (issue 17 item 8, decision 0050) -------------------------------------------------------


def _set_language(user, code):
    user.language = code
    user.save(update_fields=["language"])


def _urgent_stop_payment(make_user):
    """An urgent stop-payment from SPF, approved: PNTL's liaison officer is notified ("New urgent request ...")."""
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,))
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,))
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    request = services.draft_request(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="Freeze",
        asked="Stop the payment",
    )[0]
    services.transition(drafter, request, "submit", version=request.version)
    request.refresh_from_db()
    services.transition(supervisor, request, "approve", version=request.version)
    return liaison, Notification.objects.get(recipient=liaison)


def test_a_user_who_switches_language_reads_earlier_notifications_in_the_new_one(make_user, signed_in):
    liaison, note = _urgent_stop_payment(make_user)
    assert "Urgent stop-payment (freeze)" in note.text  # made while the officer read English
    # The message and its labels are kept as msgids, not as the English words.
    assert note.message_id == "New %(priority)s request %(ref)s from %(sender)s: %(type)s."
    assert note.params["type"] == {"msgid": "Urgent stop-payment (freeze)"}
    client = signed_in(liaison)
    assert "Urgent stop-payment (freeze)" in client.get("/live/requests/").content.decode()
    client.post("/i18n/language/", {"language": "th", "next": "/"})
    inbox = client.get("/live/requests/").content.decode()
    assert "ระงับการจ่ายเงินเร่งด่วน (อายัด)" in inbox and "Urgent stop-payment" not in inbox
    client.post("/i18n/language/", {"language": "ko", "next": "/"})
    assert "긴급 지급정지(동결)" in client.get("/").content.decode()  # the dashboard's requests panel


def test_a_hidden_holder_stays_a_label_in_every_language(make_user, signed_in):
    """A hit on a case whose owner hides its name: the params hold the label's msgid, never the agency's name."""
    thai = make_user("rtp", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    english = make_user("knpa", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER))
    record(thai, [{"value": "TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"}], hide_owner_in_hits=True)
    record(english, [{"value": "TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"}])
    note = Notification.objects.get(recipient=english)
    assert note.params["holders"] == {"list": [{"msgid": "a member agency"}]}
    assert "RTP" not in json.dumps(note.params) and "RTP" not in note.text
    _set_language(english, "th")
    with translation.override("th"):
        assert note.message.startswith("รายการที่ตรงกันใหม่") and "หน่วยงานสมาชิกแห่งหนึ่ง" in note.message
    # the Thai holder's own notice names the Korean agency, which does not hide itself
    assert Notification.objects.get(recipient=thai).params["holders"] == {"list": ["KNPA"]}


def test_the_e_mail_goes_in_the_recipients_language_when_it_is_sent(make_user, mailoutbox):
    liaison, note = _urgent_stop_payment(make_user)
    liaison.email = "duty@pntl.example"
    _set_language(liaison, "ko")  # chose Korean between the notice and its e-mail
    liaison.save(update_fields=["email"])
    with translation.override("en"):  # the worker's own language does not matter
        tasks.email_notifications.call_local([note.pk])
    (mail,) = [m for m in mailoutbox if m.to == ["duty@pntl.example"]]
    assert "긴급 지급정지(동결)" in mail.body and "긴급 지급정지(동결)" in mail.subject
    assert "Urgent stop-payment" not in mail.body


def test_the_api_answers_in_the_users_language_setting(make_user):
    liaison, _note = _urgent_stop_payment(make_user)
    _set_language(liaison, "th")
    _, secret = accounts.create_api_token(liaison, name="t", scope=TokenScope.READ, days=1)
    # Accept-Language does not choose: the user's setting does, as on the dashboard and in the e-mail
    response = Client().get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="ko")
    (item,) = response.json()["items"]
    assert item["language"] == "th" and "ระงับการจ่ายเงินเร่งด่วน (อายัด)" in item["text"]
    assert "Urgent stop-payment" not in item["text"]


def test_a_notification_stored_before_messages_shows_its_text(make_user, signed_in):
    user = make_user("spf")
    Notification.objects.create(recipient=user, kind="hit", text="Old English text")
    _set_language(user, "ko")
    client = signed_in(user)
    client.post("/i18n/language/", {"language": "ko", "next": "/"})
    assert "Old English text" in client.get("/hits/inbox/").content.decode()


def test_a_translation_that_does_not_fit_falls_back_rather_than_failing(monkeypatch):
    note = Notification(text="stored copy", message_id="%(ref)s is late.", params={"ref": "X-1"})
    monkeypatch.setattr(translation, "gettext", lambda msgid: "%(reference)s est en retard.")
    assert note.message == "X-1 is late."  # the English message, not a 500 on every page with the inbox
    assert render_message("%(ref)s is late.", {}, fallback="stored copy") == "%(reference)s est en retard."
    assert render_message("%(missing)s", {"ref": 1}, fallback="stored copy") == "stored copy"


def test_moments_in_the_readers_time_zone(make_user):
    due = dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        (note,) = for_recipients(
            [make_user("spf").pk], gettext_lazy("Due %(due)s on %(day)s."), {"due": due, "day": due.date()}
        )
    assert note.params == {"due": {"datetime": "2027-01-31T10:00:00+00:00"}, "day": {"date": "2027-01-31"}}
    assert note.text == "Due 2027-01-31 10:00 (UTC) on 2027-01-31."  # the copy kept names UTC
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Bangkok")):
        assert note.message == "Due 2027-01-31 17:00 (+07) on 2027-01-31."
    with translation.override("ko"), timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")):
        assert note.message == "처리 기한: 2027-01-31 2027-01-31 19:00 (KST)."  # Korean puts the day first
