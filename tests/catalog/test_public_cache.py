"""Procedures are kept in the process for submissions and pages (catalog.selectors.procedure_public): an
edit made through the catalog's services is seen at once, never after a stale read."""
import pytest
from django.http import Http404

from tinhso.catalog import selectors, services


@pytest.mark.django_db
def test_withdrawing_a_procedure_refuses_it_at_once(catalog, province_admin):
    code = "1.001193"
    first = selectors.procedure_public(code=code)
    assert selectors.procedure_public(code=code) is first  # kept: no second read
    services.procedure_publish(actor=province_admin, procedure=first, published=False)
    with pytest.raises(Http404):
        selectors.procedure_public(code=code)


@pytest.mark.django_db
def test_a_new_paper_is_required_at_once(catalog, province_admin):
    code = "1.001193"
    before = selectors.procedure_public(code=code)
    rows = [{"key": c.key, "name": c.name, "count_original": c.count_original, "count_certified": c.count_certified,
             "count_copy": c.count_copy, "mandatory": c.mandatory, "file_types": c.file_types}
            for c in before.components.all()]
    rows.append({"key": "giay_xac_nhan", "name": "Giấy xác nhận mới", "count_original": 1, "mandatory": True,
                 "file_types": "pdf"})
    services.procedure_set_components(actor=province_admin, procedure=before, components=rows)
    after = selectors.procedure_public(code=code)
    assert "giay_xac_nhan" in [c.key for c in after.components.all()]
    assert after is not before


@pytest.mark.django_db
def test_a_form_change_is_validated_at_once(catalog, province_admin):
    code = "1.001193"
    p = selectors.procedure_public(code=code)
    fields = [{"key": "ho_ten", "label": "Họ và tên", "type": "text", "required": True}]
    services.procedure_set_form_fields(actor=province_admin, procedure=p, form_fields=fields)
    cleaned, errors = selectors.form_validate(procedure=selectors.procedure_public(code=code), data={})
    assert list(errors) == ["ho_ten"]
