"""Attachments: type checked against an allow-list from the content (not the name), size capped, SHA-256 kept,
stored through Django's storage API (local disk by default; an S3-compatible storage as the scale path)."""

from __future__ import annotations

import hashlib

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lintas.assistance.models import AssistanceRequest, RequestAttachment
from lintas.audit.choices import Action
from lintas.audit.services import record_event

__all__ = ["ALLOWED", "add_attachment", "sniff"]

# content type -> extensions a file of that type may carry
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/webp": {".webp"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "text/plain": {".txt", ".csv", ".log"},
}


def sniff(head: bytes, name: str) -> str | None:
    """The allowed content type of a file from its first bytes and name, or None when not allowed."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        # From the bytes alone: a file name must never vouch for its own content.
        candidates = [m.mime_type for m in puremagic.magic_string(head) if m.mime_type]
    except puremagic.PureError:
        candidates = []
    for mime in candidates:
        office = mime.startswith("application/vnd.openxmlformats")
        if office and b"[Content_Types].xml" not in head:
            continue  # any ZIP looks like an Office file by its first bytes; a real one names its content types
        if mime in ALLOWED and extension in ALLOWED[mime]:
            return mime
        if mime == "application/zip" and extension in {".docx", ".xlsx"} and b"[Content_Types].xml" in head:
            return next(m for m, exts in ALLOWED.items() if extension in exts)
    if not candidates and extension in ALLOWED["text/plain"] and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


@transaction.atomic
def add_attachment(actor, request: AssistanceRequest, upload) -> RequestAttachment:
    """Attach ``upload`` (a Django UploadedFile) to ``request``: either agency, within the size and type rules."""
    if actor.agency_id not in (request.sender_agency_id, request.receiver_agency_id):
        raise PermissionDenied(_("Only the two agencies of a request attach files to it."))
    if actor.agency_id == request.receiver_agency_id and not request.receiver_known_to_sender():
        raise PermissionDenied(_("Acknowledge the request first: your agency's name is hidden until you do."))
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError({"file": [_("Files up to %(n)d MB.") % {"n": settings.ATTACHMENT_MAX_MB}]})
    upload.seek(0)
    head = upload.read(8192)
    content_type = sniff(head, upload.name)
    if content_type is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "This kind of file is not accepted (checked from its content): PDF, "
                        "PNG, JPEG, WebP, DOCX, XLSX or plain text."
                    )
                ]
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = RequestAttachment(
        request=request,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
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
