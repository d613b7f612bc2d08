"""Every number of the overview leads to exactly the records it counts: the split by commune (or agency)
adds up to the number, each commune's split by official adds up to the commune's, and each official's
list of dossiers has as many rows as that official's count."""
import re

import pytest

from tinhso.ioc import selectors
from tinhso.scoring.periods import period_parse, scope_province

pytestmark = pytest.mark.django_db

COUNTED = [  # (overview figure, metric, period of the figure)
    ("received_today", "received", "today"),
    ("received", "received", "period"),
    ("online", "online", "period"),
    ("late_now", "late_now", "now"),
    ("paused_now", "paused_now", "now"),
    ("open_now", "open_now", "now"),
    ("finished", "finished", "period"),
    ("done_on_time", "done_on_time", "period"),
    ("done_late", "done_late", "period"),
]


def api_total(client, metric, period, scope="", official=""):
    body = client.get("/api/v1/ioc/dossiers", {"metric": metric, "period": period, "scope": scope,
                                               "official": official, "page_size": 200}).json()
    return body["total"], [i["code"] for i in body["items"]]


@pytest.mark.parametrize("figure,metric,when", COUNTED)
def test_each_overview_number_equals_its_lists_at_every_level(client, people, ioc_data, figure, metric, when):
    client.force_login(people["ioc"])
    ov = client.get("/api/v1/ioc/overview").json()
    value = ov["figures"][figure]
    assert value == ioc_data["expected"][figure]
    period = {"now": "now", "period": ov["period"]}.get(when) or selectors.period_of("day", selectors.today_local()).key
    total, _codes = api_total(client, metric, period)
    assert total == value
    by_commune = client.get("/api/v1/ioc/breakdown", {"metric": metric, "period": period, "by": "commune"}).json()
    assert by_commune["total"] == value
    for row in by_commune["rows"]:
        if not row["scope"]:
            continue
        commune_total, _ = api_total(client, metric, period, row["scope"])
        assert commune_total == row["count"]
        officials = client.get("/api/v1/ioc/breakdown", {"metric": metric, "period": period, "by": "official",
                                                         "scope": row["scope"]}).json()
        assert officials["total"] == row["count"]
        for o in officials["rows"]:
            n, codes = api_total(client, metric, period, row["scope"], o["official"])
            assert n == o["count"] == len(codes)


def test_late_now_lists_exactly_the_late_dossiers_per_commune_and_official(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    d = ioc_data["dossiers"]
    _n, codes = api_total(client, "late_now", "now")
    assert sorted(codes) == sorted(d[k].code for k in ("x_late", "x_late_supp", "y_late", "s_late"))
    _n, codes_x = api_total(client, "late_now", "now", f"commune:{communes[0].code}")
    assert sorted(codes_x) == sorted([d["x_late"].code, d["x_late_supp"].code])
    officials = client.get("/api/v1/ioc/breakdown", {"metric": "late_now", "period": "now", "by": "official",
                                                     "scope": f"commune:{communes[0].code}"}).json()["rows"]
    assert {o["name"]: o["count"] for o in officials} == {people["specialist_x"].full_name: 1,
                                                          people["specialist_x2"].full_name: 1}
    _n, mine = api_total(client, "late_now", "now", f"commune:{communes[0].code}", str(people["specialist_x"].pk))
    assert mine == [d["x_late"].code]
    # The department's late dossier has no commune: it is in the province's split, under the province level.
    rows = client.get("/api/v1/ioc/breakdown", {"metric": "late_now", "period": "now", "by": "commune"}).json()["rows"]
    assert {r["key"]: r["count"] for r in rows} == {communes[0].code: 2, communes[1].code: 1,
                                                   selectors.PROVINCE_LEVEL: 1}


def test_the_pages_show_the_same_numbers_and_link_them(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    page = client.get("/ioc/").content.decode()
    card = re.search(r'data-figure="late_now">.*?<a class="ioc-value-link" href="([^"]+)"[^>]*><span class="ioc-value">([^<]+)</span>', page, re.S)
    assert card and card.group(2).strip() == "4"
    breakdown = client.get(card.group(1).replace("&amp;", "&")).content.decode()
    assert communes[0].name in breakdown and communes[1].name in breakdown
    # The commune table's late count of X leads to exactly X's late dossiers.
    table = client.get("/ioc/xa-phuong/?sap=late_now&chieu=giam").content.decode()
    row = re.search(rf'data-commune="{communes[0].code}">.*?data-col="late_now"><a href="([^"]+)">(\d+)</a>', table, re.S)
    assert row and row.group(2) == "2"
    listing = client.get(row.group(1).replace("&amp;", "&")).content.decode()
    shown = set(re.findall(r'data-dossier="([^"]+)"', listing))
    d = ioc_data["dossiers"]
    assert shown == {d["x_late"].code, d["x_late_supp"].code}
    assert "Quá hạn" in listing


def test_commune_table_sorts_by_every_column(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    for key, _label in selectors.COMMUNE_COLUMNS:
        for direction in ("tang", "giam"):
            response = client.get(f"/ioc/xa-phuong/?sap={key}&chieu={direction}")
            assert response.status_code == 200
            assert 'aria-sort="' + ("descending" if direction == "giam" else "ascending") + '"' in response.content.decode()
    desc = client.get("/ioc/xa-phuong/?sap=late_now&chieu=giam").content.decode()
    asc = client.get("/ioc/xa-phuong/?sap=late_now&chieu=tang").content.decode()
    order = lambda html: re.findall(r'data-commune="(\d+)"', html)  # noqa: E731
    assert order(desc) == [communes[0].code, communes[1].code]
    assert order(asc) == [communes[1].code, communes[0].code]


def test_reports_open_and_late_lead_to_those_reports(client, people, ioc_data, communes):
    client.force_login(people["ioc"])
    ov = client.get("/api/v1/ioc/overview").json()["figures"]
    assert (ov["reports_open"], ov["reports_late"]) == (2, 1)
    page = client.get(f"/ioc/phan-anh/?chi_so=reports_late&ky=now&pham_vi=commune:{communes[0].code}").content.decode()
    assert set(re.findall(r'data-report="([^"]+)"', page)) == {"PA-IOC-0001"}
    page = client.get("/ioc/phan-anh/?chi_so=reports_open&ky=now").content.decode()
    assert set(re.findall(r'data-report="([^"]+)"', page)) == {"PA-IOC-0001", "PA-IOC-0002"}


def test_selectors_split_adds_up_without_http(ioc_data):
    period = period_parse("")
    rows = selectors.breakdown("open_now", "numerator", scope_province(), None, by="agency")
    assert sum(r["count"] for r in rows) == ioc_data["expected"]["open_now"]
    assert period.kind == "month"


def test_the_map_shows_the_commune_tables_values(client, people, ioc_data, communes):
    from django.utils import timezone

    now = timezone.now()
    period = period_parse("")
    table = {r["code"]: r for r in selectors.commune_rows(period, now=now)}
    for indicator in ("late_now", "received", "on_time_rate"):
        m = selectors.map_points(period, indicator, now=now)
        values = {p["code"]: p["value"] for p in m["points"] + m["unplaced"]}
        assert values == {code: r[indicator] for code, r in table.items()}, indicator
    m = selectors.map_points(period, "late_now", now=now)
    assert {p["code"]: p["value"] for p in m["points"]} == {communes[0].code: 2, communes[1].code: 1}
    assert all(p["lat"] and p["lon"] for p in m["points"])
