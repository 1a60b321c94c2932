"""Bulk ingest: ground truth, idempotence, all-or-nothing batches, agencies, parity with the single-case path, and
both insert paths (COPY on PostgreSQL, executemany elsewhere)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Q

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases import services
from lintas.cases.generator import generate
from lintas.cases.ingest import NotJson, Row, ingest_rows, insert_rows, insert_tuples, read_ndjson
from lintas.cases.models import Case, CaseIdentifier, CaseLoss, CaseShare, ExchangeRate
from lintas.cases.validation import clean_case
from lintas.matching.models import Hit, HotValue
from lintas.matching.tokens import community_key, token_for
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def row(reference, **fields):
    data = {
        "title": f"Case {reference}",
        "crime_type": "investment_fraud",
        "external_reference": reference,
        "identifiers": [{"value": WALLET, "role": "receiving_wallet"}],
    }
    data.update(fields)
    return json.dumps(data, ensure_ascii=False).encode()


def ingest(lines, actor=None, parse=True, **options):
    return ingest_rows(actor, read_ndjson(lines, parse=parse), **options)


def counts():
    models = (Case, CaseIdentifier, CaseLoss, CaseShare, Hit, HotValue, Notification, AuditEvent)
    return {model.__name__: model._base_manager.count() for model in models}


@pytest.fixture
def generated(settings, make_user):
    """300 generated cases of four agencies (10 % shared values, 3 hot ones) and liaison officers to notify."""
    settings.MATCHING_HOT_CASE_CAP = 10
    for code in ("knpa", "cnp", "rtp", "spf"):
        make_user(code, roles=(Role.LIAISON_OFFICER,))
    out = io.StringIO()
    truth = generate(out, cases=300, agencies=["knpa", "cnp", "rtp", "spf"], overlap=0.1, hot=3, seed=5, hot_cap=10)
    return out.getvalue().encode().splitlines(keepends=True), truth


def test_hits_after_bulk_ingest_equal_the_generators_ground_truth(generated):
    lines, truth = generated
    report = ingest(lines, batch_size=100)
    assert report.ok and report.created == 300 and report.batches_written == 3
    assert report.identifiers == truth["identifiers"] == CaseIdentifier.objects.count()
    assert truth["expected_hits"] > 20
    assert report.hits == truth["expected_hits"] == Hit.objects.count()
    assert HotValue.objects.count() == len(truth["hot"]) == 3
    assert not Hit.objects.filter(left_agency=F("right_agency")).exists()
    # Every value the truth says is held by two agencies or more links their cases with a hit.
    shared = [s for s in truth["shared"] if len(s["agencies"]) > 1]
    assert shared
    key = community_key()
    for value in shared[:20]:
        token = token_for(key, f"{value['type']}:{value['value']}")
        holders = CaseIdentifier.objects.filter(Q(token=token) | Q(linked_token=token))
        assert set(holders.values_list("owner_agency__code", flat=True)) == set(value["agencies"]), value
        assert Hit.objects.filter(left__in=holders, right__in=holders).exists()
    # One audit event per batch and agency, in the owner's trail, with the batch's counts.
    events = AuditEvent.objects.filter(action=Action.CASES_INGESTED)
    assert events.count() <= 3 * 4 and sum(e.details["created"] for e in events) == 300
    assert sum(e.details["identifiers"] for e in events) == report.identifiers
    assert Notification.objects.exists()


def test_reingesting_the_same_file_changes_nothing(generated):
    lines, _truth = generated
    first = ingest(lines, batch_size=100)
    before = counts()
    second = ingest(lines, batch_size=100)
    assert first.created == 300
    assert second.as_dict() == {
        "received": 300,
        "created": 0,
        "unchanged": 300,
        "rejected": 0,
        "invalid": 0,
        "batches_written": 0,
        "batches_refused": 0,
        "identifiers": 0,
        "hits": 0,
        "errors": [],
        "error_count": 0,
        "truncated": False,
        "detail": "",
        "retry_after": None,
    }
    assert counts() == before


@pytest.mark.parametrize("parse", [True, False], ids=["parsed", "raw lines"])
def test_bad_rows_are_all_reported_with_line_numbers_and_refuse_only_their_batch(parse):
    lines = [
        row("A-1"),
        row("A-2"),
        row("A-3"),
        b"{not json\n",
        row("A-5", title="", identifiers=[{"value": "12"}, {"value": WALLET}]),
        b"\n",  # blank lines are skipped but counted
        row("A-7"),
        row("A-8"),
        row("A-9", external_reference=""),
        row("A-10"),
        row("A-11"),
    ]
    report = ingest(lines, agency=Agency.objects.get(code="knpa"), batch_size=3, parse=parse)
    # batches: lines 1-3 | 4, 5, 7 | 8, 9, 10 | 11
    assert [(e.line, e.field) for e in report.errors] == [
        (4, "__all__"),
        (5, "title"),
        (5, "identifiers[0]"),
        (9, "external_reference"),
    ]
    assert report.errors[0].message.startswith("Not JSON")
    assert "12" in report.errors[2].message
    assert (report.received, report.created, report.rejected, report.invalid) == (10, 4, 6, 3)
    assert (report.batches_written, report.batches_refused) == (2, 2)
    assert not report.ok
    written = set(Case.objects.values_list("external_reference", flat=True))
    assert written == {"A-1", "A-2", "A-3", "A-11"}


@pytest.mark.parametrize("parse", [True, False], ids=["parsed", "raw lines"])
def test_rows_need_an_external_reference_and_may_not_repeat_one(parse):
    knpa = Agency.objects.get(code="knpa")
    report = ingest([row(""), row("R-1"), row("R-1")], agency=knpa, parse=parse)
    assert [(e.line, e.field) for e in report.errors] == [(1, "external_reference"), (3, "external_reference")]
    assert "line 2" in report.errors[1].message
    assert Case.objects.count() == 0
    # A repeat in a later batch is already recorded: unchanged; only the bad row is refused.
    report = ingest([row("R-2"), row("R-3", title=""), row("R-2")], agency=knpa, batch_size=1, parse=parse)
    assert [(e.line, e.field) for e in report.errors] == [(2, "title")]
    assert (report.created, report.unchanged) == (1, 1)
    assert list(Case.objects.values_list("external_reference", flat=True)) == ["R-2"]
    # Rows already recorded are unchanged, even when they would no longer pass validation.
    again = ingest([row("R-2", title=""), row("R-4")], agency=knpa, parse=parse)
    assert (again.unchanged, again.created, again.ok) == (1, 1, True)


def test_a_trusted_caller_may_name_the_agency_of_each_row(make_user):
    knpa = Agency.objects.get(code="knpa")
    report = ingest(
        [row("X-1"), row("X-2", agency="cnp"), row("X-3", agency="nobody"), row("X-4", agency="aseanapol")],
        agency=knpa,
        batch_size=2,
    )
    assert [(e.line, e.field) for e in report.errors] == [(3, "agency"), (4, "agency")]
    owners = dict(Case.objects.values_list("external_reference", "owner_agency__code"))
    assert owners == {"X-1": "knpa", "X-2": "cnp"}
    assert report.hits == 1  # the same wallet at KNPA and CNP
    assert ingest([row("X-5")]).errors[0].field == "agency"  # no agency at all


def test_an_officer_ingests_only_for_their_own_agency(make_user):
    officer = make_user("rtp", roles=(Role.INVESTIGATOR,))
    report = ingest([row("T-1"), row("T-2", agency="rtp"), row("T-3", agency="knpa")], actor=officer, batch_size=2)
    assert [(e.line, e.field) for e in report.errors] == [(3, "agency")]
    assert dict(Case.objects.values_list("external_reference", "owner_agency__code")) == {"T-1": "rtp", "T-2": "rtp"}
    assert set(Case.objects.values_list("created_by", flat=True)) == {officer.pk}
    event = AuditEvent.objects.get(action=Action.CASES_INGESTED)
    assert event.actor == officer and event.agency.code == "rtp" and event.details["created"] == 2


def test_only_those_who_may_record_a_case_ingest_as_an_actor(make_user):
    from django.core.exceptions import PermissionDenied

    liaison = make_user("rtp", roles=(Role.LIAISON_OFFICER,))
    read = []

    def lines():
        read.append(1)
        yield 1, row("L-1")

    with pytest.raises(PermissionDenied):
        ingest_rows(liaison, lines())
    assert read == [] and Case.objects.count() == 0  # refused before a line was read


def test_a_row_gives_the_same_case_in_bulk_as_through_the_form(make_user):
    """Parity: fields, identifiers (with those found in the narrative), losses in USD and sharing."""
    officer = make_user("knpa", roles=(Role.INVESTIGATOR,))
    ExchangeRate.objects.create(month=dt.date(2025, 3, 1), currency="KRW", usd_per_unit=Decimal("0.00069"))
    fields = {
        "crime_type": "voice_phishing",
        "narrative": "피해자는 +66 81 234 5678 번호로 연락을 받았다.",
        "identifiers": [
            {"value": "010-2000-1234", "role": "suspect_phone", "first_seen": "2025-03-02"},
            {"value": "promptpay:081-234-5678", "type": "payment_alias"},
            {"value": "KB국민은행 123456-78-901234", "type": "bank_account", "role": "mule_account"},
            {"token": "ab" * 16, "type": "phone", "role": "suspect_phone"},
        ],
        "losses": [
            {"amount": "15000000", "currency": "KRW", "date": "2025-03-15"},
            {"amount": "20", "currency": "USD"},
        ],
        "distribution": "named",
        "shared_with": ["cnp", "rtp"],
        "tlp": "amber+strict",
        "handling_code": "H2",
        "victim_count": 3,
        "countries": ["KR", "TH"],
    }
    bulk = json.loads(row("P-1", **fields))
    single = {**bulk, "external_reference": "P-2"}
    case_single, _ = services.create_case(officer, clean_case(single, owner=officer.agency))
    report = ingest([json.dumps(bulk).encode()], actor=officer)
    assert report.ok
    case_bulk = Case.objects.get(external_reference="P-1")

    def shape(case):
        plain = {
            name: getattr(case, name)
            for name in (
                "title", "crime_type", "status", "narrative", "countries", "victim_count", "distribution", "tlp",
                "handling_code", "review_on", "owner_agency_id", "created_by_id",
            )
        }  # fmt: skip
        plain["identifiers"] = sorted(
            case.identifiers.values_list(
                "type", "value", "display", "raw", "country", "role", "token", "linked_token", "blind", "first_seen_on"
            )
        )
        plain["losses"] = sorted(case.losses.values_list("amount", "currency", "occurred_on", "usd_amount"))
        plain["shares"] = sorted(case.shares.values_list("agency__code", flat=True))
        return plain

    assert shape(case_bulk) == shape(case_single)
    assert len(shape(case_bulk)["identifiers"]) == 5  # the phone in the narrative is found, as in the form
    assert case_bulk.losses.get(currency="KRW").usd_amount == Decimal("10350.00")
    assert case_bulk.reference != case_single.reference and case_bulk.reference.startswith("KNPA-")


def test_ingest_inserts_by_copy_on_postgresql_and_executemany_elsewhere():
    report = ingest([row("C-1")], agency=Agency.objects.get(code="knpa"))
    expected = "copy" if connection.vendor == "postgresql" else "executemany"
    assert report.insert_path == expected


@pytest.mark.parametrize("method", [pytest.param("copy", marks=pytest.mark.postgres), "executemany", "bulk_create"])
def test_every_insert_path_stores_the_same_rows(method, monkeypatch):
    if method == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    from lintas.cases import ingest as module

    sent: dict[str, object] = {}  # table -> the binary types it was copied with (None: text)
    write_rows = module.write_rows

    def spy(table, *args, **kwargs):
        sent[table] = kwargs.get("types")
        return write_rows(table, *args, **kwargs)

    monkeypatch.setattr(module, "write_rows", spy)
    knpa = Agency.objects.get(code="knpa")
    cases = [
        Case(
            owner_agency=knpa,
            reference=f"T-{n}",
            external_reference=f"E-{n}",
            title=f"Title {n} — 사기",
            crime_type="bec",
            countries=["KR", "TH"] if n else [],
            modus_operandi=[],
            first_incident_on=dt.date(2025, 1, n + 1) if n else None,
            review_on=dt.date(2030, 1, 1),
            hide_owner_in_hits=bool(n),
        )
        for n in range(3)
    ]
    assert insert_rows(Case, cases, method=method) == method
    losses = [CaseLoss(case_id=cases[1].pk, amount=Decimal("1234.56"), currency="THB", usd_amount=None)]
    assert insert_rows(CaseLoss, losses, method=method) == method
    later = Case.objects.create(
        owner_agency=knpa, reference="T-later", title="later", crime_type="bec", review_on=dt.date(2030, 1, 1)
    )
    assert later.pk > max(c.pk for c in cases)  # the table's own id counter moved past the ids taken
    for case in cases:
        stored = Case.objects.get(pk=case.pk)
        for name in ("reference", "external_reference", "title", "countries", "first_incident_on", "review_on"):
            assert getattr(stored, name) == getattr(case, name), name
        assert stored.hide_owner_in_hits is case.hide_owner_in_hits
        assert stored.created_at == case.created_at and stored.created_at is not None
    loss = CaseLoss.objects.get()
    assert (loss.pk, loss.amount, loss.usd_amount, loss.occurred_on) == (losses[0].pk, Decimal("1234.56"), None, None)
    # plain rows (what bulk ingest writes): defaults filled in, ids set
    rows = [
        Row.of(CaseIdentifier, case_id=cases[0].pk, owner_agency_id=knpa.pk, type="phone", value=f"+8210200000{n}",
               token=f"{n:032x}", first_seen_on=dt.date(2025, 5, n + 1))
        for n in range(3)
    ]  # fmt: skip
    assert insert_rows(CaseIdentifier, rows, method=method) == method
    stored = {i.pk: i for i in CaseIdentifier.objects.all()}
    assert sorted(stored) == sorted(row.pk for row in rows)
    for row in rows:
        ident = stored[row.pk]
        assert (ident.value, ident.token, ident.first_seen_on) == (row.value, row.token, row.first_seen_on)
        assert (ident.role, ident.valid, ident.blind, ident.linked_token) == ("other", True, False, "")
        assert ident.created_at == row.created_at is not None
    # tuples of a few fields (what bulk ingest writes for identifiers): the rest from the defaults, stamped
    names = ("case_id", "owner_agency_id", "type", "value", "token", "linked_token", "first_seen_on")
    first_seen = dt.date(2025, 6, 1)
    tuples = [(cases[1].pk, knpa.pk, "email", f"m{n}@example.org", f"{n + 9:032x}", "", first_seen) for n in range(2)]
    ids = insert_tuples(CaseIdentifier, names, tuples, method=method)
    assert len(ids) == 2 and min(ids) > max(row.pk for row in rows)
    for pk, values in zip(ids, tuples, strict=True):
        ident = CaseIdentifier.objects.get(pk=pk)
        assert tuple(getattr(ident, name) for name in names) == values
        assert (ident.role, ident.valid, ident.blind) == ("other", True, False) and ident.created_at is not None
    # dates as ISO text, as worker processes send them (binary COPY on PostgreSQL: identifier rows are all plain)
    if method == "copy":
        from lintas.cases.ingest import _binary_types

        fields = list(CaseIdentifier._meta.concrete_fields)
        assert _binary_types(fields) is not None and _binary_types(Case._meta.concrete_fields) is None  # jsonb
        binary = sent[CaseIdentifier._meta.db_table]  # identifier tuples went binary, every column typed
        assert binary is not None and sorted(binary) == sorted(_binary_types(fields))
        assert sent[Case._meta.db_table] is None  # cases (JSON columns) went as text
    (pk,) = insert_tuples(
        CaseIdentifier,
        names,
        [(cases[2].pk, knpa.pk, "email", "x@example.org", "f" * 32, "", "2025-06-02")],
        method=method,
    )
    assert CaseIdentifier.objects.get(pk=pk).first_seen_on == dt.date(2025, 6, 2)


def test_read_ndjson_numbers_lines_and_refuses_overlong_ones():
    stream = io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n\n[1]\n' + b'{"x": "' + b"y" * 100 + b'"}\nnot json\n{"b": 2}')
    rows = list(read_ndjson(stream, max_bytes=50))
    assert [number for number, _ in rows] == [1, 3, 4, 5, 6]
    assert rows[0][1] == {"a": 1} and rows[1][1] == [1] and rows[4][1] == {"b": 2}
    assert isinstance(rows[2][1], NotJson) and "50 bytes" in rows[2][1].reason
    assert isinstance(rows[3][1], NotJson)


@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_validating_in_worker_processes_writes_exactly_what_one_process_writes(settings):
    settings.MATCHING_HOT_CASE_CAP = 10
    out = io.StringIO()
    truth = generate(out, cases=150, agencies=["knpa", "mps-vn", "pnp"], overlap=0.1, hot=2, seed=11, hot_cap=10)
    lines = out.getvalue().encode().splitlines(keepends=True)
    lines.insert(70, b'{"agency": "knpa", "external_reference": "bad", "title": ""}\n')
    report = ingest(lines, batch_size=25, workers=2)
    assert (report.created, report.rejected, report.batches_refused) == (126, 25, 1)  # lines 51-75 refused
    assert {(e.line, e.field) for e in report.errors} == {(71, "title"), (71, "crime_type")}
    assert report.identifiers == CaseIdentifier.objects.count()
    stored = sorted(CaseIdentifier.objects.values_list("case__external_reference", "token", "linked_token", "role"))
    refused = {json.loads(line)["external_reference"] for line in lines[50:75]}
    CaseIdentifier.objects.all().delete()
    Hit.objects.all().delete()
    HotValue.objects.all().delete()
    Case.objects.all().delete()
    again = ingest(lines, batch_size=25)
    assert again.as_dict() == report.as_dict()
    assert (
        sorted(CaseIdentifier.objects.values_list("case__external_reference", "token", "linked_token", "role"))
        == stored
    )
    assert not Case.objects.filter(external_reference__in=refused).exists()
    everything = ingest([line for n, line in enumerate(lines) if n != 70], batch_size=25, workers=2, parse=False)
    assert everything.created == 24 and everything.unchanged == 126 and everything.ok
    assert Hit.objects.count() == truth["expected_hits"]


@pytest.mark.postgres
def test_token_lookups_send_any_text_intact():
    """The matching engine sends token lists to PostgreSQL as one array literal; odd text must survive it."""
    from lintas.matching.engine import _text_array

    values = ["ab12", 'quote"d', "back\\slash", "comma,brace}", "NULL", "", "스페이스 ok"]
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [_text_array(values)])
        assert cursor.fetchone()[0] == values
        for plain in (["ab12", "cd34"], ["ab12", "null"], ["Null"], ["ab,cd"], ["nullx", "xnull"], ["x", ""], ["ab"]):
            cursor.execute("SELECT %s::text[]", [_text_array(plain)])
            assert cursor.fetchone()[0] == plain


def test_planner_statistics_are_refreshed_as_the_tables_grow(monkeypatch):
    from lintas.cases import ingest as module

    calls = []
    monkeypatch.setattr(module, "refresh_statistics", lambda: calls.append(CaseIdentifier.objects.count()))
    emails = [{"value": f"mule{n}@example.org"} for n in range(2600)]
    report = ingest(
        [row("S-1", identifiers=emails), row("S-2", identifiers=emails)],
        agency=Agency.objects.get(code="knpa"),
        batch_size=1,
    )
    assert report.identifiers == 5200 and calls == [5200]  # after 5,000 identifiers, then each time they double
    monkeypatch.undo()
    module.refresh_statistics()  # a no-op elsewhere; on PostgreSQL the planner then knows the token column
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_distinct FROM pg_stats WHERE tablename = 'cases_caseidentifier' AND attname = 'token'"
            )
            assert cursor.fetchone() is not None


@pytest.mark.postgres
def test_long_token_searches_are_planned_as_index_probes_and_leave_the_settings_as_they_were():
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from lintas.matching.engine import holders_of

    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    names = ("enable_seqscan", "jit", "max_parallel_workers_per_gather")

    def settings_now(cursor):
        values = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            values.append(cursor.fetchone()[0])
        return values

    with transaction.atomic(), connection.cursor() as cursor:
        before = settings_now(cursor)
        with CaptureQueriesContext(connection) as queries:
            assert holders_of([f"{n:032x}" for n in range(3000)]) == {}
        statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert "SET LOCAL enable_seqscan = off" in statements[0] and "UNION" in statements[1]
        assert settings_now(cursor) == before


def test_bulk_ingest_writes_every_field_the_form_writes():
    from lintas.cases.ingest import _CASE_FIELDS, _JSON_FIELDS
    from lintas.cases.services import _case_fields
    from lintas.cases.validation import clean_case

    clean = clean_case({"title": "T", "crime_type": "bec"}, owner=Agency.objects.get(code="knpa"))
    assert set(_CASE_FIELDS) == set(_case_fields(clean))
    assert {f.name for f in Case._meta.concrete_fields if f.get_internal_type() == "JSONField"} == _JSON_FIELDS
