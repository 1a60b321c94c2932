"""Uploaded files checked the same way wherever Lintas takes them (request attachments, programme materials): the
type from the content against an allow-list (never from the name), a size cap, no empty file, text decoded strictly,
and the SHA-256 of the whole file. Files are stored by the caller under a random name through Django's storage API;
downloads are streamed as attachments with ``X-Content-Type-Options: nosniff`` (:func:`download_response`)."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

__all__ = ["ALLOWED", "CheckedUpload", "check_upload", "download_response", "sniff", "text_problem"]

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


# Byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one). Without a mark: UTF-8.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters a text file does not hold: C0 but tab, line feed, form feed and carriage return; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _text_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a text file from its byte order mark (UTF-8 without one) and the mark's length."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return "utf-8", 0


def text_problem(chunks, *, complete: bool = True) -> str | None:
    """Why the bytes in ``chunks`` are not text, or None when they are: decoded strictly in the encoding their byte
    order mark names (UTF-8 without one), with no control character but tab, line feed, form feed and carriage
    return. ``complete=False`` for the first bytes of a file (a character may be cut at their end)."""
    decoder, skip = None, 0
    for chunk in chunks:
        if decoder is None:
            encoding, skip = _text_encoding(chunk)
            decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
            chunk = chunk[skip:]
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            return _("It is not valid text in its encoding (UTF-8, or UTF-16/UTF-32 with a byte order mark).")
        if _CONTROL.search(text):
            return _("It holds binary data (control characters), not text.")
    if decoder is not None and complete:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _("It is not valid text in its encoding (UTF-8, or UTF-16/UTF-32 with a byte order mark).")
    return None


def sniff(head: bytes, name: str) -> str | None:
    """The allowed content type of a file from its first bytes and name, or None when not allowed. Text is judged
    by decoding it (:func:`text_problem`), never by a signature: a byte order mark followed by binary is no text."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        # From the bytes alone: a file name must never vouch for its own content.
        candidates = [m.mime_type for m in puremagic.magic_string(head) if m.mime_type]
    except puremagic.PureError:
        candidates = []
    binary = [mime for mime in candidates if not mime.startswith("text/")]
    for mime in binary:
        office = mime.startswith("application/vnd.openxmlformats")
        if office and b"[Content_Types].xml" not in head:
            continue  # any ZIP looks like an Office file by its first bytes; a real one names its content types
        if mime in ALLOWED and extension in ALLOWED[mime]:
            return mime
        if mime == "application/zip" and extension in {".docx", ".xlsx"} and b"[Content_Types].xml" in head:
            return next(m for m, exts in ALLOWED.items() if extension in exts)
    if not binary and extension in ALLOWED["text/plain"] and text_problem([head], complete=False) is None:
        return "text/plain"
    return None


@dataclass(frozen=True)
class CheckedUpload:
    """What :func:`check_upload` learnt of a file: its allowed type, size and SHA-256, and its name (kept as data)."""

    original_name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload, *, field: str = "file") -> CheckedUpload:
    """Check ``upload`` (a Django UploadedFile) as every upload is checked: not empty, within
    ``ATTACHMENT_MAX_MB``, an allowed type judged from its content (text: the whole file decoded strictly), and
    return its type, size and SHA-256. Refusals are ``ValidationError`` on ``field``. The file is left at its start."""
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if not upload.size:
        raise ValidationError({field: [_("The file is empty.")]})
    if upload.size > limit:
        raise ValidationError({field: [_("Files up to %(n)d MB.") % {"n": settings.ATTACHMENT_MAX_MB}]})
    upload.seek(0)
    head = upload.read(8192)
    content_type = sniff(head, upload.name or "")
    if content_type is None:
        raise ValidationError(
            {
                field: [
                    _(
                        "This kind of file is not accepted (checked from its content): PDF, "
                        "PNG, JPEG, WebP, DOCX, XLSX or plain text."
                    )
                ]
            }
        )
    if content_type == "text/plain":
        upload.seek(0)
        problem = text_problem(upload.chunks())  # the whole file: binary may follow a page of text
        if problem:
            raise ValidationError({field: [_("This file is named as text, but: %(problem)s") % {"problem": problem}]})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        original_name=(upload.name or "upload")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def download_response(stored_file, *, filename: str, content_type: str) -> FileResponse:
    """A stored file streamed as a download: ``Content-Disposition: attachment`` with its original name, the type
    checked at upload, and ``nosniff`` so no browser second-guesses that type."""
    response = FileResponse(stored_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
