"""Papers uploaded ahead of their submission (`POST /api/v1/uploads`, then `upload_<key>` in the submission): checked
by content at upload, used once, only by their owner, within 24 hours; a failed submission loses none of them."""
import datetime as dt
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from tinhso.dossiers import selectors, services
from tinhso.dossiers.models import Dossier, DossierComponent, DossierEvent, PaperUpload
from tinhso.dossiers.states import State
from tinhso.events.models import DomainEvent

from .conftest import PNG_BYTES, PDF_BYTES, pdf
from .test_api import API, login


def upload(client, f):
    return client.post(API + "/uploads", data={"file": f})


def submit(client, proc, form, **fields):
    return client.post(API + "/dossiers", data={"procedure": proc.code, "form": json.dumps(form), **fields})


def state():
    """What a refused request could have changed."""
    return (Dossier.objects.count(), DossierComponent.objects.count(), DossierEvent.objects.count(),
            sorted(PaperUpload.objects.values_list("token", flat=True)))


@pytest.mark.django_db
def test_papers_uploaded_first_become_the_dossiers_components(citizen_a, agency_x, birth_procedure, good_form):
    client = login(citizen_a)
    a = upload(client, pdf("Tờ khai.pdf"))
    assert a.status_code == 201, a.content
    body = a.json()
    assert body["kind"] == "pdf" and body["content_type"] == "application/pdf" and body["size"] == len(PDF_BYTES)
    assert body["name"] == "Tờ khai.pdf" and len(body["token"]) >= 32
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=23, minutes=59) < expires - timezone.now() <= dt.timedelta(hours=24)
    b = upload(client, SimpleUploadedFile("giay-chung-sinh.png", PNG_BYTES, content_type="image/png"))
    assert b.status_code == 400  # not a decodable image: the upload checks content, like a submission
    b = upload(client, pdf("chung-sinh.pdf"))
    stored = PaperUpload.objects.get(token=a.json()["token"]).file.name
    assert default_storage.exists(stored)
    assert DomainEvent.objects.filter(name="dossiers.paper_uploaded", actor=citizen_a).count() == 2

    r = submit(client, birth_procedure, good_form, agency=agency_x.pk,
               upload_to_khai=a.json()["token"], upload_giay_chung_sinh=b.json()["token"])
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(pk=r.json()["id"])
    assert d.state == State.SUBMITTED and d.applicant == citizen_a
    comps = {c.key: c for c in d.components.all()}
    assert set(comps) == {"to_khai", "giay_chung_sinh"}
    assert comps["to_khai"].file.name == stored and comps["to_khai"].original_filename == "Tờ khai.pdf"
    assert comps["to_khai"].sha256 == body["sha256"] and default_storage.exists(stored)
    assert not PaperUpload.objects.exists()  # taken: the file now belongs to the component
    event = d.events.get()
    assert {a["component"] for a in event.attachments} == {"to_khai", "giay_chung_sinh"}
    # The citizen downloads the paper from their dossier, as any uploaded paper.
    page = client.get(f"/ho-so-cua-toi/{d.pk}/tep/{comps['to_khai'].pk}/")
    assert page.status_code == 200 and b"".join(page.streaming_content if page.streaming else [page.content]) == PDF_BYTES


@pytest.mark.django_db
def test_a_paper_is_used_once_and_a_failed_submission_keeps_it(citizen_a, agency_x, birth_procedure, good_form):
    client = login(citizen_a)
    t1, t2 = (upload(client, pdf(f"{n}.pdf")).json()["token"] for n in ("a", "b"))
    # The form is wrong: nothing is written and both papers are still there for the corrected submission.
    before = state()
    bad = submit(client, birth_procedure, {"ho_ten_tre": ""}, agency=agency_x.pk, upload_to_khai=t1,
                 upload_giay_chung_sinh=t2)
    assert bad.status_code == 400 and state() == before
    ok = submit(client, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=t1, upload_giay_chung_sinh=t2)
    assert ok.status_code == 201
    # The same tokens again (a copy of the request): refused, naming the papers, nothing written.
    t3 = upload(client, pdf("c.pdf")).json()["token"]
    before = state()
    again = submit(client, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=t1, upload_giay_chung_sinh=t3)
    assert again.status_code == 400
    errors = {e["field"]: e["message"] for e in again.json()["errors"]}
    assert "upload_to_khai" in errors and "Hãy tải lên lại" in errors["upload_to_khai"]
    assert "upload_giay_chung_sinh" not in errors
    assert state() == before
    # One paper for two components: refused.
    t4 = upload(client, pdf("d.pdf")).json()["token"]
    before = state()
    twice = submit(client, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=t4, upload_giay_chung_sinh=t4)
    assert twice.status_code == 400 and "upload_giay_chung_sinh" in str(twice.json()) and state() == before


@pytest.mark.django_db
def test_another_citizens_paper_cannot_be_used_and_stays_theirs(citizen_a, citizen_b, agency_x, birth_procedure,
                                                                 good_form):
    a, b = login(citizen_a), login(citizen_b)
    token = upload(a, pdf()).json()["token"]
    mine = upload(b, pdf()).json()["token"]
    before = state()
    r = submit(b, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=token, upload_giay_chung_sinh=mine)
    assert r.status_code == 400 and "upload_to_khai" in {e["field"] for e in r.json()["errors"]}
    assert state() == before
    assert PaperUpload.objects.get(token=token).owner == citizen_a


@pytest.mark.django_db
def test_uploads_are_refused_to_anonymous_and_checked_by_content(citizen_a):
    before = state()
    assert Client().post(API + "/uploads", data={"file": pdf()}).status_code == 401
    client = login(citizen_a)
    exe = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    r = upload(client, exe)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "file" and "đã kiểm tra nội dung tệp" in r.json()["errors"][0]["message"]
    none = client.post(API + "/uploads", data={})
    assert none.status_code == 400 and "Hãy chọn tệp" in none.json()["errors"][0]["message"]
    assert state() == before


@pytest.mark.django_db
def test_a_paper_of_a_type_the_component_does_not_accept_is_refused(citizen_a, agency_x, birth_procedure, good_form,
                                                                     settings):
    from PIL import Image
    import io

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(out, format="PNG")
    client = login(citizen_a)
    png = upload(client, SimpleUploadedFile("to-khai.png", out.getvalue(), content_type="image/png")).json()["token"]
    other = upload(client, pdf()).json()["token"]
    before = state()
    r = submit(client, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=png, upload_giay_chung_sinh=other)
    assert r.status_code == 400
    assert "component_to_khai" in {e["field"] for e in r.json()["errors"]}  # "Tờ khai" accepts PDF only
    assert state() == before


@pytest.mark.django_db
def test_expired_papers_are_refused_then_purged_with_their_files(citizen_a, agency_x, birth_procedure, good_form):
    client = login(citizen_a)
    old = upload(client, pdf()).json()["token"]
    fresh = upload(client, pdf()).json()["token"]
    row = PaperUpload.objects.get(token=old)
    PaperUpload.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    before = state()
    r = submit(client, birth_procedure, good_form, agency=agency_x.pk, upload_to_khai=old, upload_giay_chung_sinh=fresh)
    assert r.status_code == 400 and state() == before
    assert services.paper_uploads_purge() == 1
    assert not default_storage.exists(row.file.name)
    assert list(PaperUpload.objects.values_list("token", flat=True)) == [fresh]
    assert services.paper_uploads_purge() == 0  # run twice: nothing more


@pytest.mark.django_db
@override_settings(MAX_PENDING_UPLOADS=2)
def test_a_user_holds_a_bounded_number_of_unused_papers(citizen_a):
    client = login(citizen_a)
    assert upload(client, pdf()).status_code == 201
    assert upload(client, pdf()).status_code == 201
    r = upload(client, pdf())
    assert r.status_code == 400 and "tối đa 2" in r.json()["errors"][0]["message"]
    assert PaperUpload.objects.count() == 2


@pytest.mark.django_db
def test_a_paper_taken_meanwhile_fails_the_whole_submission(citizen_a, agency_x, birth_procedure, good_form):
    """Two submissions racing for one paper: the one whose guarded delete finds it gone writes nothing."""
    client = login(citizen_a)
    tokens = {"to_khai": [upload(client, pdf()).json()["token"]], "giay_chung_sinh": [upload(client, pdf()).json()["token"]]}
    files = selectors.paper_uploads_named(owner=citizen_a, tokens=tokens)
    PaperUpload.objects.filter(token=tokens["giay_chung_sinh"][0]).delete()  # the other submission took it
    before = state()
    with pytest.raises(Exception) as exc:
        services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                       form_data=good_form, files=files)
    assert "tải lên lại" in str(exc.value)
    assert state() == before  # the first paper's row is still there: the whole change rolled back
