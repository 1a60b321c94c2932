"""The one access path: visible_to and the 404-for-both fetch helper."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.http import Http404

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent
from lintas.core.access import assert_still_visible, get_visible_or_404, parse_id

pytestmark = pytest.mark.django_db


def test_anonymous_and_disabled_users_see_nothing(make_user):
    make_user("spf")
    disabled = make_user("spf", roles=(Role.AGENCY_ADMIN,), is_active=False)
    assert User.objects.visible_to(AnonymousUser()).count() == 0
    assert User.objects.visible_to(None).count() == 0
    assert User.objects.visible_to(disabled).count() == 0


def test_users_see_their_own_agency_only(make_user):
    spf_a, spf_b = make_user("spf"), make_user("spf")
    pntl = make_user("pntl")
    visible = set(User.objects.visible_to(spf_a))
    assert visible == {spf_a, spf_b}
    assert pntl not in visible


def test_platform_admin_sees_every_agency(make_user, platform_admin):
    spf, pntl = make_user("spf"), make_user("pntl")
    assert {spf, pntl, platform_admin} <= set(User.objects.visible_to(platform_admin))


def test_missing_and_not_visible_answer_the_same_404(make_user):
    viewer = make_user("spf")
    hidden = make_user("pntl")
    with pytest.raises(Http404) as missing:
        get_visible_or_404(User.objects.all(), viewer, pk=999_999)
    with pytest.raises(Http404) as not_visible:
        get_visible_or_404(User.objects.all(), viewer, pk=hidden.pk)
    assert str(missing.value) == str(not_visible.value)


def test_refused_access_to_an_existing_object_is_audited(make_user):
    viewer = make_user("spf")
    hidden = make_user("pntl")
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=hidden.pk)
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (event.actor, event.outcome, event.object_id) == (viewer, Outcome.DENIED, str(hidden.pk))
    assert event.agency == hidden.agency  # the owner's trail
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=999_999)
    # A missing id is refused the same way (the same work), in the platform's trail: the viewer's own agency sees
    # neither refusal, so its trail cannot tell a hidden id from a missing one.
    missing = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exclude(pk=event.pk).get()
    assert (missing.actor, missing.outcome, missing.object_id, missing.agency) == (
        viewer,
        Outcome.DENIED,
        "999999",
        None,
    )
    assert not AuditEvent.objects.filter(action=Action.ACCESS_DENIED, agency=viewer.agency).exists()


@pytest.mark.parametrize(
    "value", ["not-a-number", "", "-1", -1, 0, "0", "1.5", "1e3", "²", " 7 x", 2**63, str(2**63), "9" * 30, None, True]
)
def test_bad_lookup_values_are_a_404_not_a_crash(make_user, value):
    viewer = make_user("spf")
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=value)


def test_parse_id_accepts_exactly_the_ids_a_database_can_hold():
    assert [parse_id(v) for v in (1, "42", " 42 ", 2**63 - 1, str(2**63 - 1))] == [1, 42, 42, 2**63 - 1, 2**63 - 1]
    assert {parse_id(v) for v in (0, -3, "-3", "+3", "3.0", "٣", 2**63, "0x10", None, False, [1])} == {None}


@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # outside a transaction, as a request runs
@pytest.mark.parametrize("who", ["hidden", "missing"])
def test_the_answer_does_not_wait_for_the_refusal_record(make_user, settings, monkeypatch, who):
    """With the read trail on (production), a refusal is handed to it: no write happens before the answer, for a
    hidden id as for a missing one, and the event handed over names the owner's trail (or the platform's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lintas.audit import reads

    viewer, hidden = make_user("spf"), make_user("pntl")
    held = []
    monkeypatch.setattr(reads.trail, "add", held.append)
    settings.AUDIT_READ_FLUSH_SECONDS = 0.05
    with CaptureQueriesContext(connection) as queries, pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=hidden.pk if who == "hidden" else 999_999)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries), "nothing is written before the 404"
    assert [(e.action, e.agency_id) for e in held] == [
        (Action.ACCESS_DENIED, hidden.agency_id if who == "hidden" else None)
    ]


def test_visibility_is_decided_before_anything_is_prefetched(make_user, django_assert_num_queries):
    """A hidden object is never loaded: one query decides, prefetches run for a visible object alone."""
    from lintas.cases.models import Case
    from lintas.cases.tests.helpers import record

    owner, viewer = make_user("spf", roles=(Role.INVESTIGATOR,)), make_user("pntl", roles=(Role.INVESTIGATOR,))
    case, _ = record(owner, ["+6591234567"], title="hidden")
    full = Case.objects.select_related("owner_agency").prefetch_related("identifiers", "losses", "shares__agency")
    for pk in (case.pk, 999_999):
        with django_assert_num_queries(2), pytest.raises(Http404):  # the decision and the refusal record
            get_visible_or_404(full, viewer, pk=pk)
    with django_assert_num_queries(5):  # the decision, the case, three prefetches
        assert get_visible_or_404(full, owner, pk=case.pk) == case


def test_assert_still_visible(make_user):
    viewer = make_user("spf")
    assert_still_visible(viewer, viewer)
    with pytest.raises(PermissionError):
        assert_still_visible(make_user("pntl"), viewer)


def test_client_ip_ignores_forged_forwarding_headers(make_user, signed_in, settings):
    from lintas.audit.models import AuditEvent

    admin = make_user("spf", roles=(Role.AGENCY_ADMIN,))
    client = signed_in(admin)
    settings.BEHIND_PROXY = False
    client.get("/audit/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.BEHIND_PROXY = True
    client.get("/audit/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.77")
    client.get("/audit/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    ips = list(AuditEvent.objects.filter(action=Action.AUDIT_VIEWED).order_by("id").values_list("client_ip", flat=True))
    assert ips == ["203.0.113.5", "203.0.113.77", "10.0.0.2"]


def test_refusal_is_recorded_in_the_owners_trail(make_user):
    viewer = make_user("spf")
    hidden = make_user("pntl")
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=hidden.pk)
    assert AuditEvent.objects.get(action=Action.ACCESS_DENIED).agency == hidden.agency


def test_the_cached_visibility_sql_is_the_one_access_path_compiled_afresh(make_user):
    """visible_pk_sql keeps one compiled visible_to per agency: for every kind of user it must equal a fresh compile,
    select exactly the visible rows, and give nothing to a disabled user."""
    from django.db import connection

    from lintas.accounts.choices import Role
    from lintas.cases.models import Case
    from lintas.cases.tests.helpers import record

    users = [
        make_user("spf", roles=(Role.INVESTIGATOR,)),
        make_user("spf", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR)),
        make_user("pntl", roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER)),
        make_user("aseanapol", roles=(Role.PLATFORM_ADMIN,)),
    ]
    record(users[0], [], title="owner only")
    record(users[0], [], title="named", distribution="named", shared_with=["pntl"])
    record(users[2], [], title="all", distribution="all")
    for user in users * 2:  # the second round reads the cache
        sql, params = Case.objects.filter(title="named").visible_pk_sql(user)  # the filter does not apply
        fresh, fresh_params = Case.objects.visible_to(user).order_by().values("pk").query.sql_with_params()
        assert (sql, params) == (fresh, tuple(fresh_params))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert {pk for (pk,) in cursor.fetchall()} == set(
                Case.objects.visible_to(user).values_list("pk", flat=True)
            )
    users[0].is_active = False
    assert Case.objects.visible_pk_sql(users[0]) is None


def test_a_refusal_is_recorded_in_the_owners_trail_for_every_kind_of_object(make_user):
    """Hits, requests and tokens name their owner otherwise than ``agency``/``owner_agency``: the refusal still goes
    to the owner's trail, never the actor's (whose admin could then tell a hidden id from a missing one)."""
    from lintas.accounts import services as accounts
    from lintas.accounts.choices import TokenScope
    from lintas.accounts.models import ApiToken
    from lintas.agencies.models import Agency
    from lintas.assistance.models import AssistanceRequest
    from lintas.assistance.services import draft_request
    from lintas.cases.models import BulkImport, Case
    from lintas.cases.tests.helpers import record
    from lintas.matching.models import Hit

    owner = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR))
    viewer = make_user("pntl", roles=(Role.INVESTIGATOR,))
    case, _ = record(owner, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], title="hidden")
    _, outcome = record(make_user("knpa", roles=(Role.INVESTIGATOR,)), ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    request = draft_request(
        owner, receivers=[Agency.objects.get(code="knpa")], type="general", subject="s", asked="a", cases=[case]
    )[0]
    token, _ = accounts.create_api_token(owner, name="t", scope=TokenScope.READ, days=1)
    job = BulkImport.objects.create(owner_agency=owner.agency, created_by=owner, file_name="x.ndjson")
    hit = outcome.hits[0]
    for queryset, obj, agency in (
        (Case.objects.all(), case, owner.agency_id),
        (Hit.objects.all(), hit, hit.left_agency_id),
        (AssistanceRequest.objects.all(), request, owner.agency_id),
        (ApiToken.objects.all(), token, owner.agency_id),
        (BulkImport.objects.all(), job, owner.agency_id),
        (User.objects.all(), owner, owner.agency_id),
    ):
        with pytest.raises(Http404):
            get_visible_or_404(queryset, viewer, pk=obj.pk)
        event = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("id")
        assert (event.object_type, event.object_id, event.agency_id) == (
            obj._meta.label_lower,
            str(obj.pk),
            agency,
        )
    assert not AuditEvent.objects.filter(action=Action.ACCESS_DENIED, agency=viewer.agency).exists()


def test_a_refused_user_page_is_recorded_in_the_owners_trail(make_user, signed_in):
    """The user page looked its target up among visible users only: a hidden user was refused as a missing one,
    unrecorded in the owner's trail."""
    viewer, hidden = make_user("pntl", roles=(Role.AGENCY_ADMIN,)), make_user("spf")
    assert signed_in(viewer).get(f"/users/{hidden.pk}/").status_code == 404
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED)
    assert (event.agency, event.object_id) == (hidden.agency, str(hidden.pk))


def _scoped_models():
    from django.apps import apps

    from lintas.core.models import AgencyScopedQuerySet

    return sorted(
        (m for m in apps.get_models() if isinstance(m._default_manager.all(), AgencyScopedQuerySet)),
        key=lambda m: m._meta.label,
    )


@pytest.mark.parametrize("model", _scoped_models(), ids=lambda m: m._meta.label)
def test_every_cached_visibility_sql_is_the_rule_compiled_afresh_for_every_kind_of_user(make_user, model):
    """visible_pk_sql compiles a model's visible_to once per visibility_key: a rule that depends on more than the
    agency (a role, the user) must say so in its key. Users of one agency with different roles read in turn, each
    twice, so a key too coarse hands one user the SQL compiled for another (issue 18: a non-admin was given the
    agency admin's audit-trail SQL)."""
    from lintas.accounts.choices import Role

    users = [
        make_user("spf", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR)),
        make_user("spf", roles=(Role.INVESTIGATOR,)),
        make_user("spf", roles=(Role.PROGRAMME_ORGANISER,)),
        make_user("aseanapol", roles=(Role.PLATFORM_ADMIN,)),
        make_user("aseanapol", roles=(Role.ANALYST,)),
        make_user("pntl", roles=(Role.LIAISON_OFFICER,)),
    ]
    for user in users * 2:
        cached = model.objects.visible_pk_sql(user)
        try:
            fresh = model.objects.visible_to(user).order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            assert cached is None, (model, user.roles)
            continue
        assert cached == (fresh[0], tuple(fresh[1])), (model._meta.label, sorted(user.roles))
