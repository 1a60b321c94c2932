"""Hourly allowances (lintas.matching.allowance): one count for every process and node, in the database or Redis;
identifiers recorded by case writes, bulk ingest and queued imports counted in an allowance of their own; refusals
that change nothing (429 with Retry-After, a message on the form, a per-batch report); the agency's admins alerted
once an hour near and at an allowance."""

import json
import uuid

import pytest
from django.db import connection
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.ingest import ingest_rows
from lintas.cases.models import BulkImport, Case, CaseIdentifier
from lintas.cases.tests.helpers import record
from lintas.matching import allowance
from lintas.matching.allowance import DatabaseCounter, LookupLimitReached, Meter
from lintas.matching.models import AllowanceCount, Hit
from lintas.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
PHONES = [f"+65 8123 {n:04d}" for n in range(40)]


@pytest.fixture
def officer(make_user):
    return make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.writer")


@pytest.fixture
def holder(make_user):
    """Another agency holding the wallet: recording it gives a hit."""
    knpa = make_user("knpa", roles=(Role.INVESTIGATOR,), username="knpa.holder")
    record(knpa, [WALLET])
    return knpa


def bearer(user):
    _, secret = accounts.create_api_token(user, name="allowance", scope=TokenScope.READ_WRITE, days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def counts():
    return Case.objects.count(), CaseIdentifier.objects.count(), Hit.objects.count()


# --- one count for every process ---------------------------------------------------------------------------------


@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("portable", [False, True], ids=["upsert", "portable"])
def test_two_processes_looking_up_share_one_allowance(portable, make_user, settings, tmp_path):
    """The bug as reported: two gunicorn workers each counted their own allowance (96,000 values passed where 50,000
    were allowed). Two forked processes, each with its own database connection, look up one value at a time, 40 each
    against an allowance of 50: together they pass exactly 50, by the upsert (PostgreSQL, SQLite) and by the portable
    fallback. On SQLite the test database (in memory) is copied to a file both processes open (WAL, as in
    production); on PostgreSQL they connect to the test database."""
    import multiprocessing
    import sqlite3

    settings.LOOKUP_VALUES_PER_HOUR = 50
    settings.LOOKUP_VALUES_PER_AGENCY_HOUR = 0
    user = make_user("spf", username="spf.processes")
    database = None
    if connection.vendor == "sqlite":
        database = str(tmp_path / "shared.sqlite3")
        connection.ensure_connection()
        with sqlite3.connect(database) as copy:
            connection.connection.backup(copy)
            # WAL before the children open it: two connections switching the journal mode at once can fail at
            # once with "database is locked" (no busy wait for that lock), which production never does.
            copy.execute("PRAGMA journal_mode=WAL")
    else:
        connection.close()  # not shared with the children
    with multiprocessing.get_context("fork").Pool(2) as pool:
        passed = pool.starmap(_look_up_in_child, [(user.pk, database, portable, 40)] * 2)
    assert sum(passed) == 50
    if database is None:
        assert AllowanceCount.objects.get(scope="lookup.user", key=user.pk).used == 50
    else:
        with sqlite3.connect(database) as copy:
            assert copy.execute("SELECT used FROM matching_allowancecount").fetchall() == [(50,)]


def _look_up_in_child(user_id: int, database: str | None, portable: bool, attempts: int) -> int:
    """A worker process: its own connection (to ``database``, a SQLite file, when given), lookups of one value."""
    from django.db import connection as child_connection

    allowance._database_counter.portable = portable

    from lintas.accounts.models import User
    from lintas.matching import services

    if database is not None:
        child_connection.settings_dict["NAME"] = database
    child_connection.close()  # the parent's connection is not ours: open one of our own
    user = User.objects.select_related("agency").get(pk=user_id)
    passed = 0
    for _ in range(attempts):
        try:
            services.lookup(user, values=[WALLET])
            passed += 1
        except services.LookupLimitReached:
            pass
    child_connection.close()
    return passed


@pytest.fixture
def redis_url():
    """Redis at 127.0.0.1:6379, database 11, keys under a prefix of this run's own; skipped when unreachable."""
    import redis

    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    return url


def _spend_redis_in_child(url: str, prefix: str, meters, attempts: int) -> int:
    counter = allowance.RedisCounter(url, prefix)  # a client and pool of this process's own
    return sum(1 for _ in range(attempts) if counter.spend(meters, 777, 1)[0] is None)


def test_two_processes_share_one_count_in_redis(redis_url, settings):
    """With Redis every node counts in the same keys: two processes with their own clients pass exactly the
    allowance together, the user's and the agency's checked and added in one script."""
    import multiprocessing

    import redis

    prefix = f"lintas-allowance-test:{uuid.uuid4().hex}:"
    meters = [Meter("lookup.user", 1, 50, False), Meter("lookup.agency", 9, 70, True)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        passed = pool.starmap(_spend_redis_in_child, [(redis_url, prefix, meters, 40)] * 2)
    client = redis.Redis.from_url(redis_url)
    try:
        assert sum(passed) == 50
        assert int(client.get(f"{prefix}lookup.user:1:777")) == 50
        assert int(client.get(f"{prefix}lookup.agency:9:777")) == 50  # refusals were not charged to the agency
        assert client.ttl(f"{prefix}lookup.user:1:777") > 0
    finally:
        for key in client.keys(f"{prefix}*"):
            client.delete(key)


def test_lookups_are_counted_in_redis_when_it_is_configured(redis_url, make_user, settings):
    """``spend`` takes Redis when LINTAS_REDIS_URL is set: the database holds no count, the refusal is the same."""
    import redis

    settings.REDIS_URL = redis_url
    settings.ALLOWANCE_REDIS_PREFIX = f"lintas-allowance-test:{uuid.uuid4().hex}:"
    settings.LOOKUP_VALUES_PER_HOUR = 3
    user = make_user("spf", username="spf.redis")
    try:
        allowance.spend(user, 3)
        with pytest.raises(LookupLimitReached, match="You have looked up 3 values") as refused:
            allowance.spend(user, 1)
        assert 0 < refused.value.retry_after <= 3600
        assert not AllowanceCount.objects.exists()
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.keys(f"{settings.ALLOWANCE_REDIS_PREFIX}*"):
            client.delete(key)


@pytest.mark.parametrize("portable", [False, True], ids=["upsert", "portable"])
def test_a_refused_spend_counts_nothing(portable, make_user):
    """Past either allowance nothing is added; refused by the agency's, the user's share is given back."""
    user = make_user("spf", username="spf.refused")
    counter = DatabaseCounter(portable=portable)
    mine, agency = Meter("lookup.user", user.pk, 10, False), Meter("lookup.agency", user.agency_id, 12, True)
    assert counter.spend([mine, agency], 5, 8) == (None, [8, 8])
    assert counter.spend([mine, agency], 5, 3) == (0, [8])  # 11 > 10: refused, nothing added
    other = Meter("lookup.user", user.pk + 1000, 10, False)
    assert counter.spend([other, agency], 5, 5) == (1, [0, 8])  # 13 > 12: the agency refuses
    used = dict(AllowanceCount.objects.filter(hour=5).values_list("scope", "used").order_by("scope"))
    assert AllowanceCount.objects.get(hour=5, key=other.key).used == 0  # given back
    assert used["lookup.agency"] == 8
    assert counter.spend([mine], 5, 11) == (0, [8])  # more than the whole allowance at once


# --- case writes -------------------------------------------------------------------------------------------------


def test_recording_a_case_by_the_api_counts_its_identifiers_and_refuses_past_the_allowance(officer, holder, settings):
    """Each identifier recorded gets a hit/no-hit answer: past the recording allowance the case is refused whole
    (429, Retry-After, the JSON error shape), nothing is written, and the refusal is audited."""
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 4
    api = bearer(officer)
    body = {"title": "Probe", "crime_type": "investment_fraud", "identifiers": [WALLET, *PHONES[:2]]}
    created = api.post("/api/v1/cases/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["hits"] == 1
    before = counts()
    refused = api.post(
        "/api/v1/cases/", {**body, "identifiers": PHONES[2:4]}, content_type="application/json"
    )  # 3 + 2 > 4
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert set(refused.json()) == {"detail"}
    assert refused.json()["detail"].startswith(
        "Recording these 2 identifiers would pass your allowance of 4 identifiers an hour (3 used). Nothing was "
        "recorded."
    )
    assert counts() == before
    denial = AuditEvent.objects.get(action=Action.ACCESS_DENIED, actor=officer, object_type="cases.case")
    assert denial.details["reason"] == "recording allowance of 4 identifiers an hour used up"
    one = api.post("/api/v1/cases/", {**body, "identifiers": PHONES[2:3]}, content_type="application/json")
    assert one.status_code == 201  # exactly the allowance: the refused case cost nothing


def test_a_write_that_fails_after_counting_costs_nothing(officer, settings, monkeypatch):
    """Counted before the write's transaction, given back when it fails: nothing written, nothing charged."""
    from lintas.cases import services

    settings.RECORDED_IDENTIFIERS_PER_HOUR = 5
    settings.RECORDED_IDENTIFIERS_PER_AGENCY_HOUR = 50

    def fail(new):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "match_new_identifiers", fail)
    with pytest.raises(RuntimeError):
        record(officer, PHONES[:3])
    assert Case.objects.count() == 0
    assert dict(AllowanceCount.objects.values_list("scope", "used")) == {"recorded.user": 0, "recorded.agency": 0}


def test_identifiers_in_the_narrative_count_too(officer, settings):
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 2
    with pytest.raises(LookupLimitReached):
        record(officer, [PHONES[0]], narrative=f"The victim was called from {PHONES[1]} and paid to {WALLET}.")
    assert Case.objects.count() == 0


def test_adding_identifiers_counts_only_the_new_ones(officer, holder, settings):
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 4
    api = bearer(officer)
    case, _outcome = record(officer, PHONES[:2])
    url = f"/api/v1/cases/{case.pk}/identifiers"
    again = api.post(url, {"identifiers": [{"value": v} for v in PHONES[:2]]}, content_type="application/json")
    assert again.status_code == 201 and again.json()["added"] == []  # already in the case: nothing counted
    added = api.post(url, {"identifiers": [{"value": WALLET}]}, content_type="application/json")
    assert added.status_code == 201 and added.json()["hits"] == 1
    before = counts()
    refused = api.post(url, {"identifiers": [{"value": v} for v in PHONES[2:4]]}, content_type="application/json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert counts() == before


def test_the_case_form_says_why_and_keeps_what_was_typed(officer, signed_in, settings):
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 1
    client = signed_in(officer)
    response = client.post(
        "/cases/new/",
        {
            "title": "Typed by hand",
            "crime_type": "investment_fraud",
            "status": "open",
            "victim_count": "1",
            "identifiers": "\n".join(PHONES[:2]),
            "identifier_role": "other",
            "distribution": "owner",
            "tlp": "amber",
            "handling_code": "H0",
            "source_reliability": "X",
            "information_accuracy": "4",
        },
    )
    page = response.content.decode()
    assert response.status_code == 429, page[:2000]
    assert int(response["Retry-After"]) > 0
    assert "would pass your allowance of 1 identifiers an hour" in page and "Typed by hand" in page
    assert Case.objects.count() == 0
    case, _outcome = record(officer, [PHONES[2]])
    added = client.post(f"/cases/{case.pk}/identifiers/", {"identifiers": PHONES[3]}, follow=True)
    assert "would pass your allowance of 1 identifiers an hour" in added.content.decode()
    assert case.identifiers.count() == 1


def test_the_agencys_recording_allowance_is_shared_by_its_users(officer, make_user, settings):
    settings.RECORDED_IDENTIFIERS_PER_AGENCY_HOUR = 3
    second = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.second")
    record(officer, PHONES[:2])
    with pytest.raises(LookupLimitReached, match="would pass your agency's allowance of 3 identifiers"):
        record(second, PHONES[2:4])
    record(make_user("knpa"), PHONES[2:5])  # another agency's allowance is its own


# --- bulk ingest and queued imports -----------------------------------------------------------------------------


def bulk_line(reference, identifiers):
    return json.dumps(
        {
            "title": f"Bulk {reference}",
            "crime_type": "romance_fraud",
            "external_reference": reference,
            "identifiers": identifiers,
        }
    ).encode()


def test_bulk_ingest_stops_at_the_allowance_whole_batches_and_resumes_later(officer, holder, settings):
    """Batches are counted before they are written: the one that would pass the allowance is refused whole, no line
    after it is read, the report says why and when; sent again later, the file resumes where it stopped."""
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 5
    lines = [(n, bulk_line(f"B-{n}", PHONES[2 * n : 2 * n + 2])) for n in range(1, 6)]  # 2 identifiers a line
    read = []

    def source():
        for line in lines:
            read.append(line[0])
            yield line

    report = ingest_rows(officer, source(), batch_size=2)
    assert report.created == 2 and report.identifiers == 4  # batch 1 (lines 1-2)
    assert report.batches_refused == 1 and report.rejected == 2  # batch 2 (lines 3-4) would make 8 > 5
    assert report.errors[0].line == 3 and "would pass your allowance of 5 identifiers" in report.errors[0].message
    assert read == [1, 2, 3, 4]  # line 5 was not read
    assert report.retry_after and 0 < report.retry_after <= 3600 and report.detail == report.errors[0].message
    assert not report.ok
    assert set(Case.objects.filter(owner_agency=officer.agency).values_list("external_reference", flat=True)) == {
        "B-1",
        "B-2",
    }
    AllowanceCount.objects.all().delete()  # the next hour: 6 more identifiers to write, an allowance of 6
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 6
    again = ingest_rows(officer, iter(lines), batch_size=2)
    assert again.ok and again.unchanged == 2 and again.created == 3 and again.retry_after is None


def test_bulk_api_answers_429_with_the_report(officer, settings):
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 3
    body = b"\n".join(bulk_line(f"A-{n}", PHONES[2 * n : 2 * n + 2]) for n in range(3)) + b"\n"
    response = bearer(officer).post("/api/v1/cases/bulk", data=body, content_type="application/x-ndjson")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    report = response.json()
    assert report["created"] == 0 and report["rejected"] == 3 and report["retry_after"] == int(response["Retry-After"])
    assert report["detail"].startswith("Recording these 6 identifiers would pass your allowance of 3")
    assert report["errors"] == [{"line": 1, "field": "__all__", "message": report["detail"]}]
    assert Case.objects.count() == 0


def test_a_queued_import_waits_for_the_next_hour_and_keeps_its_file(officer, settings):
    from huey.contrib.djhuey import HUEY

    from lintas.cases.services import imports_dir, queue_import
    from lintas.cases.tasks import run_import

    settings.RECORDED_IDENTIFIERS_PER_HOUR = 1
    body = bulk_line("Q-1", PHONES[:2]) + b"\n"

    class Stream:
        def __init__(self, data):
            self.data = data

        def read(self, size):
            chunk, self.data = self.data[:size], self.data[size:]
            return chunk

    HUEY.flush()
    job = queue_import(officer, Stream(body))  # run at once in tests (on commit: run here)
    run_import.call_local(job.pk)
    job.refresh_from_db()
    assert job.status == BulkImport.Status.QUEUED
    assert "would pass your allowance of 1 identifiers" in job.error and job.report["retry_after"] > 0
    assert (imports_dir() / job.file_name).exists() and Case.objects.count() == 0
    assert [task.args for task in HUEY.scheduled()] == [(job.pk,)]
    HUEY.flush()


def test_the_command_line_import_is_not_counted(officer, settings):
    """``lintas import cases`` has no user: the server's operator, who can read the database anyway."""
    settings.RECORDED_IDENTIFIERS_PER_HOUR = 1
    settings.RECORDED_IDENTIFIERS_PER_AGENCY_HOUR = 1
    report = ingest_rows(None, iter([(1, bulk_line("C-1", PHONES[:3]))]), agency=officer.agency)
    assert report.ok and report.identifiers == 3
    assert not AllowanceCount.objects.exists()


# --- alerts ------------------------------------------------------------------------------------------------------


def test_the_agency_admins_hear_once_an_hour_when_a_user_nears_and_reaches_an_allowance(
    officer, admin_user, make_user, settings
):
    settings.LOOKUP_VALUES_PER_HOUR = 10
    settings.ALLOWANCE_ALERT_PERCENT = 80
    other_admin = make_user("knpa", roles=(Role.AGENCY_ADMIN,), username="knpa.admin")

    def alerts():
        return list(Notification.objects.filter(kind=NotificationKind.ALLOWANCE).values_list("recipient", "text"))

    allowance.spend(officer, 7)
    assert alerts() == []
    allowance.spend(officer, 1)  # 8 of 10: near
    assert alerts() == [
        (admin_user.pk, "spf.writer has used 8 of the 10 values looked up allowed to one user this hour (80%).")
    ]
    assert Notification.objects.get(kind=NotificationKind.ALLOWANCE).url == "/audit/?actor=spf.writer"
    allowance.spend(officer, 1)  # still near: no second alert
    allowance.refund(officer, 2)
    allowance.spend(officer, 2)  # crosses 80 % again in the same hour: still one alert
    assert len(alerts()) == 1
    with pytest.raises(LookupLimitReached):
        allowance.spend(officer, 2)  # 9 + 2 > 10: used up
    with pytest.raises(LookupLimitReached):
        allowance.spend(officer, 2)
    assert len(alerts()) == 2
    assert "has used up the 10 values looked up allowed to one user this hour" in alerts()[0][1]
    assert not Notification.objects.filter(recipient=other_admin).exists()
    assert not Notification.objects.filter(recipient=officer, kind=NotificationKind.ALLOWANCE).exists()
    events = AuditEvent.objects.filter(action__in=[Action.ALLOWANCE_NEAR, Action.ALLOWANCE_USED_UP]).order_by("id")
    assert [(e.action, e.actor_id, e.agency_id, e.details["used"]) for e in events] == [
        (Action.ALLOWANCE_NEAR, officer.pk, officer.agency_id, 8),
        (Action.ALLOWANCE_USED_UP, officer.pk, officer.agency_id, 9),
    ]
    # The next hour alerts again.
    AllowanceCount.objects.update(hour=0)
    allowance.spend(officer, 8)
    assert len(alerts()) == 3


def test_the_agency_admins_hear_when_the_agency_nears_its_recording_allowance(officer, admin_user, settings):
    settings.RECORDED_IDENTIFIERS_PER_AGENCY_HOUR = 5
    record(officer, PHONES[:4])
    text = Notification.objects.get(recipient=admin_user, kind=NotificationKind.ALLOWANCE).text
    assert text == (
        "Your agency has used 4 of the 5 identifiers recorded allowed to it this hour (80%); the last to add to it "
        "was spf.writer."
    )


def test_past_hours_are_cleared_by_the_periodic_job(officer, settings):
    from lintas.matching.tasks import clear_allowance_counts

    settings.LOOKUP_VALUES_PER_HOUR = 10
    allowance.spend(officer, 1)
    AllowanceCount.objects.create(scope="lookup.user", key=officer.pk, hour=1, used=5)
    assert clear_allowance_counts.call_local() == 1
    assert list(AllowanceCount.objects.values_list("used", flat=True)) == [1]


def test_every_code_path_that_writes_identifiers_is_one_the_allowance_counts():
    """The class of bug, not the instance: identifiers are written (and so matched and answered) only by the
    functions whose callers count them (``create_case``, ``add_identifiers``, bulk ingest's batches, each tested
    above). A new way of writing identifiers fails here until it is counted and added to this list."""
    import ast
    import re
    from pathlib import Path

    import lintas

    writes = re.compile(
        r"CaseIdentifier\.objects\.(bulk_create|create|get_or_create)|insert_(tuples|rows)\(CaseIdentifier"
    )
    root = Path(lintas.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        source = path.read_text()
        if not writes.search(source):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = ast.get_source_segment(source, node) or ""
                inner = {n.name for n in ast.walk(node) if n is not node and isinstance(n, ast.FunctionDef)}
                if writes.search(body) and not inner:
                    found.add((relative, node.name))
    assert found == {
        ("cases/services.py", "_create_case"),  # counted by create_case
        ("cases/services.py", "_add_identifiers"),  # counted by add_identifiers
        ("cases/ingest.py", "write"),  # counted per batch by _Ingest.finish
    }
