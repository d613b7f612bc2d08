"""Every table exports to Excel and CSV with its rows; the monthly report to PDF and Excel."""
import csv
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def csv_rows(response):
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_dossier_list_exports_have_exactly_the_listed_dossiers(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    d = ioc_data["dossiers"]
    base = f"/ioc/ho-so/?chi_so=late_now&ky=now&pham_vi=commune:{communes[0].code}"
    rows = xlsx_rows(client.get(base + "&dinh_dang=xlsx"))
    header = rows.index(next(r for r in rows if r and r[0] == "STT"))
    codes = {r[1] for r in rows[header + 1:] if r[1]}
    assert codes == {d["x_late"].code, d["x_late_supp"].code}
    rows = csv_rows(client.get(base + "&dinh_dang=csv"))
    assert rows[0][:2] == ["STT", "Mã hồ sơ"]
    assert {r[1] for r in rows[1:]} == codes


def test_commune_table_exports(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    rows = xlsx_rows(client.get("/ioc/xa-phuong/?sap=late_now&chieu=giam&dinh_dang=xlsx"))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Xã, phường")
    body = [r for r in rows[header + 1:] if r and r[0]]
    assert [r[0] for r in body] == [communes[0].name, communes[1].name]
    late_col = rows[header].index("Đang quá hạn")
    assert [r[late_col] for r in body] == [2, 1]
    rows = csv_rows(client.get("/ioc/xa-phuong/?dinh_dang=csv"))
    assert {r[0] for r in rows[1:]} == {communes[0].name, communes[1].name}


@pytest.mark.parametrize("url", ["/ioc/chi-tieu/?chi_so=open_now&ky=now", "/ioc/dien-bien/?theo=week",
                                 "/ioc/chi-so-766/", "/ioc/ban-do/", "/ioc/phan-anh/?chi_so=reports_open&ky=now"])
def test_other_tables_export_to_both_formats(client, people, ioc_data, url):
    client.force_login(people["ioc"])
    sep = "&" if "?" in url else "?"
    assert len(xlsx_rows(client.get(url + sep + "dinh_dang=xlsx"))) > 4
    assert len(csv_rows(client.get(url + sep + "dinh_dang=csv"))) > 1


def test_breakdown_export_adds_up(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    rows = csv_rows(client.get("/ioc/chi-tieu/?chi_so=late_now&ky=now&dinh_dang=csv"))
    counts = {r[0]: int(r[2]) for r in rows[1:-1]}
    assert counts[communes[0].name] == 2 and counts[communes[1].name] == 1
    assert rows[-1][0] == "Tổng cộng" and int(rows[-1][2]) == 4


def test_monthly_report_pdf_and_excel(client, people, ioc_data, agency_x, agency_y, department):
    client.force_login(people["ioc"])
    rows = xlsx_rows(client.get("/ioc/bao-cao-thang/?dinh_dang=xlsx"))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    body = {r[1]: r for r in rows[header + 1:] if r and r[1]}
    assert set(body) == {agency_x.code, agency_y.code, department.code}
    cols = rows[header]
    assert body[agency_x.code][cols.index("Tiếp nhận")] == 7
    assert body[agency_x.code][cols.index("Trong đó quá hạn")] == 2
    total = rows[-1]
    assert total[2] == "Tổng cộng" and total[cols.index("Tiếp nhận")] == 12
    pdf = client.get("/ioc/bao-cao-thang/?dinh_dang=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
