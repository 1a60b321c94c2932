"""Who reads an edition's materials, and how one is handed out (decision 0041).

Materials are read by the edition's confirmed participants (a nomination with status confirmed naming the viewer's
account), its organisers (``Edition.organised_by``), and the experts of a session who are Lintas users (their own
sessions' materials). Everyone else gets 404, exactly as for a material that does not exist. The caller has already
fetched the edition through ``Edition.objects.visible_to``; these functions decide the rest:

- :func:`can_read_materials` -- may ``user`` read any of ``edition``'s materials (the materials page, the API list);
- :func:`materials_visible_to` -- the one queryset of the materials ``user`` may read in ``edition``;
- :func:`get_material_or_404` -- one of them by id, 404 for hidden and missing alike;
- :func:`materials_of_expert_link` / :func:`expert_link_material_or_404` -- what an expert's personal link reads:
  the materials of that expert's sessions in the link's edition, nothing else;
- :func:`material_response` -- the download (audited ``MATERIAL_DOWNLOADED``), also for expert personal links.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.core.access import parse_id
from lintas.core.models import can_read
from lintas.core.uploads import download_response
from lintas.programmes.choices import NominationStatus
from lintas.programmes.models import Edition, ExpertLink, Material, Nomination, ProgrammeSession

__all__ = [
    "can_add_material",
    "can_read_materials",
    "can_remove_material",
    "expert_link_material_or_404",
    "expert_session_ids",
    "get_material_or_404",
    "is_confirmed_participant",
    "material_response",
    "materials_of_expert_link",
    "materials_visible_to",
]


def is_confirmed_participant(user, edition: Edition) -> bool:
    """Is ``user`` a confirmed participant of ``edition`` (a confirmed nomination naming their account)?"""
    if not can_read(user):
        return False
    return Nomination.objects.filter(edition=edition, user=user.pk, status=NominationStatus.CONFIRMED).exists()


def expert_session_ids(user, edition: Edition) -> set[int]:
    """The sessions of ``edition`` in which ``user`` is one of the experts (moderator, speaker, panellist)."""
    if not can_read(user):
        return set()
    return set(
        ProgrammeSession.objects.filter(edition=edition, roles__expert__user=user.pk).values_list("pk", flat=True)
    )


def can_read_materials(user, edition: Edition) -> bool:
    """May ``user`` read materials of ``edition``: an organiser, a confirmed participant, or an expert of one of its
    sessions (who then reads that session's materials only)."""
    if not can_read(user):
        return False
    return (
        edition.organised_by(user) or is_confirmed_participant(user, edition) or bool(expert_session_ids(user, edition))
    )


def materials_visible_to(user, edition: Edition) -> QuerySet[Material]:
    """The materials of ``edition`` that ``user`` may read: all of them for its organisers and confirmed
    participants, those of their own sessions for experts, none for anyone else."""
    materials = Material.objects.filter(session__edition=edition).select_related("session", "uploaded_by")
    if not can_read(user):
        return materials.none()
    if edition.organised_by(user) or is_confirmed_participant(user, edition):
        return materials
    sessions = expert_session_ids(user, edition)
    return materials.filter(session__in=sessions) if sessions else materials.none()


def can_add_material(user, session: ProgrammeSession) -> bool:
    """May ``user`` add a material to ``session``: the edition's organisers, and the session's own experts who are
    Lintas users."""
    if not can_read(user):
        return False
    return session.edition.organised_by(user) or session.roles.filter(expert__user=user.pk).exists()


def can_remove_material(user, material: Material) -> bool:
    """The edition's organisers remove any material; whoever uploaded one removes it while still allowed to add."""
    if not can_read(user):
        return False
    session = material.session
    if session.edition.organised_by(user):
        return True
    return material.uploaded_by_id == user.pk and can_add_material(user, session)


def get_material_or_404(user, edition: Edition, material_id) -> Material:
    """One material of ``edition`` that ``user`` may read, or 404 (hidden, missing and malformed ids alike)."""
    pk = parse_id(material_id)
    found = materials_visible_to(user, edition).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def materials_of_expert_link(link: ExpertLink) -> QuerySet[Material]:
    """The materials an expert's personal link reads (a link the caller has already checked with
    ``services.use_expert_link``): those of the link's expert's own sessions in the link's edition."""
    sessions = ProgrammeSession.objects.filter(edition=link.edition_id, roles__expert=link.expert_id)
    return Material.objects.filter(session__in=sessions).select_related("session__edition__host_agency")


def expert_link_material_or_404(link: ExpertLink, material_id) -> Material:
    """One of :func:`materials_of_expert_link` by id, or 404 (another session's, another edition's, missing and
    malformed ids alike, the same answer as an unknown link)."""
    pk = parse_id(material_id)
    found = materials_of_expert_link(link).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def material_response(material: Material, *, actor=None, **details) -> HttpResponse:
    """Hand out ``material`` and audit it (``MATERIAL_DOWNLOADED`` in the host agency's trail): a file streams as a
    download (``Content-Disposition: attachment``, the type checked at upload, ``nosniff``); a recording kept as a
    link answers a redirect to it. ``actor`` is the signed-in user, or None for a caller without an account (an
    expert's personal link), who passes what identifies the access in ``details`` (e.g. ``expert_link=<id>``).
    The caller has decided that the reader may read it (:func:`materials_visible_to`)."""
    edition = material.session.edition
    record_event(
        Action.MATERIAL_DOWNLOADED,
        actor=actor,
        target=material,
        agency=edition.host_agency,
        details={"edition": edition.pk, "sha256": material.sha256, "link": not material.file, **details},
    )
    if not material.file:
        return HttpResponseRedirect(material.link)
    return download_response(material.file, filename=material.original_name, content_type=material.content_type)
