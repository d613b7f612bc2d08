"""Uploads (ASVS V12): checked by content and size, images re-encoded to their pixels only, stored under a
name we choose; downloads are attachments (photos: re-encoded JPEG), never HTML, never from a path a user
chose — across dossiers, the personal data store and field reports."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierComponent
from tinhso.dossiers.states import State

from .conftest import PDF_BYTES, jpeg_bytes, pdf, png_bytes, signed_in

pytestmark = pytest.mark.django_db

PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


def submit(client, procedure, agency, **files):
    data = {"procedure": procedure.code, "agency": str(agency.pk), "form": json.dumps({"ho_ten_tre": "Phạm Minh An"}),
            "component_to_khai": pdf()}
    data.update({f"component_{k}": v for k, v in files.items()})
    return client.post("/api/v1/dossiers", data)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_photo_of_a_paper_is_reencoded_without_metadata_or_payload(citizen, procedure, agency):
    original = jpeg_bytes(trailer=PAYLOAD)
    response = submit(signed_in(citizen), procedure, agency,
                      anh=SimpleUploadedFile("giay chung sinh.jpg", original, content_type="image/jpeg"))
    assert response.status_code == 201, response.content
    comp = DossierComponent.objects.get(key="anh")
    stored = comp.file.read()
    assert stored != original and stored.startswith(b"\xff\xd8\xff")
    for secret in (b"CameraBiMat", b"Nguyen Van An", b"<script", b"Exif"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and img.size == (48, 32) and not img.getexif()
    assert comp.content_type == "image/jpeg" and comp.size == len(stored)


def test_png_text_chunks_are_dropped(citizen, procedure, agency):
    response = submit(signed_in(citizen), procedure, agency,
                      anh=SimpleUploadedFile("anh.png", png_bytes(text="ho ten: Nguyen Van An, CCCD 019090005555"),
                                             content_type="image/png"))
    assert response.status_code == 201, response.content
    stored = DossierComponent.objects.get(key="anh").file.read()
    assert stored.startswith(b"\x89PNG") and b"019090005555" not in stored and b"Comment" not in stored


@pytest.mark.parametrize(("name", "content", "message"), [
    ("to-khai.pdf", PAYLOAD, "không phải là PDF"),                         # HTML named .pdf
    ("to-khai.pdf", jpeg_bytes(), "không phải là PDF"),                    # an image where a PDF is required
    ("to-khai.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "lớn hơn 10 MB"),  # too large
], ids=["html-named-pdf", "image-for-pdf", "too-large"])
def test_the_content_not_the_name_decides_and_nothing_is_stored(citizen, procedure, agency, settings, name, content,
                                                                message):
    client = signed_in(citizen)
    response = client.post("/api/v1/dossiers", {
        "procedure": procedure.code, "agency": str(agency.pk), "form": json.dumps({"ho_ten_tre": "An"}),
        "component_to_khai": SimpleUploadedFile(name, content, content_type="application/pdf")})
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Dossier.objects.exists() and not stored_files(settings)


def test_a_damaged_image_is_refused_with_a_clear_message(citizen, procedure, agency, settings):
    response = submit(signed_in(citizen), procedure, agency,
                      anh=SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff\xe0" + b"rac" * 100, content_type="image/jpeg"))
    assert response.status_code == 400
    assert "không đọc được như ảnh JPG" in json.dumps(response.json(), ensure_ascii=False)
    assert not Dossier.objects.exists() and not stored_files(settings)


def test_the_stored_name_is_ours_never_the_uploaders(citizen, procedure, agency, settings):
    evil = SimpleUploadedFile("../../../../tmp/x\r\n.html", PDF_BYTES, content_type="text/html")
    response = submit(signed_in(citizen), procedure, agency, anh=evil)
    if response.status_code == 400:  # a PDF for the photo component is accepted: pdf,jpg,png
        pytest.fail(response.content)
    comp = DossierComponent.objects.get(key="anh")
    path = Path(comp.file.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.suffix == ".pdf" and ".." not in comp.file.name and "html" not in path.name
    assert "/" not in comp.original_filename and "\r" not in comp.original_filename and "\n" not in comp.original_filename
    assert comp.content_type == "application/pdf"  # what the content is, not what the browser claimed


@pytest.fixture
def finished(dossier, staff):
    """The dossier received, then finished with a result whose name came from an uploader."""
    received = services.dossier_receive(actor=staff["receiver"], dossier=dossier)
    received.result_file.save("ket-qua.pdf", ContentFile(PDF_BYTES), save=False)
    received.result_name = 'ket-qua "cuoi"\r\n<b>.pdf'
    received.state = State.FINISHED
    received.save()
    return received


def assert_attachment(response, what, content_type="application/pdf"):
    assert response.status_code == 200, what
    assert response["Content-Type"] == content_type, what
    assert response["Content-Disposition"].startswith("attachment"), what
    assert "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"], what
    assert response["X-Content-Type-Options"] == "nosniff", what


def test_every_download_is_an_attachment_never_html(citizen, staff, finished, settings):
    from tinhso.datastore import services as store

    comp = finished.components.first()
    doc = store.document_add(actor=citizen, doc_type="khac", title="Bằng lái xe",
                             upload=SimpleUploadedFile("bang-lai.jpg", jpeg_bytes(), content_type="image/jpeg"))
    mine, receiver = signed_in(citizen), signed_in(staff["receiver"])
    pk = finished.pk
    assert_attachment(mine.get(reverse("web:portal_component_file", kwargs={"pk": pk, "component_id": comp.pk})),
                      "portal paper")
    assert_attachment(mine.get(reverse("web:portal_result", kwargs={"pk": pk})), "portal result")
    assert_attachment(receiver.get(reverse("web:official_dossier_component", kwargs={"pk": pk,
                                                                                    "component_id": comp.pk})),
                      "official paper")
    assert_attachment(receiver.get(reverse("web:official_dossier_result", kwargs={"pk": pk})), "official result")
    api = mine.get(f"/api/v1/dossiers/{pk}/result")
    assert_attachment(api, "API result")
    assert "ket-qua" in api["Content-Disposition"]
    assert_attachment(mine.get(reverse("web:my_store_download", kwargs={"doc_id": doc.pk})), "my store",
                      content_type="image/jpeg")


def test_report_photos_are_served_as_reencoded_jpeg(citizen, category):
    from tinhso.feedback import services as feedback

    report = feedback.report_create(actor=citizen, category=category, description="Ổ gà", lat="21.592477",
                                    long="105.848174", photos=[SimpleUploadedFile("o-ga.jpg", jpeg_bytes(trailer=PAYLOAD),
                                                                                  content_type="image/jpeg")])
    photo = report.photos.get()
    response = signed_in(citizen).get(reverse("web:report_photo", kwargs={"public_id": report.public_id,
                                                                          "photo_id": photo.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert b"<script" not in body and b"CameraBiMat" not in body


def test_uploaded_files_are_never_served_by_their_path(dossier):
    comp = dossier.components.first()
    for url in (f"/media/{comp.file.name}", f"/static/../media/{comp.file.name}"):
        assert Client().get(url).status_code == 404
    assert signed_in(dossier.applicant).get(f"/media/{comp.file.name}").status_code == 404
