"""POST /api/v1/cases/bulk: NDJSON streamed from the request, the caller's agency only, report and status codes."""

import gc
import json

import pytest
from django.http import HttpRequest
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.models import Case
from lintas.matching.models import Hit

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/bulk"
WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def ndjson(*rows) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def case(reference, **fields):
    return {
        "title": f"Bulk {reference}",
        "crime_type": "romance_fraud",
        "external_reference": reference,
        "identifiers": [{"value": WALLET, "role": "receiving_wallet"}, {"value": "+66 81 234 5678"}],
        **fields,
    }


@pytest.fixture
def officer(make_user):
    return make_user("rtp", roles=(Role.INVESTIGATOR,))


def bearer(user, scope=TokenScope.READ_WRITE):
    _, secret = accounts.create_api_token(user, name="bulk", scope=scope, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(body, headers, content_type="application/x-ndjson"):
    return Client().post(URL, data=body, content_type=content_type, **headers)


def test_streams_ndjson_without_reading_the_body_into_memory(officer, make_user, monkeypatch, settings):
    from lintas.cases.tests.helpers import record

    record(make_user("knpa"), [WALLET])
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # request.body would refuse a body this size; streaming does not

    def no_body(request):
        raise AssertionError("the bulk endpoint must stream the request, not read request.body")

    monkeypatch.setattr(HttpRequest, "body", property(no_body))
    body = ndjson(*(case(f"RTP-{n}", narrative="x" * 50) for n in range(30)))
    assert len(body) > 5 * 1024
    response = post(body, bearer(officer), content_type="application/x-ndjson; charset=utf-8")
    assert response.status_code == 200, response.content[:500]
    report = response.json()
    assert (report["received"], report["created"], report["rejected"], report["batches_written"]) == (30, 30, 0, 1)
    assert report["identifiers"] == 60 and report["hits"] == 30 and report["errors"] == []
    assert set(
        Case.objects.filter(external_reference__startswith="RTP-").values_list("owner_agency__code", flat=True)
    ) == {"rtp"}
    assert Hit.objects.count() == 30
    event = AuditEvent.objects.get(action=Action.CASES_INGESTED)
    assert event.actor == officer and event.details["created"] == 30 and len(event.request_id) >= 8
    assert response["X-Request-ID"] == event.request_id
    # the same file again: nothing new, still 200
    again = post(body, bearer(officer)).json()
    assert (again["created"], again["unchanged"]) == (0, 30)
    assert AuditEvent.objects.filter(action=Action.CASES_INGESTED).count() == 1


def test_refuses_rows_for_another_agency_with_422_and_keeps_other_batches(officer, monkeypatch):
    from lintas.cases import ingest

    original = ingest.ingest_rows
    monkeypatch.setattr(ingest, "ingest_rows", lambda *a, **k: original(*a, **{**k, "batch_size": 2}))
    body = ndjson(case("A"), case("B"), case("C", agency="knpa"), case("D")) + b"oops\n" + ndjson(case("F"))
    response = post(body, bearer(officer))
    assert response.status_code == 422
    report = response.json()
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "agency"), (5, "__all__")]
    assert "own agency" in report["errors"][0]["message"]
    assert (report["created"], report["rejected"], report["invalid"]) == (2, 4, 2)
    assert (report["batches_written"], report["batches_refused"]) == (1, 2)
    assert sorted(Case.objects.values_list("external_reference", flat=True)) == ["A", "B"]


def test_caps_the_error_list(officer):
    body = ndjson(*({"title": "", "crime_type": "x", "external_reference": f"E{n}"} for n in range(600)))
    report = post(body, bearer(officer)).json()
    assert report["error_count"] == 1200 and len(report["errors"]) == 1000 and report["truncated"] is True


def test_needs_ndjson_and_a_token_that_may_write(officer):
    assert post(ndjson(case("A")), bearer(officer), content_type="text/csv").status_code == 415
    assert post(ndjson(case("A")), bearer(officer, TokenScope.READ)).status_code == 403
    assert post(ndjson(case("A")), {}).status_code == 401
    assert Case.objects.count() == 0


def test_a_signed_in_session_with_its_second_factor_may_ingest(officer, signed_in):
    client = signed_in(officer, Client(enforce_csrf_checks=False))
    response = client.post(URL, data=ndjson(case("S-1")), content_type="application/x-ndjson")
    assert response.status_code == 200 and response.json()["created"] == 1


def test_only_those_who_may_record_a_case_may_ingest_cases(make_user):
    """A liaison officer or an agency admin without a case-writing role, and the Secretariat, get 403 as for
    POST /cases/, audited, and nothing is read or written."""
    from lintas.audit.choices import Action
    from lintas.audit.models import AuditEvent

    for user in (
        make_user("rtp", roles=(Role.LIAISON_OFFICER,)),
        make_user("rtp", roles=(Role.AGENCY_ADMIN,)),
        make_user("aseanapol", roles=(Role.PLATFORM_ADMIN, Role.INVESTIGATOR)),
    ):
        response = post(ndjson(case(f"X-{user.pk}")), bearer(user))
        assert response.status_code == 403, (user.username, response.content)
        assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=user).exists()
    assert Case.objects.count() == 0


def test_a_queued_import_validates_in_spawned_worker_processes(
    officer, make_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With LINTAS_IMPORT_WORKERS the job's rows are validated in processes started afresh (a job's thread must not
    fork): the same report, per-line errors and messages as in the job's own thread, and the same cases and hits."""
    from lintas.cases.models import BulkImport
    from lintas.cases.tests.helpers import record
    from lintas.core.processes import SpawnedCalls

    sent = []  # the batches handed to spawned workers
    monkeypatch.setattr(
        SpawnedCalls,
        "call",
        lambda self, func, *args, real=SpawnedCalls.call: sent.append(func) or real(self, func, *args),
    )

    def queue(body: bytes, workers: int) -> BulkImport:
        settings.IMPORT_WORKERS = workers
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/api/v1/cases/imports", data=body, content_type="application/x-ndjson", **bearer(officer)
            )
        assert response.status_code == 202, response.content
        job = BulkImport.objects.get(pk=response.json()["id"])
        assert job.status == "done", job.error
        return job

    record(make_user("knpa"), [WALLET])
    good = [case(f"S-{n}") for n in range(5)]
    bad = {"title": "No crime type", "external_reference": "S-BAD", "identifiers": [{"value": "not a phone"}]}
    mixed = ndjson(*good[:2], bad, *good[2:], {**case("S-OTHER"), "agency": "knpa"})
    spawned = queue(mixed, workers=2).report
    assert len(sent) == 1  # its one batch was checked in a spawned worker
    assert spawned == queue(mixed, workers=0).report
    assert len(sent) == 1  # and none with no workers
    assert [(e["line"], e["field"]) for e in spawned["errors"]] == [
        (3, "crime_type"),
        (3, "identifiers[0]"),
        (7, "agency"),
    ]
    assert "own agency (rtp)" in spawned["errors"][2]["message"]
    assert spawned["created"] == 0 and spawned["batches_refused"] == 1  # all or nothing: the batch is refused
    report = queue(ndjson(*good), workers=2).report
    assert report["created"] == 5 and report["hits"] == 5, report  # each new case meets the knpa case's wallet
    assert Case.objects.filter(owner_agency=officer.agency).count() == 5
    assert Hit.objects.count() == 5
    assert gc.get_freeze_count() == 0  # what the run froze for the collector is thawed: the worker process lives on


def test_an_import_of_any_size_is_queued_then_ingested_by_a_job(officer, make_user, django_capture_on_commit_callbacks):
    """POST /cases/imports stores the body and answers 202 at once; the job ingests it with the rules of /cases/bulk;
    GET /cases/imports/{id} gives the status and report (audited) to the importing agency only (404 to others)."""
    from lintas.audit.choices import Action
    from lintas.audit.models import AuditEvent
    from lintas.cases.models import BulkImport
    from lintas.cases.services import imports_dir

    body = ndjson(case("J-1"), case("J-2"))
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/cases/imports", data=body, content_type="application/x-ndjson", **bearer(officer)
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    job = BulkImport.objects.get(pk=job_id)
    assert job.status == "done" and job.size == len(body) and job.report["created"] == 2
    assert job.report["received"] == 2 and job.report["errors"] == []  # the same report as /cases/bulk
    assert not (imports_dir() / job.file_name).exists()  # the stored body is gone once ingested
    assert AuditEvent.objects.filter(action=Action.IMPORT_QUEUED, actor=officer).count() == 1
    status = Client().get(f"/api/v1/cases/imports/{job_id}", **bearer(officer))
    assert status.status_code == 200 and status.json()["report"]["created"] == 2 and status.json()["bytes"] == len(body)
    assert AuditEvent.objects.filter(action=Action.IMPORT_VIEWED, actor=officer).count() == 1
    listed = Client().get("/api/v1/cases/imports", **bearer(officer)).json()
    assert [item["id"] for item in listed["items"]] == [job_id]
    stranger = make_user("pntl", roles=(Role.INVESTIGATOR,))
    assert Client().get(f"/api/v1/cases/imports/{job_id}", **bearer(stranger)).status_code == 404
    assert Client().get("/api/v1/cases/imports", **bearer(stranger)).json()["items"] == []
    liaison = make_user("rtp", roles=(Role.LIAISON_OFFICER,))
    refused = Client().post("/api/v1/cases/imports", data=body, content_type="application/x-ndjson", **bearer(liaison))
    assert refused.status_code == 403 and BulkImport.objects.count() == 1


def test_bulk_ingest_refuses_what_the_form_and_the_api_refuse(officer):
    """Issue 15 items 5 and 7: one validation for form, API and bulk ingest; every bad line reported, none stored."""
    lines = [
        json.dumps(case("A", title="t\x00")).encode(),
        json.dumps(case("B", losses=[{"amount": "12345678901234567.5", "currency": "USD"}])).encode(),
        b'{"title": "\\ud800", "crime_type": "other", "external_reference": "C"}',
        json.dumps(case("D", losses=[{"amount": "5", "currency": "ZZZ"}])).encode(),
        json.dumps(case("E", first_incident_on="1900-01-01")).encode(),
        b'{"title": "t", "crime_type": "other", "external_reference": "F", "victim_count": NaN}',
        json.dumps(case("G", victim_count=2**40)).encode(),
        json.dumps(case("H", title={"a": 1})).encode(),
    ]
    response = post(b"\n".join(lines) + b"\n", bearer(officer))
    assert response.status_code == 422, response.content
    report = response.json()
    assert report["created"] == 0 and {e["line"] for e in report["errors"]} == set(range(1, 9)), report["errors"]
    assert not Case.objects.exists()
