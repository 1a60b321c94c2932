from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AGENCY_ROLES", "Role", "TokenScope"]


class Role(models.TextChoices):
    ANALYST = "analyst", _("Analyst")
    INVESTIGATOR = "investigator", _("Investigator")
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    PROGRAMME_ORGANISER = "programme_organiser", _("Programme organiser")


# Roles an agency admin may grant inside their own agency. The platform admin role is the Secretariat's alone.
AGENCY_ROLES = frozenset(
    {
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.LIAISON_OFFICER,
        Role.SUPERVISOR,
        Role.AGENCY_ADMIN,
        Role.PROGRAMME_ORGANISER,
    }
)


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")
