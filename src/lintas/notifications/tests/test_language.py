"""Each recipient reads a notification in their own language, whoever caused it and in whatever language."""

import pytest
from django.utils import translation

from lintas.accounts.choices import Role
from lintas.cases.tests.helpers import record
from lintas.notifications.models import Notification

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
