"""The one access path: visible_to and the 404-for-both fetch helper."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent
from lintas.core.access import assert_still_visible, get_visible_or_404

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
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk=999_999)
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 1


def test_bad_lookup_values_are_a_404_not_a_crash(make_user):
    viewer = make_user("spf")
    with pytest.raises(Http404):
        get_visible_or_404(User.objects.all(), viewer, pk="not-a-number")


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
