"""Creating, editing and deactivating agencies: validated, evented, all-or-nothing."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.events.models import DomainEvent
from tinhso.places import services
from tinhso.places.models import Agency

from .conftest import snapshot

pytestmark = pytest.mark.django_db


def test_create_with_parent_and_event(province_admin):
    agency = services.agency_create(actor=province_admin, code="000.04.03.h55", name="Phòng Hộ tịch",
                                    kind="phong", parent_code="000.00.03.H55")
    assert agency.code == "000.04.03.H55" and agency.parent.name == "Sở Tư pháp" and agency.province_id == "19"
    event = DomainEvent.objects.get(name="places.agency_created")
    assert event.actor == province_admin and event.subject_id == str(agency.pk)


def test_create_refuses_bad_fields_naming_each_and_writes_nothing(province_admin):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.agency_create(actor=province_admin, code="abc", name=" ", kind="ministry",
                               parent_code="000.00.99.H55", commune_code="99999")
    errors = exc.value.message_dict
    assert set(errors) == {"code", "name", "kind", "parent_code", "commune_code"}
    assert "NNN.NN.NN.XNN" in errors["code"][0]
    assert "“000.00.99.H55”" in errors["parent_code"][0]
    assert snapshot() == before


def test_create_refuses_duplicate_code_and_parent_of_other_level_1(province_admin):
    with pytest.raises(ValidationError) as exc:
        services.agency_create(actor=province_admin, code="000.00.03.H55", name="Trùng", kind="so")
    assert "Đã có" in exc.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as exc:
        services.agency_create(actor=province_admin, code="000.00.50.H56", name="Khác tỉnh", kind="so",
                               parent_code="000.00.00.H55")
    assert "mã cấp 1" in exc.value.message_dict["parent_code"][0]


def test_update_changes_fields_but_refuses_a_cycle(province_admin):
    agency = services.agency_update(actor=province_admin, agency_code="000.00.03.H55", name="Sở Tư pháp tỉnh Thái Nguyên",
                                    kind="so", short_name="STP", parent_code="000.00.00.H55")
    assert agency.name == "Sở Tư pháp tỉnh Thái Nguyên"
    assert DomainEvent.objects.filter(name="places.agency_updated").count() == 1
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.agency_update(actor=province_admin, agency_code="000.00.03.H55", name="Sở Tư pháp", kind="so",
                               parent_code="000.01.03.H55")
    assert "parent_code" in exc.value.message_dict
    assert snapshot() == before


def test_deactivate_leaf_but_not_a_parent_with_active_units(province_admin):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        services.agency_deactivate(actor=province_admin, agency_code="000.00.03.H55")
    assert "đơn vị trực thuộc" in exc.value.message_dict["code"][0]
    assert snapshot() == before
    services.agency_deactivate(actor=province_admin, agency_code="000.01.03.H55")
    assert not Agency.objects.get(code="000.01.03.H55").active
    assert DomainEvent.objects.filter(name="places.agency_deactivated").count() == 1


@pytest.mark.parametrize("who", ["citizen", "official_without_role", "admin_of_other_province"])
def test_services_refuse_users_without_the_province_admin_role(refused_users, who):
    user = refused_users[who]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.agency_create(actor=user, code="000.00.40.H55", name="Sở mới", kind="so")
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=user, agency_code="000.00.03.H55", name="Đổi tên", kind="so")
    with pytest.raises(PermissionDenied):
        services.agency_deactivate(actor=user, agency_code="000.01.03.H55")
    assert snapshot() == before
