"""Demo users: two or three per member agency, all with one documented password. Demo mode only."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from lintas.accounts.choices import Role
from lintas.accounts.models import User, UserRole
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event

__all__ = ["DEMO_PASSWORD", "demo_accounts", "seed_demo_users"]

DEMO_PASSWORD = "lintas-demo-2026"  # noqa: S105 - documented in the README; demo mode only

NATIONAL_ROLES = {
    "investigator": ({Role.INVESTIGATOR, Role.ANALYST}, "Investigator"),
    "liaison": ({Role.LIAISON_OFFICER}, "Liaison officer"),
    "supervisor": ({Role.SUPERVISOR, Role.AGENCY_ADMIN}, "Supervisor"),
}
SECRETARIAT_ROLES = {
    "admin": ({Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN}, "Platform admin"),
    "liaison": ({Role.LIAISON_OFFICER}, "Liaison officer"),
}


# Demo users of Korea, Cambodia, Laos, Myanmar and Timor-Leste read Lintas in their language (decision 0050); the
# others keep English, as the demo always had them.
DEMO_LANGUAGES = {"KR": "ko", "KH": "km", "LA": "lo", "MM": "my", "TL": "pt"}


def demo_accounts(agency: Agency) -> dict[str, tuple[set[str], str]]:
    return SECRETARIAT_ROLES if agency.is_secretariat else NATIONAL_ROLES


@transaction.atomic
def seed_demo_users() -> list[User]:
    """Create the demo users that do not exist yet; existing ones are left as they are (idempotent)."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: demo users share it by design
    created = []
    for agency in Agency.objects.active():
        for suffix, (roles, title) in demo_accounts(agency).items():
            username = f"{agency.code}.{suffix}"
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create(
                agency=agency,
                username=username,
                password=password_hash,
                first_name=agency.short_name,
                last_name=title,
                email=f"{username}@demo.invalid",
                language=DEMO_LANGUAGES.get(agency.country, "en"),
                time_zone=agency.time_zone,
            )
            UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(roles)])
            created.append(user)
    if created:
        record_event(Action.DEMO_SEEDED, actor_username="demo", details={"users": len(created)})
    return created
