"""An official who handles a dossier of the citizen marks a self-declared paper as checked against its
original; nobody else can, and a refusal changes nothing but the access log."""
import pytest
from django.urls import reverse

from tinhso.datastore import services as store
from tinhso.datastore.models import DataAccessLog, StoredDocument
from tinhso.dossiers import services

from .conftest import login, pdf


@pytest.fixture
def self_declared(father):
    return store.document_add(actor=father, doc_type="cccd", title="Căn cước công dân", upload=pdf("cccd.pdf"),
                              number="019090001234")


@pytest.fixture
def dossier_of_father(father, correction_procedure, agency_x, correction_form):
    return services.dossier_submit_online(actor=father, procedure=correction_procedure, agency=agency_x,
                                          form_data=correction_form,
                                          files={"to_khai": [pdf()], "giay_to_lien_quan": [pdf()]})


def test_handling_official_verifies_a_self_declared_paper(self_declared, dossier_of_father, staff_x, client):
    assert self_declared.origin == "self" and not self_declared.verified
    login(client, staff_x["receiver"])
    response = client.post(reverse("web:official_store_verify", args=[dossier_of_father.pk, self_declared.pk]))
    assert response.status_code == 302
    doc = StoredDocument.objects.get(pk=self_declared.pk)
    assert doc.origin == "official" and doc.verified_by == staff_x["receiver"] and doc.verified
    assert DataAccessLog.objects.filter(what="verify", allowed=True, document=doc).count() == 1


def test_official_of_another_agency_cannot_verify(self_declared, dossier_of_father, staff_y, client):
    login(client, staff_y["leader"])
    response = client.post(reverse("web:official_store_verify", args=[dossier_of_father.pk, self_declared.pk]))
    assert response.status_code == 403
    doc = StoredDocument.objects.get(pk=self_declared.pk)
    assert doc.origin == "self" and doc.verified_by is None
    assert DataAccessLog.objects.filter(what="verify", allowed=False, document=doc).count() == 1


@pytest.mark.parametrize("who", ["anonymous", "owner", "stranger"])
def test_citizens_and_anonymous_cannot_verify(who, self_declared, dossier_of_father, father, stranger, client):
    if who != "anonymous":
        login(client, father if who == "owner" else stranger)
    response = client.post(reverse("web:official_store_verify", args=[dossier_of_father.pk, self_declared.pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/dang-nhap" in response.url or "login" in response.url
    assert StoredDocument.objects.get(pk=self_declared.pk).origin == "self"
