"""Public pages (communes, agency tree) and the province administrator's agency pages."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.events.models import DomainEvent
from tinhso.places.models import Agency

from .conftest import csv_bytes, snapshot, xlsx_bytes

pytestmark = pytest.mark.django_db

NEW_AGENCY = {"code": "000.00.40.H55", "name": "Sở Thử nghiệm", "short_name": "", "kind": "so",
              "parent_code": "000.00.00.H55", "commune_code": ""}


def test_commune_list_counts_and_lists_the_province(client):
    response = client.get(reverse("web:commune_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "92 xã, phường của Thái Nguyên" in html
    assert "Phường Phan Đình Phùng" in html and "05443" in html
    assert html.count("<h1") == 1


def test_commune_search_without_diacritics_and_type_filter(client):
    html = client.get(reverse("web:commune_list"), {"q": "phan dinh phung"}).content.decode()
    assert "Phường Phan Đình Phùng" in html and "Phường Đức Xuân" not in html
    html = client.get(reverse("web:commune_list"), {"type": "phuong"}).content.decode()
    assert "Tìm thấy 15 đơn vị" in html
    assert "<td>Xã</td>" not in html


def test_agency_tree_is_public_without_admin_actions(client, demo_agencies):
    response = client.get(reverse("web:agency_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sở Tư pháp" in html and "000.00.03.H55" in html and "Phòng Hành chính tư pháp" in html
    assert reverse("web:agency_create") not in html
    assert reverse("web:agency_edit", args=["000.00.03.H55"]) not in html


def test_admin_sees_actions_and_creates_an_agency(client, province_admin):
    client.force_login(province_admin)
    html = client.get(reverse("web:agency_list")).content.decode()
    assert reverse("web:agency_create") in html and reverse("web:agency_import") in html
    response = client.post(reverse("web:agency_create"), NEW_AGENCY)
    assert response.status_code == 302
    assert Agency.objects.get(code="000.00.40.H55").parent.code == "000.00.00.H55"


def test_admin_form_errors_are_summarised_and_nothing_written(client, province_admin):
    client.force_login(province_admin)
    before = snapshot()
    response = client.post(reverse("web:agency_create"), {**NEW_AGENCY, "code": "40.H55"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and 'href="#id_code"' in html and "NNN.NN.NN.XNN" in html
    assert snapshot() == before


def test_admin_edits_and_deactivates(client, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("web:agency_edit", args=["000.01.03.H55"]),
                           {"name": "Phòng Hành chính tư pháp", "short_name": "", "kind": "phong",
                            "parent_code": "000.00.03.H55", "commune_code": ""})
    assert response.status_code == 302
    assert Agency.objects.get(code="000.01.03.H55").name == "Phòng Hành chính tư pháp"
    response = client.post(reverse("web:agency_deactivate", args=["000.01.03.H55"]))
    assert response.status_code == 302
    assert not Agency.objects.get(code="000.01.03.H55").active


def test_admin_imports_excel_and_sees_row_errors(client, province_admin):
    client.force_login(province_admin)
    good = [["000.00.41.H55", "Sở Mới", "", "so", "000.00.00.H55", "", "1"]]
    upload = SimpleUploadedFile("co-quan.xlsx", xlsx_bytes(good))
    assert client.post(reverse("web:agency_import"), {"file": upload}).status_code == 302
    assert Agency.objects.filter(code="000.00.41.H55").exists()
    before = snapshot()
    bad = [["000.00.42.H55", "", "", "so", "", "", "1"]]
    html = client.post(reverse("web:agency_import"), {"file": SimpleUploadedFile("x.csv", csv_bytes(bad))}).content.decode()
    assert "<td>2</td><td>ten_co_quan</td>" in html
    renamed = SimpleUploadedFile("anh.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    html = client.post(reverse("web:agency_import"), {"file": renamed}).content.decode()
    assert "không phải tệp Excel" in html
    assert snapshot() == before


ADMIN_REQUESTS = [
    ("get", "web:agency_create", [], None),
    ("post", "web:agency_create", [], NEW_AGENCY),
    ("post", "web:agency_edit", ["000.00.03.H55"], {"name": "Bị đổi", "kind": "so", "short_name": "",
                                                   "parent_code": "", "commune_code": ""}),
    ("post", "web:agency_deactivate", ["000.01.03.H55"], {}),
    ("post", "web:agency_import", [], "file"),
]


def _send(client, method, name, args, data):
    url = reverse(name, args=args)
    if data == "file":
        data = {"file": SimpleUploadedFile("a.csv", csv_bytes([["000.00.43.H55", "Sở X", "", "so", "", "", "1"]]))}
    return client.get(url) if method == "get" else client.post(url, data or {})


@pytest.mark.parametrize("method,name,args,data", ADMIN_REQUESTS)
def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, demo_agencies, method, name, args, data):
    before = snapshot()
    response = _send(client, method, name, args, data)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["citizen", "official_without_role", "admin_of_other_province"])
@pytest.mark.parametrize("method,name,args,data", ADMIN_REQUESTS)
def test_others_are_refused_and_nothing_changes(client, refused_users, who, method, name, args, data):
    client.force_login(refused_users[who])
    before = snapshot()
    response = _send(client, method, name, args, data)
    assert response.status_code == 403
    assert snapshot() == before
    assert not DomainEvent.objects.filter(name__startswith="places.agenc", actor=refused_users[who]).exists()
