"""The re-match sweep: every missing hit is created, notified and audited once; benign and hot rules hold; benign-list
changes queue it; ``lintas rematch --all`` runs it. Runs on SQLite and, under ``make test-postgres``, PostgreSQL."""

import io

import pytest
from django.core.management import CommandError, call_command

from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.tests.helpers import record
from lintas.matching import services
from lintas.matching.models import Hit, HotValue, RematchRun
from lintas.matching.sweep import keys_to_match, sweep
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.fixture
def officers(make_user):
    codes = ("rtp", "rmp", "knpa", "cnp", "spf")
    return {code: make_user(code, roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER)) for code in codes}


def _pairs():
    return set(Hit.objects.values_list("left_id", "right_id", "token", "left_case_id", "right_case_id"))


def test_the_sweep_recreates_every_lost_hit_once_notified_and_audited(officers):
    # A family (alias, handle and phone: linked keys), a wallet in three agencies, a same-agency pair (no hit).
    record(officers["rtp"], [{"value": "promptpay:081-234-5678", "role": "beneficiary_account"}, WALLET])
    record(officers["rmp"], ["wa.me/66812345678", WALLET])
    record(officers["knpa"], ["+66 81 234 5678", WALLET])
    record(officers["knpa"], ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])
    record(officers["knpa"], ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"])
    expected = _pairs()
    assert len(expected) == 6  # 3 of the family, 3 of the wallet
    assert keys_to_match() == []  # nothing missing
    Hit.objects.filter(pk__in=list(Hit.objects.values_list("pk", flat=True))[:4]).delete()
    notes, trail = Notification.objects.count(), AuditEvent.objects.count()
    report = sweep(reason="test")
    assert report.hits == 4 and _pairs() == expected
    assert Notification.objects.count() > notes
    created = AuditEvent.objects.filter(action=Action.HITS_CREATED, pk__gt=0).order_by("-pk")
    assert sum(e.details["hits"] for e in created[: AuditEvent.objects.count() - trail - 1]) == 8  # both sides
    swept = AuditEvent.objects.get(action=Action.REMATCH_SWEPT)
    assert swept.details["hits"] == 4 and swept.agency_id is None  # the platform's trail
    # Idempotent: a second run finds and creates nothing, notifies no one, and still records that it ran.
    notes = Notification.objects.count()
    assert keys_to_match() == [] and sweep(reason="again").hits == 0
    assert _pairs() == expected and Notification.objects.count() == notes
    assert AuditEvent.objects.filter(action=Action.REMATCH_SWEPT).count() == 2


def test_a_raised_hot_cap_turns_the_skipped_pairs_into_hits(officers, settings):
    settings.MATCHING_HOT_CASE_CAP = 1  # hot from the second case on: no hit at all
    for code in officers:
        record(officers[code], [WALLET])
    assert Hit.objects.count() == 0 and HotValue.objects.get().case_count == 5
    settings.MATCHING_HOT_CASE_CAP = 10
    report = sweep(reason="cap raised")
    assert report.hits == 10 and report.hot_cleared == 1  # every pair of the five agencies
    assert not HotValue.objects.exists()  # lookups no longer call it hot
    assert sweep(reason="again").hits == 0
    # Lowered again: the hits stay (decision 0036), the value is recorded as hot, its holders hear of it once.
    settings.MATCHING_HOT_CASE_CAP = 3
    notes = Notification.objects.count()
    report = sweep(reason="cap lowered")
    assert report.hits == 0 and report.hot_registered == 1 and Hit.objects.count() == 10
    assert HotValue.objects.get().case_count == 5 and Notification.objects.count() > notes
    assert sweep(reason="again").hot_registered == 0


def test_benign_keys_and_single_agency_keys_are_not_matched(officers, platform_admin):
    services.add_benign(
        platform_admin, value="1588-9999", type="phone", country="KR", category="bank_hotline", reason="bank"
    )
    record(officers["knpa"], [{"value": "1588-9999", "type": "phone"}])
    record(officers["cnp"], [{"value": "+82 1588 9999", "type": "phone"}])
    record(officers["spf"], [WALLET])
    record(officers["spf"], [WALLET])
    assert keys_to_match() == [] and sweep(reason="test").hits == 0 and Hit.objects.count() == 0


def test_a_value_made_benign_keeps_its_hits(officers, platform_admin, django_capture_on_commit_callbacks):
    record(officers["knpa"], [{"value": "1588-9999", "type": "phone", "country": "KR"}])
    record(officers["cnp"], [{"value": "+82 1588 9999", "type": "phone"}])
    assert Hit.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.add_benign(
            platform_admin, value="1588-9999", type="phone", country="KR", category="bank_hotline", reason="bank"
        )
    run = RematchRun.objects.get()
    assert run.status == RematchRun.Status.DONE and run.reason == "benign value added" and len(run.tokens) == 1
    assert Hit.objects.count() == 1  # what the two agencies already learned is not taken back


def test_a_lost_benign_job_is_made_good_by_the_sweep(
    officers, platform_admin, monkeypatch, django_capture_on_commit_callbacks
):
    from lintas.matching import tasks

    benign = services.add_benign(
        platform_admin, value="1588-9999", type="phone", country="KR", category="bank_hotline", reason="bank"
    )
    record(officers["knpa"], [{"value": "1588-9999", "type": "phone"}])
    record(officers["cnp"], [{"value": "+82 1588 9999", "type": "phone"}])

    def queue_down(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "run_rematch", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_benign(platform_admin, benign)  # logged, not an error page
    assert Hit.objects.count() == 0
    assert RematchRun.objects.filter(reason="benign value removed", status=RematchRun.Status.QUEUED).exists()
    out = io.StringIO()
    call_command("rematch", "--all", stdout=out)
    assert out.getvalue().splitlines()[0] == "1 new hit(s)" and Hit.objects.count() == 1
    call_command("rematch", "--all", stdout=out)
    assert out.getvalue().splitlines()[2] == "0 new hit(s)" and Hit.objects.count() == 1
    # The whole sweep did what the runs queued before it would have: they are done, the job will not repeat them.
    assert set(RematchRun.objects.values_list("status", flat=True)) == {RematchRun.Status.DONE}
    assert RematchRun.objects.get(reason="benign value removed").report["superseded_by"] > 0
    out = io.StringIO()
    call_command("rematch", "--status", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and "\tdone\tlintas rematch\tall\t0/0 keys, 0 hits" in lines[0]


def test_the_command_takes_values_or_all_not_both():
    with pytest.raises(CommandError, match="--all"):
        call_command("rematch")
    with pytest.raises(CommandError, match="--all"):
        call_command("rematch", "--all", "+82 1588 9999")


def test_a_run_that_fails_is_recorded_for_the_retry(officers, monkeypatch):
    from lintas.matching import sweep as sweep_module
    from lintas.matching import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(sweep_module, "keys_to_match", broken)
    run = RematchRun.objects.create(reason="test")
    with pytest.raises(RuntimeError):
        tasks.execute(run, retries_left=1)
    run.refresh_from_db()
    assert run.status == RematchRun.Status.QUEUED and run.error == "database gone"
    with pytest.raises(RuntimeError):
        tasks.execute(run, retries_left=0)
    run.refresh_from_db()
    assert run.status == RematchRun.Status.FAILED


@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_as_the_job_runs_it_outside_any_transaction(make_user):
    """As in the job worker: no transaction around the sweep (on SQLite its search takes none, so that writers are
    not held), each batch its own."""
    officers = [make_user(code, roles=(Role.INVESTIGATOR,)) for code in ("rtp", "knpa")]
    for officer in officers:
        record(officer, [WALLET])
    Hit.objects.all().delete()
    run = RematchRun.objects.create(reason="test")
    from lintas.matching.tasks import execute

    assert execute(run) == RematchRun.Status.DONE
    assert Hit.objects.count() == 1 and RematchRun.objects.get().report["hits"] == 1
