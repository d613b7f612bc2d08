"""Who may open the operations centre: province admin and IOC viewers everything, a leader their own
agency only, anyone else 403 (anonymous: sign in on pages, 401 on the API)."""
import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/ioc/", "/ioc/xa-phuong/", "/ioc/ban-do/", "/ioc/dien-bien/", "/ioc/chi-so-766/", "/ioc/bao-cao-thang/",
         "/ioc/man-hinh-lon/", "/ioc/chi-tieu/?chi_so=late_now&ky=now", "/ioc/ho-so/?chi_so=late_now&ky=now"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_sign_in(client, ioc_data, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"] or "dang-nhap" in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "specialist_x"])
@pytest.mark.parametrize("url", PAGES)
def test_citizens_and_officials_without_the_role_are_refused(client, people, ioc_data, who, url):
    client.force_login(people[who])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["ioc", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_province_viewers_see_every_page(client, people, ioc_data, who, url):
    client.force_login(people[who])
    assert client.get(url).status_code == 200


def test_a_leader_sees_their_agency_and_nothing_else(client, people, ioc_data, agency_x, agency_y, communes):
    client.force_login(people["leader_y"])
    own = client.get("/ioc/")
    assert own.status_code == 200
    assert agency_y.name in own.content.decode()
    assert client.get(f"/ioc/?pham_vi=agency:{agency_y.code}").status_code == 200
    assert client.get(f"/ioc/ho-so/?chi_so=late_now&ky=now&pham_vi=agency:{agency_y.code}").status_code == 200
    # Another agency, another commune, the province, the province-wide pages: refused.
    assert client.get(f"/ioc/?pham_vi=agency:{agency_x.code}").status_code == 403
    assert client.get(f"/ioc/?pham_vi=commune:{communes[0].code}").status_code == 403
    assert client.get("/ioc/?pham_vi=province").status_code == 403
    assert client.get(f"/ioc/ho-so/?chi_so=late_now&ky=now&pham_vi=agency:{agency_x.code}").status_code == 403
    assert client.get("/ioc/ho-so/?chi_so=late_now&ky=now&pham_vi=province").status_code == 403
    assert client.get("/ioc/xa-phuong/").status_code == 403
    assert client.get("/ioc/bao-cao-thang/").status_code == 403


def test_api_permissions(client, people, ioc_data, agency_x, agency_y):
    url = "/api/v1/ioc/overview"
    assert client.get(url).status_code == 401
    client.force_login(people["citizen"])
    assert client.get(url).status_code == 403
    client.force_login(people["leader_y"])
    assert client.get(url, {"scope": f"agency:{agency_x.code}"}).status_code == 403
    assert client.get("/api/v1/ioc/dossiers", {"metric": "late_now", "period": "now",
                                               "scope": f"agency:{agency_x.code}"}).status_code == 403
    assert client.get(url, {"scope": f"agency:{agency_y.code}"}).status_code == 200
    client.force_login(people["ioc"])
    body = client.get(url).json()
    assert body["scope"] == "province"
    assert body["figures"]["late_now"] == ioc_data["expected"]["late_now"]


def test_bad_parameters_say_what_to_fix(client, people, ioc_data):
    client.force_login(people["ioc"])
    response = client.get("/ioc/?ky=tháng-ba")
    assert response.status_code == 400
    assert "hãy ghi năm (2026), quý (2026-Q1), tháng (2026-03)" in response.content.decode()
    response = client.get("/ioc/ho-so/?chi_so=khong-co&ky=now")
    assert response.status_code == 400
    assert "Chỉ tiêu" in response.content.decode()
    assert client.get("/ioc/?pham_vi=agency:000.99.99.H55").status_code == 404
    api = client.get("/api/v1/ioc/overview", {"period": "2026-13"})
    assert api.status_code == 400
    assert "không hợp lệ" in api.json()["detail"]


def test_the_home_page_offers_the_ioc_only_to_those_who_may_open_it(client, people, ioc_data):
    client.force_login(people["ioc"])
    assert "/ioc/" in client.get("/").content.decode()
    client.force_login(people["leader_x"])
    assert "/ioc/" in client.get("/").content.decode()
    client.force_login(people["specialist_x"])
    assert "/ioc/" not in client.get("/").content.decode()
