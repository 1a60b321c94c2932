"""Attachments: allow-list checked against the content, SHA-256 shown, visibility of the request, audited download."""

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import RequestAttachment
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def sent(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    spf = make_user("spf", roles=(Role.SUPERVISOR, Role.INVESTIGATOR))
    pntl = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    request = services.draft_request(
        spf, receivers=[Agency.objects.get(code="pntl")], type="stop_payment", priority="urgent", subject="s", asked="a"
    )[0]
    return spf, pntl, services.transition(spf, request, "send_now", version=request.version)


def test_pdf_attached_with_its_sha256_and_downloaded_by_the_receiver(sent, signed_in):
    spf, pntl, request = sent
    response = signed_in(spf).post(
        f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("swift-mt103.pdf", PDF)}
    )
    assert response.status_code == 302
    attachment = RequestAttachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name.startswith(f"requests/{request.pk}/") and "mt103" not in attachment.file.name
    download = signed_in(pntl).get(f"/requests/{request.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=Action.ATTACHMENT_DOWNLOADED, actor=pntl).count() == 1


def test_forged_extension_is_refused(sent, signed_in):
    spf, _, request = sent
    client = signed_in(spf)
    for name, content in (("invoice.pdf", EXE), ("photo.png", PDF), ("notes.txt", EXE), ("tool.exe", EXE)):
        client.post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile(name, content)})
    assert RequestAttachment.objects.count() == 0
    client.post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("photo.png", PNG)})
    client.post(
        f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("notes.txt", "한국어 메모".encode())}
    )
    assert sorted(RequestAttachment.objects.values_list("content_type", flat=True)) == ["image/png", "text/plain"]


def test_size_limit_and_other_agencies(sent, signed_in, make_user, settings):
    spf, _, request = sent
    settings.ATTACHMENT_MAX_MB = 0
    signed_in(spf).post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert RequestAttachment.objects.count() == 0
    settings.ATTACHMENT_MAX_MB = 50
    signed_in(spf).post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    attachment = RequestAttachment.objects.get()
    other = signed_in(make_user("rmp", roles=(Role.LIAISON_OFFICER,)))
    assert other.get(f"/requests/{request.pk}/attachments/{attachment.pk}/").status_code == 404
    assert (
        other.post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code
        == 404
    )


def test_api_upload_and_list(sent, make_user):
    from django.test import Client

    from lintas.accounts import services as accounts
    from lintas.accounts.choices import TokenScope

    _spf, pntl, request = sent
    _, secret = accounts.create_api_token(pntl, name="case system", scope=TokenScope.READ_WRITE, days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(
        f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile("freeze-order.pdf", PDF)}
    )
    assert response.status_code == 201 and response.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    response = client.post(f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile("x.pdf", EXE)})
    assert response.status_code == 422
    assert [a["original_name"] for a in client.get(f"/api/v1/requests/{request.pk}/attachments").json()] == [
        "freeze-order.pdf"
    ]
    rmp = make_user("rmp", roles=(Role.LIAISON_OFFICER,))
    _, other_secret = accounts.create_api_token(rmp, name="x", scope=TokenScope.READ_WRITE, days=1)
    stranger = Client(HTTP_AUTHORIZATION=f"Bearer {other_secret}")
    response = stranger.post(f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile("y.pdf", PDF)})
    assert response.status_code == 404 and RequestAttachment.objects.count() == 1


def test_a_name_never_vouches_for_content(sent, signed_in):
    spf, _, request = sent
    client = signed_in(spf)
    for name, content in (("report.pdf", b"just some bytes, not a PDF"), ("sheet.xlsx", b"PK\x03\x04" + b"\x00" * 40)):
        client.post(f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile(name, content)})
    assert RequestAttachment.objects.count() == 0


BINARY = bytes(range(256)) * 4  # every byte value: control characters, invalid UTF-8 sequences


def _api(user):
    from django.test import Client

    from lintas.accounts import services as accounts
    from lintas.accounts.choices import TokenScope

    _, secret = accounts.create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe" + BINARY,  # a UTF-16 LE byte order mark, then binary (passed as text before)
        b"\xfe\xff" + BINARY,
        b"\xef\xbb\xbf" + BINARY,
        b"\xff\xfe\x00\x00" + BINARY,
        "a line\n".encode("utf-16-le").join([b"\xff\xfe", b"\x00\xd8"]),  # a lone UTF-16 surrogate
        "text with a bell \x07\n".encode("utf-16"),  # decodes, but holds a control character
        b"plain text\n" * 1000 + BINARY,  # binary after the first 8 KB the signature check reads
        b"caf\xe9 latin-1\n",  # not UTF-8, no byte order mark
        b"one\x00two\n",
        "\x85next line (C1)\n".encode(),
    ],
)
def test_binary_named_as_text_is_refused(sent, content):
    _spf, pntl, request = sent
    response = _api(pntl).post(
        f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile("notes.txt", content)}
    )
    assert response.status_code == 422, response.content
    assert "file" in response.json()["errors"]
    assert not RequestAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", "Überweisung an KTB 123-4-56789-0\r\n\tam 10.07.\f\n".encode()),
        ("notes.txt", "\ufeffwith a UTF-8 byte order mark\n".encode()),
        ("notes.csv", "account,amount\n123,4.5\n".encode("utf-16")),  # with its byte order mark
        ("notes.log", "ข้อความภาษาไทย\n".encode("utf-32")),
        ("notes.txt", "가" * 5000),  # a multi-byte character cut at the 8 KB head
    ],
)
def test_text_in_any_unicode_encoding_with_its_byte_order_mark_is_accepted(sent, name, content):
    _spf, pntl, request = sent
    content = content.encode() if isinstance(content, str) else content
    response = _api(pntl).post(
        f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "text/plain"


def test_an_empty_file_is_refused(sent, signed_in):
    spf, pntl, request = sent
    response = _api(pntl).post(
        f"/api/v1/requests/{request.pk}/attachments", {"file": SimpleUploadedFile("empty.txt", b"")}
    )
    assert response.status_code == 422 and response.json()["errors"]["file"]
    response = signed_in(spf).post(
        f"/requests/{request.pk}/attachments/", {"file": SimpleUploadedFile("empty.pdf", b"")}
    )
    assert response.status_code == 302 and not RequestAttachment.objects.exists()
