"""Import and export: JSON and Excel round trips; a bad import writes nothing and names the place."""
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from tinhso.catalog import selectors, services
from tinhso.catalog.models import Component, Procedure, Step

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_export_import_into_empty_db_export_identical(catalog, fmt):
    first = selectors.catalog_export_all(fmt=fmt)
    Procedure.objects.all().delete()
    assert not Procedure.objects.exists()
    services.catalog_import(actor=None, data=first, fmt=fmt)
    second = selectors.catalog_export_all(fmt=fmt)
    if fmt == "json":
        assert json.loads(first) == json.loads(second)
    else:
        def cells(raw):
            wb = load_workbook(io.BytesIO(raw))
            return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
        a, b = cells(first), cells(second)
        assert list(a) == ["procedures", "components", "fees", "form_fields", "steps"]
        assert a == b
    assert Procedure.objects.count() >= 30


def _one(**over):
    d = {"code": "1.999999", "name": "Thủ tục thử", "field_code": "thu", "field_name": "Thử nghiệm", "level": "commune",
         "agency_kind": "ubnd_xa", "online_level": "mot_phan", "legal_basis": "Luật thử", "subjects": "Công dân",
         "result_name": "Kết quả", "time_kind": "working_days", "time_amount": 3, "source_document": "Luật thử",
         "components": [{"key": "to_khai", "name": "Tờ khai", "count_original": 1}],
         "fees": [{"description": "Không thu", "amount": 0}],
         "steps": [{"kind": "receive", "role": "receiver", "share_percent": 50},
                   {"kind": "approve", "role": "leader", "share_percent": 50}]}
    d.update(over)
    return d


def test_bad_json_import_writes_nothing_and_names_code_place_and_field(catalog):
    before = sorted(Procedure.objects.values_list("code", "time_amount"))
    good_change = dict(_one(code="1.001193", name="Đăng ký khai sinh (đổi)"))
    bad = _one(steps=[{"kind": "receive", "role": "receiver", "share_percent": 40},
                      {"kind": "forward", "role": "leader", "share_percent": 40}],
               components=[{"key": "Tờ khai", "name": "Tờ khai"}])
    with pytest.raises(ValidationError) as exc:
        services.catalog_import(actor=None, data={"procedures": [good_change, bad]}, fmt="json")
    text = " | ".join(exc.value.messages)
    assert "1.999999" in text and "procedures[1].components[0]" in text and "“key”" in text
    assert "100%" in text and "60" not in text or "80%" in text
    assert "forward_agency_kind" in text
    assert sorted(Procedure.objects.values_list("code", "time_amount")) == before
    assert Procedure.objects.get(code="1.001193").name == "Đăng ký khai sinh"


def test_bad_excel_import_names_sheet_and_row(catalog):
    from openpyxl import load_workbook as lw

    raw = selectors.catalog_export_all(fmt="xlsx")
    wb = lw(io.BytesIO(raw))
    ws = wb["fees"]
    ws.cell(row=3, column=3, value="hai nghìn")  # amount
    wb["procedures"].cell(row=2, column=1, value="1001193")  # code of the first procedure, bad format
    out = io.BytesIO()
    wb.save(out)
    count = Component.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.catalog_import(actor=None, data=out.getvalue(), fmt="xlsx")
    text = " | ".join(exc.value.messages)
    assert "trang fees, dòng 3" in text and "“amount”" in text
    assert "trang procedures, dòng 2" in text and "“code”" in text
    assert Component.objects.count() == count


def test_import_requires_province_admin(catalog, tp_admin, citizen):
    data = {"procedures": [_one()]}
    for user in (tp_admin, citizen):
        with pytest.raises(PermissionDenied):
            services.catalog_import(actor=user, data=data)
    assert not Procedure.objects.filter(code="1.999999").exists()


def test_step_shares_must_sum_to_100(catalog, province_admin):
    p = Procedure.objects.get(code="1.001193")
    before = list(p.steps.values_list("kind", "share_percent"))
    with pytest.raises(ValidationError) as exc:
        services.procedure_set_steps(actor=province_admin, procedure=p, steps=[
            {"kind": "receive", "role": "receiver", "share_percent": 30},
            {"kind": "approve", "role": "leader", "share_percent": 30}])
    assert "100%" in " ".join(exc.value.messages) and "60%" in " ".join(exc.value.messages)
    assert list(p.steps.values_list("kind", "share_percent")) == before
    services.procedure_set_steps(actor=province_admin, procedure=p, steps=[
        {"kind": "receive", "role": "receiver", "share_percent": 30},
        {"kind": "approve", "role": "leader", "share_percent": 70}])
    assert list(Step.objects.filter(procedure=p).values_list("share_percent", flat=True)) == [30, 70]
