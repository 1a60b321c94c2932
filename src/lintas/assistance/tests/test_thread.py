"""The request thread: both agencies write, read receipts per agency, nobody else."""

import pytest
from django.core.exceptions import PermissionDenied

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_thread_with_read_receipts(make_user, signed_in):
    spf = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR, Role.LIAISON_OFFICER))
    pntl = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    request = services.draft_request(
        spf, receivers=[Agency.objects.get(code="pntl")], type="general", priority="urgent", subject="s", asked="a"
    )[0]
    with pytest.raises(PermissionDenied):
        services.post_message(pntl, request, "not yet sent: PNTL cannot write")
    request = services.transition(spf, request, "send_now", version=request.version)
    services.post_message(spf, request, "Please confirm the freeze.")
    sender_view = signed_in(spf).get(f"/api/v1/requests/{request.pk}/messages").json()
    assert sender_view[0]["read_by_other"] is False
    receiver_view = signed_in(pntl).get(f"/api/v1/requests/{request.pk}/messages").json()
    assert receiver_view[0]["body"] == "Please confirm the freeze."
    assert signed_in(spf).get(f"/api/v1/requests/{request.pk}/messages").json()[0]["read_by_other"] is True
    assert Notification.objects.filter(recipient=pntl, text__contains="New message").exists()
    assert AuditEvent.objects.filter(action=Action.REQUEST_MESSAGE).count() == 1
    stranger = make_user("rmp", roles=(Role.LIAISON_OFFICER,))
    assert signed_in(stranger).get(f"/api/v1/requests/{request.pk}/messages").status_code == 404
    response = signed_in(pntl).post(f"/requests/{request.pk}/messages/", {"body": "Frozen at 14:05."})
    assert response.status_code == 302
    assert "Frozen at 14:05." in signed_in(spf).get(f"/requests/{request.pk}/").content.decode()


def test_thread_and_files_are_in_the_page_body_not_its_title(make_user, signed_in):
    spf = make_user("spf", roles=(Role.SUPERVISOR, Role.INVESTIGATOR))
    request = services.draft_request(
        spf, receivers=[Agency.objects.get(code="pntl")], type="general", priority="urgent", subject="s", asked="a"
    )[0]
    body = signed_in(spf).get(f"/requests/{request.pk}/").content.decode()
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Messages" not in title and "<section" not in title
    main = body.split("<main", 1)[1]
    assert 'id="request-thread"' in main and 'id="request-files"' in main
