"""Test helpers for programmes: an organiser and a small edition with one session, one expert and one task."""

import datetime as dt
import zoneinfo

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.programmes import services
from lintas.programmes.models import Programme

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def organiser(make_user, agency="knpa", **kwargs):
    return make_user(agency, roles=(Role.PROGRAMME_ORGANISER, Role.INVESTIGATOR), **kwargs)


def programme():
    return Programme.objects.get_or_create(
        name="Korea-ASEAN Programme", defaults={"coordinating_agency": Agency.objects.get(code="aseanapol")}
    )[0]


def edition(actor, *, status="planning", host="knpa", **fields):
    made = services.create_edition(
        actor,
        programme(),
        host_agency=Agency.objects.get(code=host),
        co_organisers=[Agency.objects.get(code="aseanapol")],
        **{
            "title": "1st edition",
            "starts_on": "2021-11-15",
            "ends_on": "2021-11-19",
            "time_zone": "Asia/Seoul",
            "languages": ["en", "ko"],
            "status": status,
            **fields,
        },
    )
    expert = services.add_expert(actor, name="JUNG Hye Ryun", title="Professor", organisation="KNPU")
    services.add_session(
        actor,
        made,
        kind="panel",
        topic="Expert panel",
        starts_at=dt.datetime(2021, 11, 17, 14, 0, tzinfo=SEOUL),
        ends_at=dt.datetime(2021, 11, 17, 16, 0, tzinfo=SEOUL),
        experts=[(expert, "moderator")],
    )
    services.add_checklist_task(
        actor, made, title="Book the hall", owner_agency=Agency.objects.get(code=host), due_on="2021-09-01"
    )
    return made
