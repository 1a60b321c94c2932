"""Twenty simultaneous acknowledgements of one request: exactly one wins, the rest get 409 (PostgreSQL, threads)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

THREADS = 20


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_acknowledgements(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL (make test runs it there); SQLite serialises writers")
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,))
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,))
    liaisons = [make_user("pntl", roles=(Role.LIAISON_OFFICER,)) for _ in range(THREADS)]
    request = services.draft_request(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="Freeze",
        asked="Freeze it",
    )[0]
    request = services.transition(drafter, request, "submit", version=request.version)
    request = services.transition(supervisor, request, "approve", version=request.version)
    secrets = [accounts.create_api_token(u, name="t", scope=TokenScope.READ_WRITE, days=1)[1] for u in liaisons]
    barrier = threading.Barrier(THREADS)
    statuses = []

    def acknowledge(secret):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/requests/{request.pk}/acknowledge",
                {},
                content_type="application/json",
                HTTP_IF_MATCH=str(request.version),
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=acknowledge, args=(s,)) for s in secrets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    events = AuditEvent.objects.filter(
        action=Action.REQUEST_TRANSITION, object_id=str(request.pk), details__action="acknowledge"
    )
    assert events.count() == 1
