"""Officials read a citizen's store only within a dossier their agency handles; every read is logged and
listed on the citizen's “who used my data” page; a refusal changes nothing else."""
import pytest
from django.urls import reverse

from tinhso.datastore.models import DataAccessLog, StoredDocument
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierEvent

from .conftest import login, pdf


@pytest.fixture
def reused_dossier(issued_birth_certificate, father, correction_procedure, agency_x, correction_form):
    stored = StoredDocument.objects.get(owner=father)
    d = services.dossier_submit_online(actor=father, procedure=correction_procedure, agency=agency_x,
                                       form_data=correction_form, files={"to_khai": [pdf()]},
                                       reuse={"giay_to_lien_quan": stored.pk})
    return d, stored


def snapshot():
    return (list(StoredDocument.objects.values_list("pk", "removed_at", "owner_id").order_by("pk")),
            list(Dossier.objects.values_list("pk", "state", "updated_at").order_by("pk")),
            DossierEvent.objects.count())


def test_handling_official_opens_the_paper_and_the_citizen_sees_it(reused_dossier, father, staff_x, client):
    d, stored = reused_dossier
    login(client, staff_x["specialist"])
    listing = client.get(reverse("web:official_dossier_store", args=[d.pk]))
    assert listing.status_code == 200 and stored.title in listing.content.decode()
    response = client.get(reverse("web:official_store_document", args=[d.pk, stored.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    logs = list(DataAccessLog.objects.order_by("id"))
    assert [(log.what, log.allowed, log.document_id) for log in logs] == [("list", True, None), ("open", True, stored.pk)]
    assert all(log.citizen == father and log.official == staff_x["specialist"] and log.dossier == d
               and log.agency == d.agency for log in logs)
    # The component download of a reused paper goes through the logged view too.
    comp = d.components.get(key="giay_to_lien_quan")
    redirect = client.get(reverse("web:official_dossier_component", args=[d.pk, comp.pk]))
    assert redirect.status_code == 302 and redirect.url == reverse("web:official_store_document", args=[d.pk, stored.pk])

    client.logout()
    login(client, father)
    page = client.get(reverse("web:who_used_my_data")).content.decode()
    assert staff_x["specialist"].full_name in page and d.agency.name in page
    assert f"<td>#{d.pk}</td>" in page or (d.code and d.code in page)
    assert "Mở giấy tờ" in page and "Được phép" in page


@pytest.mark.parametrize("how", ["page", "api"])
def test_official_of_another_agency_is_refused_logged_and_nothing_changes(reused_dossier, father, staff_y, client, how):
    d, stored = reused_dossier
    before = snapshot()
    login(client, staff_y["leader"])
    if how == "page":
        response = client.get(reverse("web:official_store_document", args=[d.pk, stored.pk]))
    else:
        response = client.get(f"/api/v1/datastore/dossiers/{d.pk}/documents/{stored.pk}")
        assert "không được mở kho dữ liệu" in response.json()["detail"]
    assert response.status_code == 403
    log = DataAccessLog.objects.get()
    assert (log.citizen, log.official, log.allowed, log.what, log.document) == (father, staff_y["leader"], False,
                                                                                 "open", stored)
    assert log.agency == staff_y["leader"].official.agency and log.reason
    assert snapshot() == before

    client.logout()
    login(client, father)
    page = client.get(reverse("web:who_used_my_data")).content.decode()
    assert "Bị từ chối" in page and staff_y["leader"].full_name in page


def test_own_agency_official_cannot_open_a_paper_of_someone_else_through_the_dossier(
        reused_dossier, mother, staff_x, client):
    d, _stored = reused_dossier
    mothers = StoredDocument.objects.get(owner=mother)
    login(client, staff_x["specialist"])
    response = client.get(f"/api/v1/datastore/dossiers/{d.pk}/documents/{mothers.pk}")
    assert response.status_code == 403
    log = DataAccessLog.objects.get()
    assert log.citizen == mother and not log.allowed


@pytest.mark.parametrize("who", ["anonymous", "owner", "other_citizen"])
def test_non_officials_cannot_use_the_official_routes(reused_dossier, father, stranger, client, who):
    d, stored = reused_dossier
    if who != "anonymous":
        login(client, father if who == "owner" else stranger)
    response = client.get(f"/api/v1/datastore/dossiers/{d.pk}/documents/{stored.pk}")
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert not DataAccessLog.objects.exists()


def test_api_lists_the_citizens_own_documents_and_access_log(reused_dossier, father, stranger, staff_x, client):
    d, stored = reused_dossier
    login(client, staff_x["receiver"])
    assert client.get(f"/api/v1/datastore/dossiers/{d.pk}/documents").status_code == 200
    client.logout()
    login(client, father)
    docs = client.get("/api/v1/datastore/documents").json()
    assert [x["id"] for x in docs] == [stored.pk] and docs[0]["verified"] and docs[0]["origin"] == "tinhso"
    log = client.get("/api/v1/datastore/access-log").json()
    assert len(log) == 1 and log[0]["official"] == staff_x["receiver"].full_name and log[0]["allowed"]
    client.logout()
    login(client, stranger)
    assert client.get("/api/v1/datastore/documents").json() == []
    assert client.get("/api/v1/datastore/access-log").json() == []


def test_access_log_is_append_only(reused_dossier, staff_x, client):
    d, stored = reused_dossier
    login(client, staff_x["receiver"])
    client.get(reverse("web:official_store_document", args=[d.pk, stored.pk]))
    log = DataAccessLog.objects.get()
    log.allowed = False
    with pytest.raises(RuntimeError):
        log.save()
    with pytest.raises(RuntimeError):
        log.delete()
    assert DataAccessLog.objects.get().allowed is True
