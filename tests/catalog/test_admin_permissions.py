"""Who may edit the catalog; refused users change nothing."""
import pytest
from django.core.exceptions import PermissionDenied

from tinhso.catalog import services
from tinhso.catalog.models import Procedure
from tinhso.events.models import DomainEvent

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(Procedure.objects.values_list("code", "name", "published", "time_amount"))


def test_agency_admin_edits_own_agency_procedure_with_event(catalog_with_agencies, tp_admin):
    p = Procedure.objects.get(code="2.000488")
    services.procedure_update(actor=tp_admin, procedure=p, data={"time_amount": 9})
    services.procedure_publish(actor=tp_admin, procedure=p, published=False)
    p.refresh_from_db()
    assert (p.time_amount, p.published) == (9, False)
    names = list(DomainEvent.objects.filter(subject_id=str(p.pk)).values_list("name", flat=True))
    assert names == ["catalog.procedure_updated", "catalog.procedure_unpublished"]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "plain_official", "xd_admin", "tp_admin_commune"])
def test_refused_users_change_nothing(catalog_with_agencies, who, request, client):
    from django.contrib.auth.models import AnonymousUser

    user = {"anonymous": AnonymousUser()}.get(who) or request.getfixturevalue(who.replace("_commune", ""))
    code = "1.001193" if who == "tp_admin_commune" else "2.000488"
    p = Procedure.objects.get(code=code)
    before, events = _snapshot(), DomainEvent.objects.count()
    for call in (
        lambda: services.procedure_update(actor=user, procedure=p, data={"name": "Đổi tên"}),
        lambda: services.procedure_publish(actor=user, procedure=p, published=False),
        lambda: services.procedure_set_fees(actor=user, procedure=p, fees=[]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # the same through the web pages
    if who != "anonymous":
        client.force_login(user)
    r = client.post(f"/quan-ly/thu-tuc/{code}/cong-bo/", {"published": "0"})
    assert r.status_code in (302, 403) and (r.status_code == 403 or "/accounts/" in r["Location"] or "login" in r["Location"])
    r = client.post(f"/quan-ly/thu-tuc/{code}/phi/", {"phi-TOTAL_FORMS": "0", "phi-INITIAL_FORMS": "0"})
    assert r.status_code in (302, 403) and (r.status_code == 403 or "login" in r["Location"] or "/accounts/" in r["Location"])
    assert _snapshot() == before and DomainEvent.objects.count() == events


def test_agency_admin_cannot_move_procedure_to_another_agency(catalog_with_agencies, tp_admin, so_xay_dung):
    p = Procedure.objects.get(code="2.000488")
    with pytest.raises(PermissionDenied):
        services.procedure_update(actor=tp_admin, procedure=p, data={"agency": so_xay_dung})
    assert Procedure.objects.get(code="2.000488").agency.name == "Sở Tư pháp"


def test_admin_pages_for_province_admin(catalog_with_agencies, province_admin, client):
    client.force_login(province_admin)
    assert client.get("/quan-ly/thu-tuc/").status_code == 200
    assert client.get("/quan-ly/thu-tuc/1.001193/").status_code == 200
    for section in ("phi", "thanh-phan", "to-khai", "quy-trinh"):
        assert client.get(f"/quan-ly/thu-tuc/1.001193/{section}/").status_code == 200
    r = client.post("/quan-ly/thu-tuc/1.001193/phi/", {
        "phi-TOTAL_FORMS": "1", "phi-INITIAL_FORMS": "1", "phi-0-description": "Lệ phí mới", "phi-0-amount": "5000"})
    assert r.status_code == 302
    assert list(Procedure.objects.get(code="1.001193").fees.values_list("amount", flat=True)) == [5000]
    r = client.get("/quan-ly/thu-tuc/xuat/?fmt=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.post("/quan-ly/thu-tuc/1.001193/cong-bo/", {"published": "0"})
    assert r.status_code == 302 and not Procedure.objects.get(code="1.001193").published


def test_create_procedure_through_page_with_validation(catalog_with_agencies, province_admin, client):
    client.force_login(province_admin)
    field_id = Procedure.objects.get(code="1.001193").field_id
    data = {"code": "1001", "name": "Thủ tục mới", "field": field_id, "level": "commune", "agency_kind": "ubnd_xa",
            "online_level": "mot_phan", "legal_basis": "Luật", "subjects": "Công dân", "result_name": "Kết quả",
            "result_paper": "on", "time_kind": "working_days", "time_amount": "0", "source_document": "Luật"}
    r = client.post("/quan-ly/thu-tuc/them/", data)
    html = r.content.decode()
    assert r.status_code == 200 and "1.001193" in html and "error-summary" in html
    assert not Procedure.objects.filter(name="Thủ tục mới").exists()
    r = client.post("/quan-ly/thu-tuc/them/", dict(data, code="1.999998", time_amount="4"))
    assert r.status_code == 302
    assert Procedure.objects.get(code="1.999998").published is False
