"""A queue outage after commit (Redis or the job worker's storage down) never turns a recorded case into an error."""

from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.cases.models import Case
from lintas.cases.tests.helpers import record
from lintas.matching.models import Hit
from lintas.notifications import tasks
from lintas.notifications.models import Notification

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def test_recording_a_case_with_hits_answers_201_when_the_e_mail_queue_is_down(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    """The threat model listed this as open ("recording a case that raises hits answers 500 after it committed");
    the e-mail queuing runs after commit and logs its failure. This test keeps it so: it fails if the error escapes."""
    liaison = make_user("knpa", roles=(Role.LIAISON_OFFICER, Role.INVESTIGATOR))
    record(liaison, [WALLET], title="KNPA case")
    writer = make_user("cnp", roles=(Role.INVESTIGATOR,))
    _, secret = accounts.create_api_token(writer, name="t", scope=TokenScope.READ_WRITE, days=1)
    queued = []

    def queue_down(ids):
        queued.append(ids)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks, "email_notifications", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/cases/",
            {"title": "CNP raid", "crime_type": "voice_phishing", "identifiers": [WALLET]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    assert response.status_code == 201, response.content
    assert response.json()["hits"] == 1
    assert queued, "the e-mail copies were to be queued after commit"
    case = Case.objects.get(pk=response.json()["case"]["id"])
    assert Hit.objects.filter(right_case=case).exists() or Hit.objects.filter(left_case=case).exists()
    assert Notification.objects.filter(recipient=liaison).exists()  # in-app notices do not depend on the queue
