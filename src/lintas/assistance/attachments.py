"""Attachments: type checked against an allow-list from the content (not the name), size capped, SHA-256 kept,
stored through Django's storage API (local disk by default; an S3-compatible storage as the scale path). The checks
are ``lintas.core.uploads.check_upload``, shared with programme materials."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lintas.assistance.models import AssistanceRequest, RequestAttachment
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.core.uploads import ALLOWED, check_upload, sniff, text_problem

__all__ = ["ALLOWED", "add_attachment", "sniff", "text_problem"]


@transaction.atomic
def add_attachment(actor, request: AssistanceRequest, upload) -> RequestAttachment:
    """Attach ``upload`` (a Django UploadedFile) to ``request``: either agency, within the size and type rules."""
    if actor.agency_id not in (request.sender_agency_id, request.receiver_agency_id):
        raise PermissionDenied(_("Only the two agencies of a request attach files to it."))
    if actor.agency_id == request.receiver_agency_id and not request.receiver_known_to_sender():
        raise PermissionDenied(_("Acknowledge the request first: your agency's name is hidden until you do."))
    checked = check_upload(upload)
    attachment = RequestAttachment(
        request=request,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        agency=actor.agency,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    record_event(
        Action.ATTACHMENT_ADDED,
        actor=actor,
        target=request,
        agency=actor.agency,
        details={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256},
    )
    return attachment
