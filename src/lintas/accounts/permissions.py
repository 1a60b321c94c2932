"""Who may manage whom. One place for the rules, used by views, API and services alike.

An actor may only hand out rights they hold: an agency admin manages only their own agency's users and grants only
roles they hold themselves; nobody changes their own roles or disables themselves; the platform admin role is the
Secretariat's alone. See docs/decisions/0004-role-delegation.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lintas.accounts.choices import AGENCY_ROLES, Role

if TYPE_CHECKING:
    from lintas.accounts.models import User
    from lintas.agencies.models import Agency

__all__ = ["can_manage", "can_manage_agency", "grantable_roles"]


def can_manage_agency(actor: User, agency: Agency) -> bool:
    """May ``actor`` create users in ``agency`` at all?"""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.has_role(Role.PLATFORM_ADMIN):
        return True
    return actor.has_role(Role.AGENCY_ADMIN) and actor.agency_id == agency.pk


def can_manage(actor: User, target: User) -> bool:
    """May ``actor`` change ``target``'s roles or status? Never their own."""
    return actor.pk != target.pk and can_manage_agency(actor, target.agency)


def grantable_roles(actor: User, agency: Agency) -> frozenset[str]:
    """The roles ``actor`` may give to a user of ``agency``."""
    if not can_manage_agency(actor, agency):
        return frozenset()
    if actor.has_role(Role.PLATFORM_ADMIN):
        return AGENCY_ROLES | ({Role.PLATFORM_ADMIN} if agency.is_secretariat else set())
    return frozenset(role for role in actor.roles if role in AGENCY_ROLES)
