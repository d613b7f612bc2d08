"""Who sees which figures through /api/v1/scoring/ and the scoring pages."""
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from .conftest import vn

pytestmark = pytest.mark.django_db

API = "/api/v1/scoring"


def login(user) -> Client:
    client = Client()
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


@pytest.fixture
def data(journeys, staff_x, staff_y, agency_y):
    d = journeys.received(at=vn(2026, 3, 2, 8))
    journeys.finish(d, at=vn(2026, 3, 3, 9))
    journeys.desk(at=vn(2026, 3, 4, 8), staff=staff_y, agency=agency_y)
    return d


def test_anonymous_gets_401_and_citizens_403(data, citizen_a):
    assert Client().get(f"{API}/overview").status_code == 401
    assert Client().get(f"{API}/index766").status_code == 401
    citizen = login(citizen_a)
    for path in ("/overview", "/communes", "/index766", "/rankings/agencies", "/timeseries",
                 f"/officials/{citizen_a.pk}/evaluation", "/dossiers?metric=received"):
        r = citizen.get(API + path)
        assert r.status_code == 403, path
        assert r.json()["detail"]


def test_province_admin_and_ioc_viewer_see_everything(data, province_admin, ioc_viewer, staff_x, agency_x, communes):
    for user in (province_admin, ioc_viewer):
        c = login(user)
        r = c.get(f"{API}/overview", {"period": "2026-03"})
        assert r.status_code == 200
        body = r.json()
        assert (body["received"], body["finished"], body["open_now"]) == (2, 1, 1)
        assert body["online_rate"] == 50.0 and body["period_label"] == "Tháng 03/2026"
        assert c.get(f"{API}/agencies/{agency_x.code}/overview", {"period": "2026-03"}).json()["received"] == 1
        assert c.get(f"{API}/communes", {"period": "2026-03"}).status_code == 200
        idx = c.get(f"{API}/index766", {"scope": f"commune:{communes[0].pk}", "period": "2026-Q1"}).json()
        assert idx["scope"] == f"commune:{communes[0].pk}" and len(idx["indicators"]) == 16
        assert c.get(f"{API}/rankings/communes", {"period": "2026-03"}).status_code == 200
        assert c.get(f"{API}/officials/{staff_x['specialist'].pk}/evaluation", {"period": "2026"}).status_code == 200
        late = c.get(f"{API}/dossiers", {"metric": "late_now", "scope": f"agency:{agency_x.code}"}).json()
        assert late["count"] == 0
        series = c.get(f"{API}/timeseries", {"granularity": "week", "start": "2026-03-02", "end": "2026-03-15"}).json()
        assert [row["start"] for row in series] == ["2026-03-02", "2026-03-09"] and series[0]["received"] == 2


def test_a_leader_sees_their_agency_and_commune_only(data, staff_x, staff_y, agency_x, agency_y, communes):
    c = login(staff_x["leader"])
    assert c.get(f"{API}/overview").status_code == 403
    assert c.get(f"{API}/communes").status_code == 403
    assert c.get(f"{API}/index766", {"scope": "province"}).status_code == 403
    assert c.get(f"{API}/agencies/{agency_x.code}/overview", {"period": "2026-03"}).status_code == 200
    assert c.get(f"{API}/agencies/{agency_y.code}/overview").status_code == 403
    assert c.get(f"{API}/index766", {"scope": f"agency:{agency_x.code}"}).status_code == 200
    assert c.get(f"{API}/index766", {"scope": f"commune:{communes[0].pk}"}).status_code == 200
    assert c.get(f"{API}/index766", {"scope": f"commune:{communes[1].pk}"}).status_code == 403
    assert c.get(f"{API}/rankings/agencies").status_code == 200
    assert c.get(f"{API}/officials/{staff_x['specialist'].pk}/evaluation").status_code == 200
    assert c.get(f"{API}/officials/{staff_y['specialist'].pk}/evaluation").status_code == 404
    listed = c.get(f"{API}/dossiers", {"metric": "received", "scope": f"agency:{agency_x.code}", "period": "2026-03"})
    assert listed.status_code == 200 and [d["code"] for d in listed.json()["items"]] == [data.code]
    assert c.get(f"{API}/dossiers", {"metric": "received", "scope": f"agency:{agency_y.code}"}).status_code == 403
    admin = login(staff_x["admin"])
    assert admin.get(f"{API}/agencies/{agency_x.code}/officials", {"period": "2026"}).status_code == 200


def test_an_official_without_those_roles_sees_only_their_own_evaluation(data, staff_x):
    c = login(staff_x["specialist"])
    assert c.get(f"{API}/officials/{staff_x['specialist'].pk}/evaluation", {"period": "2026-03"}).json()["steps"] == 1
    assert c.get(f"{API}/officials/{staff_x['receiver'].pk}/evaluation").status_code == 404
    assert c.get(f"{API}/rankings/agencies").status_code == 403
    assert c.get(f"{API}/index766", {"scope": "agency:000.51.19.H55"}).status_code == 403


def test_bad_input_is_named_in_vietnamese(data, ioc_viewer):
    c = login(ioc_viewer)
    r = c.get(f"{API}/overview", {"period": "03/2026"})
    assert r.status_code == 400 and "2026-Q1" in r.json()["detail"]
    assert c.get(f"{API}/index766", {"scope": "agency:KHONG-CO"}).status_code == 404
    r = c.get(f"{API}/index766", {"scope": "tinh"})
    assert r.status_code == 400 and "province" in r.json()["detail"]
    r = c.get(f"{API}/dossiers", {"metric": "khong-co"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "metric"
    assert c.get(f"{API}/rankings/tinh").status_code == 400
    r = c.get(f"{API}/timeseries", {"start": "2026-03-10", "end": "2026-03-01"})
    assert r.status_code == 400
    r = c.get(f"{API}/dossiers", {"metric": "5.4", "part": "numerator"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "part"
    assert c.get(f"{API}/reports", {"metric": "reports_received", "part": "bad"}).status_code == 400


def test_evaluation_pages_and_downloads(data, staff_x, staff_y, citizen_a):
    leader = login(staff_x["leader"])
    uid = staff_x["specialist"].pk
    page = leader.get(f"/diem-so/can-bo/{uid}/", {"ky": "2026"})
    assert page.status_code == 200 and "Năm 2026" in page.content.decode()
    pdf = leader.get(f"/diem-so/can-bo/{uid}/phieu.pdf", {"ky": "2026"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    xlsx = leader.get(f"/diem-so/can-bo/{uid}/phieu.xlsx", {"ky": "2026"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert login(staff_y["leader"]).get(f"/diem-so/can-bo/{uid}/phieu.pdf").status_code == 404
    assert login(citizen_a).get(f"/diem-so/can-bo/{uid}/").status_code == 403
    anonymous = Client().get(f"/diem-so/can-bo/{uid}/phieu.pdf")
    assert anonymous.status_code == 302 and ("login" in anonymous["Location"] or "dang-nhap" in anonymous["Location"])
    mine = login(staff_x["specialist"]).get("/diem-so/can-bo/toi/")
    assert mine.status_code == 302 and mine["Location"].endswith(f"/diem-so/can-bo/{uid}/")
    ranks = leader.get("/diem-so/", {"ky": "2026-03"})
    assert ranks.status_code == 200 and staff_x["leader"].official.agency.name in ranks.content.decode()
    bad = leader.get("/diem-so/", {"ky": "thang-ba"})
    assert bad.status_code == 200 and "2026-Q1" in bad.content.decode()
