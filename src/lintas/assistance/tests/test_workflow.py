"""The request workflow: four eyes, roles per side, states, conflicts, visibility."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import AssistanceRequest
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "drafter": make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.drafter"),
        "supervisor": make_user("spf", roles=(Role.SUPERVISOR,), username="spf.sup"),
        "pntl_liaison": make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.lo"),
        "pntl_investigator": make_user("pntl", roles=(Role.INVESTIGATOR,), username="pntl.inv"),
        "stranger": make_user("rmp", roles=(Role.LIAISON_OFFICER, Role.SUPERVISOR), username="rmp.lo"),
    }


def draft(people, priority="urgent", **extra):
    return services.draft_request(
        people["drafter"],
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority=priority,
        subject="Freeze beneficiary account",
        asked="Stop payment on TL38 0080 0123 4567 8910 157",
        **extra,
    )[0]


def move(user, request, action, **kw):
    request.refresh_from_db()
    return services.transition(user, request, action, version=request.version, **kw)


def test_story_one_path_with_four_eyes(people):
    request = draft(people)
    assert request.reference.startswith("SPF-RQ-") and request.status == "draft"
    move(people["drafter"], request, "submit")
    with pytest.raises(PermissionDenied):
        move(people["drafter"], request, "approve")  # the drafter never approves their own request
    move(people["supervisor"], request, "approve")
    move(people["pntl_liaison"], request, "acknowledge")
    move(people["pntl_investigator"], request, "start")
    move(people["pntl_investigator"], request, "answer_fully")
    request = move(people["drafter"], request, "close")
    assert request.status == "closed" and request.acknowledged_at and request.actioned_at
    actions = list(
        AuditEvent.objects.filter(action=Action.REQUEST_TRANSITION, object_id=str(request.pk))
        .order_by("id")
        .values_list("details__action", flat=True)
    )
    assert actions == ["submit", "approve", "acknowledge", "start", "answer_fully", "close"]


def test_a_drafter_who_is_also_supervisor_still_cannot_approve_own_request(people, make_user):
    both = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR))
    request = services.draft_request(
        both, receivers=[Agency.objects.get(code="pntl")], type="general", subject="x", asked="y"
    )[0]
    move(both, request, "submit")
    with pytest.raises(PermissionDenied, match="Four eyes"):
        move(both, request, "approve")


def test_supervisor_sends_urgent_directly_and_it_is_flagged(people):
    request = draft(people)
    request = move(people["supervisor"], request, "send_now")
    assert request.status == "sent" and request.review_after_sending
    routine = draft(people, priority="routine")
    with pytest.raises(PermissionDenied, match="urgent"):
        move(people["supervisor"], routine, "send_now")


def test_roles_and_sides_are_enforced(people):
    request = draft(people)
    with pytest.raises(PermissionDenied):
        move(people["pntl_liaison"], request, "submit")  # receiver side cannot act for the sender
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    with pytest.raises(PermissionDenied):
        move(people["pntl_investigator"], request, "acknowledge")  # acknowledging is the liaison officer's
    with pytest.raises(PermissionDenied):
        move(people["stranger"], request, "acknowledge")
    with pytest.raises(ValidationError):
        move(people["pntl_liaison"], request, "decline")  # a reason is required
    request = move(people["pntl_liaison"], request, "decline", reason="No legal basis for a freeze without order")
    assert request.status == "declined" and request.decline_reason


def test_wrong_state_or_stale_version_is_a_conflict(people):
    request = draft(people)
    with pytest.raises(services.Conflict):
        services.transition(people["supervisor"], request, "approve", version=request.version)  # still a draft
    move(people["drafter"], request, "submit")
    with pytest.raises(services.Conflict):
        services.transition(people["supervisor"], request, "approve", version=1)  # stale version
    assert AssistanceRequest.objects.get(pk=request.pk).status == "awaiting_approval"


def test_receiver_sees_nothing_before_it_is_sent(people):
    request = draft(people)
    assert not AssistanceRequest.objects.visible_to(people["pntl_liaison"]).exists()
    move(people["drafter"], request, "submit")
    assert not AssistanceRequest.objects.visible_to(people["pntl_liaison"]).exists()
    move(people["supervisor"], request, "approve")
    assert AssistanceRequest.objects.visible_to(people["pntl_liaison"]).get() == request
    assert not AssistanceRequest.objects.visible_to(people["stranger"]).exists()


def test_withdrawn_at_any_open_stage(people):
    request = draft(people)
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    move(people["pntl_liaison"], request, "acknowledge")
    assert move(people["drafter"], request, "withdraw").status == "withdrawn"
    with pytest.raises(services.Conflict):
        move(people["pntl_liaison"], request, "start")


def test_one_request_per_receiver_grouped(people):
    receivers = list(Agency.objects.filter(code__in=["pntl", "rmp", "spf"]))
    requests = services.draft_request(
        people["drafter"], receivers=receivers, type="account_records", subject="Records", asked="Holder and statements"
    )
    assert len(requests) == 2  # never to oneself
    assert requests[0].group_id == requests[1].group_id is not None


def test_bad_drafts_are_refused_with_reasons(people):
    with pytest.raises(ValidationError) as error:
        services.draft_request(people["drafter"], receivers=[], type="stop_payment", subject="", asked="")
    assert {"receivers", "subject", "asked"} <= set(error.value.message_dict)
    assert AssistanceRequest.objects.count() == 0


def test_api_conflict_answers_409_with_the_current_version(people, signed_in):
    request = draft(people)
    client = signed_in(people["drafter"])
    response = client.post(
        f"/api/v1/requests/{request.pk}/submit", {}, content_type="application/json", HTTP_IF_MATCH=str(request.version)
    )
    assert response.status_code == 200 and response.json()["status"] == "awaiting_approval"
    response = client.post(
        f"/api/v1/requests/{request.pk}/withdraw", {"version": request.version}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["version"] == request.version + 1
    response = client.post(f"/api/v1/requests/{request.pk}/withdraw", {}, content_type="application/json")
    assert response.status_code == 428


def test_linked_identifiers_travel_with_the_request(people, signed_in):
    from lintas.cases.tests.helpers import record

    case, _ = record(people["drafter"], [{"value": "TL38 0080 0123 4567 8910 157", "role": "beneficiary_account"}])
    ident = case.identifiers.get()
    response = signed_in(people["drafter"]).post(
        "/api/v1/requests/",
        {
            "receivers": ["pntl"],
            "type": "stop_payment",
            "priority": "urgent",
            "subject": "Freeze",
            "asked": "Freeze the beneficiary account",
            "identifiers": [ident.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()[0]
    assert created["linked_identifiers"][0]["value"] == "TL380080012345678910157"
    request = AssistanceRequest.objects.get(pk=created["id"])
    assert list(request.cases.all()) == [case]
    other_case, _ = record(people["pntl_investigator"], ["+670 7723 4567"])
    response = signed_in(people["drafter"]).post(
        "/api/v1/requests/",
        {
            "receivers": ["pntl"],
            "type": "general",
            "subject": "s",
            "asked": "a",
            "identifiers": [other_case.identifiers.get().pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 422


def test_a_draft_withdrawn_before_sending_never_reaches_the_receiver(people):
    request = draft(people)
    move(people["drafter"], request, "withdraw")
    assert not AssistanceRequest.objects.visible_to(people["pntl_liaison"]).exists()


def test_bad_handling_codes_are_refused(people):
    with pytest.raises(ValidationError):
        draft(people, handling_code="H9")
    with pytest.raises(ValidationError):
        draft(people, tlp="purple")


def test_a_request_approved_after_its_due_date_gets_a_fresh_clock(people):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        request = draft(people)
        move(people["drafter"], request, "submit")
        clock.shift(dt.timedelta(hours=6))
        request = move(people["supervisor"], request, "approve")
        assert request.due_at == timezone.now() + dt.timedelta(hours=4)
