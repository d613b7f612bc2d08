"""Once-only reuse: a stored paper is attached by reference; forged or expired references are refused."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tinhso.datastore import selectors
from tinhso.datastore.models import DataAccessLog, StoredDocument
from tinhso.datastore.vocabulary import DocType, Origin
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierComponent, DossierEvent

from .conftest import login, pdf


def self_declared(owner, doc_type, valid_until=None, title="Giấy xác nhận tình trạng hôn nhân"):
    doc = StoredDocument(owner=owner, doc_type=doc_type, title=title, issued_on=dt.date(2025, 1, 2),
                         valid_until=valid_until, sha256="0" * 64, origin=Origin.SELF, created_at=timezone.now(),
                         content_type="application/pdf", original_filename="xac-nhan.pdf")
    doc.file.save("xac-nhan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    doc.save()
    return doc


def test_stored_birth_certificate_is_attached_by_reference(issued_birth_certificate, father, correction_procedure,
                                                           agency_x, staff_x, correction_form, client):
    stored = StoredDocument.objects.get(owner=father)
    d = services.dossier_submit_online(actor=father, procedure=correction_procedure, agency=agency_x,
                                       form_data=correction_form, files={"to_khai": [pdf("to-khai.pdf")]},
                                       reuse={"giay_to_lien_quan": stored.pk})
    comp = d.components.get(key="giay_to_lien_quan")
    assert comp.reused_from == stored and comp.reuse_source == "datastore"
    assert comp.file.name == stored.file.name  # no copy of the bytes
    assert d.components.get(key="to_khai").reuse_source == ""
    event = d.events.get()
    assert {"component": "giay_to_lien_quan", "reused_from": stored.pk, "source": "datastore",
            "sha256": stored.sha256} in event.attachments
    assert selectors.reuse_flags(d) == {"reused_any": True, "from_store": 1, "components": 2}

    # The receiving official sees the component as reused.
    login(client, staff_x["receiver"])
    page = client.get(reverse("web:official_dossier", args=[d.pk])).content.decode()
    assert "Tái sử dụng từ kho dữ liệu" in page
    assert reverse("web:official_store_document", args=[d.pk, stored.pk]) in page


def test_submit_page_offers_the_stored_paper_and_prefills(issued_birth_certificate, father, correction_procedure,
                                                          agency_x, client):
    stored = StoredDocument.objects.get(owner=father)
    client.force_login(father)
    page = client.get(reverse("web:dossier_submit", args=[correction_procedure.code])).content.decode()
    assert "Dùng giấy tờ trong kho" in page
    assert f'name="kho_giay_to_lien_quan" id="id_kho_giay_to_lien_quan_{stored.pk}" value="{stored.pk}" checked' in page


def test_forged_reference_to_another_citizens_paper_is_refused_and_nothing_written(
        issued_birth_certificate, mother, stranger, correction_procedure, agency_x, correction_form):
    mothers = StoredDocument.objects.get(owner=mother)
    before = (Dossier.objects.count(), DossierComponent.objects.count(), DossierEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(actor=stranger, procedure=correction_procedure, agency=agency_x,
                                       form_data=correction_form, files={"to_khai": [pdf()]},
                                       reuse={"giay_to_lien_quan": mothers.pk})
    msgs = exc.value.message_dict["component_giay_to_lien_quan"]
    assert "Giấy tờ làm căn cứ cho việc thay đổi, cải chính" in msgs[0] and "không có trong kho" in msgs[0]
    assert (Dossier.objects.count(), DossierComponent.objects.count(), DossierEvent.objects.count()) == before


def test_forged_reference_by_web_form_shows_the_error_on_the_component(
        issued_birth_certificate, mother, stranger, correction_procedure, agency_x, client):
    mothers = StoredDocument.objects.get(owner=mother)
    client.force_login(stranger)
    before = Dossier.objects.count()
    response = client.post(reverse("web:dossier_submit", args=[correction_procedure.code]), {
        "tk-noi_dung": "Cải chính", "hinh_thuc_nhan": "online", "submit_token": "forged-1",
        "kho_giay_to_lien_quan": str(mothers.pk), "tep_to_khai": pdf()})
    assert response.status_code == 200
    assert "không có trong kho dữ liệu của người nộp" in response.content.decode()
    assert Dossier.objects.count() == before


def test_expired_paper_is_refused_where_validity_is_required(father, marriage_procedure, agency_x):
    expired = self_declared(father, DocType.MARITAL_STATUS, valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(actor=father, procedure=marriage_procedure, agency=agency_x, form_data={},
                                       files={"to_khai": [pdf()]}, reuse={"xac_nhan_hon_nhan": expired.pk})
    msg = exc.value.message_dict["component_xac_nhan_hon_nhan"][0]
    assert "Giấy xác nhận tình trạng hôn nhân" in msg and "đã hết hạn" in msg
    assert expired.valid_until.strftime("%d/%m/%Y") in msg
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    # Not even offered on the submit page.
    assert selectors.reusable_documents(owner=father, procedure=marriage_procedure, on=timezone.localdate()) == {}

    valid = self_declared(father, DocType.MARITAL_STATUS, valid_until=timezone.localdate() + dt.timedelta(days=30))
    d = services.dossier_submit_online(actor=father, procedure=marriage_procedure, agency=agency_x, form_data={},
                                       files={"to_khai": [pdf()]}, reuse={"xac_nhan_hon_nhan": valid.pk})
    assert d.components.get(key="xac_nhan_hon_nhan").reused_from == valid


def test_paper_of_the_wrong_type_is_refused(issued_birth_certificate, father, marriage_procedure, agency_x):
    birth = StoredDocument.objects.get(owner=father)
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(actor=father, procedure=marriage_procedure, agency=agency_x, form_data={},
                                       files={"to_khai": [pdf()]}, reuse={"xac_nhan_hon_nhan": birth.pk})
    assert "không dùng được cho thành phần này" in exc.value.message_dict["component_xac_nhan_hon_nhan"][0]
    assert Dossier.objects.count() == 1  # only the khai sinh dossier


class TestAtTheDesk:
    def test_reuse_needs_the_citizens_consent(self, issued_birth_certificate, father, correction_procedure, agency_x,
                                              staff_x, correction_form):
        stored = StoredDocument.objects.get(owner=father)
        before = Dossier.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.dossier_register_at_desk(
                actor=staff_x["receiver"], procedure=correction_procedure, agency=agency_x,
                applicant={"applicant_name": father.full_name}, form_data=correction_form, files={},
                citizen=father, reuse={"giay_to_lien_quan": stored.pk})
        assert "Công dân đồng ý" in exc.value.message_dict["reuse_consent"][0]
        assert Dossier.objects.count() == before and not DataAccessLog.objects.exists()

        d = services.dossier_register_at_desk(
            actor=staff_x["receiver"], procedure=correction_procedure, agency=agency_x,
            applicant={"applicant_name": father.full_name}, form_data=correction_form, files={},
            citizen=father, reuse={"giay_to_lien_quan": stored.pk}, reuse_consent=True)
        assert d.components.get(key="giay_to_lien_quan").reused_from == stored
        assert d.events.get().data["reuse_consent"] is True
        log = DataAccessLog.objects.get()
        assert (log.citizen, log.official, log.dossier, log.document, log.what, log.allowed) == (
            father, staff_x["receiver"], d, stored, "reuse", True)

    def test_desk_cannot_use_another_citizens_paper(self, issued_birth_certificate, mother, stranger,
                                                    correction_procedure, agency_x, staff_x, correction_form):
        mothers = StoredDocument.objects.get(owner=mother)
        before = Dossier.objects.count()
        with pytest.raises(ValidationError):
            services.dossier_register_at_desk(
                actor=staff_x["receiver"], procedure=correction_procedure, agency=agency_x,
                applicant={"applicant_name": stranger.full_name}, form_data=correction_form, files={},
                citizen=stranger, reuse={"giay_to_lien_quan": mothers.pk}, reuse_consent=True)
        assert Dossier.objects.count() == before and not DataAccessLog.objects.exists()
